// Package pipeline runs one intake vendor through the real pipeline for
// the CRM vendors' end-to-end tests (bitrix24, amocrm), whose write-back
// goes to their fake CRM rather than to a signed receiver: SQLite store,
// River queue, the SSRF-safe fetcher opened to loopback, the checklist
// scorer over a fake transcriber, and the intake's handler on a test
// server, with its counters in a registry of their own.
package pipeline

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
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// Env is one vendor's intake under test.
type Env struct {
	Store *sqlstore.Store
	Reg   *prometheus.Registry
	// URL is the vendor's route, {server}/intake/{name}.
	URL string
}

// Fetcher is the fetcher the vendors download with: the server's, opened
// to the fakes on loopback.
func Fetcher(t *testing.T) *fetch.Fetcher {
	f, err := fetch.New(fetch.Config{AllowHosts: []string{"127.0.0.1"}})
	require.NoError(t, err)
	return f
}

// Start runs the pipeline with vendor (made by newVendor, given the
// fetcher) and its write-back notifiers (made by notifiers, given the
// vendor), until the test ends.
func Start[V intake.Vendor](t *testing.T, newVendor func(*fetch.Fetcher) V, notifiers func(V) []writeback.Notifier) *Env {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "calls.db")
	store, err := sqlstore.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	vendor := newVendor(Fetcher(t))
	reg := prometheus.NewRegistry()
	in, err := intake.New(intake.Config{Vendors: []intake.Vendor{vendor}, Events: store, Registerer: reg})
	require.NoError(t, err)
	a, err := audit.New(checklist.New(), audit.WithStore(store), audit.WithTranscriber(&transcribetest.Fake{}))
	require.NoError(t, err)
	q, err := queue.Open(ctx, queue.Config{DatabaseURL: path, Auditor: a, Intake: in, Notifiers: notifiers(vendor),
		PollInterval: 20 * time.Millisecond, Retry: retry.Policy{Base: 50 * time.Millisecond, Max: time.Second}, MaxAttempts: 20})
	require.NoError(t, err)
	require.NoError(t, q.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, q.Stop(sctx))
	})
	mux := http.NewServeMux()
	mux.Handle(intake.Prefix, in.Handler(q))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &Env{Store: store, Reg: reg, URL: srv.URL + intake.Prefix + vendor.Name()}
}

// WaitDone waits for call id to be done and returns it.
func (e *Env) WaitDone(t *testing.T, id string) storage.Call {
	t.Helper()
	var last storage.Call
	require.Eventually(t, func() bool {
		c, err := e.Store.Get(context.Background(), id)
		last = c
		return err == nil && c.Status == storage.StatusDone
	}, 30*time.Second, 20*time.Millisecond, "call %s: last %s %q", id, last.Status, last.StatusReason)
	return last
}

// Missing asserts that no call id is recorded.
func (e *Env) Missing(t *testing.T, id string) {
	t.Helper()
	_, err := e.Store.Get(context.Background(), id)
	assert.Error(t, err, "call %s should not be recorded", id)
}

// Count is the value of the intake's counter name with labels (the
// vendor's, and the outcome or reason); 0 when never counted.
func (e *Env) Count(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := e.Reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
