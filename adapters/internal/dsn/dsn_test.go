package dsn

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, dsn string
		postgres  bool
		file, dir string
		memory    bool
		bad       bool
	}{
		{name: "relative path", dsn: "callaudit.db", file: "callaudit.db", dir: "."},
		{name: "absolute path with params", dsn: "/var/lib/a/calls.db?_pragma=busy_timeout(1)", file: "/var/lib/a/calls.db", dir: "/var/lib/a"},
		{name: "sqlite scheme", dsn: "sqlite:data/calls.db", file: "data/calls.db", dir: "data"},
		{name: "sqlite URL", dsn: "sqlite:///data/x.db", file: "/data/x.db", dir: "/data"},
		{name: "sqlite3 URL", dsn: "sqlite3:///data/x.db", file: "/data/x.db", dir: "/data"},
		{name: "file URI", dsn: "file:x.db?cache=shared", file: "file:x.db"},
		{name: "file URI with authority", dsn: "file:///data/x.db", file: "file:///data/x.db"},
		{name: "memory", dsn: ":memory:", file: ":memory:", memory: true},
		{name: "memory mode", dsn: "file:m?mode=memory", file: "file:m", memory: true},
		{name: "postgres", dsn: "postgres://u:p@db.example.com:5432/audit?sslmode=disable", postgres: true},
		{name: "postgresql", dsn: " postgresql://u@db.example.com/audit", postgres: true},
		{name: "empty", dsn: "  ", bad: true},
		{name: "other scheme", dsn: "mysql://u:p@host/db", bad: true},
		{name: "bad postgres port", dsn: "postgres://u:p@host:port/db", postgres: true, bad: true},
		{name: "empty sqlite path", dsn: "sqlite:", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("test.Op", tt.dsn)
			assert.Equal(t, tt.postgres, IsPostgres(tt.dsn))
			if tt.bad {
				require.Error(t, err)
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
				var ce *callaudit.Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "test.Op", ce.Op)
				return
			}
			require.NoError(t, err)
			if tt.postgres {
				require.NotNil(t, got.Postgres)
				assert.Equal(t, "db.example.com", got.Postgres.Host)
				return
			}
			assert.Nil(t, got.Postgres)
			assert.Equal(t, tt.file, got.File)
			assert.Equal(t, tt.dir, got.Dir)
			assert.Equal(t, tt.memory, got.Memory)
		})
	}
}

// TestSQLiteDefaults: a setting the string makes wins over a default, and
// a memory database gets no journal mode.
func TestSQLiteDefaults(t *testing.T) {
	defaults := [][2]string{{"_pragma", "busy_timeout(5000)"}, {"_pragma", "journal_mode(WAL)"}, {"_txlock", "immediate"}}
	tests := []struct {
		dsn, file string
		pragmas   []string
		txlock    string
	}{
		{"calls.db", "calls.db", []string{"busy_timeout(5000)", "journal_mode(WAL)"}, "immediate"},
		{"calls.db?_pragma=busy_timeout(100)&_txlock=deferred", "calls.db", []string{"busy_timeout(100)", "journal_mode(WAL)"}, "deferred"},
		{":memory:", ":memory:", []string{"busy_timeout(5000)"}, "immediate"},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			tg, err := Parse("op", tt.dsn)
			require.NoError(t, err)
			file, query, ok := strings.Cut(tg.SQLite(defaults...), "?")
			require.True(t, ok)
			assert.Equal(t, tt.file, file)
			q, err := url.ParseQuery(query)
			require.NoError(t, err)
			assert.Equal(t, tt.pragmas, q["_pragma"])
			assert.Equal(t, tt.txlock, q.Get("_txlock"))
		})
	}
}

// TestParseHidesPassword: a PostgreSQL URL that cannot be parsed is
// refused without its password anywhere in the error chain.
func TestParseHidesPassword(t *testing.T) {
	const pw = "s3cret-Pa55"
	for _, s := range []string{"postgres://audit:" + pw + "@127.0.0.1:notaport/audit", "postgres://audit:" + pw + "@127.0.0.1:1/audit?sslmode=sometimes"} {
		_, err := Parse("op", s)
		require.Error(t, err)
		for e := err; e != nil; e = errors.Unwrap(e) {
			assert.NotContains(t, e.Error(), pw)
		}
	}
}

func TestURLPassword(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://audit:pw@db/audit", "pw"},
		{"postgres://audit:p%40w@db/audit", "p@w"},
		{"postgres://audit:pw@db:notaport/audit", "pw"},
		{"postgres://audit@db/audit", ""},
		{"postgres://db/audit", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, urlPassword(tt.dsn), tt.dsn)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://audit:pw@db:5432/audit?sslmode=disable", "postgres://audit:xxxxx@db:5432/audit?sslmode=disable"},
		{"postgres://audit@db/audit", "postgres://audit@db/audit"},
		{"data/calls.db", "data/calls.db"},
		{"postgres://audit:pw@db:port/audit", "postgres://audit:xxxxx@db:port/audit"},
		{"postgres://audit:p#w?x@db/audit?sslmode=disable", "postgres://audit:xxxxx@db/audit?sslmode=disable"},
		{"postgres://audit:p@ss@db/audit", "postgres://audit:xxxxx@db/audit"},
		{"postgres://@db/audit", "postgres://@db/audit"},
		{"file:x.db?password=1", "file:x.db?password=1"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Redact(tt.in), tt.in)
	}
}

func TestScrub(t *testing.T) {
	cause := errors.New("dial postgres://u:hunter2@db failed")
	assert.Equal(t, "dial postgres://u:xxxxx@db failed", Scrub(cause, "hunter2").Error())
	assert.Same(t, cause, Scrub(cause, ""))
	assert.NoError(t, Scrub(nil, "x"))
}

// Every form of PostgreSQL string is recognised, parsed and redacted, and
// no error about it holds the password (issue 18, point 4).
func TestPostgresForms(t *testing.T) {
	const pw = "Hunter2-Secret"
	tests := []struct{ name, dsn, redacted string }{
		{"user info", "postgres://audit:" + pw + "@db:5432/audit", "postgres://audit:xxxxx@db:5432/audit"},
		{"query password", "postgres://audit@db/audit?sslmode=disable&password=" + pw, "postgres://audit@db/audit?sslmode=disable&password=xxxxx"},
		{"postgresql scheme, both", "postgresql://audit:" + pw + "@db/audit?password=" + pw, "postgresql://audit:xxxxx@db/audit?password=xxxxx"},
		{"query sslpassword", "postgres://db/audit?sslpassword=" + pw, "postgres://db/audit?sslpassword=xxxxx"},
		{"keywords", "host=db port=5432 user=audit password=" + pw + " dbname=audit", "host=db port=5432 user=audit password=xxxxx dbname=audit"},
		{"keywords, quoted", "host=db user=audit password='" + pw + " x\\'y' dbname=audit", "host=db user=audit password=xxxxx dbname=audit"},
		{"keywords, spaces around =", "dbname = audit password = " + pw, "dbname = audit password = xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, IsPostgres(tt.dsn))
			got, err := Parse("op", tt.dsn)
			require.NoError(t, err)
			require.NotNil(t, got.Postgres, "never taken for a SQLite path")
			if !strings.Contains(tt.dsn, "sslpassword") {
				assert.Contains(t, got.Postgres.Password, pw)
			}
			assert.Equal(t, tt.redacted, Redact(tt.dsn))
			assert.NotContains(t, Redact(tt.dsn), pw)
		})
	}
	// Broken strings: the error chain holds no password.
	for _, s := range []string{
		"postgres://audit:" + pw + "@db:notaport/audit",
		"postgres://audit@db/audit?password=" + pw + "&sslmode=sometimes",
		"postgres://audit@db/audit?password=" + url.QueryEscape(pw+"@/") + "&sslmode=sometimes",
		"host=db password=" + pw + " sslmode=sometimes",
		"host=db port=notaport password='" + pw + "'",
	} {
		t.Run("broken "+Redact(s), func(t *testing.T) {
			assert.NotContains(t, Redact(s), pw)
			_, err := Parse("op", s)
			require.Error(t, err)
			for e := err; e != nil; e = errors.Unwrap(e) {
				assert.NotContains(t, e.Error(), pw)
				assert.NotContains(t, e.Error(), url.QueryEscape(pw+"@/"))
			}
		})
	}
}

// A string that is neither a file path nor a known URL is refused with a
// message that does not echo it.
func TestParseRefusesUnknownForms(t *testing.T) {
	const pw = "Hunter2-Secret"
	for _, s := range []string{
		"mysql://root:" + pw + "@db/audit",
		"root:" + pw + "@tcp(db:3306)/audit",
		"jdbc:postgresql://db/audit?password=" + pw,
		"Server=db;Password=" + pw,
		"key=" + pw + " other=x",
		"calls.db\x00" + pw,
		"line\n" + pw,
	} {
		t.Run(Redact(s), func(t *testing.T) {
			_, err := Parse("op", s)
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			assert.NotContains(t, err.Error(), pw)
		})
	}
	// Paths that look a little like those stay paths.
	for _, s := range []string{"C:\\data\\calls.db", "data/a:b.db", "/var/lib/calls db.sqlite", "./x=y/calls.db"} {
		t.Run(s, func(t *testing.T) {
			got, err := Parse("op", s)
			require.NoError(t, err)
			assert.Nil(t, got.Postgres)
			assert.Equal(t, s, Redact(s))
		})
	}
}
