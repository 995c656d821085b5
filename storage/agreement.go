package storage

import (
	"cmp"
	"slices"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/agreement"
)

// Agreement is how well the model agreed with the human reviewers on the
// reviewed calls of one scorecard version (and mode).
type Agreement struct {
	Scorecard        string     `json:"scorecard"`
	ScorecardVersion int        `json:"scorecard_version"`
	Mode             score.Mode `json:"mode"`
	// Calls is the number of reviewed calls.
	Calls int `json:"calls"`
	// Overall pools every criterion a human scored, of every call.
	Overall agreement.Figures `json:"overall"`
	// Total compares the totals of the calls whose total a human set.
	Total agreement.Figures `json:"total"`
	// Criteria are the figures of each criterion a human scored, in the
	// order of the first review that has it.
	Criteria []CriterionAgreement `json:"criteria"`
	// Worst names up to WorstCount criteria where the model errs most:
	// the largest mean absolute difference first (ties: lower κ, then
	// id); criteria with no difference are not named.
	Worst []string `json:"worst"`
}

// CriterionAgreement is the agreement on one criterion.
type CriterionAgreement struct {
	ID string `json:"id"`
	agreement.Figures
}

// WorstCount is how many criteria Agreement.Worst names at most.
const WorstCount = 3

// Agreements computes the agreement figures of the reviewed ones of
// reviews, one Agreement per scorecard, version and mode (sorted by
// scorecard, then newest version first, then mode). Only human scores
// count: a criterion the lead left alone is no evidence either way.
func Agreements(reviews []Review) []Agreement {
	type key struct {
		card    string
		version int
		mode    score.Mode
	}
	type group struct {
		a        Agreement
		overall  []agreement.Pair
		total    []agreement.Pair
		criteria map[string][]agreement.Pair
		order    []string
	}
	groups := map[key]*group{}
	for _, r := range reviews {
		if !r.Reviewed() {
			continue
		}
		k := key{r.Scorecard, r.ScorecardVersion, r.Mode}
		g := groups[k]
		if g == nil {
			g = &group{a: Agreement{Scorecard: k.card, ScorecardVersion: k.version, Mode: k.mode}, criteria: map[string][]agreement.Pair{}}
			groups[k] = g
		}
		g.a.Calls++
		if r.HumanTotal != nil {
			g.total = append(g.total, agreement.Pair{Model: r.ModelTotal, Human: *r.HumanTotal})
		}
		for _, c := range r.Criteria {
			if c.Human == nil {
				continue
			}
			p := agreement.Pair{Model: c.Model, Human: *c.Human}
			if _, ok := g.criteria[c.ID]; !ok {
				g.order = append(g.order, c.ID)
			}
			g.criteria[c.ID] = append(g.criteria[c.ID], p)
			g.overall = append(g.overall, p)
		}
	}
	out := make([]Agreement, 0, len(groups))
	for _, g := range groups {
		a := g.a
		a.Overall, a.Total = agreement.Compute(g.overall), agreement.Compute(g.total)
		a.Criteria = make([]CriterionAgreement, 0, len(g.order))
		for _, id := range g.order {
			a.Criteria = append(a.Criteria, CriterionAgreement{ID: id, Figures: agreement.Compute(g.criteria[id])})
		}
		a.Worst = worst(a.Criteria)
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y Agreement) int {
		return cmp.Or(cmp.Compare(x.Scorecard, y.Scorecard), cmp.Compare(y.ScorecardVersion, x.ScorecardVersion), cmp.Compare(x.Mode, y.Mode))
	})
	return out
}

// worst names the criteria where the model errs most.
func worst(cs []CriterionAgreement) []string {
	ranked := slices.Clone(cs)
	ranked = slices.DeleteFunc(ranked, func(c CriterionAgreement) bool { return c.MAD == nil || *c.MAD == 0 })
	kappa := func(c CriterionAgreement) float64 {
		if c.Kappa == nil {
			return 1
		}
		return *c.Kappa
	}
	slices.SortStableFunc(ranked, func(x, y CriterionAgreement) int {
		return cmp.Or(cmp.Compare(*y.MAD, *x.MAD), cmp.Compare(kappa(x), kappa(y)), cmp.Compare(x.ID, y.ID))
	})
	out := []string{}
	for _, c := range ranked[:min(len(ranked), WorstCount)] {
		out = append(out, c.ID)
	}
	return out
}
