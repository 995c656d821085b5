package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
)

func TestAccountsConformance(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			if db.name == "postgres" {
				postgresURL(t)
			}
			storagetest.RunAccounts(t, func(t *testing.T) storage.Accounts { return open(t, db.fresh(t)) })
		})
	}
}

// TestAccountsSurviveReopen: users and tokens are in the database, not in
// the process, so every replica and every restart sees them.
func TestAccountsSurviveReopen(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			dsn := db.fresh(t)
			ctx := context.Background()
			s := open(t, dsn)
			require.NoError(t, s.CreateUser(ctx, storage.User{ID: "u1", Login: "Admin", Role: storage.RoleAdmin, PasswordHash: "h"}))
			require.NoError(t, s.CreateToken(ctx, storage.Token{ID: "t1", Hash: "th", Scopes: []storage.Scope{storage.ScopeRead}}))
			require.NoError(t, s.Close())
			again := open(t, dsn)
			u, err := again.UserByLogin(ctx, "ADMIN")
			require.NoError(t, err)
			assert.Equal(t, storage.RoleAdmin, u.Role)
			tok, err := again.TokenByHash(ctx, "th")
			require.NoError(t, err)
			assert.Equal(t, []storage.Scope{storage.ScopeRead}, tok.Scopes)
		})
	}
}

func TestReviewsConformance(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			if db.name == "postgres" {
				postgresURL(t)
			}
			storagetest.RunReviews(t, func(t *testing.T) storage.ReviewStore { return open(t, db.fresh(t)) })
		})
	}
}
