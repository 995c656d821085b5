package score_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
)

func TestDefaultRubric(t *testing.T) {
	catalogue := map[string]score.Criterion{}
	for _, c := range score.DefaultCriteria() {
		assert.NotContains(t, catalogue, c.ID, "criteria are listed once")
		assert.Zero(t, c.Weight, "weights are per mode")
		catalogue[c.ID] = c
	}
	for _, tt := range []struct {
		mode score.Mode
		name string
		ids  []string
	}{
		{score.ModeManager, "sales Manager+", []string{"greeting", "rapport", "needs_discovery", "need_summary", "presentation", "objection_handling", "next_step", "farewell", "conduct"}},
		{score.ModeClient, "sales Client+", []string{"client_interest", "objections", "commitment", "engagement"}},
		{score.ModeDialog, "sales Диалог", []string{"understanding", "resolution", "tone", "balance", "flow"}},
		{"", "sales Manager+", nil},
		{"Sales+", "sales Manager+", nil},
	} {
		t.Run(string(tt.mode), func(t *testing.T) {
			r := score.DefaultRubric(tt.mode)
			require.NoError(t, r.Validate())
			assert.Equal(t, tt.name, r.Name)
			var ids []string
			for _, c := range r.Criteria {
				ids = append(ids, c.ID)
				assert.Positive(t, c.Weight, c.ID)
				for _, lang := range []string{"ru", "en"} {
					assert.NotEmpty(t, c.Title[lang], "%s title in %s", c.ID, lang)
					assert.NotEmpty(t, c.Description[lang], "%s description in %s", c.ID, lang)
				}
				want := catalogue[c.ID]
				assert.Equal(t, want.Title, c.Title, "%s: titles come from the catalogue", c.ID)
				assert.Equal(t, want.Description, c.Description, c.ID)
			}
			if tt.ids != nil {
				assert.Equal(t, tt.ids, ids, "ids are stable and in report order")
			}
		})
	}
}

// TestDefaultRubricIsACopy checks that callers cannot change the defaults
// for each other, through the weights or the title maps.
func TestDefaultRubricIsACopy(t *testing.T) {
	r := score.DefaultRubric(score.ModeManager)
	r.Criteria[0].Weight = 99
	r.Criteria[0].Title["en"] = "changed"
	cs := score.DefaultCriteria()
	cs[0].Title["en"] = "changed too"
	cs[0].Description["ru"] = "changed too"

	again := score.DefaultRubric(score.ModeManager)
	assert.Equal(t, 10.0, again.Criteria[0].Weight)
	assert.Equal(t, "Greeting and introduction", again.Criteria[0].Title["en"])
	assert.Equal(t, "Greeting and introduction", score.DefaultRubric(score.ModeManager).Criteria[0].Title["en"])
	fresh := score.DefaultCriteria()
	assert.Equal(t, "Greeting and introduction", fresh[0].Title["en"])
	assert.NotEqual(t, "changed too", fresh[0].Description["ru"])
}
