package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// Upstream errors reach the user in the request's language; in English
// they say exactly what the adapter says.
func TestUpstreamErrorsAreTranslated(t *testing.T) {
	tests := []struct {
		name   string
		faults []openaitest.Fault
		status int
		ru     string
	}{
		{"rate limited", []openaitest.Fault{{Status: 429}, {Status: 429}}, 429, "OpenAI API ограничивает частоту запросов; попробуйте позже"},
		{"no quota", []openaitest.Fault{{Status: 429, Code: "insufficient_quota", Type: "insufficient_quota", Message: "You exceeded your current quota."}}, 503, "у аккаунта OpenAI закончилась квота"},
		{"refused", []openaitest.Fault{{Status: 403, Message: "Project does not have access"}}, 503, "OpenAI API отказал в доступе: Project does not have access"},
		{"rejected", []openaitest.Fault{{Status: 400, Message: "bad"}}, 422, "OpenAI API отклонил запрос: bad"},
		{"unavailable", []openaitest.Fault{{Status: 503}, {Status: 503}}, 503, "OpenAI API недоступен; попробуйте позже"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer()
			t.Cleanup(srv.Close)
			cfg := openai.Config{APIKey: srv.APIKey, BaseURL: srv.URL, Retry: retry.Policy{Attempts: 1, Sleep: func(context.Context, time.Duration) error { return nil }}}
			s, err := openai.NewScorer(cfg)
			require.NoError(t, err)
			e := newEnv(t, envOpts{scorer: s})

			// What the adapter itself says, for the English answer.
			srv.Fail(tt.faults...)
			_, direct := s.Score(context.Background(), score.Request{Transcript: transcribe.ParseDialog(dialogRU)})
			require.Error(t, direct)

			for lang, want := range map[string]string{"ru": tt.ru, "en": callaudit.MessageOf(direct)} {
				srv.Fail(tt.faults...)
				req := jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": dialogRU}))
				req.Header.Set("Accept-Language", lang)
				rec := e.do(req)
				require.Equal(t, tt.status, rec.Code, rec.Body.String())
				assert.Equal(t, want, decode[errBody](t, rec).Error.Message, lang)
			}
		})
	}
}
