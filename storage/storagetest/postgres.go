package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
)

// Getenv reads a test input. A test passes the os package's: the library reads
// no environment itself (configuration belongs in cmd/internal/config).
type Getenv func(key string) string

// PostgresURL returns the URL of the test PostgreSQL server,
// AUDIT_TEST_POSTGRES_URL read with getenv. Without it the test is
// skipped, unless AUDIT_TEST_REQUIRE=1 (set by the test command,
// scripts/test.sh, which starts a server) makes that a failure.
func PostgresURL(t testing.TB, getenv Getenv) string {
	t.Helper()
	base := getenv("AUDIT_TEST_POSTGRES_URL")
	if base == "" {
		if getenv("AUDIT_TEST_REQUIRE") == "1" {
			t.Fatal("AUDIT_TEST_POSTGRES_URL is not set and AUDIT_TEST_REQUIRE=1: run scripts/test.sh")
		}
		t.Skip("missing test input: AUDIT_TEST_POSTGRES_URL is not set (scripts/test.sh starts a PostgreSQL server)")
	}
	return base
}

// PostgresDatabase creates an empty database on the test server
// (PostgresURL) for one test, named prefix and a random suffix, drops it
// when the test ends, and returns its URL: the server's URL with the
// database's name as its path, the query kept.
func PostgresDatabase(t testing.TB, getenv Getenv, prefix string) string {
	t.Helper()
	base := PostgresURL(t, getenv)
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		t.Fatalf("AUDIT_TEST_POSTGRES_URL is not a postgres:// URL")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("opening the test server: %v", err)
	}
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		t.Fatalf("creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
