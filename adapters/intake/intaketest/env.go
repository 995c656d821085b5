package intaketest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
)

// EnvConfig configures an Env.
type EnvConfig struct {
	// DSN is the history's database; empty is a new SQLite file.
	DSN string
	// Vendor builds the vendor under test over the SSRF-safe fetcher
	// (which here allows 127.0.0.1, where the fakes listen).
	Vendor func(files audit.Fetcher) (intake.Vendor, error)
	// Notifiers, when set, replace the signed write-back to Receiver with
	// the vendor's own (the CRM vendors write back to their fake CRM); it
	// gets the vendor Vendor built.
	Notifiers func(v intake.Vendor) ([]writeback.Notifier, error)
}

// Env is the real pipeline behind the intake: the SQL store, the River
// queue with the intake's job kind, the fake OpenAI transcribing, the
// offline checklist scoring, and the write-back as a signed webhook to
// Receiver.
type Env struct {
	Store    *sqlstore.Store
	Queue    *queue.Queue
	Intake   *intake.Intake
	Server   *httptest.Server
	OpenAI   *openaitest.Server
	Receiver *writebacktest.Receiver
	Registry *prometheus.Registry
}

// NewEnv builds and starts the Env; everything stops with the test.
func NewEnv(t *testing.T, cfg EnvConfig) *Env {
	t.Helper()
	ctx := context.Background()
	if cfg.DSN == "" {
		cfg.DSN = filepath.Join(t.TempDir(), "calls.db")
	}
	e := &Env{OpenAI: openaitest.NewServer(), Registry: prometheus.NewRegistry()}
	t.Cleanup(e.OpenAI.Close)
	secret := webhooks.NewSecret()
	e.Receiver = writebacktest.NewReceiver(secret)
	t.Cleanup(e.Receiver.Close)
	var err error
	e.Store, err = sqlstore.Open(ctx, cfg.DSN)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Store.Close() })
	stt, err := openai.NewTranscriber(openai.Config{APIKey: e.OpenAI.APIKey, BaseURL: e.OpenAI.URL})
	require.NoError(t, err)
	files := Files(t)
	a, err := audit.New(checklist.New(), audit.WithStore(e.Store), audit.WithFetcher(files), audit.WithTranscriber(stt))
	require.NoError(t, err)
	v, err := cfg.Vendor(files)
	require.NoError(t, err)
	e.Intake, err = intake.New(intake.Config{Vendors: []intake.Vendor{v}, Events: e.Store, Registerer: e.Registry})
	require.NoError(t, err)
	hook, err := signedhook.New(signedhook.Config{URL: e.Receiver.URL, Secret: secret})
	require.NoError(t, err)
	notifiers := []writeback.Notifier{hook}
	if cfg.Notifiers != nil {
		notifiers, err = cfg.Notifiers(v)
		require.NoError(t, err)
	}
	e.Queue, err = queue.Open(ctx, queue.Config{DatabaseURL: cfg.DSN, Auditor: a, Notifiers: notifiers, Intake: e.Intake,
		Retry: retry.Policy{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}, PollInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, e.Queue.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, e.Queue.Stop(sctx))
	})
	mux := http.NewServeMux()
	mux.Handle(intake.Prefix, e.Intake.Handler(e.Queue))
	e.Server = httptest.NewServer(mux)
	t.Cleanup(e.Server.Close)
	return e
}

// Files is the SSRF-safe fetcher the server downloads recordings with,
// allowing 127.0.0.1, where the fakes listen.
func Files(t *testing.T) audit.Fetcher {
	t.Helper()
	files, err := fetch.New(fetch.Config{AllowHosts: []string{"127.0.0.1"}})
	require.NoError(t, err)
	return files
}

// Target is the URL to paste into the vendor's settings.
func (e *Env) Target(vendor string) string { return e.Server.URL + intake.Prefix + vendor }

// Wait waits until the call is done or failed with a write-back note in
// its reason, or skipped, and returns it.
func (e *Env) Wait(t *testing.T, callID string, status storage.Status) storage.Call {
	t.Helper()
	var last storage.Call
	ok := assert.Eventually(t, func() bool {
		c, err := e.Store.Get(context.Background(), callID)
		last = c
		return err == nil && c.Status == status && (status != storage.StatusDone || c.StatusReason == "delivered")
	}, 30*time.Second, 20*time.Millisecond)
	require.True(t, ok, "call %s reads %s %q", callID, last.Status, last.StatusReason)
	return last
}

// WaitAudited waits until the call is done and delivered and checks it
// is what the intake's end-to-end acceptance asks: a telephony call of
// manager, transcribed, scored, and written back once to Receiver.
func (e *Env) WaitAudited(t *testing.T, callID, manager string) storage.Call {
	t.Helper()
	call := e.Wait(t, callID, storage.StatusDone)
	assert.Equal(t, manager, call.ManagerID, "the employee through the manager table")
	assert.Equal(t, storage.SourceTelephony, call.Source)
	require.NotNil(t, call.Report, "scored")
	assert.NotEmpty(t, call.Report.Transcript.Segments, "transcribed by the fake OpenAI")
	assert.Equal(t, 1, e.Receiver.Count(call.ID), "written back once")
	return call
}

// Events is callaudit_intake_events_total of the Env's vendor for the
// outcome (accepted, kept, dropped, skipped, check, unauthorized, ...).
func (e *Env) Events(t *testing.T, outcome string) float64 {
	t.Helper()
	return e.Counter(t, "callaudit_intake_events_total", map[string]string{"vendor": e.Intake.Vendors()[0], "outcome": outcome})
}

// Skipped is callaudit_intake_skipped_total of the Env's vendor for the
// reason (missed, too_short, not_recorded, never_ready).
func (e *Env) Skipped(t *testing.T, reason string) float64 {
	t.Helper()
	return e.Counter(t, "callaudit_intake_skipped_total", map[string]string{"vendor": e.Intake.Vendors()[0], "reason": reason})
}

// Polls is callaudit_intake_recording_polls_total of the Env's vendor.
func (e *Env) Polls(t *testing.T) float64 {
	t.Helper()
	return e.Counter(t, "callaudit_intake_recording_polls_total", map[string]string{"vendor": e.Intake.Vendors()[0]})
}

// Counter returns the value of a counter with these labels (0 when it
// has none yet).
func (e *Env) Counter(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	return Counter(t, e.Registry, name, labels)
}

// Counter returns the value in g of the counter name whose labels include
// labels (0 when it has none yet).
func Counter(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := g.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// Calls returns the calls in the history (up to 1000).
func (e *Env) Calls(t *testing.T) []storage.Call {
	t.Helper()
	page, err := e.Store.List(context.Background(), storage.Filter{Limit: storage.MaxLimit})
	require.NoError(t, err)
	return page.Calls
}
