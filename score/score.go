// Package score turns a transcript into a Report: a 0..100 total, a score
// per criterion with evidence quotes, a summary and recommendations.
//
// It defines the Scorer interface that the offline checklist scorer
// (score/checklist), the OpenAI scorer (adapters/openai) and users' own
// scorers implement, the analysis Mode, the Rubric of weighted criteria,
// the default sales rubric every scorer of the module scores by default
// (DefaultRubric), and the Report. Any Scorer can be checked with
// score/scoretest.Run.
package score

import (
	"context"
	"encoding/json"
	"time"

	"github.com/callaudit/callaudit/transcribe"
)

// Request is what a Scorer scores.
type Request struct {
	Transcript transcribe.Transcript
	Mode       Mode
	// Language of the report ("ru", "en"). Empty: the scorer uses
	// ReportLanguage(Transcript).
	Language string
	// Rubric overrides the scorer's own criteria when the scorer supports
	// it (see RubricScorer); nil uses the scorer's default for Mode.
	Rubric *Rubric
}

// Scorer scores one transcript.
//
// Contract (checked by scoretest.Run):
//   - Safe for concurrent use by multiple goroutines.
//   - Returns promptly with an error that wraps ctx.Err() or has kind
//     KindCanceled/KindTimeout once ctx is done.
//   - A transcript with no words is a KindInvalid error.
//   - On success TotalScore and every Criteria value are within 0..100,
//     Criteria has one entry per Details item with the same score,
//     TotalScore equals the rubric's weighted total of the details
//     (Report.Recompute), Summary and Recommendations are non-empty, and
//     Meta.Scorer, Meta.Mode and Meta.Language are set.
//   - Evidence quotes occur verbatim in the transcript.
//   - It does not modify the request.
type Scorer interface {
	Score(ctx context.Context, req Request) (*Report, error)
}

// RubricScorer is implemented by scorers that can score against a
// caller-supplied Rubric (Request.Rubric). Scorers that do not implement
// it ignore Request.Rubric; callers type-assert to find out.
type RubricScorer interface {
	Scorer
	// DefaultRubric returns the rubric used for mode when the request has
	// none.
	DefaultRubric(mode Mode) Rubric
}

// Report is the result of an audit. The first five fields are the original
// API's, kept exactly; the rest are additions.
type Report struct {
	TotalScore int            `json:"total_score"`
	Criteria   map[string]int `json:"criteria"`
	Summary    string         `json:"summary"`
	// Recommendations is the advice as one text (original field); the same
	// advice item by item is in RecommendationList.
	Recommendations string `json:"recommendations"`
	// RawModelOutput is what the model returned; null for scorers without
	// a model.
	RawModelOutput json.RawMessage `json:"raw_model_output"`

	ID                 string             `json:"id,omitempty"`
	RecommendationList []string           `json:"recommendation_list"`
	Details            []CriterionResult  `json:"details"`
	Metrics            transcribe.Metrics `json:"metrics"`
	Meta               Meta               `json:"meta"`
	// Transcript is attached by the auditor when asked to (e.g. for audio).
	Transcript *transcribe.Transcript `json:"transcript,omitempty"`
}

// CriterionResult is the score of one criterion with its explanation.
type CriterionResult struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Score    int        `json:"score"`
	Weight   float64    `json:"weight"`
	Comment  string     `json:"comment"`
	Evidence []Evidence `json:"evidence"`
}

// Evidence is a quote from the transcript that supports a score.
type Evidence struct {
	Quote string `json:"quote"`
	// Segment is the index into Transcript.Segments, or -1 when unknown.
	Segment int             `json:"segment"`
	Speaker transcribe.Role `json:"speaker,omitempty"`
	Start   *float64        `json:"start,omitempty"`
	// Grounded is false when a model quoted text that is not in the
	// transcript; such quotes are kept only flagged.
	Grounded bool `json:"grounded"`
}

// Meta describes how a report was made.
type Meta struct {
	CallID        string `json:"call_id,omitempty"`
	ManagerID     string `json:"manager_id,omitempty"`
	Mode          Mode   `json:"mode"`
	Language      string `json:"language"`
	Scorer        string `json:"scorer"`
	ScorerVersion string `json:"scorer_version,omitempty"`
	Model         string `json:"model,omitempty"`
	Transcriber   string `json:"transcriber,omitempty"`
	// Scorecard and ScorecardVersion name the scorecard (the rubric's
	// Name and Version) the report was scored with; empty for a rubric
	// without a name. Reports keep them, so a rescore with a newer
	// version never rewrites what an older one said.
	Scorecard        string    `json:"scorecard,omitempty"`
	ScorecardVersion int       `json:"scorecard_version,omitempty"`
	Usage            *Usage    `json:"usage,omitempty"`
	Timings          Timings   `json:"timings"`
	CreatedAt        time.Time `json:"created_at"`
	// Redacted counts the personal-data values masked before the scorer
	// saw the transcript (score.Redacting) or before the call was stored.
	Redacted int `json:"redacted,omitempty"`
}

// Usage counts model tokens spent on a report.
type Usage struct {
	Requests         int `json:"requests"`
	PromptTokens     int `json:"prompt_tokens"`
	CachedTokens     int `json:"cached_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Add adds o to u.
func (u *Usage) Add(o Usage) {
	u.Requests += o.Requests
	u.PromptTokens += o.PromptTokens
	u.CachedTokens += o.CachedTokens
	u.CompletionTokens += o.CompletionTokens
	u.TotalTokens += o.TotalTokens
}

// Timings are wall-clock durations of the pipeline steps, milliseconds.
type Timings struct {
	FetchMS      int64 `json:"fetch_ms,omitempty"`
	TranscribeMS int64 `json:"transcribe_ms,omitempty"`
	ScoreMS      int64 `json:"score_ms"`
	TotalMS      int64 `json:"total_ms"`
}

// Recompute clamps every detail score, rebuilds Criteria from Details and
// sets TotalScore to the weighted total of the details. Scorers call it so
// that the total is always computed in code, never taken from a model.
func (r *Report) Recompute() {
	r.Criteria = make(map[string]int, len(r.Details))
	var rub Rubric
	for i := range r.Details {
		d := &r.Details[i]
		d.Score = Clamp(d.Score)
		r.Criteria[d.ID] = d.Score
		rub.Criteria = append(rub.Criteria, Criterion{ID: d.ID, Weight: d.Weight})
	}
	r.TotalScore = rub.Total(r.Criteria)
}

// Namer is implemented by scorers that have a short name, the one their
// reports carry in Meta.Scorer ("checklist", "openai"); servers show it.
// An empty name means none (a decorator around an unnamed scorer).
type Namer interface {
	Name() string
}
