package storagetest_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/storage/storagetest"
)

// A database made by PostgresDatabase is new, empty, reached by the URL
// returned, and gone once its test has ended.
func TestPostgresDatabase(t *testing.T) {
	base := storagetest.PostgresURL(t, os.Getenv)
	var name string
	t.Run("one test", func(t *testing.T) {
		dsn := storagetest.PostgresDatabase(t, os.Getenv, "storagetest_")
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		name = strings.TrimPrefix(u.Path, "/")
		require.True(t, strings.HasPrefix(name, "storagetest_"), name)
		db, err := sql.Open("pgx", dsn)
		require.NoError(t, err)
		defer db.Close()
		var current string
		var tables int
		require.NoError(t, db.QueryRowContext(context.Background(), "SELECT current_database()").Scan(&current))
		require.NoError(t, db.QueryRowContext(context.Background(),
			"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&tables))
		assert.Equal(t, name, current)
		assert.Zero(t, tables)
		_, err = db.ExecContext(context.Background(), "CREATE TABLE kept (id int)")
		require.NoError(t, err)
	})
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	var n int
	require.NoError(t, admin.QueryRowContext(context.Background(),
		"SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n))
	assert.Zero(t, n, "database %s is left after its test", name)
}

// Without a server the test is skipped, or failed when the test command
// requires every input.
func TestPostgresURLWithoutAServer(t *testing.T) {
	env := func(require string) storagetest.Getenv {
		return func(key string) string {
			if key == "AUDIT_TEST_REQUIRE" {
				return require
			}
			return ""
		}
	}
	for _, tc := range []struct {
		require        string
		skipped, fails bool
	}{{"", true, false}, {"1", false, true}} {
		ft := &fakeT{TB: t}
		done := make(chan struct{})
		go func() { // Skip and Fatal end the goroutine
			defer close(done)
			storagetest.PostgresURL(ft, env(tc.require))
		}()
		<-done
		assert.Equal(t, tc.skipped, ft.skipped, "AUDIT_TEST_REQUIRE=%q", tc.require)
		assert.Equal(t, tc.fails, ft.failed, "AUDIT_TEST_REQUIRE=%q", tc.require)
		if tc.fails {
			assert.Contains(t, ft.msg, "AUDIT_TEST_REQUIRE=1")
		}
	}
}

// fakeT records a Skip or a Fatal and ends its goroutine, as testing.T
// does, without ending the real test.
type fakeT struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeT) Skip(args ...any) {
	f.skipped, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (f *fakeT) Fatal(args ...any) {
	f.failed, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}
