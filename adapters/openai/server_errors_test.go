package openai_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

var oneAttempt = retry.Policy{Attempts: 1, Sleep: func(context.Context, time.Duration) error { return nil }}

// A server other than OpenAI's that cannot be reached is named by its
// origin, never by OpenAI's name, and never with the base URL's path,
// user info or the key.
func TestUnreachableServerIsNamedByItsOrigin(t *testing.T) {
	addr := closedAddr(t)
	const key, pathSecret, password = "sk-local-secret-key", "tok-in-the-path", "pass-in-userinfo"
	for _, tt := range []struct{ name, base string }{
		{"plain", "http://" + addr + "/v1"},
		{"path and user info", "http://user:" + password + "@" + addr + "/" + pathSecret + "/v1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newScorer(t, openai.Config{APIKey: key, BaseURL: tt.base, Retry: oneAttempt})
			_, err := s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
			require.Error(t, err)
			assert.Equal(t, callaudit.KindUnavailable, callaudit.KindOf(err))
			assert.Equal(t, "the server at http://"+addr+" is unreachable or closed the connection", callaudit.MessageOf(err))
			code, params := callaudit.CodeOf(err)
			assert.Equal(t, callaudit.CodeServerUnreachable, code)
			assert.Equal(t, map[string]string{"host": "http://" + addr}, params)
			for _, secret := range []string{key, pathSecret, password} {
				assert.NotContains(t, callaudit.MessageOf(err), secret)
			}
			// Nor does the logged text (see TestTransportErrorTextHidesTheBasePath).
			for _, secret := range []string{key, pathSecret, password} {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}

	// A dropped connection to the fake (a local OpenAI-compatible server).
	srv, cfg, _ := fakeConfig(t)
	cfg.Retry = oneAttempt
	srv.Fail(openaitest.Fault{Drop: true})
	_, err := newScorer(t, cfg).Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
	require.Error(t, err)
	assert.Equal(t, "the server at "+strings.TrimSuffix(srv.URL, "/v1")+" is unreachable or closed the connection", callaudit.MessageOf(err))
	assert.NotContains(t, callaudit.MessageOf(err), "OpenAI")
}

// A server that does not answer in time is named the same way.
func TestSlowServerIsNamedByItsOrigin(t *testing.T) {
	srv, cfg, _ := fakeConfig(t, openaitest.WithDelay(time.Minute))
	cfg.Retry, cfg.ScoreTimeout = oneAttempt, 50*time.Millisecond
	_, err := newScorer(t, cfg).Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))
	assert.Equal(t, "the server at "+strings.TrimSuffix(srv.URL, "/v1")+" did not answer in time", callaudit.MessageOf(err))
	code, _ := callaudit.CodeOf(err)
	assert.Equal(t, callaudit.CodeServerTimeout, code)
}

// OpenAI's own API is still called by its name: the default base URL,
// with a transport that dials a closed port instead of the internet.
func TestUnreachableOpenAIIsNamedOpenAI(t *testing.T) {
	addr := closedAddr(t)
	dial := &net.Dialer{}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial.DialContext(ctx, network, addr)
	}}}
	for _, base := range []string{"", openai.DefaultBaseURL} {
		s := newScorer(t, openai.Config{APIKey: "sk-test", BaseURL: base, HTTPClient: hc, Retry: oneAttempt})
		_, err := s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
		require.Error(t, err)
		assert.Equal(t, "the OpenAI API is unreachable or closed the connection", callaudit.MessageOf(err), "base %q", base)
		code, _ := callaudit.CodeOf(err)
		assert.Equal(t, callaudit.CodeUpstreamUnreachable, code)
	}
}

// A server other than OpenAI's that answers with an error status is named
// by its origin in the same texts that name OpenAI's own API, which keep
// their words.
func TestServerStatusErrorsNameTheServer(t *testing.T) {
	srv, cfg, _ := fakeConfig(t)
	cfg.Retry = oneAttempt
	host := strings.TrimSuffix(srv.URL, "/v1")
	local := newScorer(t, cfg)
	cfg.BaseURL, cfg.HTTPClient = "http://api.openai.com/v1", srv.OpenAIClient()
	own := newScorer(t, cfg)
	for _, tt := range []struct {
		fault       openaitest.Fault
		code        callaudit.Code
		openai, srv string
	}{
		{openaitest.Fault{Status: 401}, callaudit.CodeUpstreamKeyRejected, "the OpenAI API rejected the API key (check OPENAI_API_KEY)", "the server at " + host + " rejected the API key (check OPENAI_API_KEY)"},
		{openaitest.Fault{Status: 403, Message: "no access"}, callaudit.CodeUpstreamRefused, "the OpenAI API refused access: no access", "the server at " + host + " refused access: no access"},
		{openaitest.Fault{Status: 404, Message: "no model"}, callaudit.CodeUpstreamUnknownModel, "the OpenAI API does not know the configured model or endpoint: no model", "the server at " + host + " does not know the configured model or endpoint: no model"},
		{openaitest.Fault{Status: 429}, callaudit.CodeUpstreamRateLimited, "the OpenAI API is rate limiting requests; try again later", "the server at " + host + " is rate limiting requests; try again later"},
		{openaitest.Fault{Status: 429, Code: "insufficient_quota", Type: "insufficient_quota", Message: "You exceeded your current quota."}, callaudit.CodeUpstreamNoQuota, "the OpenAI account has no quota left", "the " + host + " account has no quota left"},
		{openaitest.Fault{Status: 500}, callaudit.CodeUpstreamServerError, "the OpenAI API failed to process the request", "the server at " + host + " failed to process the request"},
		{openaitest.Fault{Status: 503}, callaudit.CodeUpstreamUnavailable, "the OpenAI API is unavailable; try again later", "the server at " + host + " is unavailable; try again later"},
	} {
		for _, c := range []struct {
			s    *openai.Scorer
			want string
		}{{own, tt.openai}, {local, tt.srv}} {
			srv.Fail(tt.fault)
			_, err := c.s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
			require.Error(t, err)
			assert.Equal(t, c.want, callaudit.MessageOf(err), "status %d", tt.fault.Status)
			code, params := callaudit.CodeOf(err)
			assert.Equal(t, tt.code, code)
			if c.s == local {
				assert.Equal(t, host, params["host"])
				assert.NotContains(t, callaudit.MessageOf(err), "OpenAI")
			} else {
				assert.NotContains(t, params, "host")
			}
		}
	}
}

// The text of a transport error, which is logged, keeps the base URL's
// origin and the API operation of net/http's request URL, never the base
// URL's path or user info.
func TestTransportErrorTextHidesTheBasePath(t *testing.T) {
	addr := closedAddr(t)
	const pathSecret, password = "tok-in-the-path", "pass-in-userinfo"
	s := newScorer(t, openai.Config{APIKey: "sk-x", BaseURL: "http://user:" + password + "@" + addr + "/" + pathSecret + "/v1", Retry: oneAttempt})
	_, err := s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"http://`+addr+`/…/completions"`)
	assert.Contains(t, err.Error(), "connection refused")
	for _, secret := range []string{pathSecret, password, "/v1", "user"} {
		assert.NotContains(t, err.Error(), secret)
	}
}
