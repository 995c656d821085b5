package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
)

// An unsupported report language is refused on every analysis path,
// naming the languages there are, before any work is done.
func TestUnsupportedLanguageOnEveryPath(t *testing.T) {
	q := &fakeQueue{}
	e := webhookEnv(t, q, nil)
	tests := []struct {
		name  string
		req   func(t *testing.T) *http.Request
		field string
	}{
		{"text", func(*testing.T) *http.Request {
			return jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": dialogRU, "language": "de"}))
		}, "language"},
		{"upload", func(t *testing.T) *http.Request {
			return uploadReq(t, field("language", "de"), file("a.wav", wav()))
		}, "language"},
		{"by URL", func(*testing.T) *http.Request {
			return jsonReq(http.MethodPost, "/analyze_audio_by_url", mustJSON(map[string]string{"file_url": "https://pbx.example.com/a.wav", "language": "de"}))
		}, "language"},
		{"webhook", func(*testing.T) *http.Request {
			return jsonReq(http.MethodPost, webhookPath, mustJSON(map[string]string{"call_id": "w-1", "recording_url": "https://pbx.example.com/a.wav", "language": "de-DE"}))
		}, "language"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := requireError(t, e.do(tt.req(t)), http.StatusUnprocessableEntity, callaudit.KindInvalid)
			require.Len(t, b.Error.Fields, 1, b.Error.Message)
			assert.Equal(t, tt.field, b.Error.Fields[0].Field)
			assert.Equal(t, "must be one of: ru, en", b.Error.Fields[0].Message)
			assert.Equal(t, "language: must be one of: ru, en", b.Error.Message)
		})
	}
	assert.Empty(t, q.inputs, "nothing is queued")
	assert.Zero(t, e.store.(interface{ Len() int }).Len(), "nothing is analysed")
}

// Messages follow the request's language; codes and field names do not.
func TestErrorLanguage(t *testing.T) {
	e := newEnv(t, envOpts{})
	empty := `{"dialog_text":"  "}`
	tests := []struct {
		name           string
		acceptLanguage string
		body           string
		lang           string
		message        string
	}{
		{"no preference is English", "", empty, "en", "dialog_text: is required and must not be empty"},
		{"Accept-Language ru", "ru", empty, "ru", "dialog_text: обязательное поле, не может быть пустым"},
		{"Accept-Language of a browser", "ru-RU,ru;q=0.9,en-US;q=0.8", empty, "ru", "dialog_text: обязательное поле, не может быть пустым"},
		{"first language the server has", "de-DE, en;q=0.7, ru;q=0.5", empty, "en", "dialog_text: is required and must not be empty"},
		{"English UI asking for a Russian report", "en", `{"dialog_text":"","language":"ru"}`, "en", "dialog_text: is required and must not be empty"},
		{"the report language without Accept-Language", "", `{"dialog_text":"","language":"ru"}`, "ru", "dialog_text: обязательное поле, не может быть пустым"},
		{"the report language in another spelling", "", `{"dialog_text":"","language":"RU-ru"}`, "ru", "dialog_text: обязательное поле, не может быть пустым"},
		{"an unsupported language is refused in English", "", `{"dialog_text":"Менеджер: Добрый день!","language":"de"}`, "en", "language: must be one of: ru, en"},
		{"and in Russian", "ru", `{"dialog_text":"Менеджер: Добрый день!","language":"de"}`, "ru", "language: допустимые языки: ru, en"},
		{"the mode lists its spellings in Russian", "ru", `{"dialog_text":"Менеджер: Добрый день!","content_mode":"Boss"}`, "ru",
			`content_mode: неизвестный режим "Boss"; допустимые значения: Manager+, Manager +, Client+, Client +, Диалог, Dialog`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := jsonReq(http.MethodPost, "/analyze_call", tt.body)
			if tt.acceptLanguage != "" {
				req.Header.Set("Accept-Language", tt.acceptLanguage)
			}
			rec := e.do(req)
			b := requireError(t, rec, http.StatusUnprocessableEntity, callaudit.KindInvalid)
			assert.Equal(t, tt.message, b.Error.Message)
			assert.Equal(t, tt.lang, rec.Header().Get("Content-Language"))
			assert.Contains(t, rec.Header().Values("Vary"), "Accept-Language")
			require.NotEmpty(t, b.Error.Fields)
			assert.Equal(t, b.Error.Message, b.Error.Fields[0].Field+": "+b.Error.Fields[0].Message, "the message lists the fields as rendered")
		})
	}
}

// Errors from every layer, not only validation, speak both languages.
func TestErrorsOfEveryLayerAreTranslated(t *testing.T) {
	bare := newEnv(t, envOpts{})
	small := newEnv(t, envOpts{cfg: httpapi.Config{MaxBodyBytes: 64}})
	noStore := newEnv(t, envOpts{noStore: true})
	big := `{"file_url":"https://pbx.example.com/` + strings.Repeat("a", 100) + `.wav"}`
	tests := []struct {
		name   string
		env    *env
		req    func(t *testing.T) *http.Request
		status int
		ru, en string
	}{
		{"audio without speech-to-text", bare, func(t *testing.T) *http.Request { return uploadReq(t, file("a.wav", wav())) }, 503,
			"для аудио нужно распознавание речи, а оно не настроено: задайте OPENAI_API_KEY", httpapi.DefaultTranscriberHint},
		{"by URL without speech-to-text", bare, func(*testing.T) *http.Request {
			return jsonReq(http.MethodPost, "/analyze_audio_by_url", `{"file_url":"https://pbx.example.com/a.wav"}`)
		}, 503, "для аудио нужно распознавание речи", httpapi.DefaultTranscriberHint},
		{"call not found", bare, func(*testing.T) *http.Request { return httptest.NewRequest(http.MethodGet, "/calls/nope", nil) }, 404,
			`звонок "nope" не найден`, `call "nope" not found`},
		{"no history", noStore, func(*testing.T) *http.Request { return httptest.NewRequest(http.MethodGet, "/calls", nil) }, 503,
			"для истории звонков нужно хранилище", "call history needs a store"},
		{"body too large", small, func(*testing.T) *http.Request { return jsonReq(http.MethodPost, "/analyze_audio_by_url", big) }, 413,
			"тело запроса больше предела в 64 bytes", "the request body is larger than the limit of 64 bytes"},
		{"media type", bare, func(*testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/analyze_call", strings.NewReader("x"))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 415, `Content-Type должен быть application/json, а не "text/plain"`, `Content-Type must be application/json, not "text/plain"`},
		{"not an audio file", newEnv(t, envOpts{transcriber: newSTT()}), func(t *testing.T) *http.Request { return uploadReq(t, file("a.wav", []byte("not audio at all"))) }, 415,
			"audio: файл не является записью в поддерживаемом формате", "audio: the file is not a recording in a supported format"},
		{"malformed JSON", bare, func(*testing.T) *http.Request { return jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":`) }, 400,
			"JSON в теле запроса обрывается", "the JSON body ends too early"},
		{"wrong JSON type", bare, func(*testing.T) *http.Request { return jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":5}`) }, 422,
			"dialog_text: неверный тип: нужен string", "dialog_text: must be a string"},
		{"no route", bare, func(*testing.T) *http.Request { return httptest.NewRequest(http.MethodGet, "/nope", nil) }, 404,
			"нет такого адреса: GET /nope; см. /docs", "no such endpoint: GET /nope; see /docs"},
		{"wrong method", bare, func(*testing.T) *http.Request { return httptest.NewRequest(http.MethodGet, "/analyze_call", nil) }, 405,
			"метод GET не разрешён для /analyze_call", "method GET is not allowed on /analyze_call"},
		{"dialog too large", newEnv(t, envOpts{auditOpts: nil, cfg: httpapi.Config{}}), func(*testing.T) *http.Request {
			return jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": strings.Repeat("a", 600<<10)}))
		}, 413, "dialog_text: размер 600.0 KiB, а предел — 512.0 KiB", "dialog_text is 600.0 KiB; the limit is 512.0 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for lang, want := range map[string]string{"ru": tt.ru, "en": tt.en} {
				req := tt.req(t)
				req.Header.Set("Accept-Language", lang)
				rec := tt.env.do(req)
				require.Equal(t, tt.status, rec.Code, rec.Body.String())
				b := decode[errBody](t, rec)
				assert.Contains(t, b.Error.Message, want, lang)
				assert.Equal(t, lang, rec.Header().Get("Content-Language"))
			}
		})
	}
}
