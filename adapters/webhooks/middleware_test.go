package webhooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/webhooks"
)

func TestRequireSignature(t *testing.T) {
	secret := webhooks.NewSecret()
	const body = `{"call_id":"c-1","manager_id":"m-1","recording_url":"https://example.com/a.mp3"}`
	type seen struct {
		body string
		id   string
		n    int
	}
	tests := []struct {
		name     string
		body     string
		header   func(t *testing.T) http.Header
		answer   int // what next answers
		status   int
		code     string
		reaches  bool
		maxBody  int64
		retryGet int // status of a second delivery with the same id
	}{
		{name: "valid", body: body, header: func(t *testing.T) http.Header { return signed(t, secret, "msg_ok", time.Now(), body) },
			answer: http.StatusAccepted, status: http.StatusAccepted, reaches: true, retryGet: http.StatusUnauthorized},
		{name: "unsigned", body: body, header: func(*testing.T) http.Header { return http.Header{} },
			status: http.StatusUnauthorized, code: "unauthorized"},
		{name: "wrong secret", body: body, header: func(t *testing.T) http.Header { return signed(t, webhooks.NewSecret(), "msg_x", time.Now(), body) },
			status: http.StatusUnauthorized, code: "unauthorized"},
		{name: "stale", body: body, header: func(t *testing.T) http.Header { return signed(t, secret, "msg_old", time.Now().Add(-time.Hour), body) },
			status: http.StatusUnauthorized, code: "unauthorized"},
		{name: "too large", body: strings.Repeat("x", 2048), maxBody: 1024,
			header: func(t *testing.T) http.Header {
				return signed(t, secret, "msg_big", time.Now(), strings.Repeat("x", 2048))
			},
			status: http.StatusRequestEntityTooLarge, code: "too_large"},
		{name: "handler fails: the retry is not a replay", body: body, header: func(t *testing.T) http.Header { return signed(t, secret, "msg_fail", time.Now(), body) },
			answer: http.StatusServiceUnavailable, status: http.StatusServiceUnavailable, reaches: true, retryGet: http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := webhooks.NewVerifier(secret)
			require.NoError(t, err)
			var got seen
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, err := io.ReadAll(r.Body)
				assert.NoError(t, err)
				got = seen{body: string(b), id: webhooks.IDFromContext(r.Context()), n: got.n + 1}
				assert.Equal(t, int64(len(b)), r.ContentLength)
				w.WriteHeader(tt.answer)
			})
			h := webhooks.RequireSignature(v, httpapi.WriteError, next, webhooks.MaxBody(tt.maxBody))
			header := tt.header(t)
			serve := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodPost, "/webhook/new_call_recording", strings.NewReader(tt.body))
				req.Header = header.Clone()
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			rec := serve()
			assert.Equal(t, tt.status, rec.Code)
			if !tt.reaches {
				assert.Zero(t, got.n, "next must not run")
				var eb httpapi.ErrorBody
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &eb), rec.Body.String())
				assert.Equal(t, tt.status, eb.Error.Status)
				assert.Equal(t, tt.code, eb.Error.Code)
				assert.NotEmpty(t, eb.Error.Message)
				assert.NotContains(t, rec.Body.String(), strings.TrimPrefix(secret, "whsec_"))
				return
			}
			assert.Equal(t, tt.body, got.body, "next reads the body the signature covered")
			assert.Equal(t, header.Get(webhooks.HeaderID), got.id)
			if tt.retryGet != 0 {
				assert.Equal(t, tt.retryGet, serve().Code, "second delivery with the same id")
			}
		})
	}
}

func TestRequireSignatureReleasesOnPanic(t *testing.T) {
	secret := webhooks.NewSecret()
	v, err := webhooks.NewVerifier(secret)
	require.NoError(t, err)
	calls := 0
	h := webhooks.RequireSignature(v, httpapi.WriteError, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			panic(http.ErrAbortHandler)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	header := signed(t, secret, "msg_p", time.Now(), "{}")
	serve := func() int {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
		req.Header = header.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	assert.Panics(t, func() { serve() })
	assert.Equal(t, http.StatusAccepted, serve(), "the id was released when the handler panicked")
	assert.Equal(t, 2, calls)
}

func TestRequireSignatureNilArguments(t *testing.T) {
	v, err := webhooks.NewVerifier(webhooks.NewSecret())
	require.NoError(t, err)
	assert.Panics(t, func() { webhooks.RequireSignature(v, nil, http.NotFoundHandler()) })
	assert.Panics(t, func() { webhooks.RequireSignature(nil, httpapi.WriteError, http.NotFoundHandler()) })
}
