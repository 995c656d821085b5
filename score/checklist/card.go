package checklist

import (
	"fmt"
	"slices"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/transcribe"
)

// The checklist scores a scorecard (package scorecard): its criteria are
// the scorecard's, and each is scored by the scorecard's rules, compiled
// here into the award and deduction tables the engines in award.go and
// deduct.go evaluate. The built-in criteria are the default scorecard's,
// the embedded file score/scorecard/default.yaml; nothing about a
// criterion's points lives in this package's code but the built-in
// evaluators (scorecard.Evaluators) that rules may name.

// card is a scorecard compiled for the checklist.
type card struct {
	sc      *scorecard.Scorecard
	defs    map[string]*criterionDef
	ids     []string // in file order
	rubrics map[score.Mode]score.Rubric
	titles  map[string]map[string]string
	// custom matches the scorecard's own phrases; its signals are
	// numbered from numSignals (nil when the scorecard has none).
	custom  *matcher
	nCustom int
}

// criterionDef is a criterion the checklist can score: its advice for
// when a call falls short, and its compiled rules.
type criterionDef struct {
	id     string
	advice text
	eval   func(a *analysis) result
	rules  *rules
}

// rules are a criterion's scorecard rules, compiled.
type rules struct {
	evaluator   func(a *analysis) result
	skip        []cond
	skipComment text
	cases       []ruleCase
	base        int
	first       bool
	awards      []award
	deductions  []deduction
	praise      text
	praiseMore  []extra
	none        text
	caps        []capRule
	fallback    *quoteSpec
}

type ruleCase struct {
	when  []cond
	rules *rules
}

type extra struct {
	when []cond
	text text
}

type capRule struct {
	when   []cond
	max    int
	note   text
	lead   text
	quotes *quoteSpec
}

type quoteSpec struct {
	sigs []signal
	n    int
}

// cond is a condition of a skip, case, cap or praise_more.
type cond func(a *analysis) bool

func holds(a *analysis, cs []cond) bool {
	for _, c := range cs {
		if c(a) {
			return true
		}
	}
	return false
}

// conditions are the named conditions of scorecard.Conditions.
var conditions = map[string]cond{
	"inbound_call":        func(a *analysis) bool { return a.inbound },
	"callback":            func(a *analysis) bool { return a.callback },
	"card_data_requested": func(a *analysis) bool { return a.critical },
	"not_heard":           func(a *analysis) bool { return a.unheard },
	"no_objections":       func(a *analysis) bool { return len(a.objections) == 0 },
	"ignored_refusals":    func(a *analysis) bool { return len(a.ignoredRefusals) > 0 },
	"client_asked":        func(a *analysis) bool { return a.clientQs > 0 },
}

// evaluators are the built-in evaluators of scorecard.Evaluators.
var evaluators = map[string]func(a *analysis) result{
	"needs_discovery":    evalNeedsDiscovery,
	"need_summary":       evalNeedSummary,
	"presentation":       evalPresentation,
	"objection_handling": evalObjectionHandling,
	"next_step":          evalNextStep,
	"client_interest":    evalClientInterest,
	"objections":         evalObjections,
	"commitment":         evalCommitment,
	"engagement":         evalEngagement,
	"balance":            evalBalance,
	"outcome":            evalOutcome,
	"resolution":         evalResolution,
}

// measures are the deduction facts of scorecard.Measures.
var measures = map[string]fact{
	"":                  factSentences,
	"sentences":         factSentences,
	"hits":              factHits,
	"none":              factNone,
	"ignored_refusals":  factIgnoredRefusals,
	"contradicted":      factContradicted,
	"monologue":         factMonologue,
	"any_monologue":     factAnyMonologue,
	"manager_share":     factManagerShare,
	"client_share":      factClientShare,
	"interruptions":     factInterruptions,
	"all_interruptions": factAllInterruptions,
	"few_turns":         factFewTurns,
	"no_questions":      factNoQuestions,
	"closed_only":       factClosedOnly,
}

var cues = map[string]cue{"": cueEarly, "asked": cueAsked, "intro_name": cueIntroName, "intro_company": cueIntroCompany}

// signalByName indexes signalNames.
var signalByName = func() map[string]signal {
	m := make(map[string]signal, numSignals)
	for s, n := range signalNames {
		m[n] = signal(s)
	}
	return m
}()

func textOf(t scorecard.Text) text { return text{ru: t.In("ru"), en: t.In("en")} }

// compiler turns a scorecard into a card, gathering the scorecard's own
// phrases into custom signals.
type compiler struct {
	c      *card
	phrase []signalDef
	errs   []callaudit.FieldError
}

func (k *compiler) fail(path, format string, args ...any) {
	k.errs = append(k.errs, callaudit.FieldError{Field: path, Message: k.c.sc.Name() + ": " + path + ": " + fmt.Sprintf(format, args...)})
}

// compileCard compiles a valid scorecard. Every criterion must have rules:
// the checklist cannot score one without.
func compileCard(sc *scorecard.Scorecard) (*card, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	k := &compiler{c: &card{sc: sc, defs: map[string]*criterionDef{}, rubrics: map[score.Mode]score.Rubric{}, titles: map[string]map[string]string{}}}
	for i := range sc.Criteria {
		cr := &sc.Criteria[i]
		path := fmt.Sprintf("criteria[%d].rules", i)
		if cr.Rules == nil {
			k.fail(path, "the checklist scorer needs rules to score criterion %q offline", cr.ID)
			continue
		}
		r := k.rules(path, cr.Rules)
		k.c.defs[cr.ID] = &criterionDef{id: cr.ID, advice: textOf(cr.Advice), eval: r.eval, rules: r}
		k.c.ids = append(k.c.ids, cr.ID)
		k.c.titles[cr.ID] = cr.Title
	}
	if len(k.errs) > 0 {
		return nil, callaudit.Invalid(k.errs...)
	}
	if len(k.phrase) > 0 {
		m, err := newMatcher(k.phrase)
		if err != nil {
			return nil, callaudit.Invalid(callaudit.FieldError{Field: "criteria", Message: sc.Name() + ": " + err.Error()})
		}
		k.c.custom, k.c.nCustom = m, len(k.phrase)
	}
	for _, mode := range score.Modes {
		k.c.rubrics[mode] = sc.Rubric(mode)
	}
	return k.c, nil
}

func (k *compiler) conds(names []string) []cond {
	out := make([]cond, 0, len(names))
	for _, n := range names {
		if c, ok := conditions[n]; ok {
			out = append(out, c)
			continue
		}
		s := signalByName[n]
		out = append(out, func(a *analysis) bool { return len(a.hitsOf(s)) > 0 })
	}
	return out
}

func (k *compiler) signals(names []string) []signal {
	out := make([]signal, len(names))
	for i, n := range names {
		out[i] = signalByName[n]
	}
	return out
}

// phrases makes the rule's phrases a custom signal said by who.
func (k *compiler) phrases(path string, phrases []string, who string) signal {
	role := transcribe.Role("")
	switch who {
	case "manager":
		role = mgr
	case "client":
		role = cli
	}
	for i, p := range phrases {
		if _, err := compilePhrase(0, p); err != nil {
			k.fail(fmt.Sprintf("%s.phrases[%d]", path, i), "%v", err)
		}
	}
	s := numSignals + signal(len(k.phrase))
	k.phrase = append(k.phrase, signalDef{sig: s, role: role, phrases: slices.Clone(phrases)})
	return s
}

func (k *compiler) rules(path string, sr *scorecard.Rules) *rules {
	r := &rules{praise: textOf(sr.Praise), none: textOf(sr.None), first: sr.Pick == "first"}
	if sr.Evaluator != "" {
		r.evaluator = evaluators[sr.Evaluator]
	}
	if sr.Skip != nil {
		r.skip, r.skipComment = k.conds(sr.Skip.When), textOf(sr.Skip.Comment)
	}
	for i := range sr.Cases {
		r.cases = append(r.cases, ruleCase{when: k.conds(sr.Cases[i].When), rules: k.rules(fmt.Sprintf("%s.cases[%d].rules", path, i), &sr.Cases[i].Rules)})
	}
	switch {
	case sr.Base != nil:
		r.base = *sr.Base
	case len(sr.Require) == 0:
		r.base = 100
	}
	for i := range sr.Require {
		w := &sr.Require[i]
		sig := signalByName[w.Signal]
		if len(w.Phrases) > 0 {
			sig = k.phrases(fmt.Sprintf("%s.require[%d]", path, i), w.Phrases, w.Who)
		}
		r.awards = append(r.awards, award{cue: cues[w.Cue], sig: sig, within: w.First, last: w.Last, points: w.Points,
			miss: textOf(w.Miss), found: textOf(w.Found), unheard: textOf(w.Unheard), quote: w.Quote})
		if w.Cue == "" && w.First == 0 {
			r.awards[i].cue = cueAny
		}
	}
	for i := range sr.Forbid {
		d := &sr.Forbid[i]
		var sigs []signal
		switch {
		case d.Signal != "":
			sigs = []signal{signalByName[d.Signal]}
		case len(d.Signals) > 0:
			sigs = k.signals(d.Signals)
		case len(d.Phrases) > 0:
			sigs = []signal{k.phrases(fmt.Sprintf("%s.forbid[%d]", path, i), d.Phrases, d.Who)}
		}
		most := d.Most
		if most == 0 {
			most = d.Points
		}
		r.deductions = append(r.deductions, deduction{fact: measures[d.Measure], sigs: sigs, each: d.Points, most: most, label: textOf(d.Label), quotes: d.Quotes})
	}
	for _, e := range sr.PraiseMore {
		r.praiseMore = append(r.praiseMore, extra{when: k.conds(e.When), text: textOf(e.Text)})
	}
	for _, c := range sr.Caps {
		cr := capRule{when: k.conds(c.When), max: c.Max, note: textOf(c.Note), lead: textOf(c.Lead)}
		if c.Quotes != nil {
			cr.quotes = &quoteSpec{sigs: k.signals(c.Quotes.Signals), n: c.Quotes.N}
		}
		r.caps = append(r.caps, cr)
	}
	if sr.Fallback != nil {
		r.fallback = &quoteSpec{sigs: k.signals(sr.Fallback.Signals), n: sr.Fallback.N}
	}
	return r
}

// eval scores the criterion: skipped, else the first case that holds or
// the rules themselves, then the fallback quotes and the caps.
func (r *rules) eval(a *analysis) result {
	if r.skip != nil && holds(a, r.skip) {
		return result{na: true, score: 100, comment: r.skipComment.in(a.lang)}
	}
	body := r
	for _, c := range r.cases {
		if holds(a, c.when) {
			body = c.rules
			break
		}
	}
	res, praise := body.body(a)
	if body != r {
		res = body.finish(a, res, praise)
	}
	return r.finish(a, res, praise)
}

// body evaluates the rules' own scoring: the evaluator, the first award
// found, or the awards and deductions from the base. praise is the
// comment when nothing was missed.
func (r *rules) body(a *analysis) (result, string) {
	switch {
	case r.evaluator != nil:
		return r.evaluator(a), ""
	case r.first:
		return a.awardFirst(r.awards, r.base, r.none), ""
	}
	praise := r.praise.in(a.lang)
	for _, e := range r.praiseMore {
		if holds(a, e.when) {
			praise += e.text.in(a.lang)
		}
	}
	res := result{score: r.base}
	var parts []string
	if len(r.awards) > 0 {
		a.awardAll(r.awards, &res, &parts)
	}
	if len(r.deductions) > 0 {
		a.deduct(r.deductions, &res, &parts)
	}
	res.score = score.Clamp(res.score)
	res.comment = verdict(parts, praise)
	return res, praise
}

// finish applies the fallback quotes and the caps.
func (r *rules) finish(a *analysis, res result, praise string) result {
	if r.fallback != nil && len(res.evidence) == 0 {
		res.evidence = a.firstHits(r.fallback.n, r.fallback.sigs...)
	}
	for i := range r.caps {
		c := &r.caps[i]
		if res.na || !holds(a, c.when) {
			continue
		}
		if c.lead.ru != "" || c.lead.en != "" {
			res.score = min(res.score, c.max)
			lead := c.lead.in(a.lang)
			if res.comment == praise {
				res.comment = lead
			} else {
				res.comment = lead + "; " + res.comment
			}
			if c.quotes != nil {
				res.evidence = dedupe(append(a.firstHits(c.quotes.n, c.quotes.sigs...), res.evidence...))
			}
			continue
		}
		if res.score > c.max {
			res.score = c.max
			res.comment += "; " + c.note.in(a.lang)
		}
	}
	return res
}

// known lists the card's criteria in file order, for messages.
func (c *card) known() string { return strings.Join(c.ids, ", ") }
