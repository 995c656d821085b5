package salute_test

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
	"github.com/callaudit/callaudit/adapters/salute"
	"github.com/callaudit/callaudit/adapters/salute/salutetest"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func config(srv *salutetest.Server) salute.Config {
	return salute.Config{AuthKey: srv.AuthKey, BaseURL: srv.URL, OAuthURL: srv.OAuthURL, PollInterval: 5 * time.Millisecond, Retry: vendortest.Retry}
}

var fixture = vendortest.Fixture[*salutetest.Server, salutetest.Option, salute.Config, *salute.Transcriber]{
	NewServer: salutetest.NewServer, Config: config, New: salute.New}

// asyncFixture sends every recording through the asynchronous task.
var asyncFixture = vendortest.Fixture[*salutetest.Server, salutetest.Option, salute.Config, *salute.Transcriber]{
	NewServer: salutetest.NewServer, Config: func(s *salutetest.Server) salute.Config { c := config(s); c.DisableSync = true; return c }, New: salute.New}

// The conformance kit's recordings are short mono WAVs: by default they
// take the synchronous method, whose answer has no times; with
// DisableSync the asynchronous task, which has them.
func TestConformance(t *testing.T) {
	t.Run("async", func(t *testing.T) {
		vendortest.RunTranscriber(t, asyncFixture, salutetest.WithDelay(time.Minute), transcribetest.Features{Timestamps: true, MaxSize: salute.MaxBytes})
	})
	t.Run("sync", func(t *testing.T) {
		vendortest.RunTranscriber(t, fixture, salutetest.WithDelay(time.Minute), transcribetest.Features{MaxSize: salute.MaxBytes})
	})
}

func TestStereoChannelsAreSpeakers(t *testing.T) {
	stereo := transcribe.AudioFromBytes("call.wav", transcribetest.WAV(2, 8000, 2))
	srv := fixture.Start(t)
	out, err := fixture.With(t, config(srv)).Transcribe(context.Background(), stereo, transcribe.Options{})
	require.NoError(t, err)
	require.Len(t, out.Segments, 2)
	assert.Equal(t, transcribe.RoleManager, out.Segments[0].Speaker, "channel 0 is the manager by default")
	assert.Equal(t, transcribe.RoleClient, out.Segments[1].Speaker)
	assert.Equal(t, 1.0, out.RoleConfidence)
	var opts *salutetest.Options
	for _, r := range srv.Requests() {
		if r.Options != nil {
			opts = r.Options
		}
	}
	require.NotNil(t, opts)
	assert.Equal(t, 2, opts.ChannelsCount, "the task asks for per-channel recognition")
	assert.Equal(t, "PCM_S16LE", opts.AudioEncoding)
	assert.Equal(t, 8000, opts.SampleRate)
	assert.InDelta(t, 2.0, *out.Duration, 0.01)

	cfg := config(srv)
	cfg.ManagerChannel = 1
	out, err = fixture.With(t, cfg).Transcribe(context.Background(), stereo, transcribe.Options{})
	require.NoError(t, err)
	assert.Equal(t, transcribe.RoleClient, out.Segments[0].Speaker, "the manager on the right")

	cfg.ManagerChannel = -1
	out, err = fixture.With(t, cfg).Transcribe(context.Background(), stereo, transcribe.Options{})
	require.NoError(t, err)
	assert.Equal(t, transcribe.RoleManager, out.Segments[0].Speaker, "inferred: the greeting with the company's name")
	assert.Equal(t, "channel 1", out.Segments[0].Label)
}

func TestExpiredTokenIsRefreshedAndRetriedOnce(t *testing.T) {
	srv := fixture.Start(t)
	tr := fixture.With(t, config(srv))
	audio := transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 16000, 1))
	_, err := tr.Transcribe(context.Background(), audio, transcribe.Options{})
	require.NoError(t, err)
	srv.Issuer.ExpireAll()
	_, err = tr.Transcribe(context.Background(), audio, transcribe.Options{})
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Issuer.Exchanges())
	var refused int
	for _, r := range srv.Requests() {
		if r.Status == http.StatusUnauthorized {
			refused++
		}
	}
	assert.Equal(t, 1, refused, "one request met the expired token, then a new one was fetched")
}

func TestErrors(t *testing.T) {
	audio := transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 16000, 1))
	tests := []struct {
		name  string
		opts  []salutetest.Option
		setup func(*salute.Config)
		kind  callaudit.Kind
	}{
		{"wrong authorization key", nil, func(c *salute.Config) { c.AuthKey = "d3Jvbmc6c2FsdXRlLWtleS10aGF0LWlzLXNlY3JldA==" }, callaudit.KindNotConfigured},
		{"upload over the limit", []salutetest.Option{salutetest.WithMaxUpload(1000)}, func(*salute.Config) {}, callaudit.KindTooLarge},
		{"unknown model", nil, func(c *salute.Config) { c.Model = "telepathy" }, callaudit.KindInvalid},
		{"unreachable", nil, func(c *salute.Config) { c.BaseURL = "http://127.0.0.1:1/rest/v1" }, callaudit.KindUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, srv, cfg := fixture.Configured(t, func(_ *salutetest.Server, c *salute.Config) { tt.setup(c) }, tt.opts...)
			_, err := tr.Transcribe(context.Background(), audio, transcribe.Options{})
			vendortest.Fails(t, err, tt.kind, cfg.AuthKey, srv.AuthKey)
		})
	}
}

func TestConfigRedactsKey(t *testing.T) {
	cfg := salute.Config{AuthKey: "c2VjcmV0LXNhbHV0ZS1rZXk="}
	assert.NotContains(t, cfg.String(), cfg.AuthKey)
	_, err := salute.New(salute.Config{})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))
}

// The fake refuses what the reference refuses: a token it never issued
// or none (401, as after a wrong key), and an upload over the documented
// 1 GB ("Максимальный размер аудио – 1 Гб") by its Content-Length, before
// reading it.
func TestFakeRefusesWrongTokenAndOversizedUpload(t *testing.T) {
	srv := fixture.Start(t)
	pcm := http.Header{"Content-Type": {"audio/x-pcm;bit=16;rate=8000"}}
	assert.Equal(t, http.StatusUnauthorized, vendortest.Post(t, srv.URL+"/data:upload", pcm, 1000), "no token")
	pcm.Set("Authorization", "Bearer eyJnot-a-token-it-issued")
	assert.Equal(t, http.StatusUnauthorized, vendortest.Post(t, srv.URL+"/data:upload", pcm, 1000), "a token it never issued")

	pcm.Set("Authorization", "Bearer "+liveToken(t, srv))
	assert.Equal(t, http.StatusOK, vendortest.Post(t, srv.URL+"/data:upload", pcm, 1000), "a live token")
	assert.Equal(t, http.StatusRequestEntityTooLarge, vendortest.Post(t, srv.URL+"/data:upload", pcm, salute.MaxBytes+1))
}

func TestMaxWaitBoundsTheTask(t *testing.T) {
	tr, srv, _ := asyncFixture.Configured(t, func(_ *salutetest.Server, c *salute.Config) { c.MaxWait = 50 * time.Millisecond }, salutetest.WithDelay(time.Minute))
	vendortest.OutlastsMaxWait(t, tr, "SaluteSpeech API", srv.AuthKey)
}

// liveToken is a token the fake issued, taken from a recognition.
func liveToken(t *testing.T, srv *salutetest.Server) string {
	t.Helper()
	_, err := fixture.With(t, config(srv)).Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 8000, 1)), transcribe.Options{})
	require.NoError(t, err)
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	return reqs[len(reqs)-1].Token
}

func paths(srv *salutetest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Path)
	}
	return out
}

func TestShortMonoIsRecognisedSynchronously(t *testing.T) {
	tr, srv := fixture.Adapter(t)
	out, err := tr.Transcribe(context.Background(), transcribe.AudioFromBytes("short.wav", transcribetest.WAV(2, 8000, 1)), transcribe.Options{Language: "ru"})
	require.NoError(t, err)
	assert.Equal(t, []string{"/rest/v1/speech:recognize"}, paths(srv), "one synchronous request, no task")
	o := srv.Requests()[0].Options
	assert.Equal(t, salutetest.Options{Model: "callcenter", AudioEncoding: "PCM_S16LE", SampleRate: 8000, Language: "ru-RU", ChannelsCount: 1}, *o)
	require.Len(t, out.Segments, 1)
	s := out.Segments[0]
	assert.Equal(t, "Добрый день, компания Окна Плюс, меня зовут Ольга, чем могу помочь?", s.Text)
	assert.False(t, s.Timed(), "the synchronous answer has no times")
	assert.Equal(t, transcribe.RoleUnknown, s.Speaker)
	assert.Equal(t, "ru", out.Language)
	assert.InDelta(t, 2.0, *out.Duration, 0.01)
}

func TestOtherRecordingsTakeTheTask(t *testing.T) {
	oneMinute := transcribe.AudioFromBytes("long.wav", transcribetest.WAV(salute.SyncMaxSeconds+1, 8000, 1))
	short := transcribe.AudioFromBytes("short.wav", transcribetest.WAV(2, 8000, 1))
	tests := []struct {
		name  string
		audio transcribe.Audio
		setup func(*salute.Config)
	}{
		{"over a minute", oneMinute, func(*salute.Config) {}},
		{"over 2 MB", transcribe.AudioFromBytes("big.wav", transcribetest.WAV(40, 48000, 1)), func(*salute.Config) {}},
		{"stereo", transcribe.AudioFromBytes("stereo.wav", transcribetest.WAV(2, 8000, 2)), func(*salute.Config) {}},
		{"a model the synchronous method lacks", short, func(c *salute.Config) { c.Model = "media" }},
		{"DisableSync", short, func(c *salute.Config) { c.DisableSync = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, srv, _ := fixture.Configured(t, func(_ *salutetest.Server, c *salute.Config) { tt.setup(c) })
			_, err := tr.Transcribe(context.Background(), tt.audio, transcribe.Options{})
			require.NoError(t, err)
			assert.Contains(t, paths(srv), "/rest/v1/speech:async_recognize")
			assert.NotContains(t, paths(srv), "/rest/v1/speech:recognize")
		})
	}
}

// The fake's synchronous method refuses what its reference rules out:
// no or an unknown token (401), a body over 2 MB (413), PCM over a
// minute and a model the method does not list (400).
func TestFakeSyncRefusals(t *testing.T) {
	srv := fixture.Start(t)
	url := srv.URL + "/speech:recognize?language=ru-RU&model=callcenter&sample_rate=8000"
	pcm := http.Header{"Content-Type": {"audio/x-pcm;bit=16;rate=8000"}}
	assert.Equal(t, http.StatusUnauthorized, vendortest.Post(t, url, pcm, 16000))
	pcm.Set("Authorization", "Bearer eyJnot-a-token-it-issued")
	assert.Equal(t, http.StatusUnauthorized, vendortest.Post(t, url, pcm, 16000))
	pcm.Set("Authorization", "Bearer "+liveToken(t, srv))
	assert.Equal(t, http.StatusOK, vendortest.Post(t, url, pcm, 16000))
	assert.Equal(t, http.StatusRequestEntityTooLarge, vendortest.Post(t, url, pcm, salute.SyncMaxBytes+1))
	assert.Equal(t, http.StatusBadRequest, vendortest.Post(t, url, pcm, 2*8000*(salute.SyncMaxSeconds+1)), "over a minute")
	assert.Equal(t, http.StatusBadRequest, vendortest.Post(t, strings.Replace(url, "callcenter", "media", 1), pcm, 16000))
}
