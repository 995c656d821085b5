package openai

import (
	"cmp"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/callaudit/callaudit/adapters/internal/settings"
	"github.com/callaudit/callaudit/retry"
)

// Defaults of a zero Config.
const (
	DefaultBaseURL             = "https://api.openai.com/v1"
	DefaultScoreModel          = "gpt-4o-mini"
	DefaultTranscribeModel     = "whisper-1"
	DefaultMaxConcurrency      = 8
	DefaultMaxTranscriptTokens = 60_000
	DefaultOverlapSegments     = 3
	DefaultScoreTimeout        = 2 * time.Minute
	DefaultTranscribeTimeout   = 5 * time.Minute
)

// MaxUploadBytes is OpenAI's upload limit for one audio file (25 MB).
const MaxUploadBytes = 26_214_400

// Config configures the adapters. The zero value with an APIKey talks to
// OpenAI with the defaults above.
type Config struct {
	// APIKey is sent as a bearer token. It is never printed: String,
	// GoString and LogValue redact it, and JSON skips it. It may be empty
	// for an OpenAI-compatible server without auth (BaseURL set).
	APIKey string `json:"-"`
	// BaseURL of an OpenAI-compatible API, including /v1; empty is OpenAI.
	BaseURL string
	// OrgID is sent as OpenAI-Organization when set.
	OrgID string
	// HTTPClient carries the requests; nil uses a new client. Its
	// transport is wrapped, not modified.
	HTTPClient *http.Client `json:"-"`

	// ScoreModel is the chat model for scoring (default gpt-4o-mini). It
	// must support structured outputs (json_schema, strict).
	ScoreModel string
	// Temperature and Seed are sent only when set: reasoning models
	// (gpt-5, o-series) reject a temperature other than the default.
	// go-openai omits a zero temperature, so 0 cannot be sent explicitly.
	Temperature *float32
	Seed        *int
	// MaxCompletionTokens caps each answer; 0 leaves it to the model.
	MaxCompletionTokens int
	// MaxTranscriptTokens is the token budget for the transcript in one
	// request (estimated); a longer transcript is split on turn
	// boundaries and the parts' results merged. Default 60,000.
	MaxTranscriptTokens int
	// OverlapSegments is how many segments consecutive parts share, so a
	// moment on a boundary is seen whole. Default 3.
	OverlapSegments int
	// ScoreTimeout bounds one chat request attempt (default 2 min).
	ScoreTimeout time.Duration

	// TranscribeModel is the speech-to-text model (default whisper-1).
	TranscribeModel string
	// TranscribeFormat forces the response format ("verbose_json",
	// "json" or "text"); empty picks verbose_json for whisper models and
	// json for the gpt-4o transcribe family, which has no timestamps.
	TranscribeFormat string
	// TranscribePrompt is vocabulary sent with every recording (product
	// names, jargon); a request's own prompt is appended.
	TranscribePrompt string
	// TranscribeTimeout bounds one transcription attempt (default 5 min).
	TranscribeTimeout time.Duration

	// MaxConcurrency limits concurrent upstream requests per adapter
	// (default 8).
	MaxConcurrency int
	// Retry is the policy for 429, 5xx and timeouts; the zero value is
	// retry's default (4 attempts, exponential backoff with full jitter,
	// Retry-After honoured).
	Retry retry.Policy `json:"-"`
}

// Enabled reports whether the configuration can reach an API: it has a
// key, or points at a server other than api.openai.com (local servers
// often need none).
func (c Config) Enabled() bool {
	return c.APIKey != "" || !c.isOpenAI()
}

func (c Config) isOpenAI() bool {
	if c.BaseURL == "" {
		return true
	}
	u, err := url.Parse(c.BaseURL)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

func (c Config) withDefaults() Config {
	c.BaseURL = cmp.Or(c.BaseURL, DefaultBaseURL)
	c.ScoreModel, c.TranscribeModel = cmp.Or(c.ScoreModel, DefaultScoreModel), cmp.Or(c.TranscribeModel, DefaultTranscribeModel)
	c.MaxConcurrency = settings.Positive(c.MaxConcurrency, DefaultMaxConcurrency)
	c.MaxTranscriptTokens = settings.Positive(c.MaxTranscriptTokens, DefaultMaxTranscriptTokens)
	c.OverlapSegments = settings.Positive(c.OverlapSegments, DefaultOverlapSegments)
	c.ScoreTimeout = settings.Positive(c.ScoreTimeout, DefaultScoreTimeout)
	c.TranscribeTimeout = settings.Positive(c.TranscribeTimeout, DefaultTranscribeTimeout)
	return c
}

// redactedKey shows whether a key is set, never any of its characters.
func (c Config) redactedKey() string {
	if c.APIKey == "" {
		return "(unset)"
	}
	return "[REDACTED]"
}

// String describes the configuration with the API key redacted.
func (c Config) String() string {
	return fmt.Sprintf("openai.Config{APIKey:%s BaseURL:%q ScoreModel:%q TranscribeModel:%q TranscribeFormat:%q MaxConcurrency:%d MaxTranscriptTokens:%d}",
		c.redactedKey(), redactURL(c.BaseURL), c.ScoreModel, c.TranscribeModel, c.TranscribeFormat, c.MaxConcurrency, c.MaxTranscriptTokens)
}

// GoString is String, so that %#v redacts too.
func (c Config) GoString() string { return c.String() }

// LogValue redacts the key in structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api_key", c.redactedKey()),
		slog.String("base_url", redactURL(c.BaseURL)),
		slog.String("score_model", c.ScoreModel),
		slog.String("transcribe_model", c.TranscribeModel),
		slog.Int("max_concurrency", c.MaxConcurrency),
	)
}

// redactURL drops credentials a base URL might carry in its user info. A
// URL that does not parse is not shown at all: its user info could not be
// found and cut out.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid URL)"
	}
	if u.User == nil {
		return s
	}
	u.User = url.User("REDACTED")
	return u.String()
}

// MarshalJSON writes the configuration without the key and with
// credentials removed from the base URL, for diagnostics endpoints.
func (c Config) MarshalJSON() ([]byte, error) {
	type plain Config // no methods: no recursion
	p := plain(c)
	p.BaseURL = redactURL(c.BaseURL)
	return json.Marshal(p)
}
