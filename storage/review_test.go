package storage_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

var (
	at   = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	lead = storage.Actor{ID: "u1", Name: "lead"}
	anna = storage.Actor{ID: "u2", Name: "anna"}
	intp = func(v int) *int { return &v }
)

func call(card string, version int, scores ...int) storage.Call {
	rep := &score.Report{Meta: score.Meta{Scorecard: card, ScorecardVersion: version}}
	for i, s := range scores {
		rep.Details = append(rep.Details, score.CriterionResult{ID: string(rune('a' + i)), Score: s, Weight: 1})
	}
	rep.Recompute()
	return storage.Call{ID: "c-" + card, ManagerID: "anna", Mode: score.ModeManager, Status: storage.StatusDone, Report: rep}
}

func fields(err error) map[string]callaudit.Code {
	out := map[string]callaudit.Code{}
	for _, f := range callaudit.FieldsOf(err) {
		out[f.Field] = f.Code
	}
	return out
}

func TestSetScoresChecksEverything(t *testing.T) {
	r, err := storage.NewReview(call("s", 1, 80, 60))
	require.NoError(t, err)
	before := storage.CloneReview(r)
	long := string(make([]rune, storage.MaxReviewComment+1))
	err = r.SetScores(lead, at, storage.ReviewInput{Criteria: []storage.ScoreInput{
		{Criterion: "a", Score: 101}, {Criterion: "zz", Score: 5}, {Criterion: "a", Score: 5, Comment: long}, {Score: 1},
	}, Total: intp(-1)})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Equal(t, map[string]callaudit.Code{
		"criteria[0].score": callaudit.CodeBetween, "criteria[1].criterion": callaudit.CodeReviewUnknownCriterion,
		"criteria[2].criterion": callaudit.CodeReviewTwice, "criteria[2].comment": callaudit.CodeTooLong,
		"criteria[3].criterion": callaudit.CodeRequired, "total_score": callaudit.CodeBetween,
	}, fields(err))
	assert.Equal(t, before, r, "a refused review changes nothing")
	assert.Equal(t, map[string]callaudit.Code{"criteria": callaudit.CodeReviewEmpty}, fields(r.SetScores(lead, at, storage.ReviewInput{})))

	require.NoError(t, r.SetScores(lead, at, storage.ReviewInput{Criteria: []storage.ScoreInput{{Criterion: "b", Score: 30, Comment: " мало вопросов "}}, Total: intp(50)}))
	assert.Equal(t, 60, r.Criterion("b").Model, "the model's value stays")
	assert.Equal(t, 30, *r.Criterion("b").Human)
	assert.Equal(t, "мало вопросов", r.Criterion("b").Comment)
	assert.Equal(t, lead, r.Criterion("b").By)
	assert.Equal(t, 50, *r.HumanTotal)
	assert.Equal(t, 70, r.ModelTotal)
	assert.True(t, r.Reviewed())
}

func TestDisputeAndResolve(t *testing.T) {
	r, err := storage.NewReview(call("s", 1, 80, 60))
	require.NoError(t, err)
	assert.Equal(t, map[string]callaudit.Code{"criterion": callaudit.CodeReviewUnknownCriterion, "comment": callaudit.CodeRequired},
		fields(func() error { _, err := r.Dispute(anna, at, "zz", "  "); return err }()))
	d, err := r.Dispute(anna, at, "a", "я представился")
	require.NoError(t, err)
	assert.Equal(t, 1, d.ID)
	_, err = r.Dispute(anna, at, "a", "again")
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err), "one open dispute per criterion")
	assert.True(t, r.In(storage.ReviewDisputed))
	assert.True(t, r.In(storage.ReviewUnreviewed), "a dispute is not a review")

	assert.Equal(t, map[string]callaudit.Code{"score": callaudit.CodeReviewScoreToAccept}, fields(r.Resolve(lead, at, 1, storage.Resolution{Accept: true})))
	assert.Equal(t, map[string]callaudit.Code{"reason": callaudit.CodeReviewReasonToReject}, fields(r.Resolve(lead, at, 1, storage.Resolution{})))
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(r.Resolve(lead, at, 7, storage.Resolution{Reason: "x"})))

	require.NoError(t, r.Resolve(lead, at, 1, storage.Resolution{Accept: true, Score: intp(95), Reason: "да, представился"}))
	assert.Equal(t, 95, *r.Criterion("a").Human)
	assert.Equal(t, 80, r.Criterion("a").Model)
	assert.Equal(t, storage.DisputeAccepted, r.Disputes[0].Status)
	assert.True(t, r.In(storage.ReviewResolved) && r.In(storage.ReviewReviewed) && !r.In(storage.ReviewDisputed))
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(r.Resolve(lead, at, 1, storage.Resolution{Reason: "x"})), "resolved once")

	// Rejecting confirms the score as it stands: the model's, which
	// becomes the lead's.
	_, err = r.Dispute(anna, at, "b", "мало?")
	require.NoError(t, err)
	require.NoError(t, r.Resolve(lead, at, 2, storage.Resolution{Reason: "вопрос был один"}))
	assert.Equal(t, 60, *r.Criterion("b").Human)
	assert.Equal(t, storage.DisputeRejected, r.Disputes[1].Status)
	assert.Nil(t, r.Disputes[1].Score)
}

func TestNewReviewNeedsAReport(t *testing.T) {
	_, err := storage.NewReview(storage.Call{ID: "q", Status: storage.StatusQueued})
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err))
	code, _ := callaudit.CodeOf(err)
	assert.Equal(t, callaudit.CodeReviewNoReport, code)
}

// TestAgreements: the by-hand table of score/agreement spread over
// criteria and calls of one scorecard version, plus a call of another
// version and an unreviewed one that must not count.
func TestAgreements(t *testing.T) {
	review := func(card string, version int, model, human []int, total *int) storage.Review {
		r, err := storage.NewReview(call(card, version, model...))
		require.NoError(t, err)
		var in storage.ReviewInput
		for i, h := range human {
			if h >= 0 {
				in.Criteria = append(in.Criteria, storage.ScoreInput{Criterion: string(rune('a' + i)), Score: h})
			}
		}
		in.Total = total
		require.NoError(t, r.SetScores(lead, at, in))
		return r
	}
	// Pairs (model, human): a: (100,100) (40,40) (60,100); b: (80,60) (0,20).
	r1 := review("sales", 2, []int{100, 80}, []int{100, 60}, intp(70)) // model total 90
	r2 := review("sales", 2, []int{40, 0, 50}, []int{40, 20, -1}, nil) // c left alone
	r3 := review("sales", 2, []int{60}, []int{100}, intp(100))         // model total 60
	old := review("sales", 1, []int{0}, []int{100}, nil)               // another version
	unreviewed, err := storage.NewReview(call("sales", 2, 10, 10))
	require.NoError(t, err)
	got := storage.Agreements([]storage.Review{r1, old, r2, unreviewed, r3})
	require.Len(t, got, 2)
	v2 := got[0]
	assert.Equal(t, 2, v2.ScorecardVersion, "newest version first")
	assert.Equal(t, 3, v2.Calls)
	// Overall is the five pairs of the by-hand table: MAD 16, exact 0.4, κ 112/142.
	assert.Equal(t, 5, v2.Overall.N)
	assert.InDelta(t, 16, *v2.Overall.MAD, 1e-12)
	assert.InDelta(t, 0.4, *v2.Overall.Exact, 1e-12)
	assert.InDelta(t, 112.0/142, *v2.Overall.Kappa, 1e-12)
	require.Len(t, v2.Criteria, 2, "c has no human score anywhere")
	a, b := v2.Criteria[0], v2.Criteria[1]
	assert.Equal(t, "a", a.ID)
	assert.Equal(t, 3, a.N)
	assert.InDelta(t, 40.0/3, *a.MAD, 1e-12)
	assert.InDelta(t, 2.0/3, *a.Exact, 1e-12)
	assert.Equal(t, "b", b.ID)
	assert.InDelta(t, 20, *b.MAD, 1e-12)
	assert.InDelta(t, 0, *b.Exact, 1e-12)
	assert.Equal(t, []string{"b", "a"}, v2.Worst, "b errs most")
	// Totals: (90,70) and (60,100): MAD 30.
	assert.Equal(t, 2, v2.Total.N)
	assert.InDelta(t, 30, *v2.Total.MAD, 1e-12)
	assert.Equal(t, 1, got[1].ScorecardVersion)
	assert.Equal(t, 1, got[1].Calls)
	assert.Empty(t, storage.Agreements(nil))
}
