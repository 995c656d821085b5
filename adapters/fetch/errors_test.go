package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
)

func TestFetchStatusKinds(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		want       callaudit.Kind
		wantWait   time.Duration
	}{
		{http.StatusNotFound, "", callaudit.KindNotFound, 0},
		{http.StatusGone, "", callaudit.KindNotFound, 0},
		{http.StatusForbidden, "", callaudit.KindInvalid, 0},
		{http.StatusUnauthorized, "", callaudit.KindInvalid, 0},
		{http.StatusBadRequest, "", callaudit.KindInvalid, 0},
		{http.StatusTooManyRequests, "7", callaudit.KindRateLimited, 7 * time.Second},
		{http.StatusTooManyRequests, "", callaudit.KindRateLimited, 0},
		{http.StatusRequestTimeout, "", callaudit.KindTimeout, 0},
		{http.StatusInternalServerError, "", callaudit.KindUnavailable, 0},
		{http.StatusBadGateway, "", callaudit.KindUnavailable, 0},
		{http.StatusServiceUnavailable, "3", callaudit.KindUnavailable, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				http.Error(w, "no", tt.status)
			}))
			defer srv.Close()
			cfg := testConfig(t)
			_, _, err := newFetcher(t, cfg).Fetch(context.Background(), srv.URL+"/rec.wav?token=secret-token")
			require.Error(t, err)
			assert.Equal(t, tt.want, callaudit.KindOf(err), err.Error())
			assert.Equal(t, tt.wantWait, callaudit.RetryAfterOf(err))
			assert.Contains(t, callaudit.MessageOf(err), "127.0.0.1")
			assert.NotContains(t, err.Error(), "secret-token")
			assertNoTempFiles(t, cfg.TempDir)
		})
	}
}

func TestFetchRetriesTransientFailures(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(wav)
	}))
	defer srv.Close()
	cfg := testConfig(t)
	var waits []time.Duration
	cfg.Retry = retry.Policy{Attempts: 3, Sleep: func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}}
	_, release, err := newFetcher(t, cfg).Fetch(context.Background(), srv.URL+"/x.wav")
	require.NoError(t, err)
	release()
	assert.Equal(t, int32(3), hits.Load())
	assert.Equal(t, []time.Duration{time.Second, time.Second}, waits, "Retry-After is honoured")

	// Permanent errors are not retried.
	hits.Store(0)
	srv404 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	defer srv404.Close()
	_, _, err = newFetcher(t, cfg).Fetch(context.Background(), srv404.URL+"/x.wav")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err))
	assert.Equal(t, int32(1), hits.Load())
}

func TestFetchRefusesNonAudio(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    callaudit.Kind
	}{
		{"html page", "text/html; charset=utf-8", "<!doctype html><html><body>Login</body></html>", callaudit.KindUnsupported},
		{"json error", "application/json", `{"error":"expired"}`, callaudit.KindUnsupported},
		{"text named wav", "audio/wav", "hello, this is not audio at all", callaudit.KindUnsupported},
		{"empty", "audio/wav", "", callaudit.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			cfg := testConfig(t)
			_, _, err := newFetcher(t, cfg).Fetch(context.Background(), srv.URL+"/call.wav")
			require.Error(t, err)
			assert.Equal(t, tt.want, callaudit.KindOf(err), err.Error())
			assertNoTempFiles(t, cfg.TempDir)
		})
	}
}

func TestFetchCutsOffSlowServers(t *testing.T) {
	head := wav[:44] // the header alone
	tests := []struct {
		name    string
		cfg     func(*Config)
		handler func(w http.ResponseWriter, r *http.Request)
		wantMsg string
	}{
		{
			name: "no headers",
			cfg:  func(c *Config) { c.HeaderTimeout = 100 * time.Millisecond },
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			wantMsg: "did not answer in time",
		},
		{
			name: "stalls after the first bytes",
			cfg:  func(c *Config) { c.IdleTimeout = 150 * time.Millisecond },
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write(head)
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
			wantMsg: "stopped sending",
		},
		{
			name: "drips a byte at a time",
			cfg: func(c *Config) {
				c.IdleTimeout = 10 * time.Second
				c.MinBytesPerSecond = 10_000
				c.ThroughputWindow = 200 * time.Millisecond
			},
			handler: drip(head),
			wantMsg: "too slowly",
		},
		{
			name: "overall timeout",
			cfg: func(c *Config) {
				c.Timeout = 300 * time.Millisecond
				c.MinBytesPerSecond = -1
			},
			handler: drip(head),
			wantMsg: "took longer than",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(tt.handler))
			defer srv.Close()
			cfg := testConfig(t)
			tt.cfg(&cfg)
			_, _, err := newFetcher(t, cfg).Fetch(context.Background(), srv.URL+"/slow.wav")
			require.Error(t, err)
			assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err), err.Error())
			assert.True(t, callaudit.IsTransient(err))
			assert.Contains(t, callaudit.MessageOf(err), tt.wantMsg)
			assertNoTempFiles(t, cfg.TempDir)
		})
	}
}

// drip sends head, then one byte every 20 ms until the client goes away:
// a server that never stalls long enough for the idle timeout.
func drip(head []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(head)
		w.(http.Flusher).Flush()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte{0}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}
}

func TestFetchCanceledByCaller(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, _, err := newFetcher(t, testConfig(t)).Fetch(ctx, srv.URL+"/x.wav")
	require.Error(t, err)
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err), err.Error())
}

func TestFetchRejectsBadURLs(t *testing.T) {
	f := newFetcher(t, testConfig(t))
	for _, u := range []string{"", "not a url", "/relative/path.wav", "ftp://example.com/a.wav", "file:///etc/passwd", "gopher://x/", "http://"} {
		_, _, err := f.Fetch(context.Background(), u)
		require.Error(t, err, u)
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), u)
		require.NotEmpty(t, callaudit.FieldsOf(err), u)
		assert.Equal(t, "file_url", callaudit.FieldsOf(err)[0].Field)
	}
}
