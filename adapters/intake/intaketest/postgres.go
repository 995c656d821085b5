package intaketest

import (
	"testing"

	"github.com/callaudit/callaudit/storage/storagetest"
)

// OnEachStore runs test as subtests "sqlite" (a new SQLite file: an empty
// DSN) and "postgres" (an empty database of its own on the test server,
// storagetest.PostgresDatabase with getenv, usually the os package's).
func OnEachStore(t *testing.T, getenv storagetest.Getenv, test func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { test(t, "") })
	t.Run("postgres", func(t *testing.T) { test(t, storagetest.PostgresDatabase(t, getenv, "intake_test_")) })
}
