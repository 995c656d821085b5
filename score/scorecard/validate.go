package scorecard

import (
	"fmt"
	"math"
	"reflect"
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
	tables := len(r.Require) + len(r.Forbid) + len(r.Cases) + len(r.Tally)
	if r.Evaluator != "" {
		if _, ok := Evaluators[r.Evaluator]; !ok {
			v.fail(path+".evaluator", "unknown evaluator %q; evaluators: %s", r.Evaluator, keys(Evaluators))
		}
		if tables > 0 || r.Pick != "" || r.Base != nil {
			v.fail(path+".evaluator", "an evaluator scores the criterion itself: leave out require, forbid, tally, cases, pick and base")
		}
	} else if tables+len(r.Average) == 0 && r.Base == nil {
		v.fail(path, "give require, forbid or tally rules, cases, average, a base or an evaluator")
	}
	if len(r.Average) > 0 {
		if r.Evaluator != "" || tables+len(r.Bonus) > 0 || r.Pick != "" || r.Base != nil {
			v.fail(path+".average", "an average scores the criterion from others: leave out evaluator, require, forbid, tally, bonus, cases, pick and base")
		}
		for i, id := range r.Average {
			if _, ok := v.sc.Criterion(id); !ok {
				v.fail(fmt.Sprintf("%s.average[%d]", path, i), "no criterion %q in the scorecard", id)
			}
		}
	}
	if len(r.Tally) > 0 && (len(r.Require)+len(r.Forbid)+len(r.Bonus) > 0 || r.Pick != "") {
		v.fail(path+".tally", "tally rows are the whole score: leave out require, forbid, bonus and pick")
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
		v.text(path+".none", r.None, true)
	default:
		v.fail(path+".pick", "must be \"sum\" or \"first\", not %q", r.Pick)
	}
	if len(r.Require)+len(r.Forbid) > 0 || len(r.Tally) > 0 {
		v.text(path+".praise", r.Praise, r.Pick != "first" && len(r.Tally) == 0)
	}
	for i := range r.PraiseMore {
		p := fmt.Sprintf("%s.praise_more[%d]", path, i)
		v.conditions(p+".when", r.PraiseMore[i].When)
		v.text(p+".text", r.PraiseMore[i].Text, true)
	}
	kind := kindRequire
	if r.Pick == "first" {
		kind = kindFirst
	}
	for i := range r.Require {
		v.rule(fmt.Sprintf("%s.require[%d]", path, i), &r.Require[i], kind)
	}
	for i := range r.Forbid {
		v.rule(fmt.Sprintf("%s.forbid[%d]", path, i), &r.Forbid[i], kindForbid)
	}
	for i := range r.Bonus {
		v.rule(fmt.Sprintf("%s.bonus[%d]", path, i), &r.Bonus[i], kindBonus)
	}
	for i := range r.Tally {
		v.rule(fmt.Sprintf("%s.tally[%d]", path, i), &r.Tally[i], kindTally)
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
		for _, alt := range strings.Split(c, "|") {
			if err := checkCondition(strings.TrimPrefix(strings.TrimSpace(alt), "!")); err != "" {
				v.fail(fmt.Sprintf("%s[%d]", path, i), "%s", err)
			}
		}
	}
}

// checkCondition returns what is wrong with one condition (no "!" or
// "|"), or "".
func checkCondition(c string) string {
	if m, _, _, ok := Comparison(c); ok {
		if _, known := Measures[m]; !known || measureTakesPhrases(m) || m == "objection_replies" {
			return fmt.Sprintf("cannot compare %q: comparisons take a measure that counts no phrases (%s)", m, keys(factMeasures()))
		}
		return ""
	}
	if _, ok := Conditions[c]; ok {
		return ""
	}
	if _, ok := signalWho(c); ok {
		return ""
	}
	return fmt.Sprintf("unknown condition %q; conditions: %s, a signal name or a comparison such as \"client_questions>=2\" (\"!\" before a name negates it, \"a|b\" holds when either does)", c, keys(Conditions))
}

// factMeasures are the measures that count no phrases.
func factMeasures() map[string]string {
	out := map[string]string{}
	for k, d := range Measures {
		if !measureTakesPhrases(k) {
			out[k] = d
		}
	}
	return out
}

func signalWho(name string) (string, bool) {
	for _, s := range Signals {
		if s.Name == name {
			return s.Who, true
		}
	}
	return "", false
}

// The kinds of rule lists.
const (
	kindRequire = iota // require, pick "sum"
	kindFirst          // require, pick "first"
	kindForbid
	kindBonus
	kindTally
)

// rule checks one rule of a list of the given kind, with that kind's
// function.
func (v *validator) rule(path string, r *Rule, kind int) {
	switch kind {
	case kindRequire, kindFirst:
		v.requireRule(path, r, kind)
	case kindForbid:
		v.forbidRule(path, r)
	case kindBonus:
		v.bonusRule(path, r)
	case kindTally:
		v.tallyRule(path, r)
	}
}

// requireRule checks a require rule: it awards its points and says miss
// when it is not found (kindRequire), or, in a list of pick "first"
// (kindFirst), the first found awards its points and says found.
func (v *validator) requireRule(path string, r *Rule, kind int) {
	v.ruleCommon(path, r, kind)
	v.positivePoints(path, r)
	v.noBands(path, r)
	v.awardRule(path, r)
	if kind == kindFirst {
		v.text(path+".found", r.Found, true)
	} else {
		v.text(path+".miss", r.Miss, true)
	}
	v.text(path+".advice", r.Advice, false)
	v.awardFields(path, r)
}

// forbidRule checks a forbid rule: a measure, its label, and the points
// it takes.
func (v *validator) forbidRule(path string, r *Rule) {
	v.ruleCommon(path, r, kindForbid)
	v.positivePoints(path, r)
	v.noBands(path, r)
	v.countRule(path, r, kindForbid)
}

// bonusRule checks a bonus rule: points (or bands) added when its
// conditions, signal or phrases hold, with no comment of its own.
func (v *validator) bonusRule(path string, r *Rule) {
	v.ruleCommon(path, r, kindBonus)
	if r.Points == 0 {
		v.fail(path+".points", "must not be 0")
	}
	v.noBands(path, r)
	v.awardRule(path, r)
	if r.Miss != nil || r.Found != nil || r.Advice != nil {
		v.fail(path, "a bonus has no comment: leave out miss, found and advice")
	}
	v.awardFields(path, r)
}

// tallyRule checks a tally row: a measure scored by points, bands or a
// max.
func (v *validator) tallyRule(path string, r *Rule) {
	v.ruleCommon(path, r, kindTally)
	v.countRule(path, r, kindTally)
}

// ruleCommon checks what every kind of rule has: what it looks for
// (signal, signals or phrases), its conditions, speaker, window and
// facts.
func (v *validator) ruleCommon(path string, r *Rule, kind int) {
	awards := kind == kindRequire || kind == kindFirst || kind == kindBonus
	takesPhrases := awards || measureTakesPhrases(r.Measure)
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
		if awards {
			v.fail(path+".signals", "a require or bonus rule looks for one signal (signal) or its own phrases")
		}
		if !takesPhrases && r.Quotes == 0 {
			v.fail(path+".signals", "the measure %q counts no signal; signals are quoted only with quotes", r.Measure)
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
	case awards && len(r.If) > 0:
		// The conditions alone are the rule.
	case takesPhrases:
		v.fail(path, "give a signal or phrases")
	}
	if len(r.If) > 0 {
		v.conditions(path+".if", r.If)
	} else if kind == kindBonus && r.Signal == "" && len(r.Phrases) == 0 {
		v.fail(path+".if", "a bonus needs its conditions, a signal or phrases")
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
	if (r.First > 0) && (r.Last > 0 || r.Late) || (r.Last > 0 && r.Late) {
		v.fail(path+".last", "give one of first, last and late")
	}
	for i, f := range r.Facts {
		if _, ok := QuoteFacts[f]; !ok {
			v.fail(fmt.Sprintf("%s.facts[%d]", path, i), "unknown fact %q; facts: %s", f, keys(QuoteFacts))
		}
	}
}

// positivePoints checks the points of a require or forbid rule.
func (v *validator) positivePoints(path string, r *Rule) {
	if r.Points <= 0 {
		v.fail(path+".points", "must be > 0")
	}
}

// noBands refuses bands on a rule other than a tally row.
func (v *validator) noBands(path string, r *Rule) {
	if len(r.Bands) > 0 {
		v.fail(path+".bands", "only a tally rule has bands")
	}
}

// awardRule checks what a require or bonus rule may not count and its cue.
func (v *validator) awardRule(path string, r *Rule) {
	if r.Measure != "" {
		v.fail(path+".measure", "a require or bonus rule counts no measure; use forbid or tally")
	}
	if r.Most != 0 {
		v.fail(path+".most", "only a forbid or tally rule has most")
	}
	if r.Cue != "" {
		if _, ok := Cues[r.Cue]; !ok {
			v.fail(path+".cue", "unknown cue %q; cues: %s", r.Cue, keys(Cues))
		} else if r.Signal == "" {
			v.fail(path+".cue", "a cue refines a built-in signal")
		}
		if r.Cue == "asked" && (r.Last > 0 || r.Late) {
			v.fail(path+".last", "cue \"asked\" looks at the first turns")
		}
	}
}

// awardFields refuses a forbid or tally rule's fields on a require or
// bonus rule.
func (v *validator) awardFields(path string, r *Rule) {
	if r.Label != nil || r.Quotes != 0 || r.Unit != nil || r.Always || r.Max != nil {
		v.fail(path, "label, unit, always and quotes are a forbid or tally rule's; a require or bonus rule has miss, found, quote and facts")
	}
}

// countRule checks a forbid rule or tally row (kind): its measure, label,
// unit, quotes, replies and bands.
func (v *validator) countRule(path string, r *Rule, kind int) {
	if r.Measure != "" {
		if _, ok := Measures[r.Measure]; !ok {
			v.fail(path+".measure", "unknown measure %q; measures: %s", r.Measure, keys(Measures))
		}
		if Shares[r.Measure] && len(r.Bands) == 0 && (kind != kindTally || r.Points != 0) {
			v.fail(path+".measure", "the share %q is scored by bands (or only written, with points 0), in a tally rule", r.Measure)
		}
	}
	if r.Measure == "once" && len(r.If) == 0 {
		v.fail(path+".if", "measure \"once\" counts the rule's conditions: give if")
	}
	if r.Late && r.Measure != "found" {
		v.fail(path+".late", "late is for measure \"found\"")
	}
	if r.Most < 0 {
		v.fail(path+".most", "must be >= 0")
	}
	if r.Cue != "" || r.Found != nil || r.Miss != nil || r.Unheard != nil || r.Advice != nil || r.Quote || (len(r.Facts) > 0 && kind != kindTally) {
		v.fail(path, "cue, found, miss, unheard, advice and quote are a require rule's (and facts a require or tally rule's); a forbid or tally rule has label and quotes")
	}
	if r.Max != nil {
		switch {
		case kind != kindTally:
			v.fail(path+".max", "only a tally rule has max")
		case *r.Max < 0 || *r.Max > 100:
			v.fail(path+".max", "must be within 0..100")
		case r.Points != 0 || len(r.Bands) > 0:
			v.fail(path+".max", "a tally rule limits the score (max) or adds points, not both")
		}
	}
	if r.First > 0 || r.Last > 0 {
		v.fail(path, "first and last are a require rule's; a forbid or tally rule counts the whole call")
	}
	if r.Always && kind != kindTally {
		v.fail(path+".always", "only a tally rule has always")
	}
	v.text(path+".label", r.Label, kind == kindForbid)
	v.text(path+".unit", r.Unit, false)
	if r.Quotes < 0 {
		v.fail(path+".quotes", "must be >= 0")
	}
	if (r.Measure == "objection_replies") != (len(r.Each) > 0) {
		v.fail(path+".each", "measure \"objection_replies\" and each go together: each scores one reply")
	}
	for i := range r.Each {
		v.item(fmt.Sprintf("%s.each[%d]", path, i), &r.Each[i])
	}
	for i := range r.Bands {
		b := &r.Bands[i]
		p := fmt.Sprintf("%s.bands[%d]", path, i)
		v.text(p+".label", b.Label, false)
		if b.Below != nil && b.Upto != nil {
			v.fail(p, "give below or upto, not both")
		}
		if b.Per < 0 || math.IsNaN(b.Per) || math.IsInf(b.Slope, 0) || math.IsNaN(b.Slope) {
			v.fail(p, "slope must be a number and per > 0")
		}
	}
}

// item checks an each row: if (item conditions) and points only.
func (v *validator) item(path string, r *Rule) {
	if len(r.If) == 0 {
		v.fail(path+".if", "at least one condition is required")
	}
	for i, c := range r.If {
		if _, ok := ItemConditions[strings.TrimPrefix(c, "!")]; !ok {
			v.fail(fmt.Sprintf("%s.if[%d]", path, i), "unknown condition %q; conditions of a reply: %s", c, keys(ItemConditions))
		}
	}
	if r.Points == 0 {
		v.fail(path+".points", "must not be 0")
	}
	other := *r
	other.If, other.Points = nil, 0
	if !reflect.ValueOf(other).IsZero() {
		v.fail(path, "an each row has if and points only")
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
