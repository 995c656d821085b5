// Package vendortest is what the tests of the vendor adapters
// (adapters/yandex, adapters/salute, adapters/gigachat) and their fakes
// (yandextest, salutetest, gigachattest, sberauthtest) share: starting a
// fake for one test, a retry policy that does not wait, the assertions
// every adapter's error tests make, and the fakes' request log and JSON
// answers.
package vendortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// Retry is the policy of the adapters under test: three attempts,
// millisecond waits.
var Retry = retry.Policy{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}

// Fixture pairs an adapter with its fake: S is the fake server, O its
// options, C the adapter's configuration and A the adapter.
type Fixture[S interface{ Close() }, O, C, A any] struct {
	// NewServer starts the fake.
	NewServer func(...O) S
	// Config is the adapter's configuration for a fake.
	Config func(S) C
	// New is the adapter's constructor.
	New func(C) (A, error)
}

// Start starts a fake that is closed when the test ends.
func (f Fixture[S, O, C, A]) Start(t testing.TB, opts ...O) S {
	t.Helper()
	srv := f.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// With returns the adapter of cfg, failing the test when New refuses it.
func (f Fixture[S, O, C, A]) With(t testing.TB, cfg C) A {
	t.Helper()
	a, err := f.New(cfg)
	require.NoError(t, err)
	return a
}

// Configured starts a fake, lets setup change it and the adapter's
// configuration, and returns the adapter, the fake and the configuration.
func (f Fixture[S, O, C, A]) Configured(t testing.TB, setup func(S, *C), opts ...O) (A, S, C) {
	t.Helper()
	srv := f.Start(t, opts...)
	cfg := f.Config(srv)
	setup(srv, &cfg)
	return f.With(t, cfg), srv, cfg
}

// Adapter starts a fake and returns it with an adapter configured for it.
func (f Fixture[S, O, C, A]) Adapter(t testing.TB, opts ...O) (A, S) {
	t.Helper()
	srv := f.Start(t, opts...)
	return f.With(t, f.Config(srv)), srv
}

// OutlastsMaxWait asserts that tr, whose fake keeps recognitions
// running and whose MaxWait is short, gives up with KindTimeout saying
// how long it waited.
func OutlastsMaxWait(t testing.TB, tr transcribe.Transcriber, service string, secrets ...string) {
	t.Helper()
	_, err := tr.Transcribe(context.Background(), transcribe.AudioFromBytes("slow.wav", transcribetest.WAV(1, 8000, 1)), transcribe.Options{})
	Fails(t, err, callaudit.KindTimeout, secrets...)
	assert.Contains(t, err.Error(), "still running after")
	assert.Contains(t, callaudit.MessageOf(err), service)
}

// Fails asserts that err is of kind and that none of the secrets (the
// keys and tokens of the test) appears in its text or its message.
func Fails(t testing.TB, err error, kind callaudit.Kind, secrets ...string) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, kind, callaudit.KindOf(err), "%v", err)
	for _, s := range secrets {
		if s != "" {
			assert.NotContains(t, err.Error(), s, "a secret never appears in errors")
			assert.NotContains(t, callaudit.MessageOf(err), s, "a secret never appears in messages")
		}
	}
	assert.NotContains(t, strings.ToLower(err.Error()), "bearer ", "no authorization header in errors")
}

// Post sends a body of n zero bytes (never held in memory) to url with
// the header and returns the status; the fakes' size limits are tested
// with it without an adapter that would refuse the size first.
func Post(t testing.TB, url string, header http.Header, n int64) int {
	t.Helper()
	return post(t, url, header, io.LimitReader(zeros{}, n), n)
}

// PostJSON sends body as JSON with the bearer token to url and returns
// the status.
func PostJSON(t testing.TB, url, token, body string) int {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	return post(t, url, h, strings.NewReader(body), int64(len(body)))
}

func post(t testing.TB, url string, header http.Header, body io.Reader, n int64) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	require.NoError(t, err)
	req.ContentLength = n
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Log is a fake's record of the requests it served; safe for concurrent use.
type Log[T any] struct {
	mu    sync.Mutex
	items []T
}

// Add records one request.
func (l *Log[T]) Add(v T) {
	l.mu.Lock()
	l.items = append(l.items, v)
	l.mu.Unlock()
}

// All returns a copy of the requests so far.
func (l *Log[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]T(nil), l.items...)
}

// Track wraps w so that the status written is kept; the returned done,
// deferred by the handler, records rec with that status (set through
// status) in the log.
func (l *Log[T]) Track(w http.ResponseWriter, rec *T, status func(*T) *int) (http.ResponseWriter, func()) {
	rw := &recorder{ResponseWriter: w, status: http.StatusOK}
	return rw, func() {
		*status(rec) = rw.status
		l.Add(*rec)
	}
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// WriteJSON answers status with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// HexID is n random bytes in hex, for the ids a fake hands out.
func HexID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
