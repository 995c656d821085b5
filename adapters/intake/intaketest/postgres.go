package intaketest

import (
	"database/sql"
	"fmt"
	"net/url"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
	"github.com/stretchr/testify/require"
)

// Getenv reads a test input: a test passes the os package's, as the
// library reads no environment itself (TestLibraryReadsNoEnvironment).
type Getenv func(key string) string

// PostgresDSN creates an empty database on the test server
// (AUDIT_TEST_POSTGRES_URL, read with getenv) for one test, dropped after
// it, and returns its URL, for EnvConfig.DSN. Without the variable the
// test is skipped, unless AUDIT_TEST_REQUIRE=1 (the test command) makes
// that a failure.
func PostgresDSN(t *testing.T, getenv Getenv) string {
	t.Helper()
	base := getenv("AUDIT_TEST_POSTGRES_URL")
	switch {
	case base == "" && getenv("AUDIT_TEST_REQUIRE") == "1":
		t.Fatal("AUDIT_TEST_POSTGRES_URL is not set and AUDIT_TEST_REQUIRE=1")
	case base == "":
		t.Skip("missing test input: AUDIT_TEST_POSTGRES_URL is not set")
	}
	u, err := url.Parse(base)
	require.NoError(t, err)
	name := fmt.Sprintf("intake_test_%d", time.Now().UnixNano())
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	_, err = admin.Exec("CREATE DATABASE " + name)
	require.NoError(t, err)
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// OnEachStore runs test as subtests "sqlite" (a new SQLite file: an empty
// DSN) and "postgres" (a PostgresDSN database, getenv as there).
func OnEachStore(t *testing.T, getenv Getenv, test func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { test(t, "") })
	t.Run("postgres", func(t *testing.T) { test(t, PostgresDSN(t, getenv)) })
}
