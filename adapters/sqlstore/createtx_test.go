package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// TestCreateTx: the caller's writes in then commit with the call or roll
// back with it, and then sees what Create would return.
func TestCreateTx(t *testing.T) {
	injected := errors.New("injected")
	tests := []struct {
		name string
		// existing is saved first when set
		existing *storage.Call
		thenErr  error
		// want: the call's status after, "" for no call; side: the
		// caller's row exists after
		wantCreated bool
		wantStatus  storage.Status
		wantSide    bool
	}{
		{name: "new call commits both", wantCreated: true, wantStatus: storage.StatusQueued, wantSide: true},
		{name: "then's error rolls both back", thenErr: injected},
		{name: "existing call is kept", existing: &storage.Call{ID: "c", Status: storage.StatusDone, Source: "webhook"},
			wantStatus: storage.StatusDone, wantSide: true},
		{name: "then's error keeps the existing call", existing: &storage.Call{ID: "c", Status: storage.StatusDone},
			thenErr: injected, wantStatus: storage.StatusDone},
	}
	for _, db := range databases() {
		for _, tt := range tests {
			t.Run(db.name+"/"+tt.name, func(t *testing.T) {
				ctx := context.Background()
				s := open(t, db.fresh(t))
				_, err := s.WriteDB().ExecContext(ctx, "CREATE TABLE side (id TEXT PRIMARY KEY)")
				require.NoError(t, err)
				if tt.existing != nil {
					require.NoError(t, s.Save(ctx, *tt.existing))
				}
				insert := "INSERT INTO side (id) VALUES (?)"
				if s.Dialect() == "postgres" {
					insert = "INSERT INTO side (id) VALUES ($1)"
				}
				var seen storage.Call
				var seenCreated bool
				stored, created, err := s.CreateTx(ctx, storage.Call{ID: "c", Status: storage.StatusQueued, Source: "webhook"},
					func(ctx context.Context, tx *sql.Tx, call storage.Call, created bool) error {
						seen, seenCreated = call, created
						if _, err := tx.ExecContext(ctx, insert, call.ID); err != nil {
							return err
						}
						return tt.thenErr
					})
				if tt.thenErr != nil {
					require.ErrorIs(t, err, tt.thenErr)
				} else {
					require.NoError(t, err)
					assert.Equal(t, tt.wantCreated, created)
					assert.Equal(t, seen, stored, "then sees the call as returned")
					assert.Equal(t, tt.wantCreated, seenCreated)
				}

				got, err := s.Get(ctx, "c")
				if tt.wantStatus == "" {
					assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "%v", err)
				} else {
					require.NoError(t, err)
					assert.Equal(t, tt.wantStatus, got.Status)
				}
				var n int
				require.NoError(t, s.DB().QueryRowContext(ctx, "SELECT count(*) FROM side").Scan(&n))
				assert.Equal(t, tt.wantSide, n == 1, "the caller's row")
			})
		}
	}
}
