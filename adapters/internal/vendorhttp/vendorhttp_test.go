package vendorhttp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
)

var svc = Service{Name: "Test API", Setting: "AUDIT_TEST_KEY"}

func TestStatusKinds(t *testing.T) {
	for status, want := range map[int]callaudit.Kind{
		401: callaudit.KindNotConfigured, 402: callaudit.KindNotConfigured, 403: callaudit.KindNotConfigured, 404: callaudit.KindNotConfigured,
		400: callaudit.KindInvalid, 422: callaudit.KindInvalid, 413: callaudit.KindTooLarge, 415: callaudit.KindUnsupported,
		429: callaudit.KindRateLimited, 408: callaudit.KindTimeout, 504: callaudit.KindTimeout,
		502: callaudit.KindUnavailable, 503: callaudit.KindUnavailable, 500: callaudit.KindUpstream,
	} {
		e := svc.StatusError("op", status, "detail", time.Second)
		assert.Equal(t, want, e.Kind, "status %d", status)
		assert.Equal(t, status, StatusOf(e))
		assert.NotEmpty(t, e.Code)
		assert.NotContains(t, e.Message, "{", "placeholders filled: %q", e.Message)
		if callaudit.IsTransient(e) {
			assert.Equal(t, time.Second, e.RetryAfter)
		} else {
			assert.Zero(t, e.RetryAfter)
		}
	}
	assert.Contains(t, svc.StatusError("op", 401, "", 0).Message, "AUDIT_TEST_KEY")
}

func TestRedact(t *testing.T) {
	for _, in := range []string{
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc",
		"header Api-Key AQVNsecretsecret",
		"Basic MDE5ZDdkYzMtYTE1Yi03MDE0LTlhZDItOTRkNGRkNTUxYjBhOjlkZDQ1OWMw",
		"token eyJhbGciOiJIUzI1NiJ9xx.eyJzdWIiOiIxMjM0NTY3ODkwIn0xx.sig leaked",
		"key MDE5ZDdkYzMtYTE1Yi03MDE0LTlhZDItOTRkNGRkNTUxYjBhOjlkZDQ1OWMwLTc1ZDctNGJhMy05MzQz==",
	} {
		out := Redact(in)
		assert.Contains(t, out, "[REDACTED]", in)
		assert.NotContains(t, out, "secret")
		assert.NotContains(t, out, "eyJzdWIi")
		assert.NotContains(t, out, "MDE5ZDdk")
	}
	assert.Equal(t, "my [REDACTED] here", Redact("my own-secret here", "own-secret"))
	assert.Equal(t, "Token has expired", Redact("Token has expired"), "plain text stays")
}

func TestDoKeepsSecretsOutOfErrors(t *testing.T) {
	const secret = "s3cr3t-value"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"bad key ` + secret + `"}`))
	}))
	defer srv.Close()
	c := &Client{HTTP: http.DefaultClient, Service: svc, Message: func(b []byte) string { return JSONMessage(b, "message") }, Secrets: func() []string { return []string{secret} }}
	err := c.Do(context.Background(), "op", Request{Method: http.MethodGet, URL: srv.URL}, nil)
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.NotContains(t, err.Error(), secret)
	assert.Contains(t, callaudit.MessageOf(err), "bad key [REDACTED]")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = c.Do(ctx, "op", Request{Method: http.MethodGet, URL: srv.URL}, nil)
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))
}

func TestBearer(t *testing.T) {
	h := Bearer("tok", "content-type", "application/json")
	assert.Equal(t, "Bearer tok", h.Get("Authorization"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
}

// Each attempt gets its own deadline; a timed-out attempt is retried.
func TestAttemptsBoundsEachAttempt(t *testing.T) {
	var deadlines []time.Time
	err := Attempts(context.Background(), retry.Policy{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond}, 10*time.Millisecond, func(ctx context.Context) error {
		d, ok := ctx.Deadline()
		require.True(t, ok)
		deadlines = append(deadlines, d)
		<-ctx.Done()
		return svc.TransportError(context.Background(), "op", ctx.Err())
	})
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err), "%v", err)
	require.Len(t, deadlines, 2, "the timeout is transient: retried once")
	assert.True(t, deadlines[1].After(deadlines[0]))
}
