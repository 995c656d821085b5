// Package dsn reads the database connection strings of the adapters (the
// value of AUDIT_DATABASE_URL), once for all of them: sqlstore opens the
// history from it and the job queue finds where its tables go. A string
// is a SQLite file path, a file: or sqlite: URL, or a postgres:// or
// postgresql:// URL. Errors and Redact never show the password.
package dsn

import (
	"errors"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/callaudit/callaudit"
)

// Target is a parsed connection string: PostgreSQL (Postgres set) or
// SQLite (File set).
type Target struct {
	// Postgres is the parsed PostgreSQL configuration; nil for SQLite.
	Postgres *pgx.ConnConfig
	// File is the SQLite database as modernc.org/sqlite takes it (a path
	// or a file: URI), without its parameters.
	File string
	// Params are the SQLite parameters the string set (_pragma, _txlock…).
	Params url.Values
	// Memory is true for an in-memory SQLite database, which exists once
	// per connection and so must live on exactly one.
	Memory bool
	// Dir is the directory of a SQLite file given as a path, which a
	// caller may create; empty for file: URIs and memory databases.
	Dir string
	// Secret is the password, to scrub from errors (see Scrub).
	Secret string
}

// Parse reads s; op names the caller in errors ("sqlstore.Open"). Its
// errors are KindInvalid and never hold the password.
func Parse(op, s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op, Message: "the database URL is empty"}
	}
	if IsPostgres(s) {
		secret := urlPassword(s)
		cfg, err := pgx.ParseConfig(s)
		if err != nil {
			return Target{}, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op,
				Message: "the PostgreSQL URL cannot be parsed", Err: Scrub(err, secret)}
		}
		return Target{Postgres: cfg, Secret: cfg.Password}, nil
	}
	file, params, memory, err := splitSQLite(op, s)
	if err != nil {
		return Target{}, err
	}
	t := Target{File: file, Params: params, Memory: memory}
	if !memory && !strings.HasPrefix(strings.ToLower(file), "file:") {
		t.Dir = filepath.Dir(file)
	}
	return t, nil
}

// SQLite returns the modernc.org/sqlite data source name of a SQLite
// target: its file and parameters, plus each of defaults (key, value
// pairs; "_pragma" values like "busy_timeout(5000)") the string does not
// set itself. journal_mode is skipped for a memory database, which has no
// log file.
func (t Target) SQLite(defaults ...[2]string) string {
	q := url.Values{}
	for k, vs := range t.Params {
		q[k] = append([]string(nil), vs...)
	}
	set := map[string]bool{}
	for _, p := range q["_pragma"] {
		set[pragmaName(p)] = true
	}
	for _, kv := range defaults {
		switch {
		case kv[0] == "_pragma" && set[pragmaName(kv[1])]:
		case kv[0] != "_pragma" && q.Has(kv[0]):
		case t.Memory && pragmaName(kv[1]) == "journal_mode":
		default:
			q.Add(kv[0], kv[1])
		}
	}
	return t.File + "?" + q.Encode()
}

// IsPostgres reports whether s is a postgres:// or postgresql:// URL;
// Parse reads anything else as SQLite.
func IsPostgres(s string) bool {
	lower := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// splitSQLite splits a SQLite string (a path, a file: URI, or a sqlite:
// URL) into the file and its parameters, and reports whether it is in
// memory.
func splitSQLite(op, s string) (file string, params url.Values, memory bool, err error) {
	lower := strings.ToLower(s)
	file, query := s, ""
	switch {
	case strings.HasPrefix(lower, "sqlite://"):
		file = s[len("sqlite://"):]
	case strings.HasPrefix(lower, "sqlite3://"):
		file = s[len("sqlite3://"):]
	case strings.HasPrefix(lower, "sqlite:"):
		file = s[len("sqlite:"):]
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
func urlPassword(s string) string {
	if u, err := url.Parse(s); err == nil {
		p, _ := u.User.Password()
		return p
	}
	_, rest, _ := strings.Cut(s, "://")
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

// Redact returns s with its password replaced by "xxxxx", for logs.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if err != nil && strings.Contains(s, "@") {
			return "(unparsable database URL)"
		}
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Scrub returns err, or a copy of its text without secret when the text
// holds it. The copy loses the chain, which is the point: a cause that
// prints a password must not reach a log through Unwrap either.
func Scrub(err error, secret string) error {
	if secret == "" || err == nil || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "xxxxx"))
}
