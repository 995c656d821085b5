// Package queue runs webhook calls through the audit pipeline in the
// background, durably, on River (riverqueue/river): a CRM or telephony
// system posts a call, the server records a job and answers at once, and a
// worker later fetches the recording, transcribes, scores, saves and
// delivers the result through the configured writeback.Notifiers.
//
// The queue lives in the call history's database. With the SQL store
// (adapters/sqlstore, or any TxStore) River's tables sit beside the calls
// table, in the same SQLite file or PostgreSQL database, and a webhook
// call's row and its job are written in one transaction (River's
// InsertTx inside the store's CreateTx): a crash anywhere leaves both or
// neither, so nothing has to be repaired at startup. On SQLite River
// uses its SQLite driver (documented by River as early) on the store's
// one write connection; on PostgreSQL its database/sql driver on the
// store's pool, so several server processes share one queue and each job
// runs once. A store that cannot share a transaction (storage/memory, a
// Store of your own) gets River's tables in the database Config.DatabaseURL
// names ("<database>-queue" for a SQLite path) and a startup scan that
// re-inserts the jobs of calls left queued or processing.
//
// One source of truth: a call's processing state is its Status (and
// StatusReason) in the store, which the status API (GET /calls/{id},
// storage.Store.Get) reads. River's job row only schedules: when the next
// attempt runs and how many are left. The worker decides from the
// store's status (a done or failed call is never run again) and writes
// every change there; nothing reads a job's state to tell a call's.
//
// Exactly once per call id: River delivers at least once, so every step is
// idempotent. A job is unique per call id in every state (a resend while
// it waits, runs, or after it ended does not enqueue a second one); the
// worker skips calls that are already done or failed; a call saved more
// than once is still one row; and the write-back runs as jobs of its own,
// one per notifier and unique per call id (a failed delivery retries
// without scoring again, and without sending to the other notifiers
// again), with the call id as the receiver's idempotency key. Where the
// store implements storage.Creator and storage.Updater (both shipped
// stores do), a webhook is recorded only when its id is new, atomically,
// and status changes and delivery notes are atomic read-modify-writes
// that never move a call back from done or failed; other stores get a
// read-then-save fallback that a badly timed resend can race.
//
// Failures: transient ones (callaudit.IsTransient: rate limits, 5xx,
// timeouts) are retried with backoff that honours Retry-After, up to
// MaxAttempts; anything else (a 404 recording, not audio, too large,
// invalid) fails the call at once with the reason in its StatusReason.
package queue

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/settings"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// Defaults of a zero Config.
const (
	DefaultWorkers     = 4
	DefaultJobTimeout  = 30 * time.Minute
	DefaultMaxAttempts = 8
	// DefaultRetryBase and DefaultRetryMax shape the backoff between
	// attempts (full jitter, doubling), unless upstream asked for a wait.
	DefaultRetryBase = 10 * time.Second
	DefaultRetryMax  = 10 * time.Minute
	// DefaultPollInterval is how often an idle worker looks for new jobs
	// where the database cannot notify it (SQLite).
	DefaultPollInterval = 250 * time.Millisecond
	// RescueMargin is what a zero RescueAfter adds to JobTimeout. No
	// attempt runs longer than JobTimeout: River cancels its context
	// then, and what the worker still does after that (recording the
	// status, queuing the failure's delivery, removing the transcript
	// checkpoint) is bounded at settleTimeout each, three at most. The
	// rest covers River's completion write and clock differences
	// between replicas. A job still running after JobTimeout +
	// RescueMargin has lost its process.
	RescueMargin = 3*settleTimeout + 30*time.Second
)

// settleTimeout bounds each write a worker makes after its job's context
// ended (timeout or shutdown): see RescueMargin.
const settleTimeout = 10 * time.Second

// Config configures a Queue. Auditor, with a Store, is required.
type Config struct {
	// DatabaseURL is the history's AUDIT_DATABASE_URL. With a TxStore the
	// jobs live in the store's database whatever it says; a postgres://
	// URL then only gives River a connection to listen for new jobs on
	// (without one it polls). With another store a postgres:// URL keeps
	// the jobs in that database, a SQLite path in "<path>-queue".
	DatabaseURL string
	// Auditor runs the pipeline; its Store keeps the call statuses.
	Auditor *audit.Auditor
	// Notifiers receive each done call, in order; none means no write-back.
	Notifiers []writeback.Notifier
	// Workers is how many calls one process analyses at once.
	Workers int
	// JobTimeout bounds one attempt; it must fit the longest recording.
	JobTimeout time.Duration
	// MaxAttempts bounds the attempts of a call and of its delivery.
	// River's jobs get one more, which only records the failure in the
	// store when the last counted attempt never finished (its process
	// died in it).
	MaxAttempts int
	// RescueAfter is how long a job may stay running before River takes it
	// for dead (its process crashed) and runs it again; it must be at
	// least JobTimeout. Zero is JobTimeout + RescueMargin: no live
	// attempt runs that long, so none is run twice.
	RescueAfter time.Duration
	// Retry shapes the backoff between attempts (Base, Max; Attempts is
	// ignored, MaxAttempts counts). Zero fields are DefaultRetryBase and
	// DefaultRetryMax.
	Retry retry.Policy
	// PollInterval is how often idle workers look for jobs.
	PollInterval time.Duration
	// Logger receives job failures; nil is slog.Default().
	Logger *slog.Logger
	// Retention, when positive, runs a periodic job (at start, then every
	// RetentionEvery, default DefaultRetentionEvery) that calls Purge with
	// the time Retention ago, e.g. audit.Eraser.PurgeBefore.
	Retention      time.Duration
	RetentionEvery time.Duration
	Purge          func(ctx context.Context, before time.Time) (int, error)
	// Intake, when set, runs the telephony intake's job kind (intake.go):
	// it downloads a call's recording from its vendor, then audits it.
	Intake Intake
	// Scorecards resolves the scorecard a rescore names (rescore.go).
	Scorecards *audit.Scorecards
}

// Queue is the durable webhook queue. It is safe for concurrent use.
type Queue struct {
	cfg   Config
	store storage.Store
	log   *slog.Logger
	// shared is the store when it is a TxStore: jobs are inserted in its
	// transactions, and nothing is scanned at Start.
	shared TxStore
	opened
	// retryAfter passes the wait upstream asked for from a failed Work to
	// the NextRetry River calls right after it, in the same process.
	retryAfter sync.Map // job id → time.Duration
	targets    []target
	// changeMu serialises this process's status changes on a store
	// without storage.Updater (see change).
	changeMu sync.Mutex
}

// Open connects to the queue's database, applies River's migrations and
// returns a Queue ready to Start. Close it with Stop.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	if cfg.Auditor == nil || cfg.Auditor.Store() == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "queue.Open: an auditor with a store is required")
	}
	cfg.Workers = settings.Positive(cfg.Workers, DefaultWorkers)
	cfg.JobTimeout = settings.Positive(cfg.JobTimeout, DefaultJobTimeout)
	cfg.MaxAttempts = settings.Positive(cfg.MaxAttempts, DefaultMaxAttempts)
	cfg.RescueAfter = settings.Positive(cfg.RescueAfter, cfg.JobTimeout+RescueMargin)
	if cfg.RescueAfter < cfg.JobTimeout {
		return nil, callaudit.Errorf(callaudit.KindInvalid, "queue.Open: the rescue delay (%s) must be at least the job timeout (%s)", cfg.RescueAfter, cfg.JobTimeout)
	}
	cfg.Retry.Base, cfg.Retry.Max = settings.Positive(cfg.Retry.Base, DefaultRetryBase), settings.Positive(cfg.Retry.Max, DefaultRetryMax)
	cfg.PollInterval = settings.Positive(cfg.PollInterval, DefaultPollInterval)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	q := &Queue{cfg: cfg, store: cfg.Auditor.Store(), log: cfg.Logger, targets: newTargets(cfg.Notifiers)}

	workers := river.NewWorkers()
	river.AddWorker(workers, &auditWorker{q: q})
	river.AddWorker(workers, &deliverWorker{q: q})
	q.addIntake(workers)
	river.AddWorker(workers, &rescoreWorker{q: q})
	rc := &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		// One spare attempt beyond the configured ones: a job whose last
		// attempt died with its process is then run once more instead of
		// being discarded by River's rescuer behind the store's back, and
		// that run only records the failure in the store (the one record
		// of a call's state) and queues its delivery.
		MaxAttempts:       cfg.MaxAttempts + 1,
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     min(cfg.PollInterval, 50*time.Millisecond),
		// River logs its own machinery at warn and above only: a failed
		// job is logged once by the worker, with its call id.
		Logger: slog.New(levelFloor{cfg.Logger.Handler(), slog.LevelWarn}),
	}
	if err := q.retention(workers, rc); err != nil {
		return nil, err
	}
	var err error
	if ts, ok := q.store.(TxStore); ok {
		q.shared = ts
		q.opened, err = openShared(ctx, ts, cfg.DatabaseURL, rc)
	} else {
		q.opened, err = openOwn(ctx, cfg.DatabaseURL, rc)
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// Backend returns "sqlite" or "postgres".
func (q *Queue) Backend() string { return q.backend }

// Start starts the workers and, for a store that is not a TxStore,
// re-enqueues webhook calls left queued or processing without a job (see
// requeue). The workers run until Stop:
// River ties them to the context given to its Start, so they get one
// that is never canceled, and ctx (a start timeout, say) bounds only the
// start itself.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return callaudit.Wrap(err, callaudit.KindUnavailable, "queue.Start", "the job queue cannot start")
	}
	if q.shared != nil && q.legacyFile == "" {
		return nil // a call and its job are written together: none is lost
	}
	if q.legacyFile != "" {
		// Jobs saved by an older version in its own file: their calls get
		// jobs here, as long as that file is left.
		q.log.Warn("queue: jobs now live in the history's database; re-enqueuing the calls of the old queue file, which can be deleted once they ran", "file", q.legacyFile)
	}
	if err := q.requeue(ctx); err != nil {
		q.log.Warn("queue: re-enqueuing queued calls failed", "err", err)
	}
	return nil
}

// Stop lets the jobs in flight finish until ctx ends, then cancels them
// (they run again at the next start) and closes the database.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err != nil {
		// Out of time: cancel what runs; River puts it back in the queue.
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = q.client.StopAndCancel(cctx)
		cancel()
	}
	if cerr := q.close(); err == nil {
		err = cerr
	}
	return err
}

// EnqueueCall records the webhook call in (a CallID, an AudioURL, and
// optionally ManagerID, Mode and Language) as queued and inserts its job,
// unless the call is already known: then it returns the stored call.
// With a TxStore both are written in one transaction. A call still queued
// gets its job inserted again, which River's uniqueness makes a no-op
// unless the job was lost. created is true for the one
// request, of any number sent at once, whose insert made the job.
// webhookID, the sender's webhook-id, goes to the logs.
//
// Errors: KindInvalid for a missing call id or URL, an unknown mode or
// bad fields; the store's and the queue database's errors otherwise.
func (q *Queue) EnqueueCall(ctx context.Context, in audit.Input, webhookID string) (call storage.Call, created bool, err error) {
	// The webhook handler's check, so the queue refuses what it refuses.
	in.Source = storage.SourceWebhook
	if err := audit.Check(in); err != nil {
		return storage.Call{}, false, err
	}
	mode, _ := score.ParseMode(in.Mode) // checked above
	call = storage.Call{
		ID:           in.CallID,
		ManagerID:    in.ManagerID,
		Mode:         mode,
		Language:     in.Language,
		Status:       storage.StatusQueued,
		Source:       storage.SourceWebhook,
		RecordingURL: in.AudioURL,
	}
	if q.shared != nil {
		return q.enqueueTx(ctx, call, webhookID)
	}
	// Created only when the id is new, in one step where the store can
	// (storage.Creator): a resend never overwrites what the first request
	// and its job have written since. Saved before the job is inserted: a
	// worker may start at once. A crash between the two leaves a queued
	// call without a job, which requeue finds at the next start.
	stored, created, err := q.create(ctx, call)
	if err != nil {
		return storage.Call{}, false, err
	}
	if !created && stored.Status != storage.StatusQueued {
		return stored, false, nil
	}
	if err := testHookBeforeInsert(); err != nil {
		return storage.Call{}, false, err
	}
	// New, or still queued: (re)insert the job, which River's uniqueness
	// makes a no-op unless the job was lost.
	res, err := q.insert(ctx, nil, stored, webhookID)
	if err != nil {
		return storage.Call{}, false, err
	}
	return stored, !res.UniqueSkippedAsDuplicate, nil
}

// enqueueTx records call and inserts its job in one transaction of the
// store: both are committed, or (an error, a crash) neither is and the
// sender, who got no answer, sends again.
func (q *Queue) enqueueTx(ctx context.Context, call storage.Call, webhookID string) (storage.Call, bool, error) {
	var res *rivertype.JobInsertResult
	stored, _, err := q.shared.CreateTx(ctx, call, func(ctx context.Context, tx *sql.Tx, stored storage.Call, created bool) error {
		if !created && stored.Status != storage.StatusQueued {
			return nil // known and running or over: nothing to insert
		}
		if err := testHookBeforeInsert(); err != nil {
			return err
		}
		var err error
		// A call still queued already has its job; River's uniqueness
		// makes this insert a no-op then.
		res, err = q.insert(ctx, tx, stored, webhookID)
		return err
	})
	if err != nil {
		return storage.Call{}, false, err
	}
	return stored, res != nil && !res.UniqueSkippedAsDuplicate, nil
}

// testHookBeforeInsert runs between recording a webhook call and
// inserting its job; tests replace it to fail or crash there.
var testHookBeforeInsert = func() error { return nil }

// insert inserts call's audit job, in tx when there is one.
func (q *Queue) insert(ctx context.Context, tx *sql.Tx, call storage.Call, webhookID string) (*rivertype.JobInsertResult, error) {
	args := auditArgs{
		CallID:       call.ID,
		ManagerID:    call.ManagerID,
		RecordingURL: call.RecordingURL,
		Mode:         string(call.Mode),
		Language:     call.Language,
		WebhookID:    webhookID,
	}
	var (
		res *rivertype.JobInsertResult
		err error
	)
	if tx != nil {
		res, err = q.client.InsertTx(ctx, tx, args, nil)
	} else {
		res, err = q.client.Insert(ctx, args, nil)
	}
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindUnavailable, "queue.Insert", "the job queue is not available; send the webhook again later")
	}
	return res, nil
}

// requeue inserts the jobs of webhook calls still queued or processing in
// a store that is not a TxStore. Their jobs normally exist, and River's
// uniqueness makes the insert a no-op; it matters when a job was lost (a
// crash between saving the call and inserting the job, or a queue file
// deleted).
func (q *Queue) requeue(ctx context.Context) error {
	for _, st := range []storage.Status{storage.StatusQueued, storage.StatusProcessing} {
		if err := q.requeueStatus(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

func (q *Queue) requeueStatus(ctx context.Context, st storage.Status) error {
	f := storage.Filter{Status: st, Limit: storage.MaxLimit}
	for {
		page, err := q.store.List(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range page.Calls {
			if c.Source != storage.SourceWebhook || c.RecordingURL == "" {
				continue
			}
			if _, err := q.insert(ctx, nil, c, ""); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		f.Cursor = page.NextCursor
	}
}

// allStates makes a job unique per call id whatever became of the earlier
// one: waiting, running, completed, cancelled (failed for good) or
// discarded (out of attempts). River's default omits the last two, which
// would let a resend re-run a failed call.
var allStates = rivertype.JobStates()

// auditArgs is the job that analyses one webhook call.
type auditArgs struct {
	CallID       string `json:"call_id" river:"unique"`
	ManagerID    string `json:"manager_id,omitempty"`
	RecordingURL string `json:"recording_url"`
	Mode         string `json:"content_mode,omitempty"`
	Language     string `json:"language,omitempty"`
	WebhookID    string `json:"webhook_id,omitempty"`
}

func (auditArgs) Kind() string { return "callaudit_audit" }

// Priorities (1 runs first): a delivery is a short request, and results
// should reach the CRM as they are made, not after a backlog of calls.
const (
	priorityDeliver = 1
	priorityAudit   = 2
)

func (auditArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityAudit, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: allStates}}
}

// deliverArgs is the job that sends a done call to one notifier.
type deliverArgs struct {
	CallID string `json:"call_id" river:"unique"`
	Target string `json:"target" river:"unique"`
}

func (deliverArgs) Kind() string { return "callaudit_deliver" }

func (deliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityDeliver, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: allStates}}
}

// levelFloor drops records below a level, whatever the wrapped handler
// would accept.
type levelFloor struct {
	slog.Handler
	floor slog.Level
}

func (l levelFloor) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.floor && l.Handler.Enabled(ctx, lv)
}

func (l levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{l.Handler.WithAttrs(a), l.floor}
}

func (l levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{l.Handler.WithGroup(n), l.floor}
}

func attemptText(n, of int) string { return fmt.Sprintf("attempt %d of %d", n, of) }
