package sqlstore

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

func TestParseDSN(t *testing.T) {
	tests := []struct {
		name, dsn string
		dialect   string
		path      string // the SQLite path modernc.org/sqlite receives
		memory    bool
		kind      callaudit.Kind
	}{
		{name: "relative path", dsn: "callaudit.db", dialect: "sqlite", path: "callaudit.db"},
		{name: "absolute path", dsn: "/var/lib/callaudit/calls.db", dialect: "sqlite", path: "/var/lib/callaudit/calls.db"},
		{name: "sqlite scheme", dsn: "sqlite:data/calls.db", dialect: "sqlite", path: "data/calls.db"},
		{name: "sqlite URL", dsn: "sqlite:///var/lib/calls.db", dialect: "sqlite", path: "/var/lib/calls.db"},
		{name: "file URI", dsn: "file:calls.db?cache=shared", dialect: "sqlite", path: "file:calls.db"},
		{name: "file URI with authority", dsn: "file:///var/lib/calls.db", dialect: "sqlite", path: "file:///var/lib/calls.db"},
		{name: "in memory", dsn: ":memory:", dialect: "sqlite", path: ":memory:", memory: true},
		{name: "postgres", dsn: "postgres://u:p@db.example.com:5432/audit?sslmode=disable", dialect: "postgres"},
		{name: "postgresql", dsn: "postgresql://u@db.example.com/audit", dialect: "postgres"},
		{name: "empty", dsn: "  ", kind: callaudit.KindInvalid},
		{name: "other scheme", dsn: "mysql://u:p@host/db", kind: callaudit.KindInvalid},
		{name: "bad postgres port", dsn: "postgres://u:p@host:port/db", kind: callaudit.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := parseDSN(tt.dsn)
			if tt.kind != "" {
				require.Error(t, err)
				assert.Equal(t, tt.kind, callaudit.KindOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.dialect, tg.dialect.name())
			assert.Equal(t, tt.memory, tg.memory)
			assert.Equal(t, tt.dialect == "postgres", IsPostgres(tt.dsn))
			if tt.dialect != "sqlite" {
				return
			}
			path, query, _ := strings.Cut(tg.sqliteDSN, "?")
			assert.Equal(t, tt.path, path)
			q, err := url.ParseQuery(query)
			require.NoError(t, err)
			assert.Equal(t, "immediate", q.Get("_txlock"))
			assert.Contains(t, q["_pragma"], "busy_timeout(5000)")
			assert.Equal(t, !tt.memory, contains(q["_pragma"], "journal_mode(WAL)"), "WAL only for files")
		})
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestParseDSNKeepsCallerSettings: a pragma or key the DSN sets wins over
// the default.
func TestParseDSNKeepsCallerSettings(t *testing.T) {
	tg, err := parseDSN("calls.db?_pragma=busy_timeout(100)&_txlock=deferred")
	require.NoError(t, err)
	q, err := url.ParseQuery(strings.SplitN(tg.sqliteDSN, "?", 2)[1])
	require.NoError(t, err)
	assert.Equal(t, "deferred", q.Get("_txlock"))
	assert.Equal(t, []string{"busy_timeout(100)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"}, q["_pragma"])
}

// TestOpenHidesPassword: errors from a bad or unreachable PostgreSQL URL
// never contain the password, in the message, the log text or the causes.
func TestOpenHidesPassword(t *testing.T) {
	const password = "s3cret-Pa55"
	tests := []struct {
		name, dsn string
		kind      callaudit.Kind
	}{
		// Port 1 on loopback refuses at once: no network beyond this host.
		{"unreachable", "postgres://audit:" + password + "@127.0.0.1:1/audit?sslmode=disable&connect_timeout=2", callaudit.KindUnavailable},
		{"unparsable", "postgres://audit:" + password + "@127.0.0.1:notaport/audit", callaudit.KindInvalid},
		{"bad option", "postgres://audit:" + password + "@127.0.0.1:1/audit?sslmode=sometimes", callaudit.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := Open(ctx, tt.dsn)
			require.Error(t, err)
			require.Nil(t, s)
			assert.Equal(t, tt.kind, callaudit.KindOf(err), "%v", err)
			for e := err; e != nil; e = errors.Unwrap(e) {
				assert.NotContains(t, e.Error(), password)
			}
			assert.NotContains(t, callaudit.MessageOf(err), password)
		})
	}
}

// TestTimeLayoutSorts: SQLite compares the stored text, so text order must
// be time order, also across zones and sub-second digits.
func TestTimeLayoutSorts(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	times := []time.Time{
		time.Date(2025, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(2026, 1, 1, 2, 0, 0, 0, msk), // 2025-12-31T23:00Z: earlier
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 100000000, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC),
	}
	d := sqliteDialect{}
	for i, a := range times {
		for _, b := range times[i+1:] {
			as, bs := d.timeArg(a).(string), d.timeArg(b).(string)
			assert.Equal(t, a.Before(b), as < bs, "%s vs %s", as, bs)
			var v timeValue
			require.NoError(t, v.Scan(as))
			assert.True(t, v.t.Equal(a), "round trip of %s", as)
		}
	}
}

// TestSQLiteWeekBucket checks the SQL week expression against
// storage.Bucket.Start for every day of two weeks.
func TestSQLiteWeekBucket(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	require.NoError(t, err)
	defer s.Close()
	d := sqliteDialect{}
	for _, b := range []storage.Bucket{storage.BucketDay, storage.BucketWeek} {
		for h := 0; h < 14*24; h += 7 {
			at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
			var got timeValue
			q := "SELECT " + strings.ReplaceAll(d.bucket(b), "created_at", "?")
			args := make([]any, strings.Count(q, "?"))
			for i := range args {
				args[i] = d.timeArg(at)
			}
			require.NoError(t, s.read.QueryRow(q, args...).Scan(&got))
			assert.Equal(t, b.Start(at), got.t, "%s bucket of %s", b, at)
		}
	}
}
