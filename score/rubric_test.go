package score_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/score"
)

func TestRubricClone(t *testing.T) {
	tests := []struct {
		name string
		r    score.Rubric
	}{
		{"zero", score.Rubric{}},
		{"no titles", score.Rubric{Name: "bare", Criteria: []score.Criterion{{ID: "a", Weight: 1}}}},
		{"titles and descriptions", score.Rubric{Name: "full", Criteria: []score.Criterion{
			{ID: "a", Weight: 2, Title: map[string]string{"ru": "А", "en": "A"}, Description: map[string]string{"en": "about a"}},
			{ID: "b", Weight: 1, Title: map[string]string{"en": "B"}},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.r.Clone()
			assert.Equal(t, tt.r, c)
			for i := range c.Criteria {
				c.Criteria[i].Weight = 99
				if c.Criteria[i].Title != nil {
					c.Criteria[i].Title["en"] = "changed"
				}
				if c.Criteria[i].Description != nil {
					c.Criteria[i].Description["en"] = "changed"
				}
			}
			for i, cr := range tt.r.Criteria {
				assert.NotEqual(t, 99.0, cr.Weight, "criterion %d", i)
				assert.NotEqual(t, "changed", cr.Title["en"], "criterion %d title", i)
				assert.NotEqual(t, "changed", cr.Description["en"], "criterion %d description", i)
			}
		})
	}
}
