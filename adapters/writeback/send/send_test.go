package send_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/send"
)

const token = "tok-SECRET-123"

func TestDoStatuses(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		kind       callaudit.Kind
		wait       time.Duration
	}{
		{status: 200},
		{status: 201},
		{status: 204},
		{status: 429, retryAfter: "7", kind: callaudit.KindRateLimited, wait: 7 * time.Second},
		{status: 429, kind: callaudit.KindRateLimited},
		{status: 500, kind: callaudit.KindUpstream},
		{status: 502, kind: callaudit.KindUpstream},
		{status: 503, retryAfter: "2", kind: callaudit.KindUnavailable, wait: 2 * time.Second},
		{status: 504, kind: callaudit.KindTimeout},
		{status: 408, kind: callaudit.KindTimeout},
		{status: 401, kind: callaudit.KindUnauthorized},
		{status: 403, kind: callaudit.KindUnauthorized},
		{status: 404, kind: callaudit.KindNotFound},
		{status: 400, kind: callaudit.KindInvalid},
		{status: 422, kind: callaudit.KindInvalid},
		{status: 302, kind: callaudit.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.status == 302 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tt.status)
				// Receivers sometimes echo the request: the token must not
				// travel on into the error.
				_, _ = w.Write([]byte(`{"detail":"bad token ` + token + `"}`))
			}))
			defer srv.Close()
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/x", nil)
			require.NoError(t, err)
			c := send.Client{Service: "Test CRM", Secrets: []string{token}}
			resp, err := c.Do(req, "test.Do")
			if tt.kind == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.status, resp.Status)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.kind, callaudit.KindOf(err))
			assert.Equal(t, tt.wait, callaudit.RetryAfterOf(err))
			assert.Contains(t, callaudit.MessageOf(err), "Test CRM answered")
			assert.NotContains(t, err.Error(), token)
			assert.Contains(t, err.Error(), "[redacted]", "the answer is kept for logs, redacted")
			var ae *send.AnswerError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.Status)
		})
	}
}

func TestDoTransportErrorsHideTheURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there any more
	secretURL := addr + "/rest/1/" + token + "/"
	req, err := http.NewRequest(http.MethodPost, secretURL+"crm.timeline.comment.add.json", nil)
	require.NoError(t, err)
	_, err = send.Client{Service: "Bitrix24", Secrets: []string{token}}.Do(req, "test.Do")
	require.Error(t, err)
	assert.Equal(t, callaudit.KindUnavailable, callaudit.KindOf(err))
	assert.True(t, callaudit.IsTransient(err))
	assert.NotContains(t, err.Error(), token)
	assert.NotContains(t, err.Error(), "/rest/1/")
}

// silentServer never answers: a request ends only when its client gives
// up, which is what the timeout and cancellation tests need.
func silentServer(t *testing.T) *httptest.Server {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	// Cleanups run last in, first out: release the handlers, then close.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) })
	return srv
}

func TestDoContext(t *testing.T) {
	srv := silentServer(t)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
	require.NoError(t, err)
	_, err = send.Client{Service: "X"}.Do(req, "test.Do")
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
	require.NoError(t, err)
	_, err = send.Client{Service: "X"}.Do(req, "test.Do")
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))
}

func TestClientTimeout(t *testing.T) {
	srv := silentServer(t)
	req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
	require.NoError(t, err)
	_, err = send.Client{HTTP: send.NewHTTPClient(50 * time.Millisecond), Service: "X"}.Do(req, "test.Do")
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var hits int
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer target.Close()
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	_, err = send.Client{Service: "X"}.Do(req, "test.Do")
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Zero(t, hits, "the token must not follow a redirect")
}
