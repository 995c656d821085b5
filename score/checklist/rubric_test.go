package checklist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
)

// TestKnownCriteriaAreScoresCriteria checks that every criterion the
// checklist can score is one of score's default criteria, so that its
// titles and description come from there, and that every default
// criterion can be scored offline.
func TestKnownCriteriaAreScoresCriteria(t *testing.T) {
	var ids []string
	for _, c := range score.DefaultCriteria() {
		ids = append(ids, c.ID)
	}
	assert.ElementsMatch(t, ids, checklist.KnownCriteria())
}

// TestRubricWithoutTitlesGetsScoresTitles scores a rubric whose criteria
// have no titles and checks that each detail carries the default title in
// the report's language.
func TestRubricWithoutTitlesGetsScoresTitles(t *testing.T) {
	tr := dialog(t, "testdata/en_good_discovery.txt")
	byID := map[string]score.Criterion{}
	for _, c := range score.DefaultCriteria() {
		byID[c.ID] = c
	}
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			rub := score.Rubric{Criteria: []score.Criterion{{ID: checklist.Outcome, Weight: 1}, {ID: checklist.Rapport, Weight: 2}}}
			rep, err := checklist.New().Score(t.Context(), score.Request{Transcript: tr, Language: lang, Rubric: &rub})
			require.NoError(t, err)
			require.Len(t, rep.Details, 2)
			for _, d := range rep.Details {
				assert.Equal(t, byID[d.ID].Title[lang], d.Title, d.ID)
			}
			assert.Empty(t, rub.Criteria[0].Title, "the caller's rubric is not changed")
		})
	}
}
