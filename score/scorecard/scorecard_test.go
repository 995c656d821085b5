package scorecard_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
)

// TestDefaultIsScoresDefaultRubric checks that the default scorecard has,
// in every mode, the criteria, titles, descriptions and weights of
// score.DefaultRubric, under its own name and version.
func TestDefaultIsScoresDefaultRubric(t *testing.T) {
	sc := scorecard.Default()
	require.NoError(t, sc.Validate())
	for _, mode := range score.Modes {
		r := sc.Rubric(mode)
		assert.Equal(t, "sales", r.Name)
		assert.Equal(t, 1, r.Version)
		assert.Equal(t, score.DefaultRubric(mode).Criteria, r.Criteria, mode)
	}
	assert.ElementsMatch(t, score.DefaultCriteria(), sc.Catalogue())
}

func TestJSONSchemaIsJSON(t *testing.T) {
	var v map[string]any
	require.NoError(t, json.Unmarshal(scorecard.JSONSchema(), &v))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", v["$schema"])
}

// TestRoundTrip writes the default scorecard as YAML and JSON and reads
// it back unchanged.
func TestRoundTrip(t *testing.T) {
	sc := scorecard.Default()
	y, err := sc.MarshalYAMLFile()
	require.NoError(t, err)
	fromY, err := scorecard.Parse("rt.yaml", y)
	require.NoError(t, err)
	j, err := sc.MarshalJSONFile()
	require.NoError(t, err)
	fromJ, err := scorecard.Parse("rt.json", j)
	require.NoError(t, err)
	want, _ := json.Marshal(sc)
	gotY, _ := json.Marshal(fromY)
	gotJ, _ := json.Marshal(fromJ)
	assert.JSONEq(t, string(want), string(gotY))
	assert.JSONEq(t, string(want), string(gotJ))
}
