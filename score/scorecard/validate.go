package scorecard

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
)

var (
	cardID      = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)
	criterionID = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	language    = regexp.MustCompile(`^[a-z]{2}$`)
)

// validator collects the problems of a scorecard with their lines.
type validator struct {
	sc   *Scorecard
	errs []callaudit.FieldError
}

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, fieldError(v.sc.name, v.sc.line(path), path, fmt.Sprintf(format, args...)))
}

// Validate checks that the scorecard can be scored: an id and a positive
// version, titles in every language, at least one criterion, unique
// criterion ids, weights > 0 in known modes, and rules that can match:
// known signals, measures, conditions and evaluators, phrases with
// letters, at most one of first/last, points > 0. The error is KindInvalid
// with one field error per problem.
func (sc *Scorecard) Validate() error {
	v := &validator{sc: sc}
	if !cardID.MatchString(sc.ID) {
		v.fail("id", "must match [a-z][a-z0-9_-]* (at most 64 characters), not %q", sc.ID)
	}
	if sc.Version < 1 {
		v.fail("version", "must be an integer >= 1")
	}
	if len(sc.Languages) == 0 {
		v.fail("languages", "at least one report language is required")
	}
	for i, l := range sc.Languages {
		if !language.MatchString(l) {
			v.fail(fmt.Sprintf("languages[%d]", i), "must be a two-letter language code, not %q", l)
		}
	}
	v.text("title", sc.Title, true)
	if len(sc.Criteria) == 0 {
		v.fail("criteria", "at least one criterion is required")
	}
	seen := map[string]int{}
	for i := range sc.Criteria {
		v.criterion(fmt.Sprintf("criteria[%d]", i), &sc.Criteria[i], seen, i)
	}
	for _, m := range score.Modes {
		if r := sc.Rubric(m); len(r.Criteria) > 0 {
			return v.result()
		}
	}
	if len(sc.Criteria) > 0 {
		v.fail("criteria", "no criterion applies to any mode (every one is catalogue only)")
	}
	return v.result()
}

func (v *validator) result() error {
	if len(v.errs) > 0 {
		return callaudit.Invalid(v.errs...)
	}
	return nil
}

// text checks that t has every language of the scorecard (required) or
// only non-empty values.
func (v *validator) text(path string, t Text, required bool) {
	if required {
		if len(t) == 0 {
			v.fail(path, "is required (%s)", strings.Join(v.sc.Languages, ", "))
			return
		}
		for _, l := range v.sc.Languages {
			if strings.TrimSpace(t[l]) == "" {
				v.fail(path, "the %q text is missing", l)
			}
		}
	}
	for l, s := range t {
		if !language.MatchString(l) {
			v.fail(path+"."+l, "must be a two-letter language code")
		} else if strings.TrimSpace(s) == "" {
			v.fail(path+"."+l, "must not be empty")
		}
	}
}

func validMode(m string) bool { return score.Mode(m).Valid() }

func modeList() string {
	var s []string
	for _, m := range score.Modes {
		s = append(s, strconv.Quote(string(m)))
	}
	return strings.Join(s, ", ")
}

func (v *validator) criterion(path string, c *Criterion, seen map[string]int, i int) {
	if !criterionID.MatchString(c.ID) {
		v.fail(path+".id", "must match [a-z][a-z0-9_]* (at most 64 characters), not %q", c.ID)
	} else if prev, dup := seen[c.ID]; dup {
		v.fail(path+".id", "duplicate id %q (also criteria[%d])", c.ID, prev)
	} else {
		seen[c.ID] = i
	}
	v.text(path+".title", c.Title, true)
	v.text(path+".description", c.Description, false)
	v.text(path+".advice", c.Advice, false)
	weightOK := func(p string, w float64) {
		if math.IsNaN(w) || math.IsInf(w, 0) || w <= 0 {
			v.fail(p, "must be > 0")
		}
	}
	switch {
	case len(c.Weights) > 0:
		if c.Weight != 0 {
			v.fail(path+".weight", "give weight or weights, not both")
		}
		if len(c.Modes) > 0 {
			v.fail(path+".modes", "with weights, the modes are its keys; leave modes out")
		}
		for m, w := range c.Weights {
			if !validMode(m) {
				v.fail(path+".weights."+m, "unknown mode %q; modes: %s", m, modeList())
				continue
			}
			weightOK(path+".weights."+m, w)
		}
	default:
		weightOK(path+".weight", c.Weight)
	}
	for j, m := range c.Modes {
		if !validMode(m) {
			v.fail(fmt.Sprintf("%s.modes[%d]", path, j), "unknown mode %q; modes: %s", m, modeList())
		}
	}
	if c.Rules != nil {
		v.rules(path+".rules", c.Rules)
	}
}

func (v *validator) rules(path string, r *Rules) {
	if r.Evaluator != "" {
		if _, ok := Evaluators[r.Evaluator]; !ok {
			v.fail(path+".evaluator", "unknown evaluator %q; evaluators: %s", r.Evaluator, keys(Evaluators))
		}
		if len(r.Require)+len(r.Forbid)+len(r.Cases) > 0 || r.Pick != "" || r.Base != nil {
			v.fail(path+".evaluator", "an evaluator scores the criterion itself: leave out require, forbid, cases, pick and base")
		}
	} else if len(r.Require)+len(r.Forbid)+len(r.Cases)+len(r.Average) == 0 {
		v.fail(path, "give require or forbid rules, cases, average or an evaluator")
	}
	if len(r.Average) > 0 {
		if r.Evaluator != "" || len(r.Require)+len(r.Forbid)+len(r.Cases)+len(r.Bonus) > 0 || r.Pick != "" || r.Base != nil {
			v.fail(path+".average", "an average scores the criterion from others: leave out evaluator, require, forbid, bonus, cases, pick and base")
		}
		for i, id := range r.Average {
			if _, ok := v.sc.Criterion(id); !ok {
				v.fail(fmt.Sprintf("%s.average[%d]", path, i), "no criterion %q in the scorecard", id)
			}
		}
	}
	if r.Skip != nil {
		v.conditions(path+".skip.when", r.Skip.When)
		v.text(path+".skip.comment", r.Skip.Comment, true)
	}
	for i := range r.Cases {
		p := fmt.Sprintf("%s.cases[%d]", path, i)
		v.conditions(p+".when", r.Cases[i].When)
		v.rules(p+".rules", &r.Cases[i].Rules)
	}
	if r.Base != nil && (*r.Base < 0 || *r.Base > 100) {
		v.fail(path+".base", "must be within 0..100")
	}
	switch r.Pick {
	case "", "sum":
	case "first":
		if len(r.Forbid) > 0 {
			v.fail(path+".pick", "pick \"first\" takes require rules only")
		}
		v.text(path+".none", r.None, true)
	default:
		v.fail(path+".pick", "must be \"sum\" or \"first\", not %q", r.Pick)
	}
	if len(r.Require)+len(r.Forbid) > 0 {
		v.text(path+".praise", r.Praise, r.Pick != "first")
	}
	for i := range r.PraiseMore {
		p := fmt.Sprintf("%s.praise_more[%d]", path, i)
		v.conditions(p+".when", r.PraiseMore[i].When)
		v.text(p+".text", r.PraiseMore[i].Text, true)
	}
	for i := range r.Require {
		v.rule(fmt.Sprintf("%s.require[%d]", path, i), &r.Require[i], true, r.Pick == "first")
	}
	for i := range r.Forbid {
		v.rule(fmt.Sprintf("%s.forbid[%d]", path, i), &r.Forbid[i], false, false)
	}
	for i := range r.Bonus {
		b := &r.Bonus[i]
		p := fmt.Sprintf("%s.bonus[%d]", path, i)
		if len(b.If) == 0 {
			v.fail(p+".if", "a bonus needs its conditions")
		}
		v.conditions(p+".if", b.If)
		if b.Points <= 0 {
			v.fail(p+".points", "must be > 0")
		}
		if b.Signal != "" || len(b.Signals)+len(b.Phrases) > 0 || b.Miss != nil || b.Found != nil || b.Label != nil {
			v.fail(p, "a bonus has if and points only")
		}
	}
	if r.Evidence != nil {
		v.quotes(path+".evidence", r.Evidence)
	}
	for i := range r.Caps {
		c := &r.Caps[i]
		p := fmt.Sprintf("%s.caps[%d]", path, i)
		v.conditions(p+".when", c.When)
		if c.Max < 0 || c.Max > 100 {
			v.fail(p+".max", "must be within 0..100")
		}
		if (len(c.Note) == 0) == (len(c.Lead) == 0) {
			v.fail(p, "give note (added when the cap lowers the score) or lead (always put first)")
		}
		v.text(p+".note", c.Note, false)
		v.text(p+".lead", c.Lead, false)
		if c.Quotes != nil {
			v.quotes(p+".quotes", c.Quotes)
		}
	}
	if r.Fallback != nil {
		v.quotes(path+".fallback", r.Fallback)
	}
}

func (v *validator) quotes(path string, q *Quotes) {
	if len(q.Signals) == 0 && len(q.Facts) == 0 {
		v.fail(path, "give signals or facts to quote")
	}
	for i, s := range q.Signals {
		if _, ok := signalWho(s); !ok {
			v.fail(fmt.Sprintf("%s.signals[%d]", path, i), "unknown signal %q", s)
		}
	}
	if len(q.Signals) > 0 && q.N < 1 {
		v.fail(path+".n", "must be >= 1")
	}
	for i, f := range q.Facts {
		if _, ok := QuoteFacts[f]; !ok {
			v.fail(fmt.Sprintf("%s.facts[%d]", path, i), "unknown fact %q; facts: %s", f, keys(QuoteFacts))
		}
	}
}

func (v *validator) conditions(path string, when []string) {
	if len(when) == 0 {
		v.fail(path, "at least one condition is required")
	}
	for i, c := range when {
		c = strings.TrimPrefix(c, "!")
		if _, ok := Conditions[c]; ok {
			continue
		}
		if _, ok := signalWho(c); ok {
			continue
		}
		v.fail(fmt.Sprintf("%s[%d]", path, i), "unknown condition %q; conditions: %s, or a signal name (\"!\" before a name negates it)", c, keys(Conditions))
	}
}

func signalWho(name string) (string, bool) {
	for _, s := range Signals {
		if s.Name == name {
			return s.Who, true
		}
	}
	return "", false
}

func (v *validator) rule(path string, r *Rule, require, first bool) {
	takesPhrases := require || measureTakesPhrases(r.Measure)
	given := 0
	for _, b := range []bool{r.Signal != "", len(r.Signals) > 0, len(r.Phrases) > 0} {
		if b {
			given++
		}
	}
	switch {
	case given > 1:
		v.fail(path, "give one of signal, signals and phrases")
	case len(r.Signals) > 0:
		if require {
			v.fail(path+".signals", "a require rule looks for one signal (signal) or its own phrases")
		}
		if !takesPhrases {
			v.fail(path+".signals", "the measure %q counts no signal", r.Measure)
		}
		for i, s := range r.Signals {
			if _, ok := signalWho(s); !ok {
				v.fail(fmt.Sprintf("%s.signals[%d]", path, i), "unknown signal %q", s)
			}
		}
		if r.Who != "" {
			v.fail(path+".who", "built-in signals have their own speakers; use phrases to choose who says them")
		}
	case r.Signal != "":
		who, ok := signalWho(r.Signal)
		switch {
		case !ok:
			v.fail(path+".signal", "unknown signal %q", r.Signal)
		case !takesPhrases:
			v.fail(path+".signal", "the measure %q counts no signal", r.Measure)
		case r.Who != "" && r.Who != who:
			v.fail(path+".who", "the signal %q is said by %s; use phrases to choose who says them", r.Signal, who)
		}
	case len(r.Phrases) > 0:
		if !takesPhrases {
			v.fail(path+".phrases", "the measure %q counts no phrases", r.Measure)
		}
		for i, p := range r.Phrases {
			if err := checkPhrase(p); err != nil {
				v.fail(fmt.Sprintf("%s.phrases[%d]", path, i), "%s", err.Error())
			}
		}
	case require && len(r.If) > 0:
		// The conditions alone are the rule.
	case takesPhrases:
		v.fail(path, "give a signal or phrases")
	}
	if len(r.If) > 0 {
		if !require {
			v.fail(path+".if", "only a require rule has conditions")
		}
		v.conditions(path+".if", r.If)
	}
	switch r.Who {
	case "", "manager", "client", "any":
	default:
		v.fail(path+".who", "must be manager, client or any, not %q", r.Who)
	}
	if r.First < 0 {
		v.fail(path+".first", "must be >= 0")
	}
	if r.Last < 0 {
		v.fail(path+".last", "must be >= 0")
	}
	if r.First > 0 && r.Last > 0 {
		v.fail(path+".last", "give first or last, not both")
	}
	if r.Points <= 0 {
		v.fail(path+".points", "must be > 0")
	}
	if require {
		if r.Measure != "" {
			v.fail(path+".measure", "a require rule counts no measure; use forbid")
		}
		if r.Most != 0 {
			v.fail(path+".most", "only a forbid rule has most")
		}
		if r.Cue != "" {
			if _, ok := Cues[r.Cue]; !ok {
				v.fail(path+".cue", "unknown cue %q; cues: %s", r.Cue, keys(Cues))
			} else if r.Signal == "" {
				v.fail(path+".cue", "a cue refines a built-in signal")
			}
			if r.Cue == "asked" && r.Last > 0 {
				v.fail(path+".last", "cue \"asked\" looks at the first turns")
			}
		}
		if first {
			v.text(path+".found", r.Found, true)
		} else {
			v.text(path+".miss", r.Miss, true)
		}
		if r.Label != nil || r.Quotes != 0 {
			v.fail(path, "label and quotes are a forbid rule's; a require rule has miss, found and quote")
		}
		return
	}
	if r.Measure != "" {
		if _, ok := Measures[r.Measure]; !ok {
			v.fail(path+".measure", "unknown measure %q; measures: %s", r.Measure, keys(Measures))
		}
	}
	if r.Most < 0 {
		v.fail(path+".most", "must be >= 0")
	}
	if r.Cue != "" || r.Found != nil || r.Miss != nil || r.Unheard != nil || r.Quote {
		v.fail(path, "cue, found, miss, unheard and quote are a require rule's; a forbid rule has label and quotes")
	}
	if r.First > 0 || r.Last > 0 {
		v.fail(path, "first and last are a require rule's; a forbid rule counts the whole call")
	}
	v.text(path+".label", r.Label, true)
	if r.Quotes < 0 {
		v.fail(path+".quotes", "must be >= 0")
	}
}

// checkPhrase refuses a phrase that cannot match: with the registered
// checker (the checklist's compiler) when there is one, else that every
// element has a letter or digit.
func checkPhrase(p string) error {
	if strings.TrimSpace(p) == "" {
		return fmt.Errorf("the phrase is empty")
	}
	letters := false
	for _, r := range p {
		letters = letters || unicode.IsLetter(r)
	}
	if !letters {
		return fmt.Errorf("the phrase %q has no letters", p)
	}
	if phraseChecker != nil {
		return phraseChecker(p)
	}
	return nil
}

func keys(m map[string]string) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return strings.Join(out, ", ")
}
