package score

import (
	"fmt"
	"maps"
	"math"
	"regexp"

	"github.com/callaudit/callaudit"
)

// Criterion is one thing a call is judged on.
type Criterion struct {
	// ID is the stable key used in Report.Criteria ("greeting").
	ID string `json:"id"`
	// Title and Description by language ("ru", "en"). Scorers fall back to
	// "en", then to the ID, when the report's language is missing.
	Title       map[string]string `json:"title"`
	Description map[string]string `json:"description,omitempty"`
	// Weight is the criterion's share in the total; weights need not sum to
	// anything in particular, the total divides by their sum. Zero-weight
	// criteria are reported but do not count.
	Weight float64 `json:"weight"`
}

// TitleIn returns the title in lang, falling back to English, then the ID.
func (c Criterion) TitleIn(lang string) string { return pick(c.Title, lang, c.ID) }

// DescriptionIn returns the description in lang, falling back to English.
func (c Criterion) DescriptionIn(lang string) string { return pick(c.Description, lang, "") }

func pick(m map[string]string, lang, def string) string {
	if v := m[lang]; v != "" {
		return v
	}
	if v := m["en"]; v != "" {
		return v
	}
	return def
}

// Rubric is a set of weighted criteria: a sales script or checklist.
type Rubric struct {
	Name string `json:"name"`
	// Version of the scorecard the rubric comes from (0: unversioned).
	Version  int         `json:"version,omitempty"`
	Criteria []Criterion `json:"criteria"`
}

// Clone returns a deep copy of r, so that a scorer holding a rubric and
// its callers cannot change each other's. A nil Criteria stays nil.
func (r Rubric) Clone() Rubric {
	if r.Criteria != nil {
		cs := make([]Criterion, len(r.Criteria))
		for i, c := range r.Criteria {
			c.Title = maps.Clone(c.Title)
			c.Description = maps.Clone(c.Description)
			cs[i] = c
		}
		r.Criteria = cs
	}
	return r
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Validate checks that the rubric can be scored: at least one criterion,
// ids unique and of the form [a-z][a-z0-9_]*, weights finite and
// non-negative, and a positive total weight.
func (r Rubric) Validate() error {
	if len(r.Criteria) == 0 {
		return callaudit.Invalid(callaudit.FieldError{Field: "rubric.criteria", Message: "at least one criterion is required"})
	}
	seen := make(map[string]bool, len(r.Criteria))
	var sum float64
	var errs []callaudit.FieldError
	for i, c := range r.Criteria {
		field := fmt.Sprintf("rubric.criteria[%d]", i)
		if !idPattern.MatchString(c.ID) {
			errs = append(errs, callaudit.FieldError{Field: field + ".id", Message: fmt.Sprintf("id %q must match [a-z][a-z0-9_]* (at most 64 characters)", c.ID)})
		}
		if seen[c.ID] {
			errs = append(errs, callaudit.FieldError{Field: field + ".id", Message: fmt.Sprintf("duplicate id %q", c.ID)})
		}
		seen[c.ID] = true
		if math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) || c.Weight < 0 {
			errs = append(errs, callaudit.FieldError{Field: field + ".weight", Message: "weight must be a finite number >= 0"})
		} else {
			sum += c.Weight
		}
	}
	if len(errs) == 0 && sum <= 0 {
		errs = append(errs, callaudit.FieldError{Field: "rubric.criteria", Message: "the weights must sum to more than 0"})
	}
	if len(errs) > 0 {
		return callaudit.Invalid(errs...)
	}
	return nil
}

// Criterion returns the criterion with the id.
func (r Rubric) Criterion(id string) (Criterion, bool) {
	for _, c := range r.Criteria {
		if c.ID == id {
			return c, true
		}
	}
	return Criterion{}, false
}

// Total computes the weighted total 0..100 of per-criterion scores keyed by
// criterion id. Missing criteria count as 0; scores are clamped to 0..100.
// The result is rounded to the nearest integer.
func (r Rubric) Total(scores map[string]int) int {
	var sum, weights float64
	for _, c := range r.Criteria {
		if c.Weight <= 0 {
			continue
		}
		sum += c.Weight * float64(Clamp(scores[c.ID]))
		weights += c.Weight
	}
	if weights == 0 {
		return 0
	}
	return int(math.Round(sum / weights))
}

// Clamp limits a score to 0..100.
func Clamp(v int) int {
	return max(0, min(100, v))
}
