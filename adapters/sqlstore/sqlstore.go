// Package sqlstore keeps audited calls in SQL: SQLite (pure Go, through
// modernc.org/sqlite, the default: one file, no server) or PostgreSQL
// (through pgx's database/sql driver) for production.
//
// Open takes one data source name, the value of AUDIT_DATABASE_URL: a file
// path or a file: or sqlite: URL opens SQLite, a postgres:// or
// postgresql:// URL opens PostgreSQL. The schema's versioned migrations are
// embedded in the binary and applied by Open, so a fresh database needs no
// setup step.
//
// The schema is made for the history queries: scalar columns (manager,
// mode, status, score, times) with indexes for the filtered, newest-first
// listing and for one manager's statistics, the whole report as JSON, and a
// call_criteria side table, written with the call, that makes
// per-criterion averages an index range scan. Listing pages with a keyset
// cursor on (created_at, id), never OFFSET, so every page costs the same.
//
// On SQLite all writes go through one connection (and BEGIN IMMEDIATE with
// a busy timeout, for other processes), so concurrent saves queue in Go
// instead of failing with SQLITE_BUSY; reads use a pool of their own.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"os"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

//go:embed migrations
var migrationFiles embed.FS

func subFS(dir string) fs.FS {
	f, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return f
}

// Store is a storage.Store over database/sql. It is safe for concurrent
// use.
type Store struct {
	dialect dialect
	// write takes every write; on SQLite it holds a single connection.
	// read serves queries; on PostgreSQL it is the same pool as write.
	write, read *sql.DB
	now         func() time.Time
	secret      string
	q           queries
	// stmts are the prepared statements; nil runs the queries unprepared
	// (PostgreSQL, where pgx caches prepared statements itself).
	stmts *statements
}

var (
	_ storage.Store         = (*Store)(nil)
	_ storage.ManagerLister = (*Store)(nil)
)

// Option configures a Store.
type Option func(*config)

type config struct {
	now      func() time.Time
	maxConns int
}

// WithClock sets the clock that stamps CreatedAt and UpdatedAt (tests).
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithMaxConns limits the open connections of the reading pool (SQLite)
// or of the one pool (PostgreSQL). The default is 4 × GOMAXPROCS, at
// least 8.
func WithMaxConns(n int) Option {
	return func(c *config) { c.maxConns = n }
}

// Open connects to the database named by dsn, applies the migrations the
// database lacks and returns the Store. dsn is a SQLite file path, a
// file: or sqlite: URL, or a postgres:// or postgresql:// URL; the SQLite
// file is created when missing. Errors never include the URL's password.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := config{now: time.Now, maxConns: max(8, 4*runtime.GOMAXPROCS(0))}
	for _, o := range opts {
		o(&cfg)
	}
	t, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{dialect: t.dialect, now: cfg.now, secret: t.secret}
	switch {
	case t.pgConfig != nil:
		s.write = stdlib.OpenDB(*t.pgConfig)
		s.write.SetMaxOpenConns(cfg.maxConns)
		s.write.SetMaxIdleConns(cfg.maxConns)
		s.read = s.write
	case t.memory:
		// An in-memory database lives and dies with its one connection.
		s.write, err = sql.Open("sqlite", t.sqliteDSN)
		if err == nil {
			s.write.SetMaxOpenConns(1)
			s.write.SetConnMaxIdleTime(0)
			s.write.SetConnMaxLifetime(0)
			s.read = s.write
		}
	default:
		// A fresh server's AUDIT_DATABASE_URL may name a directory that
		// does not exist yet; SQLite creates the file but not the path.
		if t.dir != "" {
			if err := os.MkdirAll(t.dir, 0o750); err != nil {
				return nil, callaudit.Wrap(err, callaudit.KindUnavailable, "sqlstore.Open", "cannot create the database directory")
			}
		}
		s.write, err = sql.Open("sqlite", t.sqliteDSN)
		if err == nil {
			s.write.SetMaxOpenConns(1)
			s.read, err = sql.Open("sqlite", t.sqliteDSN)
		}
		if err == nil {
			s.read.SetMaxOpenConns(cfg.maxConns)
			s.read.SetMaxIdleConns(cfg.maxConns)
		}
	}
	if err != nil {
		s.Close()
		return nil, s.translate("Open", err)
	}
	s.q = buildQueries(s.dialect)
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// After the migrations: a statement is planned against the schema.
	if s.stmts, err = s.prepare(ctx); err != nil {
		s.Close()
		return nil, s.translate("Open", err)
	}
	return s, nil
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.name() }

// DB returns the pool that serves queries, for callers that keep their own
// tables in the same database (e.g. a job queue). Do not close it.
func (s *Store) DB() *sql.DB { return s.read }

// WriteDB returns the pool every write of the store goes through: on
// SQLite its one connection, on PostgreSQL the pool DB returns too. It is
// for a component that keeps its own tables in the store's database and
// writes them in the store's transactions (see CreateTx): the job queue
// runs River on it, which on SQLite also keeps River's writes on the one
// writer instead of contending for the file's lock. Do not close it.
func (s *Store) WriteDB() *sql.DB { return s.write }

// Ping checks that the database answers, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return s.translate("Ping", err)
	}
	return nil
}

// Optimize refreshes the query planner's statistics (ANALYZE on both
// databases). PostgreSQL's autovacuum does this by itself in time; call it
// after a bulk import so that the next queries already use the right
// indexes.
func (s *Store) Optimize(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, "ANALYZE"); err != nil {
		return s.translate("Optimize", err)
	}
	return nil
}

// Close closes the connections. The Store is unusable afterwards.
func (s *Store) Close() error {
	s.stmts.close()
	var err error
	if s.read != nil && s.read != s.write {
		err = s.read.Close()
	}
	if s.write != nil {
		if werr := s.write.Close(); err == nil {
			err = werr
		}
	}
	if err != nil {
		return s.translate("Close", err)
	}
	return nil
}

// invalid is a KindInvalid error about one field.
func invalid(field, msg string) error {
	return callaudit.Invalid(callaudit.FieldError{Field: field, Message: msg})
}
