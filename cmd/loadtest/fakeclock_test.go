package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpanListener serves requests through the listener on kept-alive and
// fresh connections and checks that each request gets one span covering
// at least the handler's wait.
func TestSpanListener(t *testing.T) {
	const wait = 20 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	spans := &spanListener{Listener: ln}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(wait)
		_, _ = io.WriteString(w, strings.Repeat("x", 100<<10)) // several writes
	}))
	srv.Listener.Close()
	srv.Listener = spans
	srv.Start()
	defer srv.Close()

	tests := []struct {
		name      string
		keepAlive bool
		requests  int
	}{
		{"kept-alive", true, 4},
		{"new connections", false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := time.Now()
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: !tt.keepAlive}}
			for range tt.requests {
				resp, err := client.Post(srv.URL, "text/plain", strings.NewReader(strings.Repeat("y", 10<<10)))
				require.NoError(t, err)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			// The last request of a kept-alive connection ends its span
			// when the connection closes.
			client.CloseIdleConnections()
			require.Eventually(t, func() bool {
				spans.mu.Lock()
				defer spans.mu.Unlock()
				return len(spans.spans) >= tt.requests
			}, 5*time.Second, 5*time.Millisecond)
			got := spans.take(from, time.Now().Add(time.Second))
			require.Len(t, got, tt.requests)
			for _, d := range got {
				assert.GreaterOrEqual(t, d, wait)
			}
		})
	}
}
