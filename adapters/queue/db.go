package queue

import (
	"context"
	"database/sql"
	"net/url"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/dsn"
)

// openClient opens the queue database named by the history's dsn,
// migrates it and builds the River client; closeDB closes the database
// once the client has stopped.
func openClient(ctx context.Context, dbURL string, rc *river.Config) (c riverClient, closeDB func() error, backend string, err error) {
	const op = "queue.Open"
	if dsn.IsPostgres(dbURL) {
		pool, err := pgxpool.New(ctx, dbURL)
		if err != nil {
			// pgx's parse errors may quote the URL, password included.
			return nil, nil, "", callaudit.Errorf(callaudit.KindInvalid, "the queue's PostgreSQL URL %s cannot be used", dsn.Redact(dbURL))
		}
		client, err := migrateAndBuild(ctx, riverpgxv5.New(pool), rc)
		if err != nil {
			pool.Close()
			return nil, nil, "", err
		}
		return client, func() error { pool.Close(); return nil }, "postgres", nil
	}
	path, err := QueuePath(dbURL)
	if err != nil {
		return nil, nil, "", err
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, nil, "", callaudit.Wrap(err, callaudit.KindInvalid, op, "the queue's SQLite file cannot be opened")
	}
	// River's SQLite driver asks for one connection: River runs many small
	// operations in parallel and SQLite allows one writer at a time.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	client, err := migrateAndBuild(ctx, riversqlite.New(db), rc)
	if err != nil {
		_ = db.Close()
		return nil, nil, "", err
	}
	return client, db.Close, "sqlite", nil
}

func migrateAndBuild[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], rc *river.Config) (riverClient, error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: rc.Logger})
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInternal, "queue.Migrate", "the job queue's migrations cannot be loaded")
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindUnavailable, "queue.Migrate", "the job queue's tables cannot be created")
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInvalid, "queue.Open", "the job queue cannot be configured")
	}
	return client, nil
}

// queueParams are the SQLite settings of the queue file: wait for a lock
// rather than fail (another process, a backup), write-ahead log so the
// file stays consistent after a crash, and synchronous=NORMAL, safe with
// WAL.
var queueParams = []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)"}

// QueuePath returns the modernc.org/sqlite data source name of the queue
// beside the SQLite history named by dsn (any DSN sqlstore.Open reads as
// SQLite: a path, or a file: or sqlite: URL): the same file with "-queue"
// appended, with the queue's pragmas. An in-memory history gets an
// in-memory queue.
func QueuePath(dbURL string) (string, error) {
	t, err := dsn.Parse("queue.Open", dbURL)
	if err == nil && t.Postgres != nil {
		err = callaudit.Errorf(callaudit.KindInvalid, "a PostgreSQL URL names no SQLite file")
	}
	if err != nil {
		return "", callaudit.Wrap(err, callaudit.KindInvalid, "queue.Open", "the queue needs a SQLite file path or a postgres:// URL: "+callaudit.MessageOf(err))
	}
	if t.Memory {
		return "file::memory:?_pragma=busy_timeout(10000)", nil
	}
	v := url.Values{}
	for _, p := range queueParams {
		v.Add("_pragma", p)
	}
	return t.File + "-queue?" + v.Encode(), nil
}
