package score_test

import (
	"fmt"

	"github.com/callaudit/callaudit/score"
)

// DefaultRubric is the sales rubric every scorer of the module scores by
// default: the criteria and weights of a mode.
func ExampleDefaultRubric() {
	for _, c := range score.DefaultRubric(score.ModeManager).Criteria {
		fmt.Printf("%-18s %2.0f  %s\n", c.ID, c.Weight, c.TitleIn("en"))
	}
	// Output:
	// greeting           10  Greeting and introduction
	// rapport             8  Rapport and permission to talk
	// needs_discovery    18  Needs discovery
	// need_summary        8  Summarising the need
	// presentation       12  Presentation tied to the need
	// objection_handling 12  Objection handling
	// next_step          16  Agreed next step
	// farewell            6  Farewell
	// conduct            10  Conduct
}

// A team's script reweighs the default rubric and passes it as
// Request.Rubric to any RubricScorer.
func ExampleDefaultRubric_reweigh() {
	r := score.DefaultRubric(score.ModeManager)
	for i := range r.Criteria {
		if r.Criteria[i].ID == score.CriterionNextStep {
			r.Criteria[i].Weight = 30
		}
	}
	fmt.Println(r.Validate() == nil, r.Total(map[string]int{score.CriterionNextStep: 100}))
	// Output:
	// true 26
}
