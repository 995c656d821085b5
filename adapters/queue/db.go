package queue

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/dsn"
	"github.com/callaudit/callaudit/storage"
)

// TxStore is a store whose database River can share, so that a webhook
// call and its job are written in one transaction (sqlstore.Store is
// one). The queue then keeps River's tables in that database, runs River
// on WriteDB, and inserts the call's job (River's InsertTx) inside
// CreateTx; a crash at any point leaves both or neither, so no startup
// scan is needed.
type TxStore interface {
	storage.Store
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	// WriteDB is the pool the store writes through; the queue never
	// closes it.
	WriteDB() *sql.DB
	// CreateTx is storage.Creator's Create with then run in the same
	// transaction before it commits; then's error rolls both back.
	CreateTx(ctx context.Context, call storage.Call, then func(ctx context.Context, tx *sql.Tx, stored storage.Call, created bool) error) (storage.Call, bool, error)
}

// client is River's client over database/sql, whichever the database:
// one transaction type, *sql.Tx, is what lets EnqueueCall insert into the
// store's own transaction.
type client = river.Client[*sql.Tx]

// opened is a River client with what Stop closes after it, and where the
// jobs live.
type opened struct {
	client  *client
	close   func() error
	backend string
	// legacyFile is the "<history>-queue" file of a version that kept
	// SQLite's queue apart, when it exists: its calls are re-enqueued at
	// Start.
	legacyFile string
}

// openShared builds River on the store's own database: riversqlite on
// the store's write connection, or riverdatabasesql on its PostgreSQL
// pool, listening for new jobs on a small pgx pool of its own when
// dbURL is the same PostgreSQL URL (otherwise River only polls).
func openShared(ctx context.Context, ts TxStore, dbURL string, rc *river.Config) (opened, error) {
	db := ts.WriteDB()
	if ts.Dialect() != "postgres" {
		o := opened{backend: "sqlite", close: func() error { return nil }}
		if t, err := dsn.Parse("queue.Open", dbURL); err == nil && t.Postgres == nil && !t.Memory {
			if f := strings.TrimPrefix(t.File, "file:"); fileExists(f + "-queue") {
				o.legacyFile = f + "-queue"
			}
		}
		c, err := migrateAndBuild(ctx, riversqlite.New(db), rc)
		o.client = c
		return o, err
	}
	driver := riverdatabasesql.New(db)
	closeFn := func() error { return nil }
	if dsn.IsPostgres(dbURL) {
		pool, err := pgPool(ctx, dbURL, 1)
		if err != nil {
			return opened{}, err
		}
		driver = riverdatabasesql.NewWithPgxListener(db, pool)
		closeFn = func() error { pool.Close(); return nil }
	}
	c, err := migrateAndBuild(ctx, driver, rc)
	if err != nil {
		_ = closeFn()
		return opened{}, err
	}
	return opened{client: c, close: closeFn, backend: "postgres"}, nil
}

// pgPool opens a pgx pool on the PostgreSQL database dbURL names; a
// maxConns above zero caps it (a listener needs one connection).
func pgPool(ctx context.Context, dbURL string, maxConns int32) (*pgxpool.Pool, error) {
	const op = "queue.Open"
	t, err := dsn.Parse(op, dbURL)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(strings.TrimSpace(dbURL))
	if err != nil {
		return nil, callaudit.Wrap(dsn.Scrub(err, t.Secret), callaudit.KindInvalid, op, "the queue's PostgreSQL URL "+dsn.Redact(dbURL)+" cannot be used")
	}
	if maxConns > 0 {
		cfg.MinConns, cfg.MaxConns = 0, maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, callaudit.Wrap(dsn.Scrub(err, t.Secret), callaudit.KindInvalid, op, "the queue's PostgreSQL URL "+dsn.Redact(dbURL)+" cannot be used")
	}
	return pool, nil
}

// openOwn opens the queue database named by the history's dbURL, for a
// store that cannot share its transactions: the same PostgreSQL
// database, or the SQLite file QueuePath names.
func openOwn(ctx context.Context, dbURL string, rc *river.Config) (opened, error) {
	const op = "queue.Open"
	if dsn.IsPostgres(dbURL) {
		pool, err := pgPool(ctx, dbURL, 0)
		if err != nil {
			return opened{}, err
		}
		db := stdlib.OpenDBFromPool(pool)
		client, err := migrateAndBuild(ctx, riverdatabasesql.NewWithPgxListener(db, pool), rc)
		closeAll := func() error { err := db.Close(); pool.Close(); return err }
		if err != nil {
			_ = closeAll()
			return opened{}, err
		}
		return opened{client: client, close: closeAll, backend: "postgres"}, nil
	}
	path, err := QueuePath(dbURL)
	if err != nil {
		return opened{}, err
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return opened{}, callaudit.Wrap(err, callaudit.KindInvalid, op, "the queue's SQLite file cannot be opened")
	}
	// River's SQLite driver asks for one connection: River runs many small
	// operations in parallel and SQLite allows one writer at a time.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	client, err := migrateAndBuild(ctx, riversqlite.New(db), rc)
	if err != nil {
		_ = db.Close()
		return opened{}, err
	}
	return opened{client: client, close: db.Close, backend: "sqlite"}, nil
}

func migrateAndBuild(ctx context.Context, driver riverdriver.Driver[*sql.Tx], rc *river.Config) (*client, error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: rc.Logger})
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInternal, "queue.Migrate", "the job queue's migrations cannot be loaded")
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindUnavailable, "queue.Migrate", "the job queue's tables cannot be created")
	}
	c, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInvalid, "queue.Open", "the job queue cannot be configured")
	}
	return c, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// queueParams are the SQLite settings of the queue file: wait for a lock
// rather than fail (another process, a backup), write-ahead log so the
// file stays consistent after a crash, and synchronous=NORMAL, safe with
// WAL.
var queueParams = []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)"}

// QueuePath returns the modernc.org/sqlite data source name of the queue
// file of a store that cannot share its transactions (see TxStore),
// beside the SQLite database named by dbURL (a path, or a file: or
// sqlite: URL): the same file with "-queue" appended, with the queue's
// pragmas. An in-memory database gets an in-memory queue.
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
