package yandexgpt_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/yandexgpt"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scoretest"
	"github.com/callaudit/callaudit/transcribe"
)

const folder = "b1gfakefolder0000000"

var modelURI = "gpt://" + folder + "/yandexgpt/latest"

// headers records the headers of the requests that reached the network.
type headers struct {
	mu   sync.Mutex
	seen []http.Header
}

func (h *headers) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Clone())
	h.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// fake is the project's OpenAI fake knowing only YandexGPT's model URI,
// so a request naming any other model is refused as Yandex would.
func fake(t *testing.T) (*openaitest.Server, *headers, yandexgpt.Config) {
	t.Helper()
	srv := openaitest.NewServer(openaitest.WithChatModels(modelURI), openaitest.WithChat(openaitest.SimulatedModel))
	t.Cleanup(srv.Close)
	h := &headers{}
	return srv, h, yandexgpt.Config{APIKey: srv.APIKey, FolderID: folder, BaseURL: srv.URL,
		Base: openai.Config{HTTPClient: &http.Client{Transport: h}}}
}

func TestConfig(t *testing.T) {
	c := yandexgpt.Config{APIKey: "AQVNkey", FolderID: folder}
	cfg, err := c.OpenAIConfig()
	require.NoError(t, err)
	assert.Equal(t, yandexgpt.DefaultBaseURL, cfg.BaseURL)
	assert.Equal(t, modelURI, cfg.ScoreModel)
	assert.Equal(t, "gpt://other/yandexgpt-lite/rc", yandexgpt.Config{Model: "gpt://other/yandexgpt-lite/rc"}.ModelURI())
	assert.NotContains(t, cfg.String(), "AQVNkey")

	_, err = yandexgpt.Config{APIKey: "k"}.OpenAIConfig()
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "the folder is required")
}

func TestScoreSendsFolderAndModelURI(t *testing.T) {
	srv, h, c := fake(t)
	s, err := yandexgpt.NewScorer(c)
	require.NoError(t, err)
	tr := transcribe.Transcript{Segments: []transcribe.Segment{
		{Speaker: transcribe.RoleManager, Text: "Добрый день, компания Окна Плюс."},
		{Speaker: transcribe.RoleClient, Text: "Сколько стоит окно?"},
	}}
	rep, err := s.Score(context.Background(), score.Request{Transcript: tr})
	require.NoError(t, err)
	assert.Equal(t, modelURI, rep.Meta.Model)
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.True(t, reqs[0].Authorized, "the key is sent as the bearer token")
	assert.Equal(t, modelURI, reqs[0].Model)
	h.mu.Lock()
	defer h.mu.Unlock()
	require.NotEmpty(t, h.seen)
	assert.Equal(t, folder, h.seen[0].Get("OpenAI-Project"))
	assert.Equal(t, folder, h.seen[0].Get("x-folder-id"))
}

func TestWrongKeyIsNotConfigured(t *testing.T) {
	_, _, c := fake(t)
	c.APIKey = "AQVNwrong-secret-key-0123456789"
	s, err := yandexgpt.NewScorer(c)
	require.NoError(t, err)
	_, err = s.Score(context.Background(), score.Request{Transcript: transcribe.Transcript{Segments: []transcribe.Segment{{Speaker: transcribe.RoleManager, Text: "Алло"}}}})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))
	assert.NotContains(t, err.Error(), c.APIKey)
}

func TestConformance(t *testing.T) {
	scoretest.Run(t, scoretest.Harness{
		NewScorer: func(t *testing.T) score.Scorer {
			_, _, c := fake(t)
			s, err := yandexgpt.NewScorer(c)
			require.NoError(t, err)
			return s
		},
		Features: scoretest.Features{Deterministic: true, Rubrics: true},
	})
}
