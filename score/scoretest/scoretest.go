// Package scoretest is the conformance kit for score.Scorer
// implementations: the built-in ones run it, and so should yours.
//
//	func TestConformance(t *testing.T) {
//		scoretest.Run(t, scoretest.Harness{
//			NewScorer: func(t *testing.T) score.Scorer { return myscorer.New() },
//			Features:  scoretest.Features{Deterministic: true},
//		})
//	}
//
// Run checks the contract written on score.Scorer: score ranges, Criteria
// matching Details, a total computed from the details, non-empty summary
// and recommendations in every supported language, Meta, evidence quoted
// verbatim, all three modes, KindInvalid for an empty transcript, an error
// for a done context, safety under concurrent use and an unmodified
// request. Features turns on the checks for optional behaviour
// (determinism, caller-supplied rubrics), in the manner of gocloud.dev's
// drivertest and Watermill's pubsub tests.
package scoretest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// Features says which optional behaviours the scorer under test has.
type Features struct {
	// Deterministic: the same request always gives the same report
	// (Meta.Timings, Meta.CreatedAt and Meta.Usage aside).
	Deterministic bool
	// Rubrics: the scorer implements score.RubricScorer and scores
	// against Request.Rubric when one is given.
	Rubrics bool
	// Languages are the report languages the scorer writes; nil means
	// score.SupportedLanguages.
	Languages []string
	// Concurrency is how many goroutines score at once in the
	// concurrency check; 0 means 8. Scorers that call a rate-limited
	// service may lower it.
	Concurrency int
}

// Harness describes the scorer under test.
type Harness struct {
	// NewScorer returns the scorer under test. It is called once per
	// subtest; use t.Cleanup to release what it holds.
	NewScorer func(t *testing.T) score.Scorer
	// Features turns on the checks for optional behaviour.
	Features Features
	// Transcripts are scored in addition to the kit's own samples, e.g.
	// calls in the scorer's own domain.
	Transcripts []transcribe.Transcript
}

// Run runs the conformance checks as subtests of t.
func Run(t *testing.T, h Harness) {
	t.Helper()
	require.NotNil(t, h.NewScorer, "Harness.NewScorer is required")
	langs := h.Features.Languages
	if len(langs) == 0 {
		langs = score.SupportedLanguages
	}
	samples := append(Samples(), h.Transcripts...)

	t.Run("Contract", func(t *testing.T) {
		s := h.NewScorer(t)
		for i, tr := range samples {
			for _, mode := range score.Modes {
				for _, lang := range langs {
					name := fmt.Sprintf("transcript%d/%s/%s", i, mode, lang)
					t.Run(name, func(t *testing.T) {
						req := score.Request{Transcript: tr, Mode: mode, Language: lang}
						rep, err := s.Score(context.Background(), req)
						require.NoError(t, err)
						CheckReport(t, req, rep)
					})
				}
			}
		}
	})
	t.Run("EmptyTranscriptIsInvalid", func(t *testing.T) {
		s := h.NewScorer(t)
		for name, tr := range map[string]transcribe.Transcript{
			"no segments":   {},
			"blank segment": {Segments: []transcribe.Segment{{Speaker: transcribe.RoleManager, Text: "  \n\t "}}},
		} {
			t.Run(name, func(t *testing.T) {
				rep, err := s.Score(context.Background(), score.Request{Transcript: tr, Mode: score.ModeManager})
				require.Error(t, err)
				assert.Nil(t, rep)
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "error: %v", err)
			})
		}
	})
	t.Run("DoneContext", func(t *testing.T) {
		s := h.NewScorer(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rep, err := s.Score(ctx, score.Request{Transcript: samples[0], Mode: score.ModeManager})
		require.Error(t, err)
		assert.Nil(t, rep)
		assert.True(t, errors.Is(err, context.Canceled) || callaudit.KindOf(err) == callaudit.KindCanceled,
			"want an error that wraps context.Canceled or has KindCanceled, got %v (kind %s)", err, callaudit.KindOf(err))
	})
	t.Run("RequestNotModified", func(t *testing.T) {
		s := h.NewScorer(t)
		for i, tr := range samples {
			req := score.Request{Transcript: tr, Mode: score.ModeManager, Language: langs[0]}
			if rs, ok := s.(score.RubricScorer); ok && h.Features.Rubrics {
				r := rs.DefaultRubric(score.ModeManager)
				req.Rubric = &r
			}
			before := cloneRequest(req)
			_, err := s.Score(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, before, req, "transcript %d: the scorer modified the request", i)
		}
	})
	t.Run("Concurrent", func(t *testing.T) { checkConcurrent(t, h, samples, langs) })
	if h.Features.Deterministic {
		t.Run("Deterministic", func(t *testing.T) {
			s := h.NewScorer(t)
			for i, tr := range samples {
				for _, mode := range score.Modes {
					req := score.Request{Transcript: tr, Mode: mode, Language: langs[0]}
					a, err := s.Score(context.Background(), req)
					require.NoError(t, err)
					b, err := s.Score(context.Background(), req)
					require.NoError(t, err)
					assert.Equal(t, comparable(a), comparable(b), "transcript %d, mode %s: two runs differ", i, mode)
				}
			}
		})
	}
	if h.Features.Rubrics {
		t.Run("Rubrics", func(t *testing.T) { checkRubrics(t, h, samples[0], langs[0]) })
	}
}

// TB is the part of *testing.T that CheckReport needs.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// CheckReport checks one successful report against the Scorer contract for
// req. Run calls it for every sample; scorers' own tests may call it too.
func CheckReport(t TB, req score.Request, rep *score.Report) {
	t.Helper()
	require.NotNil(t, rep, "a nil report with a nil error")
	assert.True(t, rep.TotalScore >= 0 && rep.TotalScore <= 100, "total_score %d is outside 0..100", rep.TotalScore)
	require.NotEmpty(t, rep.Details, "the report has no criteria details")
	assert.Len(t, rep.Criteria, len(rep.Details), "criteria must have one entry per detail")
	ids := make(map[string]bool, len(rep.Details))
	for _, d := range rep.Details {
		assert.NotEmpty(t, d.ID, "a detail without an id")
		assert.False(t, ids[d.ID], "duplicate criterion %q", d.ID)
		ids[d.ID] = true
		assert.True(t, d.Score >= 0 && d.Score <= 100, "criterion %s: score %d is outside 0..100", d.ID, d.Score)
		got, ok := rep.Criteria[d.ID]
		assert.True(t, ok, "criterion %s is in details but not in criteria", d.ID)
		assert.Equal(t, d.Score, got, "criterion %s: criteria and details disagree", d.ID)
		assert.False(t, math.IsNaN(d.Weight) || math.IsInf(d.Weight, 0) || d.Weight < 0, "criterion %s: weight %v", d.ID, d.Weight)
		assert.NotEmpty(t, strings.TrimSpace(d.Title), "criterion %s has no title", d.ID)
		checkEvidence(t, req.Transcript, d)
	}
	// The total must be the weighted total of the details, computed in code.
	re := *rep
	re.Details = append([]score.CriterionResult(nil), rep.Details...)
	re.Recompute()
	assert.Equal(t, re.TotalScore, rep.TotalScore, "total_score is not the weighted total of the details")

	assert.NotEmpty(t, strings.TrimSpace(rep.Summary), "summary is empty")
	assert.NotEmpty(t, strings.TrimSpace(rep.Recommendations), "recommendations are empty")
	for i, r := range rep.RecommendationList {
		assert.NotEmpty(t, strings.TrimSpace(r), "recommendation_list[%d] is empty", i)
	}
	if rep.RawModelOutput != nil {
		assert.True(t, json.Valid(rep.RawModelOutput), "raw_model_output is not JSON")
	}
	assert.NotEmpty(t, rep.Meta.Scorer, "meta.scorer is empty")
	mode := req.Mode
	if mode == "" {
		mode = score.ModeManager
	}
	assert.Equal(t, mode, rep.Meta.Mode, "meta.mode")
	// The report is in the language ReportLanguage picks; a scorer may
	// fall back to one it writes when that language is not supported.
	wantLang := score.ReportLanguage(req)
	if slices.Contains(score.SupportedLanguages, wantLang) {
		assert.Equal(t, wantLang, rep.Meta.Language, "meta.language")
		checkLanguage(t, wantLang, rep)
	} else {
		assert.NotEmpty(t, rep.Meta.Language, "meta.language")
	}
}

// checkLanguage checks that the summary is written in the report's
// language, by its letters.
func checkLanguage(t TB, lang string, rep *score.Report) {
	t.Helper()
	assert.Equal(t, lang, transcribe.DetectLanguage(rep.Summary), "the summary is not in %q: %q", lang, rep.Summary)
	assert.Equal(t, lang, transcribe.DetectLanguage(rep.Recommendations), "the recommendations are not in %q: %q", lang, rep.Recommendations)
}

// checkEvidence checks that grounded quotes occur verbatim in the
// transcript, in the segment they name.
func checkEvidence(t TB, tr transcribe.Transcript, d score.CriterionResult) {
	t.Helper()
	for _, e := range d.Evidence {
		if !e.Grounded {
			// A model's quote that is not in the transcript must be
			// flagged, which it is; nothing more to check.
			continue
		}
		assert.NotEmpty(t, strings.TrimSpace(e.Quote), "criterion %s: an empty quote", d.ID)
		if e.Segment < 0 {
			assert.Contains(t, tr.Text(), e.Quote, "criterion %s: the quote is not in the transcript", d.ID)
			continue
		}
		if !assert.Less(t, e.Segment, len(tr.Segments), "criterion %s: segment index out of range", d.ID) {
			continue
		}
		seg := tr.Segments[e.Segment]
		assert.Contains(t, seg.Text, e.Quote, "criterion %s: the quote is not in segment %d", d.ID, e.Segment)
		if e.Speaker != "" {
			assert.Equal(t, seg.Speaker, e.Speaker, "criterion %s: quote speaker", d.ID)
		}
		if e.Start != nil && seg.Start != nil {
			assert.InDelta(t, *seg.Start, *e.Start, 1e-9, "criterion %s: quote start", d.ID)
		}
	}
}

func checkConcurrent(t *testing.T, h Harness, samples []transcribe.Transcript, langs []string) {
	s := h.NewScorer(t)
	n := h.Features.Concurrency
	if n <= 0 {
		n = 8
	}
	type job struct {
		req score.Request
		rep *score.Report
		err error
	}
	jobs := make([]job, 0, n*2)
	for i := 0; i < n*2; i++ {
		jobs = append(jobs, job{req: score.Request{
			Transcript: samples[i%len(samples)],
			Mode:       score.Modes[i%len(score.Modes)],
			Language:   langs[i%len(langs)],
		}})
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, n)
	for i := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func(j *job) {
			defer wg.Done()
			defer func() { <-sem }()
			j.rep, j.err = s.Score(context.Background(), j.req)
		}(&jobs[i])
	}
	wg.Wait()
	for i, j := range jobs {
		require.NoError(t, j.err, "job %d", i)
		CheckReport(t, j.req, j.rep)
		if h.Features.Deterministic {
			serial, err := s.Score(context.Background(), j.req)
			require.NoError(t, err)
			assert.Equal(t, comparable(serial), comparable(j.rep), "job %d: concurrent and serial reports differ", i)
		}
	}
}

func checkRubrics(t *testing.T, h Harness, tr transcribe.Transcript, lang string) {
	s := h.NewScorer(t)
	rs, ok := s.(score.RubricScorer)
	require.True(t, ok, "Features.Rubrics is set but %T does not implement score.RubricScorer", s)
	for _, mode := range score.Modes {
		def := rs.DefaultRubric(mode)
		require.NoError(t, def.Validate(), "DefaultRubric(%s)", mode)

		// The default rubric given explicitly scores like no rubric.
		plain, err := s.Score(context.Background(), score.Request{Transcript: tr, Mode: mode, Language: lang})
		require.NoError(t, err)
		ids := make([]string, len(plain.Details))
		for i, d := range plain.Details {
			ids[i] = d.ID
		}
		var defIDs []string
		for _, c := range def.Criteria {
			defIDs = append(defIDs, c.ID)
		}
		assert.ElementsMatch(t, defIDs, ids, "mode %s: without a rubric the report must follow DefaultRubric", mode)

		// A subset of the criteria with new weights is honoured.
		if len(def.Criteria) < 2 {
			continue
		}
		sub := score.Rubric{Name: "scoretest", Criteria: []score.Criterion{def.Criteria[0], def.Criteria[1]}}
		sub.Criteria[0].Weight, sub.Criteria[1].Weight = 3, 1
		req := score.Request{Transcript: tr, Mode: mode, Language: lang, Rubric: &sub}
		rep, err := s.Score(context.Background(), req)
		require.NoError(t, err)
		CheckReport(t, req, rep)
		require.Len(t, rep.Details, 2, "mode %s: the report must have the rubric's criteria only", mode)
		for _, d := range rep.Details {
			c, ok := sub.Criterion(d.ID)
			require.True(t, ok, "mode %s: criterion %s is not in the rubric", mode, d.ID)
			// A scorer may set a weight to 0 for a criterion that does
			// not apply to the call; otherwise the rubric's weight holds.
			if d.Weight != 0 {
				assert.Equal(t, c.Weight, d.Weight, "mode %s: criterion %s weight", mode, d.ID)
			}
		}
	}
}

// comparable strips what legitimately differs between two runs.
func comparable(r *score.Report) score.Report {
	c := *r
	c.Meta.Timings = score.Timings{}
	c.Meta.CreatedAt = time.Time{}
	c.Meta.Usage = nil
	return c
}

// cloneRequest copies everything a request points to, so that a scorer
// writing through a shared slice or pointer is caught.
func cloneRequest(r score.Request) score.Request {
	c := r
	c.Transcript = r.Transcript.Clone()
	if r.Rubric != nil {
		rub := r.Rubric.Clone()
		c.Rubric = &rub
	}
	return c
}
