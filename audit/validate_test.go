package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/energy"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

const dialog = "Менеджер: Добрый день! Чем могу помочь?\nКлиент: Хочу узнать про доставку."

// fieldNames returns the fields named by err.
func fieldNames(err error) []string {
	var out []string
	for _, f := range callaudit.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}

func TestAuditRejectsBadInput(t *testing.T) {
	audio := transcribe.AudioFromBytes("call.wav", transcribetest.WAV(1, 8000, 1))
	tests := []struct {
		name     string
		in       audit.Input
		kind     callaudit.Kind
		fields   []string
		contains []string
	}{
		{name: "nothing", in: audit.Input{}, kind: callaudit.KindInvalid, fields: []string{"DialogText"}},
		{name: "whitespace only", in: audit.Input{DialogText: " \n\t  \n"}, kind: callaudit.KindInvalid, fields: []string{"DialogText"}, contains: []string{"must not be empty"}},
		{name: "labels without words", in: audit.Input{DialogText: "Менеджер:\nКлиент:"}, kind: callaudit.KindInvalid, fields: []string{"DialogText"}, contains: []string{"no words"}},
		{name: "over the limit", in: audit.Input{DialogText: "Менеджер: " + strings.Repeat("слово ", 20)}, kind: callaudit.KindTooLarge, fields: []string{"DialogText"}, contains: []string{"the limit is 200 bytes"}},
		{name: "over the limit and other faults", in: audit.Input{DialogText: strings.Repeat("a", 201), Mode: "nope", Language: "!!"}, kind: callaudit.KindTooLarge, fields: []string{"DialogText"}},
		{name: "unknown mode", in: audit.Input{DialogText: dialog, Mode: "Boss+"}, kind: callaudit.KindInvalid, fields: []string{"Mode"},
			contains: append([]string{`"Boss+"`}, score.AcceptedModeSpellings...)},
		{name: "invalid UTF-8", in: audit.Input{DialogText: "Менеджер: \xff\xfe привет"}, kind: callaudit.KindInvalid, fields: []string{"DialogText"}, contains: []string{"UTF-8"}},
		{name: "bad language tag", in: audit.Input{DialogText: dialog, Language: "русский"}, kind: callaudit.KindInvalid, fields: []string{"Language"}, contains: []string{"ru, en"}},
		{name: "unsupported language", in: audit.Input{DialogText: dialog, Language: "de"}, kind: callaudit.KindInvalid, fields: []string{"Language"}, contains: []string{"Language: must be one of: ru, en"}},
		{name: "unsupported language of a region", in: audit.Input{DialogText: dialog, Language: "de-DE"}, kind: callaudit.KindInvalid, fields: []string{"Language"}, contains: []string{"ru, en"}},
		{name: "call id too long", in: audit.Input{DialogText: dialog, CallID: strings.Repeat("x", 201)}, kind: callaudit.KindInvalid, fields: []string{"CallID"}, contains: []string{"at most 200"}},
		{name: "several faults at once", in: audit.Input{DialogText: dialog, Language: "??", ManagerID: strings.Repeat("m", 201), Mode: "x"}, kind: callaudit.KindInvalid,
			fields: []string{"ManagerID", "Language", "Mode"}},
		{name: "two inputs", in: audit.Input{DialogText: dialog, AudioURL: "https://example.com/a.wav"}, kind: callaudit.KindInvalid, fields: []string{"Input"}, contains: []string{"exactly one"}},
		{name: "text and audio", in: audit.Input{DialogText: dialog, Audio: &audio}, kind: callaudit.KindInvalid, fields: []string{"Input"}},
		{name: "empty audio", in: audit.Input{Audio: &transcribe.Audio{Filename: "a.wav"}}, kind: callaudit.KindInvalid, fields: []string{"Audio"}, contains: []string{"empty"}},
		{name: "URL not http", in: audit.Input{AudioURL: "ftp://example.com/a.wav"}, kind: callaudit.KindInvalid, fields: []string{"AudioURL"}, contains: []string{"http(s)"}},
		{name: "URL not a URL", in: audit.Input{AudioURL: "запись.wav"}, kind: callaudit.KindInvalid, fields: []string{"AudioURL"}},
		{name: "URL without host", in: audit.Input{AudioURL: "https://"}, kind: callaudit.KindInvalid, fields: []string{"AudioURL"}},
		{name: "prompt too long", in: audit.Input{DialogText: dialog, Prompt: strings.Repeat("п", 2001)}, kind: callaudit.KindInvalid, fields: []string{"Prompt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &fakeScorer{}
			store := memory.New()
			stt := &transcribetest.Fake{}
			a, err := audit.New(sc, audit.WithStore(store), audit.WithTranscriber(stt), audit.WithFetcher(&fakeFetcher{data: []byte("x")}), audit.WithMaxDialogBytes(200))
			require.NoError(t, err)

			rep, err := a.Audit(context.Background(), tt.in)
			require.Error(t, err)
			assert.Nil(t, rep)
			assert.Equal(t, tt.kind, callaudit.KindOf(err), "error: %v", err)
			assert.ElementsMatch(t, tt.fields, fieldNames(err), "error: %v", err)
			for _, s := range tt.contains {
				assert.Contains(t, callaudit.MessageOf(err), s)
			}
			assert.Empty(t, sc.requests(), "nothing is scored")
			assert.Zero(t, stt.CallCount(), "nothing is transcribed")
			assert.Zero(t, store.Len(), "nothing is saved")
		})
	}
}

func TestAuditAcceptsEveryModeSpelling(t *testing.T) {
	tests := []struct {
		in   string
		want score.Mode
	}{
		{"", score.ModeManager},
		{"Manager+", score.ModeManager},
		{"Manager +", score.ModeManager},
		{" manager + ", score.ModeManager},
		{"Client+", score.ModeClient},
		{"CLIENT +", score.ModeClient},
		{"Диалог", score.ModeDialog},
		{"диалог", score.ModeDialog},
		{"Dialog", score.ModeDialog},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			sc := &fakeScorer{}
			store := memory.New()
			a, err := audit.New(sc, audit.WithStore(store))
			require.NoError(t, err)
			rep, err := a.Audit(context.Background(), audit.Input{DialogText: dialog, Mode: tt.in, CallID: "c"})
			require.NoError(t, err)
			assert.Equal(t, tt.want, rep.Meta.Mode)
			require.Len(t, sc.requests(), 1)
			assert.Equal(t, tt.want, sc.requests()[0].Mode, "the scorer gets the canonical mode")
			c, err := store.Get(context.Background(), "c")
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Mode)
		})
	}
}

func TestAuditDialogAtTheLimit(t *testing.T) {
	text := "Менеджер: " + strings.Repeat("да ", 30)
	for _, tt := range []struct {
		name  string
		limit int
		ok    bool
	}{
		{"exactly the limit", len(text), true},
		{"one byte less", len(text) - 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := audit.New(&fakeScorer{}, audit.WithMaxDialogBytes(tt.limit))
			require.NoError(t, err)
			assert.Equal(t, tt.limit, a.MaxDialogBytes())
			_, err = a.Audit(context.Background(), audit.Input{DialogText: text})
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, callaudit.KindTooLarge, callaudit.KindOf(err))
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	_, err := audit.New(nil)
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))
	_, err = audit.New(&fakeScorer{}, audit.WithMaxDialogBytes(0))
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	_, err = audit.New(&fakeScorer{}, audit.WithMaxDialogBytes(-5))
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

func TestMissingComponents(t *testing.T) {
	audio := transcribe.AudioFromBytes("call.wav", transcribetest.WAV(1, 8000, 1))
	tests := []struct {
		name     string
		opts     []audit.Option
		in       audit.Input
		contains string
	}{
		{"audio without a transcriber", nil, audit.Input{Audio: &audio}, "speech-to-text"},
		{"URL without a fetcher", []audit.Option{audit.WithTranscriber(&transcribetest.Fake{})}, audit.Input{AudioURL: "https://example.com/a.wav"}, "URL fetcher"},
		{"URL without a transcriber", []audit.Option{audit.WithFetcher(&fakeFetcher{data: []byte("x")})}, audit.Input{AudioURL: "https://example.com/a.wav"}, "transcriber"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &fakeScorer{}
			store := memory.New()
			a, err := audit.New(sc, append(tt.opts, audit.WithStore(store))...)
			require.NoError(t, err)
			rep, err := a.Audit(context.Background(), tt.in)
			assert.Nil(t, rep)
			assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "error: %v", err)
			assert.Contains(t, callaudit.MessageOf(err), tt.contains)
			assert.Empty(t, sc.requests())
			assert.Zero(t, store.Len())
		})
	}
	t.Run("capabilities", func(t *testing.T) {
		none, err := audit.New(&fakeScorer{})
		require.NoError(t, err)
		assert.False(t, none.CanTranscribe())
		assert.False(t, none.CanFetch())
		assert.Nil(t, none.Store())

		fetchOnly, err := audit.New(&fakeScorer{}, audit.WithFetcher(&fakeFetcher{}))
		require.NoError(t, err)
		assert.False(t, fetchOnly.CanFetch(), "fetching is useless without a transcriber")
		assert.False(t, fetchOnly.CanMeasureURL(), "nor can it be measured without WithEnergy")
		assert.False(t, none.CanMeasureURL())

		measures, err := audit.New(&fakeScorer{}, audit.WithFetcher(&fakeFetcher{}), audit.WithEnergy(energy.Config{}))
		require.NoError(t, err)
		assert.False(t, measures.CanFetch())
		assert.True(t, measures.CanMeasureURL(), "a fetched stereo WAV is measured without a transcriber")

		all, err := audit.New(&fakeScorer{}, audit.WithTranscriber(&transcribetest.Fake{}), audit.WithFetcher(&fakeFetcher{}), audit.WithStore(memory.New()))
		require.NoError(t, err)
		assert.True(t, all.CanTranscribe())
		assert.True(t, all.CanFetch())
		assert.NotNil(t, all.Store())
	})
}

// request is a server's own request type validated with audit.Validate.
type request struct {
	CallID  string `json:"call_id" validate:"required,max=5"`
	Limit   int    `json:"limit" validate:"gte=1,lte=10"`
	Bucket  string `json:"bucket" validate:"omitempty,oneof=day week"`
	Webhook struct {
		URL string `json:"url" validate:"required,http_url"`
	} `json:"webhook"`
	Hidden string `json:"-" validate:"max=1"`
	Form   string `form:"form_field" validate:"max=1"`
}

func TestValidate(t *testing.T) {
	valid := func() request {
		r := request{CallID: "c1", Limit: 5, Bucket: "day"}
		r.Webhook.URL = "https://crm.example.com/hook"
		return r
	}
	tests := []struct {
		name    string
		edit    func(r *request)
		field   string
		message string
	}{
		{"valid", func(*request) {}, "", ""},
		{"required", func(r *request) { r.CallID = "" }, "call_id", "is required"},
		{"max length", func(r *request) { r.CallID = "123456" }, "call_id", "must be at most 5 characters"},
		{"lower bound", func(r *request) { r.Limit = 0 }, "limit", "must be at least 1"},
		{"upper bound", func(r *request) { r.Limit = 11 }, "limit", "must be at most 10"},
		{"one of", func(r *request) { r.Bucket = "month" }, "bucket", "must be one of: day, week"},
		{"nested field by its JSON path", func(r *request) { r.Webhook.URL = "ftp://x" }, "webhook.url", "http(s)"},
		{"form name", func(r *request) { r.Form = "xx" }, "form_field", "at most 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.edit(&r)
			err := audit.Validate(r)
			if tt.field == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			require.Len(t, callaudit.FieldsOf(err), 1, "fields: %v", callaudit.FieldsOf(err))
			assert.Equal(t, tt.field, callaudit.FieldsOf(err)[0].Field)
			assert.Contains(t, callaudit.FieldsOf(err)[0].Message, tt.message)
			assert.Contains(t, callaudit.MessageOf(err), tt.field+": ", "the message names the field")
		})
	}
	t.Run("every fault at once", func(t *testing.T) {
		err := audit.Validate(request{Limit: 99, Bucket: "year"})
		assert.ElementsMatch(t, []string{"call_id", "limit", "bucket", "webhook.url"}, fieldNames(err))
	})
	t.Run("pointer to struct", func(t *testing.T) {
		r := valid()
		assert.NoError(t, audit.Validate(&r))
	})
	t.Run("not a struct", func(t *testing.T) {
		err := audit.Validate(42)
		require.Error(t, err)
		assert.Equal(t, callaudit.KindInternal, callaudit.KindOf(err))
	})
	t.Run("storage filter has no rules", func(t *testing.T) {
		assert.NoError(t, audit.Validate(storage.Filter{}))
	})
}

func TestCheck(t *testing.T) {
	const url = "https://pbx.example.com/rec/1.wav"
	tests := []struct {
		name   string
		in     audit.Input
		fields []string
		codes  []callaudit.Code
	}{
		{name: "text", in: audit.Input{DialogText: dialog}},
		{name: "language in any case and region", in: audit.Input{DialogText: dialog, Language: "EN-us"}},
		{name: "russian", in: audit.Input{DialogText: dialog, Language: "ru-RU"}},
		{name: "webhook", in: audit.Input{AudioURL: url, CallID: "c-1", Source: storage.SourceWebhook}},
		{name: "webhook without anything", in: audit.Input{Source: storage.SourceWebhook},
			fields: []string{"CallID", "AudioURL"}, codes: []callaudit.Code{callaudit.CodeRequired, callaudit.CodeRequired}},
		{name: "webhook without a call id", in: audit.Input{AudioURL: url, Source: storage.SourceWebhook},
			fields: []string{"CallID"}, codes: []callaudit.Code{callaudit.CodeRequired}},
		{name: "URL call without a call id", in: audit.Input{AudioURL: url}},
		{name: "unsupported language", in: audit.Input{AudioURL: url, CallID: "c", Language: "de", Source: storage.SourceWebhook},
			fields: []string{"Language"}, codes: []callaudit.Code{callaudit.CodeLanguageUnsupported}},
		{name: "every fault has a code", in: audit.Input{AudioURL: "ftp://x", Mode: "Boss", Language: "fr", CallID: strings.Repeat("x", 201), DialogText: "\xff"},
			fields: []string{"AudioURL", "CallID", "Input", "DialogText", "Language", "Mode"},
			codes:  []callaudit.Code{callaudit.CodeHTTPURL, callaudit.CodeTooLong, callaudit.CodeOneInput, callaudit.CodeNotUTF8, callaudit.CodeLanguageUnsupported, callaudit.CodeModeUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := audit.Check(tt.in)
			if tt.fields == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			var codes []callaudit.Code
			for _, f := range callaudit.FieldsOf(err) {
				codes = append(codes, f.Code)
				assert.NotEmpty(t, f.Message)
			}
			assert.ElementsMatch(t, tt.fields, fieldNames(err), "error: %v", err)
			assert.ElementsMatch(t, tt.codes, codes, "error: %v", err)
		})
	}
	t.Run("the language error names the languages", func(t *testing.T) {
		fields := callaudit.FieldsOf(audit.Check(audit.Input{DialogText: dialog, Language: "de"}))
		require.Len(t, fields, 1)
		assert.Equal(t, "must be one of: ru, en", fields[0].Message)
		assert.Equal(t, map[string]string{"languages": "ru, en"}, fields[0].Params)
	})
	t.Run("a dialog over the default limit", func(t *testing.T) {
		err := audit.Check(audit.Input{DialogText: strings.Repeat("a", audit.DefaultMaxDialogBytes+1)})
		assert.Equal(t, callaudit.KindTooLarge, callaudit.KindOf(err))
		code, params := callaudit.CodeOf(err)
		assert.Equal(t, callaudit.CodeDialogTooLarge, code)
		assert.Equal(t, "DialogText", params["field"])
		assert.Equal(t, "512.0 KiB", params["limit"])
	})
}
