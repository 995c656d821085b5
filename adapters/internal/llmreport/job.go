package llmreport

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// Job is one scoring request made ready for a model: the mode, the
// rubric, the report language, the instructions and the transcript's
// parts.
type Job struct {
	Transcript transcribe.Transcript
	Mode       score.Mode
	Rubric     score.Rubric
	Language   string
	System     string
	Parts      []Part
}

// ModeOrDefault is m, or Manager+ when m is empty.
func ModeOrDefault(m score.Mode) score.Mode {
	if m == "" {
		return score.ModeManager
	}
	return m
}

// Prepare checks req and builds its job: KindInvalid for a transcript
// without words, an unknown mode or a rubric that does not validate. The
// rubric is req.Rubric, else defaultRubric(mode). A transcript over budget
// tokens (estimated) is split into parts sharing overlap segments.
func Prepare(req score.Request, defaultRubric func(score.Mode) score.Rubric, budget, overlap int) (Job, error) {
	if req.Transcript.Words() == 0 {
		return Job{}, callaudit.Invalid(callaudit.FieldError{Field: "dialog_text", Message: "the transcript has no words to score"})
	}
	mode := ModeOrDefault(req.Mode)
	if !mode.Valid() {
		// Accept every spelling the API accepts ("Dialog", "manager +").
		parsed, err := score.ParseMode(string(mode))
		if err != nil {
			return Job{}, err
		}
		mode = parsed
	}
	rub := defaultRubric(mode)
	if req.Rubric != nil {
		rub = *req.Rubric
		if err := rub.Validate(); err != nil {
			return Job{}, err
		}
	}
	lang := score.ReportLanguage(req)
	return Job{
		Transcript: req.Transcript,
		Mode:       mode,
		Rubric:     rub,
		Language:   lang,
		System:     SystemPrompt(mode, lang, rub),
		Parts:      Split(req.Transcript, budget, overlap),
	}, nil
}

// PartResult is a model's answer for one part, with the model's name and
// the tokens it cost.
type PartResult struct {
	Answer
	Model string
	Usage score.Usage
}

// Ask sends one part's user message (UserMessage) to the model and
// returns its checked answer.
type Ask func(ctx context.Context, user string) (PartResult, error)

// Run asks about every part concurrently and returns the answers in
// order; the first error cancels the others and is returned.
func (j Job) Run(ctx context.Context, ask Ask) ([]PartResult, error) {
	results := make([]PartResult, len(j.Parts))
	g, gctx := errgroup.WithContext(ctx)
	for i, p := range j.Parts {
		g.Go(func() error {
			r, err := ask(gctx, UserMessage(j.Transcript, p, i, len(j.Parts)))
			results[i] = r
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}

// Report merges the answers (Merge) and fills in the metrics and Meta:
// the scorer's name and version, the rubric's name and version (the
// scorecard's id and version), the first part's model, the summed
// usage, and timings from start to end.
func (j Job) Report(results []PartResult, scorer, version string, start, end time.Time) *score.Report {
	answers := make([]Answer, len(results))
	for i, r := range results {
		answers[i] = r.Answer
	}
	rep := Merge(j.Transcript, j.Rubric, j.Language, answers)
	rep.Metrics = transcribe.ComputeMetrics(j.Transcript)
	rep.Meta = score.Meta{
		Mode:             j.Mode,
		Language:         j.Language,
		Scorer:           scorer,
		ScorerVersion:    version,
		Model:            results[0].Model,
		Scorecard:        j.Rubric.Name,
		ScorecardVersion: j.Rubric.Version,
		Usage:            &score.Usage{},
		Timings:          score.Timings{ScoreMS: end.Sub(start).Milliseconds(), TotalMS: end.Sub(start).Milliseconds()},
		CreatedAt:        end.UTC(),
	}
	for _, r := range results {
		rep.Meta.Usage.Add(r.Usage)
	}
	return rep
}
