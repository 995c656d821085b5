package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/llmreport"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
)

// ScorerName and ScorerVersion are recorded in every report's Meta.
// The version changes when the prompt or the schema changes: 2 names the
// rubric by its scorecard (the default one is "sales").
const (
	ScorerName    = "openai"
	ScorerVersion = "2"
)

// Option configures a Scorer or a Transcriber.
type Option func(*options)

type options struct {
	now  func() time.Time
	card *scorecard.Scorecard
}

// WithScorecard makes the scorer score the scorecard's criteria: the
// rubric of each mode is sc.Rubric(mode), and the prompt and the response
// schema are built from its criteria (ids, titles, descriptions, weights),
// so that the cached prompt prefix is the same for every call scored with
// one scorecard version. Reports record its id and version. Without it
// the scorer scores the default scorecard (scorecard.Default). NewScorer
// refuses an invalid scorecard.
func WithScorecard(sc *scorecard.Scorecard) Option {
	return func(o *options) { o.card = sc }
}

// WithClock sets the clock used for report timestamps and timings.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

func buildOptions(opts []Option) options {
	o := options{now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Scorer scores transcripts with a chat model and structured outputs. It
// implements score.RubricScorer and is safe for concurrent use.
type Scorer struct {
	up   *upstream
	cfg  Config
	now  func() time.Time
	card *scorecard.Scorecard
}

var _ score.RubricScorer = (*Scorer)(nil)

// Name returns "openai", the name reports carry in Meta.Scorer.
func (s *Scorer) Name() string { return ScorerName }

// NewScorer returns a Scorer. It fails with KindNotConfigured when cfg has
// no API key for api.openai.com.
func NewScorer(cfg Config, opts ...Option) (*Scorer, error) {
	cfg = cfg.withDefaults()
	up, err := newUpstream(cfg, cfg.ScoreTimeout)
	if err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	card := o.card
	if card == nil {
		card = scorecard.Default()
	} else if err := card.Validate(); err != nil {
		return nil, err
	}
	return &Scorer{up: up, cfg: cfg, now: o.now, card: card.Clone()}, nil
}

// DefaultRubric returns the rubric for mode: the scorecard's
// (WithScorecard), else the default scorecard's, whose criteria, ids,
// titles, descriptions and weights are score.DefaultRubric's, the ones the
// offline checklist scores too, so that reports of both scorers compare
// criterion by criterion. The rubric is named by the scorecard's id and
// version.
func (s *Scorer) DefaultRubric(mode score.Mode) score.Rubric {
	return s.card.Rubric(llmreport.ModeOrDefault(mode))
}

// Score scores req. The model returns criterion scores, comments,
// evidence quotes, a summary and recommendations; the total is computed
// here from the scores and the rubric's weights (Report.Recompute), and
// quotes are checked against the transcript (Evidence.Grounded). A
// transcript over Config.MaxTranscriptTokens is scored in overlapping
// parts whose results are merged.
//
// Errors: KindInvalid for an empty transcript, an unknown mode or a bad
// rubric; KindUpstream when the model refuses or answers out of schema
// twice; the kinds of upstream failures (see the package doc).
func (s *Scorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	const op = "openai.Score"
	start := s.now()
	if err := ctx.Err(); err != nil {
		return nil, contextError(op, err)
	}
	job, err := llmreport.Prepare(req, s.DefaultRubric, s.cfg.MaxTranscriptTokens, s.cfg.OverlapSegments)
	if err != nil {
		return nil, err
	}
	schema := llmreport.Schema(job.Rubric)
	results, err := job.Run(ctx, func(ctx context.Context, user string) (llmreport.PartResult, error) {
		return s.scorePart(ctx, job.System, schema, job.Rubric, user)
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, contextError(op, cerr)
		}
		return nil, err
	}
	return job.Report(results, ScorerName, ScorerVersion, start, s.now()), nil
}

// scorePart asks the model about one part; a refusal, invalid JSON or a
// schema violation is retried once, then reported as KindUpstream.
func (s *Scorer) scorePart(ctx context.Context, system string, schema json.RawMessage, rub score.Rubric, user string) (llmreport.PartResult, error) {
	const op = "openai.Score"
	request := goopenai.ChatCompletionRequest{
		Model: s.cfg.ScoreModel,
		Messages: []goopenai.ChatCompletionMessage{
			{Role: goopenai.ChatMessageRoleSystem, Content: system},
			{Role: goopenai.ChatMessageRoleUser, Content: user},
		},
		ResponseFormat: &goopenai.ChatCompletionResponseFormat{
			Type: goopenai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &goopenai.ChatCompletionResponseFormatJSONSchema{
				Name: llmreport.SchemaName, Schema: schema, Strict: true,
			},
		},
		Seed:                s.cfg.Seed,
		MaxCompletionTokens: s.cfg.MaxCompletionTokens,
	}
	if s.cfg.Temperature != nil {
		request.Temperature = *s.cfg.Temperature
	}
	var res llmreport.PartResult
	var lastBad error
	for attempt := 0; attempt < 2; attempt++ {
		var resp goopenai.ChatCompletionResponse
		err := s.up.do(ctx, op, func(ctx context.Context) error {
			var err error
			resp, err = s.up.client.CreateChatCompletion(ctx, request)
			return err
		})
		if err != nil {
			return res, err
		}
		res.Usage.Add(usageOf(resp.Usage))
		res.Model = resp.Model
		ans, err := parseAnswer(resp, rub)
		if err == nil {
			res.Answer = ans
			return res, nil
		}
		lastBad = err
	}
	return res, coded(callaudit.Wrap(lastBad, callaudit.KindUpstream, op, "the model did not return a valid report; try again"), callaudit.CodeBadModelAnswer, nil)
}

func usageOf(u goopenai.Usage) score.Usage {
	out := score.Usage{Requests: 1, PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	if u.PromptTokensDetails != nil {
		out.CachedTokens = u.PromptTokensDetails.CachedTokens
	}
	return out
}

// parseAnswer checks the model's answer: not a refusal, complete, and
// JSON that keeps the schema's promises (llmreport.Decode).
func parseAnswer(resp goopenai.ChatCompletionResponse, rub score.Rubric) (llmreport.Answer, error) {
	if len(resp.Choices) == 0 {
		return llmreport.Answer{}, fmt.Errorf("%w: no choices", llmreport.ErrBadAnswer)
	}
	ch := resp.Choices[0]
	if ch.Message.Refusal != "" {
		return llmreport.Answer{}, fmt.Errorf("%w: the model refused: %.200s", llmreport.ErrBadAnswer, ch.Message.Refusal)
	}
	if ch.FinishReason == goopenai.FinishReasonLength || ch.FinishReason == goopenai.FinishReasonContentFilter {
		return llmreport.Answer{}, fmt.Errorf("%w: the answer was cut off (%s)", llmreport.ErrBadAnswer, ch.FinishReason)
	}
	return llmreport.Decode([]byte(ch.Message.Content), rub)
}
