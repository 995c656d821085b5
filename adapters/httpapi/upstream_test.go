package httpapi_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// Upstream errors reach the user in the request's language; in English
// they say exactly what the adapter says. OpenAI's own API is named
// OpenAI; any other OpenAI-compatible server by its origin, in the same
// texts.
func TestUpstreamErrorsAreTranslated(t *testing.T) {
	srv := openaitest.NewServer()
	t.Cleanup(srv.Close)
	host := strings.TrimSuffix(srv.URL, "/v1")
	tests := []struct {
		name       string
		faults     []openaitest.Fault
		status     int
		openai, ru string // ru names OpenAI's API; ru for the server names it "сервер <host>"
	}{
		{"key rejected", []openaitest.Fault{{Status: 401}}, 503, "OpenAI API отклонил ключ API (проверьте OPENAI_API_KEY)", "сервер " + host + " отклонил ключ API (проверьте OPENAI_API_KEY)"},
		{"rate limited", []openaitest.Fault{{Status: 429}, {Status: 429}}, 429, "OpenAI API ограничивает частоту запросов; попробуйте позже", "сервер " + host + " ограничивает частоту запросов; попробуйте позже"},
		{"no quota", []openaitest.Fault{{Status: 429, Code: "insufficient_quota", Type: "insufficient_quota", Message: "You exceeded your current quota."}}, 503, "у аккаунта OpenAI закончилась квота", "у аккаунта " + host + " закончилась квота"},
		{"refused", []openaitest.Fault{{Status: 403, Message: "Project does not have access"}}, 503, "OpenAI API отказал в доступе: Project does not have access", "сервер " + host + " отказал в доступе: Project does not have access"},
		{"unknown model", []openaitest.Fault{{Status: 404, Message: "no such model"}}, 503, "OpenAI API не знает настроенную модель или адрес: no such model", "сервер " + host + " не знает настроенную модель или адрес: no such model"},
		{"rejected", []openaitest.Fault{{Status: 400, Message: "bad"}}, 422, "OpenAI API отклонил запрос: bad", "сервер " + host + " отклонил запрос: bad"},
		{"server error", []openaitest.Fault{{Status: 500}, {Status: 500}}, 502, "OpenAI API не смог обработать запрос", "сервер " + host + " не смог обработать запрос"},
		{"unavailable", []openaitest.Fault{{Status: 503}, {Status: 503}}, 503, "OpenAI API недоступен; попробуйте позже", "сервер " + host + " недоступен; попробуйте позже"},
	}
	servers := []struct {
		name string
		cfg  openai.Config
	}{
		{"openai", openai.Config{APIKey: srv.APIKey, BaseURL: "http://api.openai.com/v1", HTTPClient: srv.OpenAIClient()}},
		{"local", openai.Config{APIKey: srv.APIKey, BaseURL: srv.URL}},
	}
	for _, sv := range servers {
		cfg := sv.cfg
		cfg.Retry = retry.Policy{Attempts: 1, Sleep: func(context.Context, time.Duration) error { return nil }}
		s, err := openai.NewScorer(cfg)
		require.NoError(t, err)
		e := newEnv(t, envOpts{scorer: s})
		for _, tt := range tests {
			t.Run(sv.name+"/"+tt.name, func(t *testing.T) {
				ru := tt.openai
				if sv.name == "local" {
					ru = tt.ru
				}
				// What the adapter itself says, for the English answer.
				srv.Reset() // no fault left over from another case
				srv.Fail(tt.faults...)
				_, direct := s.Score(context.Background(), score.Request{Transcript: transcribe.ParseDialog(dialogRU)})
				require.Error(t, direct)
				if sv.name == "local" {
					assert.NotContains(t, callaudit.MessageOf(direct), "OpenAI")
				}

				for lang, want := range map[string]string{"ru": ru, "en": callaudit.MessageOf(direct)} {
					srv.Reset()
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
}

// The request URL in a transport error's log line keeps only the base
// URL's origin and the API operation: a token in the base URL's path
// reaches neither the log nor the answer.
func TestTransportErrorLogHidesTheBasePath(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	const secret = "tok-9f8e7d6c5b4a"
	s, err := openai.NewScorer(openai.Config{BaseURL: "http://" + addr + "/proxy/" + secret + "/v1", Retry: retry.Policy{Attempts: 1}})
	require.NoError(t, err)
	e := newEnv(t, envOpts{scorer: s})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": dialogRU})))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	assert.Contains(t, e.logs.String(), "http://"+addr+"/…/completions", "the log names the server and the operation")
	assert.Contains(t, e.logs.String(), "connection refused")
	for _, where := range []string{e.logs.String(), rec.Body.String()} {
		assert.NotContains(t, where, secret)
		assert.NotContains(t, where, "/proxy")
	}
}

// An OpenAI-compatible server that is not OpenAI's (a local whisper,
// vLLM, Ollama) is named by its origin when it cannot be reached, in both
// languages; the message never says OpenAI nor shows the base URL's path.
func TestUnreachableServerIsNamedByItsHost(t *testing.T) {
	srv := openaitest.NewServer()
	t.Cleanup(srv.Close)
	cfg := openai.Config{BaseURL: srv.URL, Retry: retry.Policy{Attempts: 1, Sleep: func(context.Context, time.Duration) error { return nil }}}
	s, err := openai.NewScorer(cfg)
	require.NoError(t, err)
	e := newEnv(t, envOpts{scorer: s})
	origin := strings.TrimSuffix(srv.URL, "/v1")
	for lang, want := range map[string]string{
		"ru": "сервер " + origin + " недоступен или разорвал соединение",
		"en": "the server at " + origin + " is unreachable or closed the connection",
	} {
		srv.Fail(openaitest.Fault{Drop: true})
		req := jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": dialogRU}))
		req.Header.Set("Accept-Language", lang)
		rec := e.do(req)
		require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
		body := decode[errBody](t, rec)
		assert.Equal(t, want, body.Error.Message, lang)
		assert.NotContains(t, rec.Body.String(), "OpenAI", lang)
		assert.NotContains(t, rec.Body.String(), "/v1", lang)
	}
}

// The recording's server is an upstream too: the fetcher's errors are
// answered in the request's language, in English as the fetcher says them.
func TestFetchErrorsAreTranslated(t *testing.T) {
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing.wav":
			http.NotFound(w, r)
		case "/page.wav":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>not a recording</body></html>"))
		case "/private.wav":
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	t.Cleanup(rec.Close)
	f, err := fetch.New(fetch.Config{AllowHosts: []string{"127.0.0.1"}, TempDir: t.TempDir(), Retry: retry.Policy{Attempts: 1}})
	require.NoError(t, err)
	e := newEnv(t, envOpts{transcriber: newSTT(), fetcher: f})
	guarded, err := fetch.New(fetch.Config{TempDir: t.TempDir()})
	require.NoError(t, err)
	host := strings.TrimPrefix(rec.URL, "http://")
	tests := []struct {
		path    string
		guarded bool // the default fetcher, which refuses loopback addresses
		status  int
		ru      string
	}{
		{"/missing.wav", false, 404, "по этой ссылке нет записи: " + host + " ответил 404 Not Found; проверьте ссылку"},
		{"/page.wav", false, 415, "файл на " + host + " не является распознаваемой аудиозаписью (сервер сообщает text/html); поддерживаемые форматы: WAV, MP3, FLAC, OGG/Opus, M4A/MP4, WebM"},
		{path: "/internal.wav", guarded: true, status: 422, ru: "file_url: " + host + " (или перенаправление с него) указывает на локальный, частный или иной внутренний адрес, с которого загрузка не выполняется; чтобы разрешить его, укажите хост в AUDIT_FETCH_ALLOW_HOSTS (AUDIT_FETCH_ALLOW_PRIVATE открывает только частные сети, но не loopback и не link-local)"},
		{"/private.wav", false, 422, "file_url: " + host + " отказал в доступе (403 Forbidden); возможно, ссылка устарела или требует авторизации"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f, e := f, e
			if tt.guarded {
				f = guarded
				e = newEnv(t, envOpts{transcriber: newSTT(), fetcher: guarded})
			}
			_, _, direct := f.Fetch(context.Background(), rec.URL+tt.path)
			require.Error(t, direct)
			en := callaudit.MessageOf(direct)
			for lang, want := range map[string]string{"ru": tt.ru, "en": en} {
				req := jsonReq(http.MethodPost, "/analyze_audio_by_url", mustJSON(map[string]string{"file_url": rec.URL + tt.path}))
				req.Header.Set("Accept-Language", lang)
				got := e.do(req)
				require.Equal(t, tt.status, got.Code, got.Body.String())
				assert.Equal(t, want, decode[errBody](t, got).Error.Message, lang)
			}
		})
	}
}
