// Package yandexgpt scores calls with YandexGPT through Yandex AI
// Studio's OpenAI-compatible API, which the openai adapter already
// speaks: Yandex documents it ("Compatibility with OpenAI",
// yandex.cloud/en/docs/ai-studio/concepts/openai-compatibility; the REST
// reference of POST /v1/chat/completions with response_format
// json_schema) with the OpenAI SDK pointed at
// https://llm.api.cloud.yandex.net/v1, the API key (or an IAM token) as
// the SDK's key, sent as "Authorization: Bearer", the folder as the SDK's
// project (the OpenAI-Project header) and models named by URI,
// gpt://<folder>/yandexgpt/latest.
//
// go-openai has no project setting, so a small RoundTripper adds the
// folder as OpenAI-Project and as x-folder-id, the header of Yandex's own
// APIs. Reports name the scorer "openai" (the adapter) and the model by
// its URI.
package yandexgpt

import (
	"net/http"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
)

// Defaults of a zero Config.
const (
	DefaultBaseURL = "https://llm.api.cloud.yandex.net/v1"
	DefaultModel   = "yandexgpt/latest"
)

// Config configures YandexGPT.
type Config struct {
	// APIKey of a service account with the ai.languageModels.user role,
	// or an IAM token. Never printed (openai.Config redacts it).
	APIKey string `json:"-"`
	// FolderID is the folder the model runs in; required.
	FolderID string
	// Model is a model URI ("gpt://…") or a name in the folder
	// ("yandexgpt/latest", default; "yandexgpt-lite/latest").
	Model string
	// BaseURL of the OpenAI-compatible API; empty is DefaultBaseURL.
	BaseURL string
	// Base carries the other settings of the openai adapter (token
	// budget, timeouts, retries, HTTPClient, …); its key, base URL and
	// score model are replaced.
	Base openai.Config
}

// ModelURI is the model's URI: Model when it is one, else
// gpt://<folder>/<model>.
func (c Config) ModelURI() string {
	m := c.Model
	if m == "" {
		m = DefaultModel
	}
	if strings.Contains(m, "://") {
		return m
	}
	return "gpt://" + c.FolderID + "/" + m
}

// OpenAIConfig is the openai adapter's configuration for YandexGPT:
// KindNotConfigured without a key or a folder.
func (c Config) OpenAIConfig() (openai.Config, error) {
	if c.APIKey == "" || c.FolderID == "" {
		return openai.Config{}, callaudit.Errorf(callaudit.KindNotConfigured, "YandexGPT is not configured: set AUDIT_YANDEXGPT_API_KEY and AUDIT_YANDEX_FOLDER_ID")
	}
	cfg := c.Base
	cfg.APIKey = c.APIKey
	cfg.BaseURL = c.BaseURL
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.ScoreModel = c.ModelURI()
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		cp := *cfg.HTTPClient
		hc = &cp
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = folderHeader{base: base, folder: c.FolderID}
	cfg.HTTPClient = hc
	return cfg, nil
}

// NewScorer returns the openai scorer configured for YandexGPT.
func NewScorer(c Config, opts ...openai.Option) (*openai.Scorer, error) {
	cfg, err := c.OpenAIConfig()
	if err != nil {
		return nil, err
	}
	return openai.NewScorer(cfg, opts...)
}

// folderHeader adds the folder to every request.
type folderHeader struct {
	base   http.RoundTripper
	folder string
}

func (f folderHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("OpenAI-Project", f.folder)
	r.Header.Set("x-folder-id", f.folder)
	return f.base.RoundTrip(r)
}
