package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/transcribe"
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
	return s.card.Rubric(modeOrDefault(mode))
}

func modeOrDefault(m score.Mode) score.Mode {
	if m == "" {
		return score.ModeManager
	}
	return m
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
	if req.Transcript.Words() == 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "dialog_text", Message: "the transcript has no words to score"})
	}
	mode := modeOrDefault(req.Mode)
	if !mode.Valid() {
		// Accept every spelling the API accepts ("Dialog", "manager +").
		parsed, err := score.ParseMode(string(mode))
		if err != nil {
			return nil, err
		}
		mode = parsed
	}
	rub := s.DefaultRubric(mode)
	if req.Rubric != nil {
		rub = *req.Rubric
		if err := rub.Validate(); err != nil {
			return nil, err
		}
	}
	lang := score.ReportLanguage(req)
	system := systemPrompt(mode, lang, rub)
	schema := reportSchema(rub)
	parts := splitTranscript(req.Transcript, s.cfg.MaxTranscriptTokens, s.cfg.OverlapSegments)

	results := make([]partResult, len(parts))
	g, gctx := errgroup.WithContext(ctx)
	for i, p := range parts {
		g.Go(func() error {
			r, err := s.scorePart(gctx, system, schema, rub, userMessage(req.Transcript, p, i, len(parts)))
			results[i] = r
			return err
		})
	}
	if err := g.Wait(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, contextError(op, cerr)
		}
		return nil, err
	}
	rep := merge(req.Transcript, rub, lang, results)
	rep.Metrics = transcribe.ComputeMetrics(req.Transcript)
	end := s.now()
	rep.Meta = score.Meta{
		Mode:             mode,
		Language:         lang,
		Scorer:           ScorerName,
		ScorerVersion:    ScorerVersion,
		Model:            results[0].model,
		Scorecard:        rub.Name,
		ScorecardVersion: rub.Version,
		Usage:            &score.Usage{},
		Timings:          score.Timings{ScoreMS: end.Sub(start).Milliseconds(), TotalMS: end.Sub(start).Milliseconds()},
		CreatedAt:        end.UTC(),
	}
	for _, r := range results {
		rep.Meta.Usage.Add(r.usage)
	}
	return rep, nil
}

// partResult is the model's answer for one part of a transcript.
type partResult struct {
	out   modelOutput
	raw   json.RawMessage
	model string
	usage score.Usage
}

// errBadAnswer marks a refusal or an answer outside the schema; such an
// answer is asked for once more.
var errBadAnswer = errors.New("bad model answer")

// scorePart asks the model about one part; a refusal, invalid JSON or a
// schema violation is retried once, then reported as KindUpstream.
func (s *Scorer) scorePart(ctx context.Context, system string, schema json.RawMessage, rub score.Rubric, user string) (partResult, error) {
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
				Name: schemaName, Schema: schema, Strict: true,
			},
		},
		Seed:                s.cfg.Seed,
		MaxCompletionTokens: s.cfg.MaxCompletionTokens,
	}
	if s.cfg.Temperature != nil {
		request.Temperature = *s.cfg.Temperature
	}
	var res partResult
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
		res.usage.Add(usageOf(resp.Usage))
		res.model = resp.Model
		out, raw, err := parseAnswer(resp, rub)
		if err == nil {
			res.out, res.raw = out, raw
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

// parseAnswer checks the model's answer against the schema's promises:
// not a refusal, complete, valid JSON with exactly the rubric's criteria.
func parseAnswer(resp goopenai.ChatCompletionResponse, rub score.Rubric) (modelOutput, json.RawMessage, error) {
	var out modelOutput
	if len(resp.Choices) == 0 {
		return out, nil, fmt.Errorf("%w: no choices", errBadAnswer)
	}
	ch := resp.Choices[0]
	if ch.Message.Refusal != "" {
		return out, nil, fmt.Errorf("%w: the model refused: %.200s", errBadAnswer, ch.Message.Refusal)
	}
	if ch.FinishReason == goopenai.FinishReasonLength || ch.FinishReason == goopenai.FinishReasonContentFilter {
		return out, nil, fmt.Errorf("%w: the answer was cut off (%s)", errBadAnswer, ch.FinishReason)
	}
	raw := []byte(strings.TrimSpace(ch.Message.Content))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return out, nil, fmt.Errorf("%w: invalid JSON: %v", errBadAnswer, err)
	}
	if dec.More() {
		return out, nil, fmt.Errorf("%w: trailing data after the JSON value", errBadAnswer)
	}
	for _, c := range rub.Criteria {
		mc, ok := out.Criteria[c.ID]
		if !ok {
			return out, nil, fmt.Errorf("%w: criterion %q missing", errBadAnswer, c.ID)
		}
		if mc.Score != nil && (math.IsNaN(*mc.Score) || math.IsInf(*mc.Score, 0)) {
			return out, nil, fmt.Errorf("%w: criterion %q has no finite score", errBadAnswer, c.ID)
		}
	}
	if len(out.Criteria) != len(rub.Criteria) {
		return out, nil, fmt.Errorf("%w: %d criteria, want %d", errBadAnswer, len(out.Criteria), len(rub.Criteria))
	}
	if strings.TrimSpace(out.Summary) == "" {
		return out, nil, fmt.Errorf("%w: empty summary", errBadAnswer)
	}
	return out, json.RawMessage(raw), nil
}

// merge builds the report from the parts' answers. A criterion's score is
// the mean of the parts that judged it (null means "nothing to judge in
// this part"), 0 when none did; comments, evidence and recommendations are
// joined without repeats; the summaries are joined in order. The total is
// computed by Recompute, never taken from the model.
func merge(t transcribe.Transcript, rub score.Rubric, lang string, parts []partResult) *score.Report {
	rep := &score.Report{}
	for _, c := range rub.Criteria {
		d := score.CriterionResult{ID: c.ID, Title: c.TitleIn(lang), Weight: c.Weight, Evidence: []score.Evidence{}}
		var sum float64
		var judged int
		var comments []string
		seen := map[string]bool{}
		for _, p := range parts {
			mc := p.out.Criteria[c.ID]
			if mc.Score != nil {
				sum += *mc.Score
				judged++
			}
			if cm := strings.TrimSpace(mc.Comment); cm != "" && !slices.Contains(comments, cm) {
				comments = append(comments, cm)
			}
			for _, e := range mc.Evidence {
				ev, ok := ground(t, e.Quote, e.Segment)
				key := fmt.Sprint(ev.Segment, "\x00", ev.Quote)
				if ok && !seen[key] {
					seen[key] = true
					d.Evidence = append(d.Evidence, ev)
				}
			}
		}
		if judged > 0 {
			d.Score = int(math.Round(sum / float64(judged)))
		}
		d.Comment = strings.Join(comments, " ")
		rep.Details = append(rep.Details, d)
	}
	rep.Recompute()

	var summaries []string
	for i, p := range parts {
		s := strings.TrimSpace(p.out.Summary)
		if len(parts) > 1 {
			label := "Part"
			if lang == "ru" {
				label = "Часть"
			}
			s = fmt.Sprintf("%s %d/%d: %s", label, i+1, len(parts), s)
		}
		summaries = append(summaries, s)
	}
	rep.Summary = strings.Join(summaries, "\n\n")
	rep.RecommendationList = []string{}
	for _, p := range parts {
		for _, r := range p.out.Recommendations {
			if r = strings.TrimSpace(r); r != "" && !slices.Contains(rep.RecommendationList, r) {
				rep.RecommendationList = append(rep.RecommendationList, r)
			}
		}
	}
	if len(rep.RecommendationList) == 0 {
		// The contract wants advice; fall back to the weakest criterion's comment.
		weakest := rep.Details[0]
		for _, d := range rep.Details {
			if d.Weight > 0 && d.Score < weakest.Score {
				weakest = d
			}
		}
		rep.RecommendationList = []string{weakest.Title + ": " + nonEmpty(weakest.Comment, rep.Summary)}
	}
	rep.Recommendations = strings.Join(rep.RecommendationList, "\n")
	if len(parts) == 1 {
		rep.RawModelOutput = parts[0].raw
	} else {
		raws := make([]json.RawMessage, len(parts))
		for i, p := range parts {
			raws[i] = p.raw
		}
		rep.RawModelOutput, _ = json.Marshal(raws)
	}
	return rep
}

func nonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
