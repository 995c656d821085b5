package audit_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

func checklistFor(sc *scorecard.Scorecard) (score.Scorer, error) {
	if err := checklist.Check(sc); err != nil {
		return nil, err
	}
	return checklist.New(checklist.WithScorecard(sc)), nil
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return b
}

// TestTeamScorecards: a team's saved scorecard scores its managers'
// calls, everybody else gets the default; a new version scores from then
// on and a rescore keeps the report of the old one.
func TestTeamScorecards(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	require.NoError(t, st.PutTeam(ctx, storage.Team{Name: "north", ManagerIDs: []string{"anna"}}))
	book, err := audit.NewScorecards(ctx, audit.ScorecardsConfig{Store: st, Teams: st.Teams, Check: checklist.Check, Scorer: checklistFor})
	require.NoError(t, err)
	a, err := audit.New(book.Scorer(checklist.New()), audit.WithStore(st), audit.WithRubricFunc(book.Rubric))
	require.NoError(t, err)
	dialog := string(readFile(t, "testdata/ru_bank_card_offer.txt"))

	def, err := book.ForManager(ctx, "anna")
	require.NoError(t, err)
	assert.Equal(t, scorecard.Default().ID, def.ID, "no team scorecard yet: the default")
	saved, err := st.Scorecard(ctx, def.ID, def.Version)
	require.NoError(t, err, "the default is saved, so that its version stays readable")
	assert.Contains(t, saved.SavedBy, "file:")

	bank, err := book.Draft("bank.yaml", readFile(t, "testdata/bank.yaml"))
	require.NoError(t, err)
	v1, err := book.Save(ctx, bank, "north", 0, "u-lead")
	require.NoError(t, err)
	assert.Equal(t, 1, v1.Version, "the first saved version")
	assert.Contains(t, v1.Body, "version: 1")

	rep, err := a.Audit(ctx, audit.Input{DialogText: dialog, CallID: "anna-1", ManagerID: "anna"})
	require.NoError(t, err)
	assert.Equal(t, []string{"consent", "disclaimer", "identity_check", "product"}, slices.Sorted(maps.Keys(rep.Criteria)), "the team's own criteria")
	assert.Equal(t, "bank-retail", rep.Meta.Scorecard)
	assert.Equal(t, 1, rep.Meta.ScorecardVersion)
	first := rep.TotalScore

	other, err := a.Audit(ctx, audit.Input{DialogText: dialog, CallID: "boris-1", ManagerID: "boris"})
	require.NoError(t, err)
	assert.Equal(t, scorecard.Default().ID, other.Meta.Scorecard, "a manager of no team: the default")
	assert.Contains(t, other.Criteria, "greeting")

	// A second editor who started from version 0 loses; from 1 saves 2.
	_, err = book.Save(ctx, bank, "north", 0, "u-other")
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err), "%v", err)
	changed := bank.Clone()
	for i := range changed.Criteria {
		if changed.Criteria[i].ID == "disclaimer" {
			// A stricter disclaimer the dialog does not say.
			changed.Criteria[i].Rules.Require[0].Phrases = []string{"ведётся видеозапись"}
		}
	}
	v2, err := book.Save(ctx, changed, "north", 1, "u-lead")
	require.NoError(t, err)
	assert.Equal(t, 2, v2.Version)
	old, err := book.Get(ctx, "bank-retail", 1)
	require.NoError(t, err)
	c, _ := old.Criterion("disclaimer")
	assert.Contains(t, c.Rules.Require[0].Phrases, "разговор записыва*", "version 1 is kept as it was")

	call, err := a.Rescore(ctx, "anna-1", audit.RescoreOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, call.Report.Meta.ScorecardVersion, "the rescore uses the team's new version")
	assert.NotEqual(t, first, call.Report.TotalScore, "the new rules change the total")
	vs, err := st.Reports(ctx, "anna-1")
	require.NoError(t, err)
	require.Len(t, vs, 2)
	assert.Equal(t, 1, vs[0].Report.Meta.ScorecardVersion)
	assert.Equal(t, first, vs[0].Report.TotalScore)

	list, err := book.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.True(t, list[0].Default)
	assert.Equal(t, "bank-retail", list[1].ID)
	assert.Equal(t, 2, list[1].Version)
	assert.Equal(t, "north", list[1].Team)
}

// TestScorecardDraftErrors: a malformed scorecard is refused with the
// line and the field, and so is one the checklist cannot score offline.
func TestScorecardDraftErrors(t *testing.T) {
	book, err := audit.NewScorecards(context.Background(), audit.ScorecardsConfig{Check: checklist.Check})
	require.NoError(t, err)
	bad := strings.Replace(string(readFile(t, "testdata/bank.yaml")), "    weight: 25\n", "    weight: -1\n", 1)
	_, err = book.Draft("draft.yaml", []byte(bad))
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	fields := callaudit.FieldsOf(err)
	require.NotEmpty(t, fields)
	assert.Equal(t, "criteria[1].weight", fields[0].Field)
	assert.Contains(t, fields[0].Message, "draft.yaml:37:")

	noRules := strings.Replace(string(readFile(t, "testdata/bank.yaml")), "    rules:\n", "    unused_rules:\n", 1)
	_, err = book.Draft("draft.yaml", []byte(noRules))
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "an unknown field: %v", err)

	_, err = book.Save(context.Background(), scorecard.Default(), "", 1, "u")
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "no store: %v", err)
}

// TestScorecardFiles: AUDIT_SCORECARD's first file is the default, and a
// file is saved into the store once.
func TestScorecardFiles(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	bank, err := scorecard.Parse("bank.yaml", readFile(t, "testdata/bank.yaml"))
	require.NoError(t, err)
	for range 2 {
		book, err := audit.NewScorecards(ctx, audit.ScorecardsConfig{Files: []*scorecard.Scorecard{bank, scorecard.Default()}, Store: st})
		require.NoError(t, err)
		assert.Equal(t, "bank-retail", book.DefaultID())
		sc, err := book.ForManager(ctx, "anyone")
		require.NoError(t, err)
		assert.Equal(t, 3, sc.Version, "the file's own version")
	}
	vs, err := st.ScorecardVersions(ctx, "bank-retail")
	require.NoError(t, err)
	assert.Len(t, vs, 1, "saved once")
}
