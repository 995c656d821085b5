// Package gigachat scores calls with Sber's GigaChat (score.RubricScorer),
// after its REST reference (developers.sber.ru/docs/ru/gigachat/api/reference/rest):
//
//   - Authentication: the authorization key is exchanged for a 30-minute
//     access token at Sber's OAuth endpoint with scope GIGACHAT_API_PERS
//     (adapters/internal/sberauth); requests carry "Authorization: Bearer
//     <token>", a token near expiry is replaced, and a 401 is retried once
//     with a new token.
//   - POST {base}/chat/completions ("Получить ответ модели на сообщения"),
//     base https://gigachat.devices.sberbank.ru/api/v1.
//   - Structured output through function calling, the form GigaChat
//     documents for answers that follow a schema: one function,
//     call_audit_report, whose parameters are the report's JSON schema,
//     forced with "function_call": {"name": "call_audit_report"}; the
//     answer's message.function_call.arguments is the report as a JSON
//     object (not a string, unlike OpenAI). GigaChat's newer
//     response_format json_schema is marked beta by the vendor's SDK, so
//     it is not used.
//
// The prompt, the schema, the split of long calls and the report built
// from the answer with every quote grounded are the openai scorer's
// (adapters/internal/llmreport), so reports of both compare.
//
// Sber's endpoints are served with certificates of the Russian Trusted
// Root CA: install it in the system store (or point SSL_CERT_FILE at it).
package gigachat

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/llmreport"
	"github.com/callaudit/callaudit/adapters/internal/sberauth"
	"github.com/callaudit/callaudit/adapters/internal/settings"
	"github.com/callaudit/callaudit/adapters/internal/vendorhttp"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
)

// Defaults of a zero Config.
const (
	DefaultBaseURL = "https://gigachat.devices.sberbank.ru/api/v1"
	DefaultModel   = "GigaChat-2-Max"
	// DefaultMaxTranscriptTokens leaves room for the instructions and the
	// answer in the 32k-token context of GigaChat-2-Pro and -Max.
	DefaultMaxTranscriptTokens = 20_000
	DefaultOverlapSegments     = 3
	DefaultTimeout             = 2 * time.Minute
	DefaultMaxConcurrency      = 4
)

// ScorerName and ScorerVersion are recorded in every report's Meta.
const (
	ScorerName    = "gigachat"
	ScorerVersion = "1"
)

// Config configures the scorer.
type Config struct {
	// AuthKey is the authorization key from Sber's developer console
	// (base64 of Client ID:Client Secret). Never printed.
	AuthKey string `json:"-"`
	// Scope of the key: GIGACHAT_API_PERS (default), GIGACHAT_API_B2B or
	// GIGACHAT_API_CORP.
	Scope string
	// BaseURL of the API including /api/v1; empty is DefaultBaseURL.
	BaseURL string
	// OAuthURL of the token exchange; empty is sberauth.DefaultURL.
	OAuthURL string
	// Model is the chat model (default GigaChat-2-Max).
	Model string
	// Temperature is sent when set.
	Temperature *float64
	// MaxTranscriptTokens and OverlapSegments split long calls (see
	// openai.Config).
	MaxTranscriptTokens int
	OverlapSegments     int
	// Timeout bounds one request attempt (default 2 min).
	Timeout time.Duration
	// MaxConcurrency limits concurrent requests (default 4).
	MaxConcurrency int
	// HTTPClient carries the requests; nil uses a new client.
	HTTPClient *http.Client `json:"-"`
	// Retry is the policy for 429, 5xx and timeouts.
	Retry retry.Policy `json:"-"`
	// Now is the clock (tokens, report times); nil is time.Now.
	Now func() time.Time `json:"-"`
}

// String describes the configuration with the key redacted.
func (c Config) String() string {
	return fmt.Sprintf("gigachat.Config{AuthKey:%s Scope:%q BaseURL:%q Model:%q}", settings.Redacted(c.AuthKey), c.Scope, c.BaseURL, c.Model)
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// LogValue redacts the key in structured logs.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// service names GigaChat in errors.
var service = vendorhttp.Service{Name: "GigaChat API", Setting: "AUDIT_GIGACHAT_AUTH_KEY"}

// Scorer scores transcripts with GigaChat. It implements
// score.RubricScorer and is safe for concurrent use.
type Scorer struct {
	cfg    Config
	auth   *sberauth.Source
	client *vendorhttp.Client
	sem    *semaphore.Weighted
}

var _ score.RubricScorer = (*Scorer)(nil)

// New returns a Scorer; KindNotConfigured without an authorization key.
func New(cfg Config) (*Scorer, error) {
	if cfg.AuthKey == "" {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "GigaChat is not configured: set AUDIT_GIGACHAT_AUTH_KEY")
	}
	cfg.Scope, cfg.BaseURL, cfg.Model = cmp.Or(cfg.Scope, sberauth.ScopeGigaChat), settings.URL(cfg.BaseURL, DefaultBaseURL), cmp.Or(cfg.Model, DefaultModel)
	cfg.MaxTranscriptTokens = settings.Positive(cfg.MaxTranscriptTokens, DefaultMaxTranscriptTokens)
	cfg.OverlapSegments = settings.Positive(cfg.OverlapSegments, DefaultOverlapSegments)
	cfg.Timeout = settings.Positive(cfg.Timeout, DefaultTimeout)
	cfg.MaxConcurrency = settings.Positive(cfg.MaxConcurrency, DefaultMaxConcurrency)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := cmp.Or(cfg.HTTPClient, &http.Client{})
	auth := sberauth.New(sberauth.Config{URL: cfg.OAuthURL, AuthKey: cfg.AuthKey, Scope: cfg.Scope, Now: cfg.Now}, hc, service)
	return &Scorer{
		cfg:    cfg,
		auth:   auth,
		client: &vendorhttp.Client{HTTP: hc, Service: service, Message: apiMessage, Secrets: auth.Secrets},
		sem:    semaphore.NewWeighted(int64(cfg.MaxConcurrency)),
	}, nil
}

// apiMessage is the text of an API error answer: {"status": 401, "message": "Token has expired"}.
func apiMessage(body []byte) string { return vendorhttp.JSONMessage(body, "message") }

// Name returns "gigachat".
func (s *Scorer) Name() string { return ScorerName }

// DefaultRubric is score.DefaultRubric, named for GigaChat.
func (s *Scorer) DefaultRubric(mode score.Mode) score.Rubric {
	r := score.DefaultRubric(mode)
	r.Name = "gigachat " + string(llmreport.ModeOrDefault(mode))
	return r
}

// Score scores req (see openai.Scorer.Score: the same instructions,
// answer and merge). Errors: KindInvalid for an empty transcript, an
// unknown mode or a bad rubric; KindUpstream when the model answers out
// of schema twice; the kinds of vendorhttp for failed requests.
func (s *Scorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	const op = "gigachat.Score"
	start := s.cfg.Now()
	if err := ctx.Err(); err != nil {
		return nil, vendorhttp.ContextError(op, err)
	}
	job, err := llmreport.Prepare(req, s.DefaultRubric, s.cfg.MaxTranscriptTokens, s.cfg.OverlapSegments)
	if err != nil {
		return nil, err
	}
	fn := function{Name: llmreport.SchemaName, Description: "Record the audit of the call: the score, comment and evidence of every rubric criterion, a summary and recommendations.", Parameters: llmreport.FunctionParameters(job.Rubric)}
	results, err := job.Run(ctx, func(ctx context.Context, user string) (llmreport.PartResult, error) {
		return s.scorePart(ctx, job, fn, user)
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, vendorhttp.ContextError(op, cerr)
		}
		return nil, err
	}
	return job.Report(results, ScorerName, ScorerVersion, start, s.cfg.Now()), nil
}

// The request and answer of POST /chat/completions, the fields used here.
type (
	message struct {
		Role         string        `json:"role"`
		Content      string        `json:"content"`
		FunctionCall *functionCall `json:"function_call,omitempty"`
	}
	function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters"`
	}
	functionCall struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments,omitempty"`
	}
	chatRequest struct {
		Model        string        `json:"model"`
		Messages     []message     `json:"messages"`
		Functions    []function    `json:"functions"`
		FunctionCall *functionCall `json:"function_call"`
		Temperature  *float64      `json:"temperature,omitempty"`
		Stream       bool          `json:"stream"`
	}
	chatAnswer struct {
		Model   string `json:"model"`
		Choices []struct {
			Message      message `json:"message"`
			FinishReason string  `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			PromptTokens          int `json:"prompt_tokens"`
			CompletionTokens      int `json:"completion_tokens"`
			TotalTokens           int `json:"total_tokens"`
			PrecachedPromptTokens int `json:"precached_prompt_tokens"`
		} `json:"usage"`
	}
)

// scorePart asks about one part; an answer outside the schema is asked
// for once more, then reported as KindUpstream.
func (s *Scorer) scorePart(ctx context.Context, job llmreport.Job, fn function, user string) (llmreport.PartResult, error) {
	const op = "gigachat.Score"
	body, err := json.Marshal(chatRequest{
		Model:        s.cfg.Model,
		Messages:     []message{{Role: "system", Content: job.System}, {Role: "user", Content: user}},
		Functions:    []function{fn},
		FunctionCall: &functionCall{Name: fn.Name},
		Temperature:  s.cfg.Temperature,
	})
	if err != nil {
		return llmreport.PartResult{}, callaudit.Wrap(err, callaudit.KindInternal, op, "cannot encode the request")
	}
	var res llmreport.PartResult
	var lastBad error
	for range 2 {
		var ans chatAnswer
		if err := s.chat(ctx, op, body, &ans); err != nil {
			return res, err
		}
		res.Model = ans.Model
		res.Usage.Add(score.Usage{Requests: 1, PromptTokens: ans.Usage.PromptTokens, CompletionTokens: ans.Usage.CompletionTokens,
			TotalTokens: ans.Usage.TotalTokens, CachedTokens: ans.Usage.PrecachedPromptTokens})
		a, err := parseAnswer(ans, fn.Name, job.Rubric)
		if err == nil {
			res.Answer = a
			return res, nil
		}
		lastBad = err
	}
	e := callaudit.Wrap(lastBad, callaudit.KindUpstream, op, "the model did not return a valid report; try again")
	e.Code = callaudit.CodeBadModelAnswer
	return res, e
}

// chat sends one chat request with retries, each attempt holding a slot
// of the concurrency limit and a token (renewed once on a 401).
func (s *Scorer) chat(ctx context.Context, op string, body []byte, out *chatAnswer) error {
	return s.cfg.Retry.Do(ctx, func(ctx context.Context) error {
		if err := s.sem.Acquire(ctx, 1); err != nil {
			return vendorhttp.ContextError(op, ctx.Err())
		}
		defer s.sem.Release(1)
		actx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		defer cancel()
		return s.auth.Do(actx, func(ctx context.Context, token string) error {
			return s.client.Do(ctx, op, vendorhttp.Request{
				Method: http.MethodPost, URL: s.cfg.BaseURL + "/chat/completions",
				Header: vendorhttp.Bearer(token, "Content-Type", "application/json", "Accept", "application/json"),
				Body:   func() (io.Reader, error) { return bytes.NewReader(body), nil },
			}, out)
		})
	})
}

// parseAnswer takes the report from the forced function call.
func parseAnswer(ans chatAnswer, name string, rub score.Rubric) (llmreport.Answer, error) {
	if len(ans.Choices) == 0 {
		return llmreport.Answer{}, fmt.Errorf("%w: no choices", llmreport.ErrBadAnswer)
	}
	ch := ans.Choices[0]
	switch ch.FinishReason {
	case "length", "blacklist":
		// blacklist: GigaChat's own content filter stopped the answer.
		return llmreport.Answer{}, fmt.Errorf("%w: the answer was cut off (%s)", llmreport.ErrBadAnswer, ch.FinishReason)
	}
	fc := ch.Message.FunctionCall
	if fc == nil || fc.Name != name {
		return llmreport.Answer{}, fmt.Errorf("%w: no call of %s (finish_reason %q)", llmreport.ErrBadAnswer, name, ch.FinishReason)
	}
	args := bytes.TrimSpace(fc.Arguments)
	// The reference gives arguments as an object; accept a JSON string too.
	if len(args) > 0 && args[0] == '"' {
		var s string
		if err := json.Unmarshal(args, &s); err == nil {
			args = []byte(s)
		}
	}
	return llmreport.Decode(args, rub)
}
