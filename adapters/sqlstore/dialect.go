package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// dialect is everything that differs between SQLite and PostgreSQL, in one
// place (after watermill-sql's SchemaAdapter): the store's queries are
// written once with '?' placeholders and these few hooks.
type dialect interface {
	// name is "sqlite" or "postgres", for errors and Store.Dialect.
	name() string
	// migrations holds the numbered .sql files for this database.
	migrations() fs.FS
	// rebind turns '?' placeholders into the database's own.
	rebind(query string) string
	// timeArg is how a time is passed as a query argument.
	timeArg(t time.Time) any
	// bucket is an expression giving the start of the trend bucket that
	// the created_at column falls in, as something scanTime reads.
	bucket(b storage.Bucket) string
	// lockMigrations serialises migrations between processes that start
	// at the same time; tx is the migration's transaction.
	lockMigrations(ctx context.Context, tx *sql.Tx) error
	// kind classifies a driver error, or returns "" when it is not one
	// the dialect knows.
	kind(err error) callaudit.Kind
}

// timeLayout is how SQLite keeps times: UTC, fixed width, so that string
// order is time order and date() understands it.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// sqliteDialect is SQLite through modernc.org/sqlite.
type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) migrations() fs.FS { return subFS("migrations/sqlite") }

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) timeArg(t time.Time) any { return t.UTC().Format(timeLayout) }

func (sqliteDialect) bucket(b storage.Bucket) string {
	if b == storage.BucketWeek {
		// 'weekday 1' moves forward to the next Monday unless already on
		// one, so step back six days first to land on this week's Monday.
		return "date(created_at, '-6 days', 'weekday 1')"
	}
	return "date(created_at)"
}

// SQLite needs no lock: the migration transaction is BEGIN IMMEDIATE
// (_txlock=immediate), which already excludes other writers.
func (sqliteDialect) lockMigrations(context.Context, *sql.Tx) error { return nil }

func (sqliteDialect) kind(err error) callaudit.Kind {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return ""
	}
	// Extended result codes carry the primary code in the low byte.
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
		return callaudit.KindUnavailable
	case sqlite3.SQLITE_INTERRUPT:
		return callaudit.KindCanceled
	case sqlite3.SQLITE_CONSTRAINT:
		return callaudit.KindConflict
	}
	return callaudit.KindInternal
}

// postgresDialect is PostgreSQL through pgx's database/sql driver.
type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) migrations() fs.FS { return subFS("migrations/postgres") }

// rebind numbers the placeholders: the n-th '?' becomes $n. The queries
// are ours and hold no '?' inside string literals.
func (postgresDialect) rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (postgresDialect) timeArg(t time.Time) any { return t.UTC() }

func (postgresDialect) bucket(b storage.Bucket) string {
	unit := "day"
	if b == storage.BucketWeek {
		unit = "week" // ISO weeks: they start on Monday
	}
	return "date_trunc('" + unit + "', created_at AT TIME ZONE 'UTC')"
}

// migrationLockKey is an arbitrary constant naming the advisory lock that
// serialises migrations of callaudit schemas.
const migrationLockKey = 0x63616c6c61756469 // "callaudi"

func (postgresDialect) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLockKey))
	return err
}

func (postgresDialect) kind(err error) callaudit.Kind {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "57014": // query_canceled
			return callaudit.KindCanceled
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),       // insufficient resources
			strings.HasPrefix(pe.Code, "57"),       // operator intervention (shutdown)
			pe.Code == "40001", pe.Code == "40P01": // serialization failure, deadlock
			return callaudit.KindUnavailable
		case strings.HasPrefix(pe.Code, "23"): // integrity constraint violation
			return callaudit.KindConflict
		}
		return callaudit.KindInternal
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return callaudit.KindUnavailable
	}
	return ""
}
