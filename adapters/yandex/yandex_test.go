package yandex_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/vendortest"
	"github.com/callaudit/callaudit/adapters/yandex"
	"github.com/callaudit/callaudit/adapters/yandex/yandextest"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func config(srv *yandextest.Server) yandex.Config {
	return yandex.Config{APIKey: srv.APIKey, BaseURL: srv.URL, OperationURL: srv.URL, PollInterval: 5 * time.Millisecond, Retry: vendortest.Retry}
}

var fixture = vendortest.Fixture[*yandextest.Server, yandextest.Option, yandex.Config, *yandex.Transcriber]{
	NewServer: yandextest.NewServer, Config: config, New: yandex.New}

func TestConformance(t *testing.T) {
	vendortest.RunTranscriber(t, fixture, yandextest.WithDelay(time.Minute), transcribetest.Features{Timestamps: true, MaxSize: yandex.MaxContentBytes})
}

func TestStereoChannelsAreSpeakers(t *testing.T) {
	srv := fixture.Start(t)
	stereo := transcribe.AudioFromBytes("call.wav", transcribetest.WAV(2, 16000, 2))
	out, err := fixture.With(t, config(srv)).Transcribe(context.Background(), stereo, transcribe.Options{Language: "ru"})
	require.NoError(t, err)
	require.Len(t, out.Segments, 2)
	assert.Equal(t, transcribe.RoleManager, out.Segments[0].Speaker)
	assert.Equal(t, transcribe.RoleClient, out.Segments[1].Speaker)
	assert.Equal(t, "Добрый день, компания Окна Плюс, меня зовут Ольга, чем могу помочь?", out.Segments[0].Text, "the normalized refinement is preferred")
	assert.InDelta(t, 0.1, *out.Segments[0].Start, 1e-9)
	assert.InDelta(t, 2.0, *out.Duration, 0.01)
	var model map[string]any
	for _, r := range srv.Requests() {
		if r.Model != nil {
			model = r.Model
			assert.Equal(t, "Api-Key", r.Scheme)
		}
	}
	raw := model["audioFormat"].(map[string]any)["rawAudio"].(map[string]any)
	assert.Equal(t, "2", raw["audioChannelCount"], "the channels are recognised apart")
	assert.Equal(t, "16000", raw["sampleRateHertz"])

	cfg := config(srv)
	cfg.ManagerChannel = -1
	out, err = fixture.With(t, cfg).Transcribe(context.Background(), stereo, transcribe.Options{})
	require.NoError(t, err)
	assert.Equal(t, transcribe.RoleManager, out.Segments[0].Speaker, "inferred from the greeting")
	assert.Equal(t, "channel 2", out.Segments[1].Label)
}

func TestIAMTokenWithFolder(t *testing.T) {
	srv := fixture.Start(t)
	cfg := config(srv)
	cfg.APIKey, cfg.IAMToken, cfg.FolderID = "", srv.IAMToken, srv.FolderID
	audio := transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 8000, 1))
	_, err := fixture.With(t, cfg).Transcribe(context.Background(), audio, transcribe.Options{})
	require.NoError(t, err)
	for _, r := range srv.Requests() {
		assert.Equal(t, "Bearer", r.Scheme)
		assert.Equal(t, srv.FolderID, r.Folder)
	}

	_, err = yandex.New(yandex.Config{IAMToken: "t1.x"})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "an IAM token needs the folder")
}

func TestExpiredIAMTokenIsReplacedOnce(t *testing.T) {
	srv := fixture.Start(t)
	calls := 0
	cfg := config(srv)
	cfg.APIKey, cfg.FolderID = "", srv.FolderID
	cfg.IAMTokenSource = func(context.Context) (string, error) {
		calls++
		if calls == 1 {
			return srv.IAMToken, nil
		}
		srv.SetIAMToken("t1.renewed-token")
		return "t1.renewed-token", nil
	}
	tr := fixture.With(t, cfg)
	audio := transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 8000, 1))
	_, err := tr.Transcribe(context.Background(), audio, transcribe.Options{})
	require.NoError(t, err)
	srv.ExpireIAMToken()
	_, err = tr.Transcribe(context.Background(), audio, transcribe.Options{})
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "one new token after the 401")

	// A static token that expired is the server's configuration.
	srv.ExpireIAMToken()
	cfg.IAMTokenSource, cfg.IAMToken = nil, "t1.renewed-token"
	_, err = fixture.With(t, cfg).Transcribe(context.Background(), audio, transcribe.Options{})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))
	assert.NotContains(t, err.Error(), "t1.renewed-token")
}

func TestErrors(t *testing.T) {
	audio := transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 16000, 1))
	tests := []struct {
		name  string
		setup func(*yandex.Config)
		audio transcribe.Audio
		kind  callaudit.Kind
	}{
		{"wrong API key", func(c *yandex.Config) { c.APIKey = "AQVNwrong-key-that-is-secret-1234567890" }, audio, callaudit.KindNotConfigured},
		{"unknown model", func(c *yandex.Config) { c.Model = "telepathy" }, audio, callaudit.KindInvalid},
		{"rate the service does not take", func(*yandex.Config) {}, transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 11025, 1)), callaudit.KindInvalid},
		{"flac", func(*yandex.Config) {}, transcribe.AudioFromBytes("a.flac", append([]byte("fLaC"), make([]byte, 100)...)), callaudit.KindUnsupported},
		{"unreachable", func(c *yandex.Config) { c.BaseURL = "http://127.0.0.1:1" }, audio, callaudit.KindUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, srv, cfg := fixture.Configured(t, func(_ *yandextest.Server, c *yandex.Config) { tt.setup(c) })
			_, err := tr.Transcribe(context.Background(), tt.audio, transcribe.Options{})
			vendortest.Fails(t, err, tt.kind, cfg.APIKey, srv.APIKey)
			if tt.name == "wrong API key" {
				assert.Contains(t, callaudit.MessageOf(err), "AUDIT_YANDEX_API_KEY")
			}
		})
	}
}

func TestNoSpeechIsInvalid(t *testing.T) {
	srv := fixture.Start(t, yandextest.WithResponder(func(yandextest.Recognition) []yandextest.Utterance { return nil }))
	_, err := fixture.With(t, config(srv)).Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 8000, 1)), transcribe.Options{})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "%v", err)
}

func TestFailedOperationIsUpstream(t *testing.T) {
	srv := fixture.Start(t, yandextest.WithFailure("audio decoding failed"))
	_, err := fixture.With(t, config(srv)).Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 8000, 1)), transcribe.Options{})
	assert.Equal(t, callaudit.KindUpstream, callaudit.KindOf(err), "%v", err)
	assert.Contains(t, callaudit.MessageOf(err), "audio decoding failed")
}

// The fake refuses a request body over the 60 MB limit before reading it.
func TestFakeRefusesOversizedBody(t *testing.T) {
	srv := fixture.Start(t)
	status := vendortest.Post(t, srv.URL+"/stt/v3/recognizeFileAsync", http.Header{"Authorization": {"Api-Key " + srv.APIKey}}, 90_000_000)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
}

func TestConfigRedactsCredentials(t *testing.T) {
	cfg := yandex.Config{APIKey: "AQVNsecret", IAMToken: "t1.secret"}
	for _, s := range []string{cfg.String(), cfg.GoString()} {
		assert.NotContains(t, s, "secret")
	}
	assert.True(t, strings.Contains(cfg.String(), "[REDACTED]"))
}

func TestMaxWaitBoundsTheOperation(t *testing.T) {
	tr, srv, _ := fixture.Configured(t, func(_ *yandextest.Server, c *yandex.Config) { c.MaxWait = 50 * time.Millisecond }, yandextest.WithDelay(time.Minute))
	vendortest.OutlastsMaxWait(t, tr, "Yandex SpeechKit API", srv.APIKey)
}

// The fake refuses, as 16/401 UNAUTHENTICATED, no credentials, a wrong
// API key and an IAM token it never issued.
func TestFakeRefusesUnknownCredentials(t *testing.T) {
	srv := fixture.Start(t)
	url := srv.URL + "/stt/v3/recognizeFileAsync"
	assert.Equal(t, http.StatusUnauthorized, vendortest.Post(t, url, nil, 10))
	assert.Equal(t, http.StatusUnauthorized, vendortest.Post(t, url, http.Header{"Authorization": {"Api-Key AQVNwrong"}}, 10))
	assert.Equal(t, http.StatusUnauthorized, vendortest.PostJSON(t, url, "t1.never-issued", `{}`))
	assert.Equal(t, http.StatusBadRequest, vendortest.PostJSON(t, url, srv.IAMToken, `{}`), "a live token without x-folder-id")
}
