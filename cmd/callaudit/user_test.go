package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/storage"
)

// TestUserAdd: the first admin is created from the command line with the
// password on stdin; it is stored hashed, the login is unique in any
// case, and refusals say why.
func TestUserAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "calls.db")
	t.Setenv("AUDIT_DATABASE_URL", db)
	const password = "Cli-pa55word"
	code, out, errOut := runCLI(t, password+"\n", "user", "add", "--admin", "Ольга")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "added admin Ольга\n", out)
	assert.NotContains(t, out+errOut, password)

	code, _, errOut = runCLI(t, "another-pass\n", "user", "add", "--role", "manager", "--manager-id", "m7", "ОЛЬГА")
	assert.Equal(t, exitFail, code)
	assert.Contains(t, errOut, "exists")

	code, _, errOut = runCLI(t, "another-pass\n", "user", "add", "--role", "lead", "--teams", "north, south", "lead")
	require.Equal(t, 0, code, errOut)

	for _, tt := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no role", password + "\n", []string{"user", "add", "x"}, "--admin or --role"},
		{"no login", password + "\n", []string{"user", "add", "--admin"}, "one LOGIN"},
		{"short password", "short\n", []string{"user", "add", "--admin", "y"}, "at least 8"},
		{"no password", "", []string{"user", "add", "--admin", "z"}, "no password"},
		{"manager without id", password + "\n", []string{"user", "add", "--role", "manager", "m"}, "manager_id"},
		{"unknown command", "", []string{"user", "remove", "x"}, "the command is add"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.stdin, tt.args...)
			assert.NotEqual(t, 0, code)
			assert.Contains(t, errOut, tt.want)
			assert.NotContains(t, errOut, "short\n")
		})
	}

	st, err := sqlstore.Open(context.Background(), db)
	require.NoError(t, err)
	defer st.Close()
	u, err := st.UserByLogin(context.Background(), "ольга")
	require.NoError(t, err)
	assert.Equal(t, storage.RoleAdmin, u.Role)
	ok, err := access.CheckPassword(u.PasswordHash, password)
	require.NoError(t, err)
	assert.True(t, ok)
	lead, err := st.UserByLogin(context.Background(), "lead")
	require.NoError(t, err)
	assert.Equal(t, []string{"north", "south"}, lead.Teams)
	data, err := os.ReadFile(db)
	require.NoError(t, err)
	wal, _ := os.ReadFile(db + "-wal")
	assert.NotContains(t, string(data)+string(wal), password, "the database holds no password in clear")
}
