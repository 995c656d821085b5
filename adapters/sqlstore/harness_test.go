package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// database is one dialect under test: how to make a fresh, empty database
// and open a Store on it.
type database struct {
	name string
	// fresh returns the DSN of a new empty database that is removed when
	// the test ends.
	fresh func(t testing.TB) string
}

// databases returns SQLite always and PostgreSQL when
// AUDIT_TEST_POSTGRES_URL names a server.
func databases() []database {
	return []database{
		{name: "sqlite", fresh: freshSQLite},
		{name: "postgres", fresh: freshPostgres},
	}
}

func freshSQLite(t testing.TB) string {
	return filepath.Join(t.TempDir(), "calls.db")
}

// postgresURL returns the test server's URL, skipping the test when there
// is none, or failing it when AUDIT_TEST_REQUIRE=1 says there must be one.
func postgresURL(t testing.TB) string { return storagetest.PostgresURL(t, os.Getenv) }

// freshPostgres creates a schema of its own for the test and returns a URL
// whose search_path selects it, so that tests run in parallel on one
// server without seeing each other's tables. The schema is dropped after
// the test.
func freshPostgres(t testing.TB) string {
	base := postgresURL(t)
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })

	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "sqlstore_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	_, err = admin.ExecContext(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		require.NoError(t, err)
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// open opens a Store on dsn and closes it when the test ends.
func open(t testing.TB, dsn string, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dsn, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}
