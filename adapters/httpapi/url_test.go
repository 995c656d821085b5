package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
)

func TestAnalyzeAudioByURL(t *testing.T) {
	stt := newSTT()
	audio := wav()
	e := newEnv(t, envOpts{transcriber: stt, fetcher: fakeFetcher{data: audio}})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_audio_by_url", `{"file_url":"https://pbx.example.com/rec/1.wav","content_mode":"Dialog","call_id":"u-1","manager_id":"vera"}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rep := decode[reportBody](t, rec)
	assert.Equal(t, "Диалог", rep.Meta.Mode)
	require.Equal(t, 1, stt.CallCount())
	assert.Equal(t, audio, stt.Calls()[0].Data)
	require.NotNil(t, rep.Transcript)

	stored, err := e.store.Get(t.Context(), "u-1")
	require.NoError(t, err)
	assert.Equal(t, storage.SourceURL, stored.Source)
	assert.Equal(t, "https://pbx.example.com/rec/1.wav", stored.RecordingURL)
}

func TestAnalyzeAudioByURLErrors(t *testing.T) {
	stt := newSTT()
	ok := fakeFetcher{data: wav()}
	tests := []struct {
		name        string
		transcriber transcribe.Transcriber
		fetcher     audit.Fetcher
		body        string
		status      int
		code        callaudit.Kind
		field       string
		contains    string
	}{
		{name: "missing URL", transcriber: stt, fetcher: ok, body: `{"content_mode":"Manager+"}`, status: 422, code: callaudit.KindInvalid, field: "file_url"},
		{name: "not http", transcriber: stt, fetcher: ok, body: `{"file_url":"ftp://example.com/a.wav"}`, status: 422, code: callaudit.KindInvalid, field: "file_url", contains: "http(s)"},
		{name: "not a URL", transcriber: stt, fetcher: ok, body: `{"file_url":"рекорд.wav"}`, status: 422, code: callaudit.KindInvalid, field: "file_url"},
		{name: "unknown mode", transcriber: stt, fetcher: ok, body: `{"file_url":"https://example.com/a.wav","content_mode":"x"}`, status: 422, code: callaudit.KindInvalid, field: "content_mode"},
		{name: "malformed", transcriber: stt, fetcher: ok, body: `{"file_url":`, status: 400, code: callaudit.KindMalformed},
		{name: "no transcriber", fetcher: ok, body: `{"file_url":"https://example.com/a.wav"}`, status: 503, code: callaudit.KindNotConfigured, contains: "OPENAI_API_KEY"},
		{name: "no fetcher", transcriber: stt, body: `{"file_url":"https://example.com/a.wav"}`, status: 503, code: callaudit.KindNotConfigured, contains: "URL fetcher"},
		{name: "private address", transcriber: stt, fetcher: fakeFetcher{err: callaudit.Errorf(callaudit.KindForbidden, "file_url points to a private address")}, body: `{"file_url":"http://10.0.0.1/a.wav"}`, status: 403, code: callaudit.KindForbidden},
		{name: "remote too large", transcriber: stt, fetcher: fakeFetcher{err: callaudit.Errorf(callaudit.KindTooLarge, "the recording is larger than 512 MiB")}, body: `{"file_url":"https://example.com/a.wav"}`, status: 413, code: callaudit.KindTooLarge},
		{name: "remote not audio", transcriber: stt, fetcher: fakeFetcher{err: callaudit.Errorf(callaudit.KindUnsupported, "the URL does not serve audio")}, body: `{"file_url":"https://example.com/a.html"}`, status: 415, code: callaudit.KindUnsupported},
		{name: "remote error", transcriber: stt, fetcher: fakeFetcher{err: callaudit.Errorf(callaudit.KindUpstream, "the recording server answered 404")}, body: `{"file_url":"https://example.com/a.wav"}`, status: 502, code: callaudit.KindUpstream},
		{name: "remote timeout", transcriber: stt, fetcher: fakeFetcher{err: callaudit.Errorf(callaudit.KindTimeout, "the download took too long")}, body: `{"file_url":"https://example.com/a.wav"}`, status: 504, code: callaudit.KindTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{transcriber: tt.transcriber, fetcher: tt.fetcher, cfg: cfgWith(func(c *cfgT) { c.TranscriberHint = "set OPENAI_API_KEY" })})
			b := requireError(t, e.do(jsonReq(http.MethodPost, "/analyze_audio_by_url", tt.body)), tt.status, tt.code)
			if tt.field != "" {
				require.NotEmpty(t, b.Error.Fields, b.Error.Message)
				assert.Equal(t, tt.field, b.Error.Fields[0].Field)
			}
			if tt.contains != "" {
				assert.Contains(t, b.Error.Message, tt.contains)
			}
		})
	}
}

// Without speech-to-text, /analyze_audio_by_url still answers what is
// wrong with the request first (the URL policy, the mode, the language,
// the ids), as the webhook does; only a good request gets the 503.
func TestAnalyzeAudioByURLValidatesBefore503(t *testing.T) {
	f, err := fetch.New(fetch.Config{TempDir: t.TempDir()})
	require.NoError(t, err)
	for _, route := range []string{"/analyze_audio_by_url", "/webhook/new_call_recording"} {
		e := newEnv(t, envOpts{fetcher: f, cfg: cfgWith(func(c *cfgT) { c.Webhooks = &fakeQueue{store: memory.New()} })})
		urlField := "file_url"
		if route != "/analyze_audio_by_url" {
			urlField = "recording_url"
		}
		tests := []struct {
			name, body, field string
			status            int
		}{
			{"loopback", `{"URL":"http://127.0.0.1:8000/a.wav","call_id":"c"}`, urlField, 422},
			{"numeric loopback", `{"URL":"http://2130706433/a.wav","call_id":"c"}`, urlField, 422},
			{"metadata", `{"URL":"http://169.254.169.254/latest","call_id":"c"}`, urlField, 422},
			{"scheme", `{"URL":"file:///etc/passwd","call_id":"c"}`, urlField, 422},
			{"mode", `{"URL":"https://pbx.example/a.wav","call_id":"c","content_mode":"Boss+"}`, "content_mode", 422},
			{"language", `{"URL":"https://pbx.example/a.wav","call_id":"c","language":"de"}`, "language", 422},
			{"id", `{"URL":"https://pbx.example/a.wav","call_id":"c\u0000"}`, "call_id", 422},
			{"good request", `{"URL":"https://pbx.example/a.wav","call_id":"c"}`, "", 503},
		}
		for _, tt := range tests {
			t.Run(route+"/"+tt.name, func(t *testing.T) {
				body := strings.Replace(tt.body, `"URL"`, `"`+urlField+`"`, 1)
				rec := e.do(jsonReq(http.MethodPost, route, body))
				if tt.status == 503 {
					requireError(t, rec, 503, callaudit.KindNotConfigured)
					return
				}
				b := requireError(t, rec, tt.status, callaudit.KindInvalid)
				require.NotEmpty(t, b.Error.Fields, b.Error.Message)
				assert.Equal(t, tt.field, b.Error.Fields[0].Field, b.Error.Message)
			})
		}
	}
}
