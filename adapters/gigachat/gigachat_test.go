package gigachat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/gigachat"
	"github.com/callaudit/callaudit/adapters/gigachat/gigachattest"
	"github.com/callaudit/callaudit/adapters/internal/vendortest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scoretest"
	"github.com/callaudit/callaudit/transcribe"
)

func config(srv *gigachattest.Server) gigachat.Config {
	return gigachat.Config{AuthKey: srv.AuthKey, BaseURL: srv.URL, OAuthURL: srv.OAuthURL, Retry: vendortest.Retry}
}

var fixture = vendortest.Fixture[*gigachattest.Server, gigachattest.Option, gigachat.Config, *gigachat.Scorer]{
	NewServer: gigachattest.NewServer, Config: config, New: gigachat.New}

var call = transcribe.Transcript{Language: "ru", Segments: []transcribe.Segment{
	{Speaker: transcribe.RoleManager, Text: "Добрый день, компания Окна Плюс, меня зовут Ольга."},
	{Speaker: transcribe.RoleClient, Text: "Здравствуйте, хочу узнать цену на окна."},
	{Speaker: transcribe.RoleManager, Text: "Сколько окон и какого размера? Давайте запишу вас на замер в четверг."},
}}

func TestConformance(t *testing.T) {
	scoretest.Run(t, scoretest.Harness{
		NewScorer: func(t *testing.T) score.Scorer { return fixture.With(t, config(fixture.Start(t))) },
		Features:  scoretest.Features{Deterministic: true, Rubrics: true},
	})
}

func TestScoreSendsTheDocumentedRequest(t *testing.T) {
	srv := fixture.Start(t)
	rep, err := fixture.With(t, config(srv)).Score(context.Background(), score.Request{Transcript: call})
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	c := reqs[0].Chat
	assert.Equal(t, gigachat.DefaultModel, c.Model)
	assert.Equal(t, "call_audit_report", c.Forced(), "the report function is forced")
	require.Len(t, c.Functions, 1)
	assert.NotContains(t, string(c.Functions[0].Parameters), "$ref", "GigaChat's parameters take no $ref")
	assert.Equal(t, "gigachat", rep.Meta.Scorer)
	assert.True(t, strings.HasPrefix(rep.Meta.Model, gigachat.DefaultModel))
	assert.Equal(t, 1, rep.Meta.Usage.Requests)
	assert.Positive(t, rep.Meta.Usage.PromptTokens)
	for _, d := range rep.Details {
		require.NotEmpty(t, d.Evidence, d.ID)
		assert.True(t, d.Evidence[0].Grounded, "quotes are grounded in the call")
	}
	assert.Equal(t, 1, srv.Issuer.Exchanges(), "one token for the call")
}

func TestTokenIsReusedAndRenewedBeforeExpiry(t *testing.T) {
	srv := fixture.Start(t)
	now := time.Now()
	clock := func() time.Time { return now }
	srv.Issuer.Now = clock
	cfg := config(srv)
	cfg.Now = clock
	s := fixture.With(t, cfg)
	for range 3 {
		_, err := s.Score(context.Background(), score.Request{Transcript: call})
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Issuer.Exchanges(), "the 30-minute token serves every call")
	now = now.Add(29*time.Minute + 30*time.Second) // within a minute of expiry
	_, err := s.Score(context.Background(), score.Request{Transcript: call})
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Issuer.Exchanges(), "a token about to expire is replaced first")
}

func TestExpiredTokenIsRefreshedAndRetriedOnce(t *testing.T) {
	srv := fixture.Start(t)
	s := fixture.With(t, config(srv))
	_, err := s.Score(context.Background(), score.Request{Transcript: call})
	require.NoError(t, err)
	srv.Issuer.ExpireAll() // the server expires it while the client still trusts it
	_, err = s.Score(context.Background(), score.Request{Transcript: call})
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, http.StatusUnauthorized, reqs[1].Status, "the fake refuses the expired token")
	assert.Equal(t, http.StatusOK, reqs[2].Status)
	assert.Equal(t, 2, srv.Issuer.Exchanges())
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*gigachattest.Server, *gigachat.Config)
		kind   callaudit.Kind
		secret bool
	}{
		{"wrong authorization key", func(_ *gigachattest.Server, c *gigachat.Config) {
			c.AuthKey = "d3Jvbmc6a2V5LXRoYXQtaXMtc2VjcmV0LWFuZC1sb25n"
		}, callaudit.KindNotConfigured, true},
		{"wrong scope", func(_ *gigachattest.Server, c *gigachat.Config) { c.Scope = "GIGACHAT_API_CORP" }, callaudit.KindNotConfigured, false},
		{"unknown model", func(_ *gigachattest.Server, c *gigachat.Config) { c.Model = "GigaChat-9" }, callaudit.KindNotConfigured, false},
		{"rate limited", func(s *gigachattest.Server, _ *gigachat.Config) {
			s.Fail(gigachattest.Fault{Status: 429, Message: "Too Many Requests", RetryAfter: "1", Times: 3})
		}, callaudit.KindRateLimited, false},
		{"tokens paid for are used up", func(s *gigachattest.Server, _ *gigachat.Config) {
			s.Fail(gigachattest.Fault{Status: 402, Message: "Payment Required"})
		}, callaudit.KindNotConfigured, false},
		{"server error", func(s *gigachattest.Server, _ *gigachat.Config) {
			s.Fail(gigachattest.Fault{Status: 500, Message: "Internal Server Error", Times: 3})
		}, callaudit.KindUpstream, false},
		{"unavailable", func(s *gigachattest.Server, _ *gigachat.Config) {
			s.Fail(gigachattest.Fault{Status: 503, Message: "Service Unavailable", Times: 3})
		}, callaudit.KindUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv, cfg := fixture.Configured(t, tt.setup)
			_, err := s.Score(context.Background(), score.Request{Transcript: call})
			vendortest.Fails(t, err, tt.kind, cfg.AuthKey, srv.AuthKey)
			if tt.secret {
				assert.Contains(t, callaudit.MessageOf(err), "AUDIT_GIGACHAT_AUTH_KEY", "says which setting to check")
			}
		})
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	var token string
	srv := fixture.Start(t, gigachattest.WithResponder(func(c *gigachattest.ChatCall) gigachattest.Reply {
		return gigachattest.Reply{Content: "not a function call"}
	}))
	cfg := config(srv)
	cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
			token = strings.TrimPrefix(a, "Bearer ")
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	_, err := fixture.With(t, cfg).Score(context.Background(), score.Request{Transcript: call})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindUpstream, callaudit.KindOf(err), "an answer without the function call twice: %v", err)
	require.NotEmpty(t, token)
	assert.NotContains(t, err.Error(), token)
	assert.Len(t, srv.Requests(), 2, "a bad answer is asked for once more")
}

func TestArgumentsAsStringAreAccepted(t *testing.T) {
	srv := fixture.Start(t, gigachattest.WithResponder(func(c *gigachattest.ChatCall) gigachattest.Reply {
		r := gigachattest.SimulatedModel(c)
		s, _ := json.Marshal(string(r.Arguments))
		r.Arguments = s
		return r
	}))
	_, err := fixture.With(t, config(srv)).Score(context.Background(), score.Request{Transcript: call})
	require.NoError(t, err)
}

func TestNewNeedsKey(t *testing.T) {
	_, err := gigachat.New(gigachat.Config{})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))
	cfg := gigachat.Config{AuthKey: "c2VjcmV0LWtleQ=="}
	for _, s := range []string{cfg.String(), fmtV(cfg)} {
		assert.NotContains(t, s, cfg.AuthKey)
	}
}

// The fake refuses what the reference does not describe, e.g. OpenAI's
// strict schema with $ref in function parameters.
func TestFakeRejectsUnsupportedSchema(t *testing.T) {
	srv := fixture.Start(t)
	s := fixture.With(t, config(srv))
	_, err := s.Score(context.Background(), score.Request{Transcript: call})
	require.NoError(t, err)
	body := `{"model":"GigaChat-2-Max","messages":[{"role":"user","content":"hi"}],"functions":[{"name":"f","parameters":{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}}}}],"function_call":{"name":"f"}}`
	assert.Equal(t, http.StatusUnprocessableEntity, vendortest.PostJSON(t, srv.URL+"/chat/completions", bearerFrom(t, srv), body))
}

// The fake refuses what the reference's error page lists: a token it
// never issued (401), and a prompt over the model's context window (413
// "Payload too large"), which the adapter reports as KindTooLarge.
func TestFakeRejectsWrongTokenAndOversizedPrompt(t *testing.T) {
	srv := fixture.Start(t)
	body := `{"model":"GigaChat-2-Max","messages":[{"role":"user","content":"hi"}]}`
	assert.Equal(t, http.StatusUnauthorized, vendortest.PostJSON(t, srv.URL+"/chat/completions", "eyJnot-a-token-it-issued", body))
	assert.Equal(t, http.StatusOK, vendortest.PostJSON(t, srv.URL+"/chat/completions", bearerFrom(t, srv), body))

	small := fixture.Start(t, gigachattest.WithContextTokens(500))
	_, err := fixture.With(t, config(small)).Score(context.Background(), score.Request{Transcript: call})
	vendortest.Fails(t, err, callaudit.KindTooLarge, small.AuthKey)
	reqs := small.Requests()
	require.Len(t, reqs, 1, "a payload too large is not retried")
	assert.Equal(t, http.StatusRequestEntityTooLarge, reqs[0].Status)
}
