package salute_test

import (
	"context"
	"net/http"
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

func TestConformance(t *testing.T) {
	vendortest.RunTranscriber(t, fixture, salutetest.WithDelay(time.Minute), salute.MaxBytes)
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
			srv := fixture.Start(t, tt.opts...)
			cfg := config(srv)
			tt.setup(&cfg)
			_, err := fixture.With(t, cfg).Transcribe(context.Background(), audio, transcribe.Options{})
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

	tr, srv := fixture.Adapter(t)
	_, err := tr.Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 8000, 1)), transcribe.Options{})
	require.NoError(t, err)
	var token string
	for _, r := range srv.Requests() {
		token = r.Token
	}
	require.NotEmpty(t, token)
	pcm.Set("Authorization", "Bearer "+token)
	assert.Equal(t, http.StatusOK, vendortest.Post(t, srv.URL+"/data:upload", pcm, 1000), "a live token")
	assert.Equal(t, http.StatusRequestEntityTooLarge, vendortest.Post(t, srv.URL+"/data:upload", pcm, salute.MaxBytes+1))
}

func TestMaxWaitBoundsTheTask(t *testing.T) {
	srv := fixture.Start(t, salutetest.WithDelay(time.Minute))
	cfg := config(srv)
	cfg.MaxWait = 50 * time.Millisecond
	_, err := fixture.With(t, cfg).Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", transcribetest.WAV(1, 8000, 1)), transcribe.Options{})
	vendortest.Fails(t, err, callaudit.KindTimeout, srv.AuthKey)
	assert.Contains(t, err.Error(), "still running after")
}
