package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
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
			var want []int64
			for i := range tt.requests {
				// The marker sits past the first read's buffer, often
				// across two reads.
				id := int64(100*len(tt.name) + i + 1)
				want = append(want, id)
				body := strings.Repeat("y", 4093+i*7) + "(#" + strconv.FormatInt(id, 10) + "#)" + strings.Repeat("z", 10<<10)
				resp, err := client.Post(srv.URL, "text/plain", strings.NewReader(body))
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
			var ids []int64
			for _, s := range got {
				assert.GreaterOrEqual(t, s.duration(), wait)
				ids = append(ids, s.id)
			}
			assert.ElementsMatch(t, want, ids)
		})
	}
}

func TestFindMarker(t *testing.T) {
	tests := []struct {
		in     string
		id     int64
		wantOK bool
	}{
		{`"content":"Клиент: Хорошо. (#2000017#)"`, 2000017, true},
		{`(#12) (#34#)`, 34, true},
		{`(##)`, 0, false},
		{`(#123#`, 0, false},
		{`no marker`, 0, false},
	}
	for _, tt := range tests {
		id, ok := findMarker([]byte(tt.in))
		assert.Equal(t, tt.wantOK, ok, tt.in)
		assert.Equal(t, tt.id, id, tt.in)
	}
}

func TestServerTimingHeader(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"app;dur=1.234", 1234 * time.Microsecond},
		{"db;dur=5, app;desc=\"x\";dur=0.5", 500 * time.Microsecond},
		{"db;dur=5", -1},
		{"app;dur=x", -1},
		{"", -1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, serverTiming(tt.in), tt.in)
	}
}
