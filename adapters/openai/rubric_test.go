package openai_test

import (
	"go/build"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
)

// TestDefaultRubricIsScoresDefault checks that the model scores the same
// criteria, titles, descriptions and weights as every other scorer of the
// default rubric, as the default scorecard's.
func TestDefaultRubricIsScoresDefault(t *testing.T) {
	_, cfg, _ := fakeConfig(t)
	s := newScorer(t, cfg)
	for _, tt := range []struct {
		mode score.Mode
		name string
	}{
		{score.ModeManager, "sales"},
		{score.ModeClient, "sales"},
		{score.ModeDialog, "sales"},
		{"", "sales"},
	} {
		t.Run(string(tt.mode), func(t *testing.T) {
			got := s.DefaultRubric(tt.mode)
			assert.Equal(t, tt.name, got.Name, "the default scorecard's id")
			assert.Equal(t, 1, got.Version)
			assert.Equal(t, score.DefaultRubric(tt.mode).Criteria, got.Criteria)
			for _, c := range got.Criteria {
				assert.NotEmpty(t, c.DescriptionIn("ru"), "the prompt needs a description of %s", c.ID)
				assert.NotEmpty(t, c.DescriptionIn("en"), "the prompt needs a description of %s", c.ID)
			}
		})
	}
}

// TestDoesNotImportTheChecklist keeps the adapter independent of the
// offline scorer: the rubric both score comes from package score.
func TestDoesNotImportTheChecklist(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	assert.NotContains(t, pkg.Imports, "github.com/callaudit/callaudit/score/checklist")
	assert.Contains(t, pkg.Imports, "github.com/callaudit/callaudit/score", "the check reads the package's real imports")
}
