package queue_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// fetcher is a scripted audit.Fetcher: call i of a URL fails with
// errs[url][i] when set, and succeeds with a short WAV otherwise.
type fetcher struct {
	mu    sync.Mutex
	errs  map[string][]error
	calls map[string]int
}

func (f *fetcher) Fetch(ctx context.Context, url string) (transcribe.Audio, func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	n := f.calls[url]
	f.calls[url]++
	if errs := f.errs[url]; n < len(errs) && errs[n] != nil {
		return transcribe.Audio{}, nil, errs[n]
	}
	return transcribe.AudioFromBytes("call.wav", transcribetest.WAV(0.2, 8000, 1)), func() {}, nil
}

func (f *fetcher) count(url string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[url]
}

// notifier counts deliveries per call and fails as scripted.
type notifier struct {
	mu    sync.Mutex
	errs  []error
	calls map[string]int
	total int
}

func (n *notifier) Notify(ctx context.Context, call storage.Call) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.calls == nil {
		n.calls = map[string]int{}
	}
	i := n.total
	n.total++
	n.calls[call.ID]++
	if i < len(n.errs) && n.errs[i] != nil {
		return n.errs[i]
	}
	if (call.Status != storage.StatusDone || call.Report == nil) && call.Status != storage.StatusFailed {
		return callaudit.Errorf(callaudit.KindInvalid, "notified of a call that is neither done nor failed")
	}
	return nil
}

func (n *notifier) count(id string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.calls[id]
}

// env is one queue under test with its fakes.
type env struct {
	q     *queue.Queue
	store storage.Store
	fetch *fetcher
	stt   *transcribetest.Fake
	note  *notifier
}

type setup struct {
	dsn         string
	fetchErrs   map[string][]error
	notifyErrs  []error
	maxAttempts int
	sttDelay    time.Duration
	noStart     bool
	// extra notifiers after the env's own
	extra []writeback.Notifier
	// retryBase replaces the tests' short backoff
	retryBase time.Duration
	// wrap, when set, wraps the store the auditor and the queue use
	wrap func(storage.Store) storage.Store
	// jobTimeout, when set, is the job timeout and the rescue delay
	jobTimeout time.Duration
	// retention and purge are Config.Retention and Config.Purge; purge
	// gets the env's store
	retention time.Duration
	purge     func(storage.Store) func(ctx context.Context, before time.Time) (int, error)
}

func newEnv(t *testing.T, s setup) *env {
	t.Helper()
	ctx := context.Background()
	if s.dsn == "" {
		s.dsn = filepath.Join(t.TempDir(), "calls.db")
	}
	store, err := sqlstore.Open(ctx, s.dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	e := &env{store: store, fetch: &fetcher{errs: s.fetchErrs}, stt: &transcribetest.Fake{Delay: s.sttDelay}, note: &notifier{errs: s.notifyErrs}}
	if s.wrap != nil {
		e.store = s.wrap(store)
	}
	a, err := audit.New(checklist.New(), audit.WithStore(e.store), audit.WithFetcher(e.fetch), audit.WithTranscriber(e.stt))
	require.NoError(t, err)
	if s.retryBase == 0 {
		s.retryBase = 20 * time.Millisecond
	}
	var purge func(ctx context.Context, before time.Time) (int, error)
	if s.purge != nil {
		purge = s.purge(e.store)
	}
	e.q, err = queue.Open(ctx, queue.Config{
		Retention:    s.retention,
		Purge:        purge,
		DatabaseURL:  s.dsn,
		Auditor:      a,
		Notifiers:    append([]writeback.Notifier{e.note}, s.extra...),
		MaxAttempts:  s.maxAttempts,
		Retry:        retry.Policy{Base: s.retryBase, Max: max(s.retryBase, 200*time.Millisecond)},
		PollInterval: 20 * time.Millisecond,
		JobTimeout:   s.jobTimeout,
		RescueAfter:  s.jobTimeout,
	})
	require.NoError(t, err)
	if !s.noStart {
		e.start(t)
	}
	return e
}

func (e *env) start(t *testing.T) {
	t.Helper()
	require.NoError(t, e.q.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, e.q.Stop(ctx))
	})
}

func input(id string) audit.Input {
	return audit.Input{CallID: id, ManagerID: "anna", AudioURL: "https://pbx.example/rec/" + id + ".wav", Mode: "Manager +"}
}

// waitFor waits until the call reaches status (and, when set, a reason
// containing want) and returns it.
func (e *env) waitFor(t *testing.T, id string, status storage.Status, want string) storage.Call {
	t.Helper()
	var last storage.Call
	require.Eventually(t, func() bool {
		c, err := e.store.Get(context.Background(), id)
		if err != nil {
			return false
		}
		last = c
		return c.Status == status && strings.Contains(c.StatusReason, want)
	}, 20*time.Second, 10*time.Millisecond, "call %s: want %s %q", id, status, want)
	return last
}

// backends are SQLite always and PostgreSQL when the test script gives a
// server.
func backends() []struct {
	name  string
	fresh func(t *testing.T) string
} {
	return []struct {
		name  string
		fresh func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "calls.db") }},
		{"postgres", freshPostgres},
	}
}

func TestWebhookCallRunsOnceAndIsDelivered(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, setup{dsn: b.fresh(t)})
			ctx := context.Background()
			call, created, err := e.q.EnqueueCall(ctx, input("c1"), "msg_1")
			require.NoError(t, err)
			assert.True(t, created)
			assert.Equal(t, storage.StatusQueued, call.Status)

			done := e.waitFor(t, "c1", storage.StatusDone, "delivered")
			require.NotNil(t, done.Report)
			assert.Equal(t, storage.SourceWebhook, done.Source)
			assert.Equal(t, "anna", done.ManagerID)
			assert.Equal(t, "https://pbx.example/rec/c1.wav", done.RecordingURL)

			// A resend of a done call answers its status and runs nothing.
			again, created, err := e.q.EnqueueCall(ctx, input("c1"), "msg_2")
			require.NoError(t, err)
			assert.False(t, created)
			assert.Equal(t, storage.StatusDone, again.Status)
			time.Sleep(200 * time.Millisecond) // give a wrongly queued job the chance to run
			assert.Equal(t, 1, e.stt.CallCount(), "transcribed once")
			assert.Equal(t, 1, e.note.count("c1"), "delivered once")
		})
	}
}

func TestConcurrentResendsMakeOneJob(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			// The transcriber is slow, so resends arrive while the call
			// waits or runs.
			e := newEnv(t, setup{dsn: b.fresh(t), sttDelay: 100 * time.Millisecond})
			var created atomic.Int32
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, ok, err := e.q.EnqueueCall(context.Background(), input("dup"), "")
					assert.NoError(t, err)
					if ok {
						created.Add(1)
					}
				}()
			}
			wg.Wait()
			assert.Equal(t, int32(1), created.Load(), "one request creates the job")
			e.waitFor(t, "dup", storage.StatusDone, "delivered")
			time.Sleep(200 * time.Millisecond)
			assert.Equal(t, 1, e.stt.CallCount())
			assert.Equal(t, 1, e.note.count("dup"))
		})
	}
}

func TestFailures(t *testing.T) {
	notFound := callaudit.Errorf(callaudit.KindNotFound, "the recording was not found (404)")
	notAudio := callaudit.Errorf(callaudit.KindUnsupported, "the file is not audio")
	busy := &callaudit.Error{Kind: callaudit.KindUnavailable, Message: "the recording server is unavailable (503)", RetryAfter: 50 * time.Millisecond}
	limited := callaudit.Errorf(callaudit.KindRateLimited, "rate limited (429)")
	tests := []struct {
		name    string
		errs    []error
		status  storage.Status
		reason  string
		fetches int
	}{
		{"404 fails at once", []error{notFound}, storage.StatusFailed, "not found (404)", 1},
		{"not audio fails at once", []error{notAudio}, storage.StatusFailed, "not audio", 1},
		{"503 then success", []error{busy}, storage.StatusDone, "delivered", 2},
		{"429 twice then success", []error{limited, limited}, storage.StatusDone, "delivered", 3},
		{"transient until out of attempts", []error{busy, busy, busy, busy}, storage.StatusFailed, "gave up after attempt 3 of 3: the recording server is unavailable", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := input("f").AudioURL
			e := newEnv(t, setup{fetchErrs: map[string][]error{url: tt.errs}, maxAttempts: 3})
			_, _, err := e.q.EnqueueCall(context.Background(), input("f"), "")
			require.NoError(t, err)
			c := e.waitFor(t, "f", tt.status, tt.reason)
			time.Sleep(200 * time.Millisecond) // a wrong retry would run by now
			assert.Equal(t, tt.fetches, e.fetch.count(url))
			if tt.status == storage.StatusFailed {
				assert.Nil(t, c.Report)
				// The failure is written back once, after its reason.
				c = e.waitFor(t, "f", storage.StatusFailed, " | delivered")
				assert.True(t, strings.HasPrefix(c.StatusReason, tt.reason) || strings.Contains(c.StatusReason, tt.reason))
				assert.Equal(t, 1, e.note.count("f"))
				// A resend of a failed call does not run it again.
				again, created, err := e.q.EnqueueCall(context.Background(), input("f"), "")
				require.NoError(t, err)
				assert.False(t, created)
				assert.Equal(t, storage.StatusFailed, again.Status)
				time.Sleep(200 * time.Millisecond)
				assert.Equal(t, tt.fetches, e.fetch.count(url))
			}
		})
	}
}

// A wait that upstream asks for replaces the backoff: with an hour of
// backoff the retry would never come within the test.
func TestRetryAfterReplacesBackoff(t *testing.T) {
	url := input("ra").AudioURL
	busy := &callaudit.Error{Kind: callaudit.KindRateLimited, Message: "rate limited (429)", RetryAfter: 100 * time.Millisecond}
	e := newEnv(t, setup{fetchErrs: map[string][]error{url: {busy}}, retryBase: time.Hour})
	_, _, err := e.q.EnqueueCall(context.Background(), input("ra"), "")
	require.NoError(t, err)
	e.waitFor(t, "ra", storage.StatusDone, "delivered")
	assert.Equal(t, 2, e.fetch.count(url))
}

// failDoneOnce refuses the first save of a done call.
type failDoneOnce struct {
	storage.Store
	failed atomic.Bool
}

func (f *failDoneOnce) Save(ctx context.Context, c storage.Call) error {
	if c.Status == storage.StatusDone && f.failed.CompareAndSwap(false, true) {
		return callaudit.Errorf(callaudit.KindUnavailable, "the database is busy")
	}
	return f.Store.Save(ctx, c)
}

// A report that could not be saved is made again: one stored result.
func TestUnsavedReportIsRetried(t *testing.T) {
	e := newEnv(t, setup{wrap: func(s storage.Store) storage.Store { return &failDoneOnce{Store: s} }})
	_, _, err := e.q.EnqueueCall(context.Background(), input("u"), "")
	require.NoError(t, err)
	c := e.waitFor(t, "u", storage.StatusDone, "delivered")
	require.NotNil(t, c.Report)
	assert.Equal(t, 2, e.stt.CallCount(), "analysed again after the failed save")
	assert.Equal(t, 1, e.note.count("u"))
	page, err := e.store.List(context.Background(), storage.Filter{})
	require.NoError(t, err)
	assert.Len(t, page.Calls, 1)
}

func TestDelivery(t *testing.T) {
	down := &callaudit.Error{Kind: callaudit.KindUnavailable, Message: "the CRM answered 503", RetryAfter: 30 * time.Millisecond}
	refused := callaudit.Errorf(callaudit.KindForbidden, "the CRM refused the token")
	tests := []struct {
		name   string
		errs   []error
		reason string
		sends  int
	}{
		{"first try", nil, "delivered", 1},
		{"retried without scoring again", []error{down, down}, "delivered", 3},
		{"refused fails the delivery", []error{refused}, "delivery failed: the CRM refused the token", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, setup{notifyErrs: tt.errs})
			_, _, err := e.q.EnqueueCall(context.Background(), input("d"), "")
			require.NoError(t, err)
			c := e.waitFor(t, "d", storage.StatusDone, tt.reason)
			assert.Equal(t, tt.reason, c.StatusReason)
			require.NotNil(t, c.Report, "the report survives the delivery note")
			time.Sleep(200 * time.Millisecond)
			assert.Equal(t, tt.sends, e.note.count("d"))
			assert.Equal(t, 1, e.stt.CallCount(), "scored once whatever the delivery did")
		})
	}
}

// named is a notifier with a name, as the writeback adapters have.
type named struct {
	*notifier
	name string
}

func (n named) Name() string { return n.name }

// With several notifiers each is a job of its own: one failing does not
// make the others deliver again, and the reason lists each outcome.
func TestDeliveryPerTarget(t *testing.T) {
	down := &callaudit.Error{Kind: callaudit.KindUnavailable, Message: "the CRM answered 503"}
	crm := named{&notifier{errs: []error{down, down}}, "amocrm"}
	hook := named{&notifier{errs: []error{callaudit.Errorf(callaudit.KindForbidden, "refused")}}, "callback"}
	e := newEnv(t, setup{extra: []writeback.Notifier{crm, hook}})
	_, _, err := e.q.EnqueueCall(context.Background(), input("m"), "")
	require.NoError(t, err)
	var c storage.Call
	require.Eventually(t, func() bool {
		c, err = e.store.Get(context.Background(), "m")
		return err == nil && strings.Count(c.StatusReason, " | ") == 2 && strings.Contains(c.StatusReason, "amocrm: delivered")
	}, 20*time.Second, 10*time.Millisecond)
	assert.Contains(t, c.StatusReason, "callback: delivery failed: refused")
	assert.Contains(t, c.StatusReason, "*queue_test.notifier: delivered")
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, 1, e.note.count("m"), "the healthy notifier got one delivery")
	assert.Equal(t, 3, crm.count("m"))
	assert.Equal(t, 1, hook.count("m"))
}

func TestEnqueueValidates(t *testing.T) {
	e := newEnv(t, setup{noStart: true})
	tests := []struct {
		name  string
		in    audit.Input
		field string
	}{
		// The fields are audit.Input's Go fields (audit.Check); the
		// webhook handler names them recording_url, content_mode….
		{"no call id", audit.Input{AudioURL: "https://x.example/a.wav"}, "CallID"},
		{"no url", audit.Input{CallID: "x"}, "AudioURL"},
		{"ftp url", audit.Input{CallID: "x", AudioURL: "ftp://x.example/a.wav"}, "AudioURL"},
		{"unknown mode", audit.Input{CallID: "x", AudioURL: "https://x.example/a.wav", Mode: "Boss+"}, "Mode"},
		{"bad language", audit.Input{CallID: "x", AudioURL: "https://x.example/a.wav", Language: "not a language"}, "Language"},
		{"unsupported language", audit.Input{CallID: "x", AudioURL: "https://x.example/a.wav", Language: "de"}, "Language"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.q.EnqueueCall(context.Background(), tt.in, "")
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			var fields []string
			for _, f := range callaudit.FieldsOf(err) {
				fields = append(fields, f.Field)
			}
			assert.Contains(t, fields, tt.field)
			_, gerr := e.store.Get(context.Background(), "x")
			assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(gerr), "nothing is saved")
		})
	}
}

// ownQueue hides that the store is a queue.TxStore, as a store of one's
// own would: the queue then keeps its jobs apart and scans at start.
func ownQueue(s storage.Store) storage.Store {
	return struct {
		storage.Store
		storage.Creator
		storage.Updater
	}{s, s.(storage.Creator), s.(storage.Updater)}
}

// With a store that cannot share a transaction, a call saved as queued or
// processing whose job was lost (a crash between the two writes, a
// deleted queue file) runs at the next start.
func TestStartRequeuesLostCalls(t *testing.T) {
	for _, st := range []storage.Status{storage.StatusQueued, storage.StatusProcessing} {
		t.Run(string(st), func(t *testing.T) {
			e := newEnv(t, setup{noStart: true, wrap: ownQueue})
			in := input("lost")
			require.NoError(t, e.store.Save(context.Background(), storage.Call{
				ID: in.CallID, ManagerID: in.ManagerID, Status: st, Source: "webhook", RecordingURL: in.AudioURL,
			}))
			// Not a webhook call: left alone.
			require.NoError(t, e.store.Save(context.Background(), storage.Call{ID: "other", Status: st, Source: "url", RecordingURL: in.AudioURL}))
			e.start(t)
			e.waitFor(t, "lost", storage.StatusDone, "delivered")
			time.Sleep(200 * time.Millisecond)
			other, err := e.store.Get(context.Background(), "other")
			require.NoError(t, err)
			assert.Equal(t, st, other.Status)
			assert.Equal(t, 1, e.stt.CallCount())
		})
	}
}

// Stopping mid-analysis puts the call back; the next start finishes it.
func TestStopRequeuesRunningCall(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "calls.db")
	e := newEnv(t, setup{dsn: dsn, sttDelay: 5 * time.Second, noStart: true})
	require.NoError(t, e.q.Start(context.Background()))
	_, _, err := e.q.EnqueueCall(context.Background(), input("s"), "")
	require.NoError(t, err)
	e.waitFor(t, "s", storage.StatusProcessing, "")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_ = e.q.Stop(ctx) // out of time: the job is cancelled
	cancel()
	e.waitFor(t, "s", storage.StatusQueued, "interrupted")

	e2 := newEnv(t, setup{dsn: dsn})
	e2.waitFor(t, "s", storage.StatusDone, "delivered")
	assert.Equal(t, 1, e2.stt.CallCount())
}

// The context given to Start bounds the start only: the workers keep
// running after it ends.
func TestWorkersOutliveStartContext(t *testing.T) {
	e := newEnv(t, setup{noStart: true})
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, e.q.Start(ctx))
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		assert.NoError(t, e.q.Stop(sctx))
	})
	cancel()
	time.Sleep(100 * time.Millisecond)
	_, _, err := e.q.EnqueueCall(context.Background(), input("late"), "")
	require.NoError(t, err)
	e.waitFor(t, "late", storage.StatusDone, "delivered")
}

// TestQueueInHistoryDatabase: with the SQL store, River's tables are in
// the history's own database, also one named by a file:// URI, and the
// call's job is there (no "-queue" file).
func TestQueueInHistoryDatabase(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, setup{dsn: "file://" + filepath.ToSlash(filepath.Join(dir, "calls.db"))})
	_, created, err := e.q.EnqueueCall(context.Background(), input("uri"), "")
	require.NoError(t, err)
	assert.True(t, created)
	e.waitFor(t, "uri", storage.StatusDone, "delivered")
	// River marks the job completed a moment after Work returns.
	assert.Eventually(t, func() bool { return queue.RequireAuditJob(t, e.q, "uri") == rivertype.JobStateCompleted },
		5*time.Second, 20*time.Millisecond)
	assert.NoFileExists(t, filepath.Join(dir, "calls.db-queue"))
	var jobs int
	require.NoError(t, e.store.(*sqlstore.Store).DB().QueryRow("SELECT count(*) FROM river_job").Scan(&jobs))
	assert.Equal(t, 2, jobs, "the audit job and the delivery job, in calls.db")
}

// TestInMemoryHistory: an in-memory SQLite history lives on one
// connection, which River then shares for its tables and its polling.
func TestInMemoryHistory(t *testing.T) {
	e := newEnv(t, setup{dsn: ":memory:"})
	_, created, err := e.q.EnqueueCall(context.Background(), input("mem"), "")
	require.NoError(t, err)
	assert.True(t, created)
	e.waitFor(t, "mem", storage.StatusDone, "delivered")
	assert.Equal(t, "sqlite", e.q.Backend())
}

// TestSharedStoreScansNothing: with the SQL store a queued call always has
// its job, so Start does not page through the history: a queued call
// written behind the queue's back stays as it is.
func TestSharedStoreScansNothing(t *testing.T) {
	e := newEnv(t, setup{noStart: true})
	require.NoError(t, e.store.Save(context.Background(), storage.Call{ID: "behind", Status: storage.StatusQueued, Source: "webhook", RecordingURL: "https://pbx.example/rec/x.wav"}))
	e.start(t)
	time.Sleep(300 * time.Millisecond)
	c, err := e.store.Get(context.Background(), "behind")
	require.NoError(t, err)
	assert.Equal(t, storage.StatusQueued, c.Status)
	queue.RequireNoAuditJob(t, e.q)
}

// TestLegacyQueueFileIsDrained: after an upgrade from the version that
// kept SQLite's jobs in "<history>-queue", the calls still queued get
// their jobs in the history's database at start.
func TestLegacyQueueFileIsDrained(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "calls.db")
	require.NoError(t, os.WriteFile(dsn+"-queue", nil, 0o600))
	e := newEnv(t, setup{dsn: dsn, noStart: true})
	in := input("old")
	require.NoError(t, e.store.Save(context.Background(), storage.Call{ID: in.CallID, Status: storage.StatusQueued, Source: "webhook", RecordingURL: in.AudioURL}))
	e.start(t)
	e.waitFor(t, "old", storage.StatusDone, "delivered")
}

func TestQueuePath(t *testing.T) {
	tests := []struct {
		dsn, want string
		bad       bool
	}{
		{dsn: "callaudit.db", want: "callaudit.db-queue?"},
		{dsn: "/var/lib/audit/calls.db?_pragma=busy_timeout(1)", want: "/var/lib/audit/calls.db-queue?"},
		{dsn: "sqlite:///data/x.db", want: "/data/x.db-queue?"},
		{dsn: "sqlite:x.db", want: "x.db-queue?"},
		{dsn: "file:x.db?cache=shared", want: "file:x.db-queue?"},
		{dsn: "file:///data/x.db", want: "file:///data/x.db-queue?"}, // accepted by sqlstore.Open, so here too
		{dsn: "sqlite3:///data/x.db", want: "/data/x.db-queue?"},
		{dsn: ":memory:", want: "file::memory:?"},
		{dsn: "mysql://x", bad: true},
		{dsn: "", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			got, err := queue.QueuePath(tt.dsn)
			if tt.bad {
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
				return
			}
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(got, tt.want), "got %q", got)
			assert.Contains(t, got, "busy_timeout")
		})
	}
}

// freshPostgres creates an empty database for the test and returns its
// URL; it is dropped when the test ends.
func freshPostgres(t *testing.T) string { return freshPostgresTB(t) }

func freshPostgresTB(t testing.TB) string {
	return storagetest.PostgresDatabase(t, os.Getenv, "queue_test_")
}
