package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/adapters/gigachat"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/salute"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/adapters/yandex"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/cmd/internal/config"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

const dialog = "Менеджер: Добрый день! Меня зовут Анна, компания Ромашка. Удобно говорить?\n" +
	"Клиент: Да, слушаю.\nМенеджер: Какие задачи вы сейчас решаете с CRM?\nКлиент: Хотим автоматизировать продажи."

// testConfig is the default configuration on a free port with the
// database in a temporary directory.
func testConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	all := map[string]string{
		"AUDIT_ADDR":         "127.0.0.1:0",
		"AUDIT_DATABASE_URL": filepath.Join(t.TempDir(), "test.db"),
		"AUDIT_TEMP_DIR":     t.TempDir(),
	}
	for k, v := range env {
		all[k] = v
	}
	cfg, err := config.Parse(all)
	require.NoError(t, err)
	return cfg
}

// options is Options, which must succeed.
func options(t testing.TB, cfg config.Config, logger *slog.Logger) fx.Option {
	t.Helper()
	opts, err := Options(cfg, logger)
	require.NoError(t, err)
	return opts
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// listenAddr finds the address the server logged when it started.
func listenAddr(t testing.TB, logs string) string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" {
			return rec.Addr
		}
	}
	t.Fatalf("no listening line in the log:\n%s", logs)
	return ""
}

func TestValidateApp(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"offline defaults", nil},
		{"openai", map[string]string{"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, tt.env)
			assert.NoError(t, fx.ValidateApp(options(t, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))))
		})
	}
}

func TestPipelineChoosesByConfig(t *testing.T) {
	tests := []struct {
		name            string
		env             map[string]string
		wantScorer      any
		wantTranscriber bool
		wantErrField    string
	}{
		{name: "offline defaults", wantScorer: &checklist.Scorer{}},
		// AUDIT_REDACT=off: the model scorer unwrapped (privacy_test.go
		// covers the default, which masks).
		{name: "openai key", env: map[string]string{"OPENAI_API_KEY": "sk-test", "AUDIT_REDACT": "off"}, wantScorer: &openai.Scorer{}, wantTranscriber: true},
		{name: "compatible server", env: map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "AUDIT_REDACT": "off"}, wantScorer: &openai.Scorer{}, wantTranscriber: true},
		{name: "checklist scoring, openai transcription", env: map[string]string{"OPENAI_API_KEY": "sk-test", "AUDIT_SCORER": "checklist"},
			wantScorer: &checklist.Scorer{}, wantTranscriber: true},
		{name: "checklist is never wrapped", env: map[string]string{"AUDIT_REDACT": "store"}, wantScorer: &checklist.Scorer{}},
		{name: "openai scoring, no transcription", env: map[string]string{"OPENAI_API_KEY": "sk-test", "AUDIT_TRANSCRIBER": "none", "AUDIT_REDACT": "off"},
			wantScorer: &openai.Scorer{}},
		{name: "openai without key", env: map[string]string{"AUDIT_TRANSCRIBER": "openai"}, wantErrField: "AUDIT_TRANSCRIBER"},
		{name: "unknown scorer", env: map[string]string{"AUDIT_SCORER": "magic"}, wantErrField: "AUDIT_SCORER"},
		{name: "unknown vendor", env: map[string]string{"AUDIT_TRANSCRIBER": "deepgram"}, wantErrField: "AUDIT_TRANSCRIBER"},
		{name: "gigachat", env: map[string]string{"AUDIT_SCORER": "gigachat", "AUDIT_GIGACHAT_AUTH_KEY": "a2V5", "AUDIT_REDACT": "off"}, wantScorer: &gigachat.Scorer{}},
		{name: "gigachat without key", env: map[string]string{"AUDIT_SCORER": "gigachat"}, wantErrField: "AUDIT_SCORER"},
		{name: "yandexgpt", env: map[string]string{"AUDIT_SCORER": "yandexgpt", "AUDIT_YANDEX_API_KEY": "AQVN", "AUDIT_YANDEX_FOLDER_ID": "b1g", "AUDIT_REDACT": "off"}, wantScorer: &openai.Scorer{}},
		{name: "yandexgpt without folder", env: map[string]string{"AUDIT_SCORER": "yandexgpt", "AUDIT_YANDEX_API_KEY": "AQVN"}, wantErrField: "AUDIT_SCORER"},
		{name: "yandex speechkit", env: map[string]string{"AUDIT_TRANSCRIBER": "yandex", "AUDIT_YANDEX_API_KEY": "AQVN", "AUDIT_STEREO_MANAGER_CHANNEL": "right"},
			wantScorer: &checklist.Scorer{}, wantTranscriber: true},
		{name: "yandex without key", env: map[string]string{"AUDIT_TRANSCRIBER": "yandex"}, wantErrField: "AUDIT_TRANSCRIBER"},
		{name: "salutespeech", env: map[string]string{"AUDIT_TRANSCRIBER": "salute", "AUDIT_SALUTE_AUTH_KEY": "a2V5"}, wantScorer: &checklist.Scorer{}, wantTranscriber: true},
		{name: "salutespeech without key", env: map[string]string{"AUDIT_TRANSCRIBER": "salute"}, wantErrField: "AUDIT_TRANSCRIBER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, tt.env)
			opts, transcribes, err := Pipeline(cfg)
			if tt.wantErrField != "" {
				require.Error(t, err)
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
				assert.Equal(t, tt.wantErrField, callaudit.FieldsOf(err)[0].Field)
				return
			}
			require.NoError(t, err)
			var s score.Scorer
			var a *audit.Auditor
			app := fx.New(fx.NopLogger, fx.Supply(slog.New(slog.NewTextHandler(io.Discard, nil))), opts, fx.Populate(&s, &a))
			require.NoError(t, app.Err())
			assert.IsType(t, tt.wantScorer, s)
			assert.Equal(t, tt.wantTranscriber, transcribes)
			assert.Equal(t, tt.wantTranscriber, a.CanTranscribe())
			assert.Nil(t, a.Store(), "the pipeline keeps no history")
		})
	}
}

// gatedScorer blocks every Score until release is closed, to hold a
// request in flight.
type gatedScorer struct {
	score.Scorer
	entered chan struct{}
	release chan struct{}
}

func (g *gatedScorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.Scorer.Score(ctx, req)
}

func TestAppServesAndStopsGracefully(t *testing.T) {
	cfg := testConfig(t, nil)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	gate := &gatedScorer{entered: make(chan struct{}, 1), release: make(chan struct{})}
	app := fx.New(
		options(t, cfg, logger),
		fx.Decorate(func(s score.Scorer) score.Scorer { gate.Scorer = s; return gate }),
	)
	require.NoError(t, app.Err())
	require.NoError(t, app.Start(context.Background()))
	base := "http://" + listenAddr(t, logs.String())

	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// A request in flight when the app stops still gets its answer.
	type result struct {
		status int
		report score.Report
		err    error
	}
	done := make(chan result, 1)
	go func() {
		body := `{"dialog_text":` + jsonString(dialog) + `,"content_mode":"Manager+","call_id":"graceful-1"}`
		resp, err := http.Post(base+"/analyze_call", "application/json", strings.NewReader(body))
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var r result
		r.status = resp.StatusCode
		r.err = json.NewDecoder(resp.Body).Decode(&r.report)
		done <- r
	}()
	<-gate.entered

	stopped := make(chan error, 1)
	go func() { stopped <- app.Stop(context.Background()) }()
	// Stop waits for the request: it must not have returned yet.
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "shutting down") }, 5*time.Second, 10*time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a request was in flight", err)
	default:
	}
	close(gate.release)

	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "graceful-1", r.report.ID)
	require.NoError(t, <-stopped)

	_, err = http.Get(base + "/healthz")
	assert.Error(t, err, "the server no longer accepts connections")

	// The report was saved before the store closed.
	reopened, err := sqlstore.Open(context.Background(), cfg.Server.DatabaseURL)
	require.NoError(t, err)
	defer reopened.Close()
	call, err := reopened.Get(context.Background(), "graceful-1")
	require.NoError(t, err)
	assert.Equal(t, storage.StatusDone, call.Status)
}

func TestAppWithOpenAIFake(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	cfg := testConfig(t, map[string]string{"OPENAI_API_KEY": fake.APIKey, "OPENAI_BASE_URL": fake.URL})
	logs := &syncBuffer{}
	var a *audit.Auditor
	app := fx.New(options(t, cfg, slog.New(slog.NewJSONHandler(logs, nil))), fx.Populate(&a))
	require.NoError(t, app.Err())
	require.NoError(t, app.Start(context.Background()))
	defer func() { require.NoError(t, app.Stop(context.Background())) }()
	assert.True(t, a.CanTranscribe())
	assert.True(t, a.CanFetch())

	base := "http://" + listenAddr(t, logs.String())
	resp, err := http.Post(base+"/analyze_call", "application/json",
		strings.NewReader(`{"dialog_text":`+jsonString(dialog)+`,"content_mode":"Dialog"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	var rep score.Report
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, score.ModeDialog, rep.Meta.Mode)
	assert.NotEmpty(t, rep.Meta.Model, "scored by the model")
	assert.NotEmpty(t, fake.Requests(), "the fake was called")
	assert.NotContains(t, logs.String(), fake.APIKey, "the key is never logged")
}

func TestStartFailsOnBusyPort(t *testing.T) {
	first := testConfig(t, nil)
	logs := &syncBuffer{}
	app1 := fx.New(options(t, first, slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, app1.Start(context.Background()))
	defer func() { _ = app1.Stop(context.Background()) }()

	second := testConfig(t, map[string]string{"AUDIT_ADDR": listenAddr(t, logs.String())})
	app2 := fx.New(options(t, second, slog.New(slog.NewTextHandler(io.Discard, nil))))
	err := app2.Start(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "address already in use")
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The modules are chosen when the app is built: no queue without
// speech-to-text, a signature check only with a secret, a write-back
// only with its settings. Nothing is provided as a typed nil.
func TestOptionsChooseModules(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	secret := webhooks.NewSecret()
	openaiEnv := map[string]string{"OPENAI_API_KEY": fake.APIKey, "OPENAI_BASE_URL": fake.URL}
	with := func(extra map[string]string) map[string]string {
		all := map[string]string{}
		for k, v := range openaiEnv {
			all[k] = v
		}
		for k, v := range extra {
			all[k] = v
		}
		return all
	}
	tests := []struct {
		name          string
		env           map[string]string
		wantQueue     bool
		wantAuth      bool
		wantNotifiers []string
	}{
		{name: "offline", env: map[string]string{"AUDIT_CALLBACK_URL": "https://crm.example.com/h", "AUDIT_CALLBACK_SECRET": secret}},
		{name: "speech-to-text", env: openaiEnv, wantQueue: true},
		{name: "signed webhooks and write-backs", env: with(map[string]string{
			"AUDIT_WEBHOOK_SECRET": secret,
			"AUDIT_CALLBACK_URL":   "https://crm.example.com/h", "AUDIT_CALLBACK_SECRET": secret,
			"AUDIT_BITRIX24_WEBHOOK_URL": "https://shop.bitrix24.ru/rest/1/code/",
		}), wantQueue: true, wantAuth: true, wantNotifiers: []string{"bitrix24", "callback"}},
	}
	type probe struct {
		fx.In
		Queue     *queue.Queue         `optional:"true"`
		Auth      auditfx.WebhookAuth  `optional:"true"`
		Notifiers []writeback.Notifier `group:"notifiers"`
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got probe
			app := fx.New(options(t, testConfig(t, tt.env), slog.New(slog.NewTextHandler(io.Discard, nil))),
				fx.Invoke(func(p probe) { got = p }))
			require.NoError(t, app.Err())
			require.NoError(t, app.Start(context.Background()))
			defer func() { require.NoError(t, app.Stop(context.Background())) }()
			assert.Equal(t, tt.wantQueue, got.Queue != nil)
			assert.Equal(t, tt.wantAuth, got.Auth != nil)
			var names []string
			for _, n := range got.Notifiers {
				names = append(names, writeback.NameOf(n))
			}
			assert.ElementsMatch(t, tt.wantNotifiers, names)
		})
	}
}

// Yandex SpeechKit and SaluteSpeech recognise stereo channels apart
// themselves: the server hands them the recording whole, with the
// manager's channel from AUDIT_STEREO_MANAGER_CHANNEL.
func TestNativeStereoVendorsAreNotSplit(t *testing.T) {
	for name, want := range map[string]any{"yandex": &yandex.Transcriber{}, "salute": &salute.Transcriber{}} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t, map[string]string{"AUDIT_TRANSCRIBER": name, "AUDIT_YANDEX_API_KEY": "AQVN", "AUDIT_SALUTE_AUTH_KEY": "a2V5", "AUDIT_STEREO_MANAGER_CHANNEL": "left"})
			opts, _, err := Pipeline(cfg)
			require.NoError(t, err)
			var tr transcribe.Transcriber
			app := fx.New(fx.NopLogger, fx.Supply(slog.New(slog.NewTextHandler(io.Discard, nil))), opts, fx.Populate(&tr))
			require.NoError(t, app.Err())
			assert.IsType(t, want, tr)
		})
	}
}
