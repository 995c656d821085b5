package httpapi_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
)

const dialogRU = "Клиент: Здравствуйте! Менеджер: Добрый день! Меня зовут Анна. Чем могу помочь? Клиент: Хочу узнать про тариф. Менеджер: Сколько у вас сотрудников?"

// reportBody is the analyze response as a client sees it.
type reportBody struct {
	TotalScore         int             `json:"total_score"`
	Criteria           map[string]int  `json:"criteria"`
	Summary            string          `json:"summary"`
	Recommendations    string          `json:"recommendations"`
	RawModelOutput     json.RawMessage `json:"raw_model_output"`
	ID                 string          `json:"id"`
	RecommendationList []string        `json:"recommendation_list"`
	Details            []struct {
		ID     string  `json:"id"`
		Score  int     `json:"score"`
		Weight float64 `json:"weight"`
	} `json:"details"`
	Metrics struct {
		Turns            int `json:"turns"`
		ManagerQuestions int `json:"manager_questions"`
	} `json:"metrics"`
	Meta struct {
		CallID    string `json:"call_id"`
		ManagerID string `json:"manager_id"`
		Mode      string `json:"mode"`
		Language  string `json:"language"`
		Scorer    string `json:"scorer"`
	} `json:"meta"`
	Transcript *struct {
		Source   string `json:"source"`
		Segments []struct {
			Speaker string `json:"speaker"`
			Text    string `json:"text"`
		} `json:"segments"`
	} `json:"transcript"`
}

func TestAnalyzeCall(t *testing.T) {
	e := newEnv(t, envOpts{})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{
		"dialog_text": dialogRU, "content_mode": "Manager +", "call_id": "c-1", "manager_id": "anna",
	})))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rep := decode[reportBody](t, rec)

	// The original fields, exactly as the original API returned them.
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	for _, f := range []string{"total_score", "criteria", "summary", "recommendations", "raw_model_output"} {
		assert.Contains(t, raw, f)
	}
	assert.Equal(t, "null", string(raw["raw_model_output"]))

	// The total is the rubric's weighted total of the details sent.
	var rub score.Rubric
	scores := map[string]int{}
	for _, d := range rep.Details {
		rub.Criteria = append(rub.Criteria, score.Criterion{ID: d.ID, Weight: d.Weight})
		scores[d.ID] = d.Score
	}
	assert.Equal(t, rub.Total(scores), rep.TotalScore)
	assert.Equal(t, scores, rep.Criteria)
	var want []string
	for _, c := range checklist.New().DefaultRubric(score.ModeManager).Criteria {
		want = append(want, c.ID)
	}
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(rep.Criteria)), "one score per criterion of the Manager+ rubric")

	assert.Equal(t, "c-1", rep.ID)
	assert.Equal(t, "c-1", rep.Meta.CallID)
	assert.Equal(t, "anna", rep.Meta.ManagerID)
	assert.Equal(t, string(score.ModeManager), rep.Meta.Mode, "the mode is reported in its canonical spelling")
	assert.Equal(t, "ru", rep.Meta.Language)
	assert.Equal(t, checklist.Name, rep.Meta.Scorer)
	tr := transcribe.ParseDialog(dialogRU)
	m := transcribe.ComputeMetrics(tr)
	assert.Equal(t, m.Turns, rep.Metrics.Turns)
	assert.Equal(t, m.ManagerQuestions, rep.Metrics.ManagerQuestions)
	assert.Positive(t, rep.Metrics.ManagerQuestions)
	require.NotNil(t, rep.Transcript)
	require.Len(t, rep.Transcript.Segments, len(tr.Segments))
	assert.Equal(t, "client", rep.Transcript.Segments[0].Speaker)

	stored, err := e.store.Get(t.Context(), "c-1")
	require.NoError(t, err)
	assert.Equal(t, rep.TotalScore, stored.Report.TotalScore)
	assert.Equal(t, storage.SourceText, stored.Source)
}

func TestAnalyzeCallModes(t *testing.T) {
	e := newEnv(t, envOpts{})
	tests := []struct {
		given string
		want  score.Mode
	}{
		{"", score.ModeManager},
		{"Manager+", score.ModeManager},
		{"client +", score.ModeClient},
		{"CLIENT+", score.ModeClient},
		{"Диалог", score.ModeDialog},
		{"dialog", score.ModeDialog},
	}
	for _, tt := range tests {
		t.Run(tt.given, func(t *testing.T) {
			rec := e.do(jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": dialogRU, "content_mode": tt.given})))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, string(tt.want), decode[reportBody](t, rec).Meta.Mode)
		})
	}
}

func TestAnalyzeCallIgnoresUnknownFields(t *testing.T) {
	e := newEnv(t, envOpts{})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Добрый день!","crm_deal_id":42,"extra":{"a":1}}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

// A byte order mark before the object, as Windows tools write it, is not a
// syntax error (RFC 8259 allows a parser to skip it).
func TestAnalyzeCallSkipsByteOrderMark(t *testing.T) {
	e := newEnv(t, envOpts{})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", "\ufeff"+mustJSON(map[string]string{"dialog_text": dialogRU})))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "Здравствуйте!", decode[reportBody](t, rec).Transcript.Segments[0].Text)
}

// A bad id does not hide the other fields at fault: one answer lists them
// all, on the JSON route and the upload alike.
func TestAnalyzeListsEveryFieldWithBadIDs(t *testing.T) {
	e := newEnv(t, envOpts{transcriber: newSTT()})
	fieldsOf := func(b errBody) []string {
		var got []string
		for _, f := range b.Error.Fields {
			got = append(got, f.Field)
		}
		return got
	}
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{
		"dialog_text": "Менеджер: Добрый день!", "call_id": "a\tb", "manager_id": " anna", "language": "de", "direction": "sideways",
	})))
	b := requireError(t, rec, http.StatusUnprocessableEntity, callaudit.KindInvalid)
	assert.ElementsMatch(t, []string{"call_id", "manager_id", "language", "direction"}, fieldsOf(b), b.Error.Message)

	req := uploadReq(t, field("call_id", "a\tb"), field("language", "de"), file("a.wav", wav()))
	b = requireError(t, e.do(req), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	assert.ElementsMatch(t, []string{"call_id", "language"}, fieldsOf(b), b.Error.Message)
}

func TestAnalyzeCallErrors(t *testing.T) {
	tests := []struct {
		name     string
		opts     envOpts
		body     string
		ctype    string
		status   int
		code     callaudit.Kind
		field    string
		contains string
	}{
		{name: "malformed JSON", body: `{"dialog_text": "Менеджер: привет"`, status: 400, code: callaudit.KindMalformed},
		{name: "syntax error", body: `{"dialog_text": Менеджер}`, status: 400, code: callaudit.KindMalformed, contains: "malformed JSON"},
		{name: "empty body", body: ``, status: 400, code: callaudit.KindMalformed, contains: "empty"},
		{name: "not an object", body: `["x"]`, status: 400, code: callaudit.KindMalformed},
		{name: "trailing data", body: `{"dialog_text":"Менеджер: Добрый день!"} {}`, status: 400, code: callaudit.KindMalformed},
		// "Менеджер: Добрый день" in windows-1251, which encoding/json would
		// read as U+FFFD replacement characters.
		{name: "not UTF-8", body: "{\"dialog_text\":\"\xcc\xe5\xed\xe5\xe4\xe6\xe5\xf0: \xc4\xee\xe1\xf0\xfb\xe9 \xe4\xe5\xed\xfc\"}", status: 400, code: callaudit.KindMalformed, contains: "not UTF-8 text (byte 16)"},
		{name: "wrong content type", body: `dialog_text=x`, ctype: "application/x-www-form-urlencoded", status: 415, code: callaudit.KindUnsupported, contains: "application/json"},
		// The body limit of /analyze_call holds an escaped dialog at the
		// dialog limit (3 × 100 bytes and 64 KiB beside it) when
		// MaxBodyBytes is smaller.
		{name: "body over the limit", opts: envOpts{cfg: cfgWith(func(c *cfgT) { c.MaxBodyBytes = 64 }), auditOpts: []audit.Option{audit.WithMaxDialogBytes(100)}}, body: mustJSON(map[string]string{"dialog_text": strings.Repeat("Менеджер: да. ", 4000)}), status: 413, code: callaudit.KindTooLarge, contains: "64.3 KiB"},
		{name: "dialog over the limit", opts: envOpts{auditOpts: []audit.Option{audit.WithMaxDialogBytes(100)}}, body: mustJSON(map[string]string{"dialog_text": strings.Repeat("Менеджер: да. ", 20)}), status: 413, code: callaudit.KindTooLarge, field: "dialog_text"},
		{name: "empty dialog", body: `{"dialog_text":"   ","content_mode":"Manager+"}`, status: 422, code: callaudit.KindInvalid, field: "dialog_text"},
		{name: "missing dialog", body: `{"content_mode":"Manager+"}`, status: 422, code: callaudit.KindInvalid, field: "dialog_text"},
		{name: "unknown mode", body: `{"dialog_text":"Менеджер: Добрый день!","content_mode":"Boss+"}`, status: 422, code: callaudit.KindInvalid, field: "content_mode", contains: "Manager+, Manager +, Client+, Client +, Диалог, Dialog"},
		{name: "wrong type", body: `{"dialog_text":5}`, status: 422, code: callaudit.KindInvalid, field: "dialog_text", contains: "string"},
		{name: "bad language", body: `{"dialog_text":"Менеджер: Добрый день!","language":"русский!"}`, status: 422, code: callaudit.KindInvalid, field: "language"},
		{name: "call id too long", body: mustJSON(map[string]string{"dialog_text": "Менеджер: Добрый день!", "call_id": strings.Repeat("x", 201)}), status: 422, code: callaudit.KindInvalid, field: "call_id"},
		{name: "upstream error", opts: envOpts{scorer: errScorer{err: callaudit.Errorf(callaudit.KindUpstream, "the model service answered 500")}}, body: `{"dialog_text":"Менеджер: Добрый день!"}`, status: 502, code: callaudit.KindUpstream},
		{name: "upstream unavailable", opts: envOpts{scorer: errScorer{err: &callaudit.Error{Kind: callaudit.KindUnavailable, Message: "the model service is overloaded", RetryAfter: 1500 * time.Millisecond}}}, body: `{"dialog_text":"Менеджер: Добрый день!"}`, status: 503, code: callaudit.KindUnavailable},
		{name: "rate limited", opts: envOpts{scorer: errScorer{err: &callaudit.Error{Kind: callaudit.KindRateLimited, Message: "the model's rate limit is reached", RetryAfter: 20 * time.Second}}}, body: `{"dialog_text":"Менеджер: Добрый день!"}`, status: 429, code: callaudit.KindRateLimited},
		{name: "upstream timeout", opts: envOpts{scorer: errScorer{err: callaudit.Errorf(callaudit.KindTimeout, "the model did not answer in time")}}, body: `{"dialog_text":"Менеджер: Добрый день!"}`, status: 504, code: callaudit.KindTimeout},
		{name: "scorer not configured", opts: envOpts{scorer: errScorer{err: callaudit.Errorf(callaudit.KindNotConfigured, "set OPENAI_API_KEY")}}, body: `{"dialog_text":"Менеджер: Добрый день!"}`, status: 503, code: callaudit.KindNotConfigured, contains: "OPENAI_API_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts)
			req := jsonReq(http.MethodPost, "/analyze_call", tt.body)
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			b := requireError(t, e.do(req), tt.status, tt.code)
			if tt.field != "" {
				require.NotEmpty(t, b.Error.Fields, b.Error.Message)
				assert.Equal(t, tt.field, b.Error.Fields[0].Field)
				assert.Contains(t, b.Error.Message, tt.field)
			}
			if tt.contains != "" {
				assert.Contains(t, b.Error.Message, tt.contains)
			}
		})
	}
}

// A dialog under the dialog limit is never refused for the size of its
// body: Python's json.dumps (and requests' json=) sends every letter
// outside ASCII as a \uXXXX escape, three times its UTF-8 bytes for
// Cyrillic, which took a Russian dialog of a third of the dialog limit
// over a body limit of twice the dialog limit.
func TestAnalyzeCallEscapedDialog(t *testing.T) {
	const dialogLimit = 64 << 10
	e := newEnv(t, envOpts{
		cfg:       httpapi.Config{MaxBodyBytes: 2 * dialogLimit},
		auditOpts: []audit.Option{audit.WithMaxDialogBytes(dialogLimit)},
	})
	line := "Менеджер: Добрый день, расскажите о ваших задачах.\nКлиент: Мы теряем заявки.\n"
	fits := strings.Repeat(line, dialogLimit/len(line))
	require.LessOrEqual(t, len(fits), dialogLimit)

	body := asciiJSON(t, map[string]string{"dialog_text": fits})
	require.Greater(t, len(body), 2*dialogLimit, "the escaped body is over MaxBodyBytes")
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", body))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, 2*strings.Count(fits, line), decode[reportBody](t, rec).Metrics.Turns, "the whole dialog was read")

	// Over the dialog limit, the answer names the dialog and its limit,
	// not the body.
	over := asciiJSON(t, map[string]string{"dialog_text": fits + line + line})
	b := requireError(t, e.do(jsonReq(http.MethodPost, "/analyze_call", over)), http.StatusRequestEntityTooLarge, callaudit.KindTooLarge)
	require.NotEmpty(t, b.Error.Fields, b.Error.Message)
	assert.Equal(t, "dialog_text", b.Error.Fields[0].Field)
	assert.Contains(t, b.Error.Message, "the limit is 64.0 KiB")
}

// asciiJSON encodes v as Python's json.dumps does by default: every rune
// outside ASCII as \uXXXX (UTF-16, surrogate pairs above U+FFFF).
func asciiJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out strings.Builder
	for _, r := range string(b) {
		if r < utf8.RuneSelf {
			out.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&out, "\\u%04x", u)
		}
	}
	return out.String()
}

func TestRetryAfterHeader(t *testing.T) {
	e := newEnv(t, envOpts{scorer: errScorer{err: &callaudit.Error{Kind: callaudit.KindRateLimited, Message: "slow down", RetryAfter: 1500 * time.Millisecond}}})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Добрый день!"}`))
	requireError(t, rec, http.StatusTooManyRequests, callaudit.KindRateLimited)
	assert.Equal(t, "2", rec.Header().Get("Retry-After"), "rounded up to whole seconds")
}

func TestInternalErrorHidesDetail(t *testing.T) {
	const secret = "sk-live-1234567890"
	tests := []struct {
		name   string
		scorer errScorer
	}{
		{"plain error", errScorer{err: errString("dial tcp: Authorization: Bearer " + secret)}},
		{"wrapped internal", errScorer{err: callaudit.Wrap(errString("token "+secret), callaudit.KindInternal, "openai.Score", "")}},
		{"panic", errScorer{panic: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{scorer: tt.scorer})
			rec := e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Добрый день!"}`))
			b := requireError(t, rec, http.StatusInternalServerError, callaudit.KindInternal)
			assert.Equal(t, "internal error", b.Error.Message)
			assert.NotContains(t, rec.Body.String(), "sk-")
			assert.NotContains(t, rec.Body.String(), "goroutine")
			assert.NotEmpty(t, e.logs.String(), "internal errors are logged")
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// A report that cannot be saved is not a 200: the caller would believe
// the call is in the history. The answer is the error, the header says
// why, and the metric counts it.
func TestAnalyzeCallSaveFailureFailsVisibly(t *testing.T) {
	e := newEnv(t, envOpts{store: failingSave{memory.New(), callaudit.Errorf(callaudit.KindUnavailable, "the database is unreachable")}})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Добрый день!"}`))
	b := requireError(t, rec, http.StatusServiceUnavailable, callaudit.KindUnavailable)
	assert.Contains(t, b.Error.Message, "could not be saved")
	assert.Contains(t, rec.Header().Get("Callaudit-Save-Error"), "the database is unreachable")
	m := e.do(httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Contains(t, m.Body.String(), `callaudit_save_errors_total{kind="unavailable"} 1`)
}

func TestAnalyzeCallWithoutStore(t *testing.T) {
	e := newEnv(t, envOpts{noStore: true})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Manager: Hello! How can I help?","language":"en"}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "en", decode[reportBody](t, rec).Meta.Language)
	assert.Empty(t, rec.Header().Get("Callaudit-Save-Error"))
}
