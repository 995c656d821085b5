package sqlstore

import (
	"net/url"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/callaudit/callaudit"
)

// target is a parsed data source name: which database and how to reach it.
type target struct {
	dialect dialect
	// sqliteDSN is the modernc.org/sqlite data source name.
	sqliteDSN string
	// memory is true for an in-memory SQLite database, which exists once
	// per connection and so must live on exactly one.
	memory bool
	// dir is the directory of a SQLite file given as a path, created by
	// Open when missing; empty for file: URIs and memory databases.
	dir string
	// pgConfig is the parsed PostgreSQL configuration.
	pgConfig *pgx.ConnConfig
	// secret is the password in the DSN, scrubbed from every error.
	secret string
}

// sqliteParams are the connection settings every SQLite connection gets
// unless the DSN sets them: wait up to 5 s for a lock instead of failing
// with SQLITE_BUSY, write-ahead log so readers never block the writer,
// synchronous=NORMAL (safe with WAL: a power cut may lose the last
// commits, never corrupt the file), foreign keys on, and BEGIN IMMEDIATE
// so a write transaction takes the write lock at its start rather than
// failing to upgrade a read lock midway.
var sqliteParams = [][2]string{
	{"_pragma", "busy_timeout(5000)"},
	{"_pragma", "journal_mode(WAL)"},
	{"_pragma", "synchronous(NORMAL)"},
	{"_pragma", "foreign_keys(1)"},
	{"_txlock", "immediate"},
}

// parseDSN understands a file path, file: and sqlite: URLs (SQLite) and
// postgres:// or postgresql:// URLs (PostgreSQL). Its errors never hold the
// DSN's password.
func parseDSN(dsn string) (target, error) {
	const op = "sqlstore.Open"
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return target{}, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op, Message: "the database URL is empty"}
	}
	if IsPostgres(dsn) {
		secret := urlPassword(dsn)
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return target{}, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op,
				Message: "the PostgreSQL URL cannot be parsed", Err: scrub(err, secret)}
		}
		return target{dialect: postgresDialect{}, pgConfig: cfg, secret: cfg.Password}, nil
	}
	path, q, memory, err := splitSQLite(dsn)
	if err != nil {
		return target{}, err
	}
	setPragmas := map[string]bool{}
	for _, p := range q["_pragma"] {
		setPragmas[pragmaName(p)] = true
	}
	for _, kv := range sqliteParams {
		switch {
		case kv[0] == "_pragma" && setPragmas[pragmaName(kv[1])]:
		case kv[0] != "_pragma" && q.Has(kv[0]):
		case memory && kv[1] == "journal_mode(WAL)":
			// An in-memory database has no log file.
		default:
			q.Add(kv[0], kv[1])
		}
	}
	dir := ""
	if !memory && !strings.HasPrefix(strings.ToLower(path), "file:") {
		dir = filepath.Dir(path)
	}
	return target{dialect: sqliteDialect{}, sqliteDSN: path + "?" + q.Encode(), memory: memory, dir: dir}, nil
}

// IsPostgres reports whether dsn is a postgres:// or postgresql:// URL,
// which Open keeps in PostgreSQL; Open reads anything else as SQLite.
func IsPostgres(dsn string) bool {
	lower := strings.ToLower(strings.TrimSpace(dsn))
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// SQLiteFile returns the SQLite database a DSN names, read the way Open
// reads it: the file (a path, or a file: URI) without its parameters, and
// whether the database is in memory. A PostgreSQL URL or a DSN Open would
// refuse is a KindInvalid error. Whatever keeps its own file beside the
// history (the job queue) names it from this, so that every DSN the
// store accepts works for it too.
func SQLiteFile(dsn string) (file string, memory bool, err error) {
	if IsPostgres(dsn) {
		return "", false, &callaudit.Error{Kind: callaudit.KindInvalid, Op: "sqlstore.SQLiteFile", Message: "a PostgreSQL URL names no SQLite file"}
	}
	file, _, memory, err = splitSQLite(strings.TrimSpace(dsn))
	return file, memory, err
}

// splitSQLite splits a SQLite DSN (a path, a file: URI, or a sqlite: URL)
// into the file and its parameters, and reports whether it is in memory.
func splitSQLite(dsn string) (file string, params url.Values, memory bool, err error) {
	const op = "sqlstore.Open"
	lower := strings.ToLower(dsn)
	file, query := dsn, ""
	switch {
	case strings.HasPrefix(lower, "sqlite://"):
		file = dsn[len("sqlite://"):]
	case strings.HasPrefix(lower, "sqlite3://"):
		file = dsn[len("sqlite3://"):]
	case strings.HasPrefix(lower, "sqlite:"):
		file = dsn[len("sqlite:"):]
	case strings.HasPrefix(lower, "file:"):
		// A SQLite URI: modernc.org/sqlite hands it to SQLite whole.
	case strings.Contains(lower, "://"):
		return "", nil, false, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op,
			Message: "unsupported database URL: use a SQLite file path, a file: or sqlite: URL, or a postgres:// URL"}
	}
	if i := strings.IndexByte(file, '?'); i >= 0 {
		file, query = file[:i], file[i+1:]
	}
	if file == "" || file == "file:" {
		return "", nil, false, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op, Message: "the SQLite database path is empty"}
	}
	params, err = url.ParseQuery(query)
	if err != nil {
		return "", nil, false, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op, Message: "the SQLite URL's parameters cannot be parsed", Err: err}
	}
	memory = file == ":memory:" || file == "file::memory:" || params.Get("mode") == "memory"
	return file, params, memory, nil
}

// urlPassword returns the password of a URL, also of one that url.Parse
// rejects (a bad port, say), whose text an error may still echo.
func urlPassword(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		p, _ := u.User.Password()
		return p
	}
	_, rest, _ := strings.Cut(dsn, "://")
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return ""
	}
	_, p, _ := strings.Cut(rest[:at], ":")
	return p
}

// pragmaName returns "busy_timeout" for "busy_timeout(5000)" or
// "busy_timeout=5000".
func pragmaName(p string) string {
	if i := strings.IndexAny(p, "(="); i >= 0 {
		p = p[:i]
	}
	return strings.ToLower(strings.TrimSpace(p))
}

// Redact returns dsn with its password replaced by "xxxxx", for logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		if err != nil && strings.Contains(dsn, "@") {
			return "(unparsable database URL)"
		}
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
