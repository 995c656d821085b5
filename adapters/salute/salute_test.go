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
