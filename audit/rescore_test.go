package audit_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// onlyCriterion is the checklist's rubric of mode cut to one criterion,
// named as a scorecard.
func onlyCriterion(s *checklist.Scorer, mode score.Mode, id, name string, version int) *score.Rubric {
	r := s.DefaultRubric(mode)
	r.Name, r.Version = name, version
	for _, c := range r.Criteria {
		if c.ID == id {
			r.Criteria = []score.Criterion{c}
		}
	}
	return &r
}

// TestRubricFuncAndRescore: the auditor scores with the rubric its
// RubricFunc picks for the input and records it as the scorecard; a
// rescore with another rubric keeps the first report as a version.
func TestRubricFuncAndRescore(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	cl := checklist.New()
	var asked []audit.Input
	pick := func(_ context.Context, in audit.Input, mode score.Mode) (*score.Rubric, error) {
		asked = append(asked, in)
		r := cl.DefaultRubric(mode)
		r.Name, r.Version = "team-north", 3
		return &r, nil
	}
	a, err := audit.New(cl, audit.WithStore(st), audit.WithClock(fixedClock), audit.WithRubricFunc(pick))
	require.NoError(t, err)
	rep, err := a.Audit(ctx, audit.Input{DialogText: transcribetest.Dialog(t, "ru_good_crm.txt"), CallID: "c1", ManagerID: "anna"})
	require.NoError(t, err)
	require.Len(t, asked, 1)
	assert.Equal(t, "anna", asked[0].ManagerID, "the picker sees the input")
	assert.Equal(t, "team-north", rep.Meta.Scorecard)
	assert.Equal(t, 3, rep.Meta.ScorecardVersion)
	first := rep.TotalScore
	require.Greater(t, len(rep.Criteria), 1)

	one := onlyCriterion(cl, score.ModeManager, "next_step", "bank", 1)
	require.Len(t, one.Criteria, 1)
	call, err := a.Rescore(ctx, "c1", audit.RescoreOptions{Rubric: one, Change: storage.ReportChange{By: "job:1"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"next_step"}, slices.Sorted(maps.Keys(call.Report.Criteria)), "scored with the rescore's rubric")
	assert.Equal(t, "bank", call.Report.Meta.Scorecard)
	assert.Equal(t, 1, call.Report.Meta.ScorecardVersion)
	assert.Equal(t, call.Report.Criteria["next_step"], call.Report.TotalScore)
	assert.Equal(t, "anna", call.ManagerID)
	require.NotNil(t, call.Report.Transcript, "the new report keeps the transcript, for the next rescore")

	vs, err := st.Reports(ctx, "c1")
	require.NoError(t, err)
	require.Len(t, vs, 2)
	assert.Equal(t, first, vs[0].Report.TotalScore, "the first report is kept as it was")
	assert.Equal(t, "team-north", vs[0].Report.Meta.Scorecard)
	assert.Equal(t, storage.ReasonRescore, vs[1].Reason)
	assert.Equal(t, "job:1", vs[1].By)

	// Without a rubric of its own the rescore asks the picker again.
	call, err = a.Rescore(ctx, "c1", audit.RescoreOptions{})
	require.NoError(t, err)
	assert.Len(t, asked, 2)
	assert.Equal(t, "team-north", call.Report.Meta.Scorecard)
	assert.Equal(t, first, call.Report.TotalScore, "the same rubric scores the kept transcript the same")
}

func TestRescoreRefusals(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	a, err := audit.New(checklist.New(), audit.WithStore(st))
	require.NoError(t, err)
	_, err = a.Rescore(ctx, "nope", audit.RescoreOptions{})
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "%v", err)
	require.NoError(t, st.Save(ctx, storage.Call{ID: "q1", Status: storage.StatusQueued}))
	_, err = a.Rescore(ctx, "q1", audit.RescoreOptions{})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "a call without a report: %v", err)

	noVersions, err := audit.New(checklist.New(), audit.WithStore(struct{ storage.Store }{st}))
	require.NoError(t, err)
	_, err = noVersions.Rescore(ctx, "q1", audit.RescoreOptions{})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "%v", err)
}
