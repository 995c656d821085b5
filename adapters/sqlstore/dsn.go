package sqlstore

import (
	"github.com/jackc/pgx/v5"

	"github.com/callaudit/callaudit/adapters/internal/dsn"
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

// parseDSN reads a connection string the way adapters/internal/dsn does
// for every adapter, and adds the store's SQLite settings.
func parseDSN(s string) (target, error) {
	t, err := dsn.Parse("sqlstore.Open", s)
	if err != nil {
		return target{}, err
	}
	if t.Postgres != nil {
		return target{dialect: postgresDialect{}, pgConfig: t.Postgres, secret: t.Secret}, nil
	}
	return target{dialect: sqliteDialect{}, sqliteDSN: t.SQLite(sqliteParams...), memory: t.Memory, dir: t.Dir}, nil
}

// IsPostgres reports whether dsn is a postgres:// or postgresql:// URL,
// which Open keeps in PostgreSQL; Open reads anything else as SQLite.
func IsPostgres(s string) bool { return dsn.IsPostgres(s) }

// Redact returns dsn with its password replaced by "xxxxx", for logs.
func Redact(s string) string { return dsn.Redact(s) }
