// Package dsn reads the database connection strings of the adapters (the
// value of AUDIT_DATABASE_URL), once for all of them: sqlstore opens the
// history from it and the job queue finds where its tables go. A string
// is one of
//
//   - a PostgreSQL URL (postgres:// or postgresql://), whose password may
//     be in its user info (user:pass@) or its query (?password=…);
//   - a PostgreSQL keyword/value string (host=db user=audit password=…),
//     recognised by its libpq keywords, so that it is never taken for a
//     file name;
//   - a SQLite file path, or a file:, sqlite: or sqlite3: URL.
//
// Anything else (another scheme, key=value pairs that are not libpq's,
// control characters) is refused. Errors and Redact never show the
// password, and errors never echo the string.
package dsn

import (
	"errors"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

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
	if strings.ContainsFunc(s, unicode.IsControl) {
		return Target{}, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op, Message: "the database URL holds control characters"}
	}
	if IsPostgres(s) {
		cfg, err := pgx.ParseConfig(s)
		if err != nil {
			return Target{}, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op,
				Message: "the PostgreSQL connection string cannot be parsed", Err: scrubAll(err, secrets(s))}
		}
		return Target{Postgres: cfg, Secret: cfg.Password}, nil
	}
	if _, ok := keywords(s); ok {
		return Target{}, &callaudit.Error{Kind: callaudit.KindInvalid, Op: op,
			Message: "unsupported database URL: key=value settings are read only as a PostgreSQL keyword string (host=… dbname=…); use a SQLite file path, a file: or sqlite: URL, or a postgres:// URL"}
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

// IsPostgres reports whether s is a postgres:// or postgresql:// URL or a
// PostgreSQL keyword/value string; Parse reads anything else as SQLite
// or refuses it.
func IsPostgres(s string) bool {
	if isPostgresURL(s) {
		return true
	}
	pairs, ok := keywords(s)
	if !ok {
		return false
	}
	for _, p := range pairs {
		if libpqKeywords[p.key] {
			return true
		}
	}
	return false
}

func isPostgresURL(s string) bool {
	lower := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// libpqKeywords are the connection keywords of libpq (and pgx); one of
// them makes a key=value string a PostgreSQL one.
var libpqKeywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "password": true,
	"passfile": true, "connect_timeout": true, "sslmode": true, "sslcert": true, "sslkey": true,
	"sslrootcert": true, "sslpassword": true, "sslnegotiation": true, "application_name": true,
	"options": true, "service": true, "servicefile": true, "target_session_attrs": true,
	"client_encoding": true, "channel_binding": true, "sslsni": true, "krbsrvname": true,
	"min_read_buffer_size": true,
}

// secretKeys are the parameters that hold a password, in a URL's query or
// a keyword string.
var secretKeys = map[string]bool{"password": true, "sslpassword": true}

// pair is one key=value of a keyword string; start and end are the
// value's bytes in the string (quotes included), for Redact.
type pair struct {
	key, value string
	start, end int
}

// keywords splits s into libpq's key=value pairs (values bare or in
// single quotes, backslash escaping), and reports whether all of s is
// such pairs.
func keywords(s string) ([]pair, bool) {
	var pairs []pair
	i, n := 0, len(s)
	space := func() {
		for i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	for {
		space()
		if i == n {
			return pairs, len(pairs) > 0
		}
		k := i
		for i < n && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			i++
		}
		key := s[k:i]
		space()
		if key == "" || i == n || s[i] != '=' {
			return nil, false
		}
		i++
		space()
		var v strings.Builder
		start := i
		if i < n && s[i] == '\'' {
			i++
			for ; i < n && s[i] != '\''; i++ {
				if s[i] == '\\' && i+1 < n {
					i++
				}
				v.WriteByte(s[i])
			}
			if i == n {
				return nil, false
			}
			i++
		} else {
			for ; i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r'; i++ {
				if s[i] == '\\' && i+1 < n {
					i++
				}
				v.WriteByte(s[i])
			}
		}
		pairs = append(pairs, pair{key: strings.ToLower(key), value: v.String(), start: start, end: i})
	}
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
	case strings.Contains(lower, "://") || otherScheme.MatchString(s):
		// mysql://…, user:pass@host/db, jdbc:…: not a file name, and
		// never echoed, as it may hold a password.
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

// otherScheme is a URL scheme (two characters or more, so that a Windows
// drive letter is a path) other than those splitSQLite takes.
var otherScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]+:`)

// secrets returns every password s holds, as written and decoded, so that
// an error echoing either can be scrubbed.
func secrets(s string) []string {
	var out []string
	add := func(v string) {
		if v != "" {
			out = append(out, v)
			if d, err := url.QueryUnescape(v); err == nil && d != v {
				out = append(out, d)
			}
			if e := url.QueryEscape(v); e != v {
				out = append(out, e)
			}
		}
	}
	if isPostgresURL(s) {
		u := splitPostgresURL(s)
		for _, ui := range []string{u.userinfo, u.pgxUserinfo} {
			if _, pw, ok := strings.Cut(ui, ":"); ok {
				add(pw)
			}
		}
		for _, kv := range u.params {
			if secretKeys[kv[0]] {
				add(kv[1])
			}
		}
		return out
	}
	pairs, _ := keywords(s)
	for _, p := range pairs {
		if secretKeys[p.key] {
			add(p.value)
			add(s[p.start:p.end])
		}
	}
	return out
}

// scrubAll is Scrub for each secret.
func scrubAll(err error, secrets []string) error {
	for _, s := range secrets {
		err = Scrub(err, s)
	}
	return err
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

// Redact returns s with its passwords replaced by "xxxxx", for logs: the
// user info's and the query's (password, sslpassword) of a PostgreSQL
// URL, the password and sslpassword values of a keyword string, the user
// info's of any other URL. A URL that cannot be parsed but may hold a
// password is not shown at all.
func Redact(s string) string {
	if isPostgresURL(s) {
		return splitPostgresURL(s).redacted()
	}
	if pairs, ok := keywords(s); ok {
		var b strings.Builder
		last := 0
		for _, p := range pairs {
			if secretKeys[p.key] {
				b.WriteString(s[last:p.start])
				b.WriteString("xxxxx")
				last = p.end
			}
		}
		b.WriteString(s[last:])
		return b.String()
	}
	u, err := url.Parse(s)
	if err != nil {
		if strings.ContainsAny(s, "@=") {
			return "(unparsable database URL)"
		}
		return s
	}
	if u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); !ok {
		return s
	}
	u.User = url.UserPassword(u.User.Username(), "xxxxx")
	return u.String()
}

// pgURL is a PostgreSQL URL cut the way pgx (and libpq) read it, not
// net/url: the user info ends at an "@" before any "/", so a "#" or "?"
// in a password is still the password; the query is what follows the
// first "?" after it.
type pgURL struct {
	scheme, host, query string
	// userinfo reaches to the last "@" before the first "/" (the password
	// net/url would see, which holds pgx's, cut at the first "@"), so
	// that Redact hides both readings; pgxUserinfo is pgx's.
	userinfo, pgxUserinfo string
	hasUserinfo           bool
	// params are the query's key (decoded, lower case) and raw value pairs.
	params [][2]string
}

func splitPostgresURL(s string) pgURL {
	s = strings.TrimSpace(s)
	var u pgURL
	n := len("postgres://")
	if strings.HasPrefix(strings.ToLower(s), "postgresql://") {
		n = len("postgresql://")
	}
	u.scheme, s = s[:n], s[n:]
	authority, _, _ := strings.Cut(s, "/")
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		u.hasUserinfo = true
		u.userinfo, u.pgxUserinfo = s[:i], s[:strings.IndexByte(s, '@')]
		s = s[i+1:]
	}
	u.host, u.query, _ = strings.Cut(s, "?")
	if u.query != "" {
		for _, kv := range strings.Split(u.query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if dk, err := url.QueryUnescape(k); err == nil {
				k = dk
			}
			u.params = append(u.params, [2]string{strings.ToLower(k), v})
		}
	}
	return u
}

// redacted is the URL with the passwords replaced by "xxxxx".
func (u pgURL) redacted() string {
	var b strings.Builder
	b.WriteString(u.scheme)
	if u.hasUserinfo {
		user, _, hasPassword := strings.Cut(u.userinfo, ":")
		b.WriteString(user)
		if hasPassword {
			b.WriteString(":xxxxx")
		}
		b.WriteByte('@')
	}
	b.WriteString(u.host)
	if u.query != "" {
		b.WriteByte('?')
		for i, kv := range strings.Split(u.query, "&") {
			if i > 0 {
				b.WriteByte('&')
			}
			if secretKeys[u.params[i][0]] {
				k, _, _ := strings.Cut(kv, "=")
				kv = k + "=xxxxx"
			}
			b.WriteString(kv)
		}
	}
	return b.String()
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
