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
// criterion's points lives in this package's code: the analysis finds
// facts of the call (signals, measures, conditions, quotable turns), the
// file turns them into points and comments.

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
	evidence    *quoteSpec
	fallback    *quoteSpec
	bonus       []award
	tally       []deduction
	average     []string
}

func holdsAll(a *analysis, cs []cond) bool {
	for _, c := range cs {
		if !c(a) {
			return false
		}
	}
	return true
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
	sigs  []signal
	n     int
	facts []func(a *analysis) (score.Evidence, bool)
}

// quote returns the evidence q names.
func (q *quoteSpec) quote(a *analysis) []score.Evidence {
	var out []score.Evidence
	if len(q.sigs) > 0 {
		out = a.firstHits(q.n, q.sigs...)
	}
	for _, f := range q.facts {
		if ev, ok := f(a); ok {
			out = appendEvidence(out, ev)
		}
	}
	return out
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
	"inbound_call":          func(a *analysis) bool { return a.inbound },
	"callback":              func(a *analysis) bool { return a.callback },
	"card_data_requested":   func(a *analysis) bool { return a.critical },
	"not_heard":             func(a *analysis) bool { return a.unheard },
	"no_objections":         func(a *analysis) bool { return len(a.objections) == 0 },
	"ignored_refusals":      func(a *analysis) bool { return len(a.ignoredRefusals) > 0 },
	"client_asked":          func(a *analysis) bool { return a.clientQs > 0 },
	"next_step_offered":     func(a *analysis) bool { return a.next.action },
	"next_step_timed":       func(a *analysis) bool { return a.next.time },
	"next_step_agreed":      func(a *analysis) bool { return a.next.agree },
	"next_step_refused":     func(a *analysis) bool { return a.next.refused },
	"next_step_conditional": func(a *analysis) bool { return a.next.conditional },
	"rejected_at_end":       func(a *analysis) bool { return a.rejectedAtEnd() },
	"objections_resolved": func(a *analysis) bool {
		if len(a.objections) == 0 {
			return false
		}
		last := a.objections[len(a.objections)-1].seg
		for _, h := range a.hits[sigBuy] {
			if h.seg > last {
				return true
			}
		}
		return false
	},
	"agreed_after_objections": func(a *analysis) bool {
		return len(a.objections) > 0 && a.next.agree && a.next.agreeSeg > a.objections[len(a.objections)-1].seg
	},
	"roles_unknown": func(a *analysis) bool { _, ok := a.managerTalkShare(); return !ok },
	"need_unmet":    func(a *analysis) bool { return a.needSeg >= 0 && !a.needMet },
	"offer_linked":  func(a *analysis) bool { return a.offer().linkedSeg >= 0 },
	"offer_after_discovery": func(a *analysis) bool {
		o := a.offer()
		return a.firstOpenSeg >= 0 && int(a.firstOpenSeg) < o.linkedSeg
	},
	"offer_long":     func(a *analysis) bool { return a.offer().longSeg >= 0 },
	"offer_benefit":  func(a *analysis) bool { return a.offer().benefitSeg >= 0 },
	"feature_dump":   func(a *analysis) bool { return a.offer().dumpSeg >= 0 },
	"offer_rejected": func(a *analysis) bool { return a.offer().rejected },
	"need_restated":  func(a *analysis) bool { o, _, _ := a.restatement(); return o != notRestated },
	"restatement_confirmed": func(a *analysis) bool {
		o, _, _ := a.restatement()
		return o == restatedConfirmed
	},
	"restatement_contradicted": func(a *analysis) bool {
		o, _, _ := a.restatement()
		return o == restatedContradicted
	},
}

// quoteFacts are the quotable turns of scorecard.QuoteFacts.
var quoteFacts = map[string]func(a *analysis) (score.Evidence, bool){
	"next_step_agreement": func(a *analysis) (score.Evidence, bool) {
		if a.next.agreeSeg < 0 {
			return score.Evidence{}, false
		}
		return a.segmentEvidence(a.next.agreeSeg)
	},
	"restatement": func(a *analysis) (score.Evidence, bool) {
		o, h, _ := a.restatement()
		if o == notRestated {
			return score.Evidence{}, false
		}
		return a.evidence(h), true
	},
	"restatement_reply": func(a *analysis) (score.Evidence, bool) {
		if _, _, reply := a.restatement(); reply >= 0 {
			return a.segmentEvidence(int32(reply))
		}
		return score.Evidence{}, false
	},
	"linked_offer": func(a *analysis) (score.Evidence, bool) {
		if o := a.offer(); o.linkedSent >= 0 {
			return a.sentenceEvidence(o.linkedSent), true
		}
		return score.Evidence{}, false
	},
	"benefit_offer": func(a *analysis) (score.Evidence, bool) {
		return a.sentenceWith(a.offer().benefitSeg, sigBenefit)
	},
	"feature_dump": func(a *analysis) (score.Evidence, bool) { return a.segEvidence(a.offer().dumpSeg) },
	"offer_reply": func(a *analysis) (score.Evidence, bool) {
		if o := a.offer(); o.rejected {
			return a.segEvidence(o.reply)
		}
		return score.Evidence{}, false
	},
	"need": func(a *analysis) (score.Evidence, bool) { return a.segEvidence(int(a.needSeg)) },
	"next_step": func(a *analysis) (score.Evidence, bool) {
		if a.next.seg < 0 {
			return score.Evidence{}, false
		}
		return a.evidence(a.next.hit), true
	},
}

// segEvidence quotes segment seg, none for -1.
func (a *analysis) segEvidence(seg int) (score.Evidence, bool) {
	if seg < 0 {
		return score.Evidence{}, false
	}
	return a.segmentEvidence(int32(seg))
}

// measures are the deduction facts of scorecard.Measures.
var measures = map[string]fact{
	"":                  factSentences,
	"sentences":         factSentences,
	"hits":              factHits,
	"none":              factNone,
	"ignored_refusals":  factIgnoredRefusals,
	"pressed_on":        factPressedOn,
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
	"found":             factFound,
	"segments":          factSegments,
	"once":              factOnce,
	"client_questions":  factClientQuestions,
	"open_questions":    factOpenQuestions,
	"closed_questions":  factClosedQuestions,
	"refusals":          factRefusals,
	"objections":        factObjections,
	"manager_talk":      factManagerTalk,
	"client_talk":       factClientTalk,
	"objection_replies": factObjectionReplies,
	"asked":             factAsked,
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
		alts := strings.Split(n, "|")
		if len(alts) == 1 {
			out = append(out, condOf(n))
			continue
		}
		cs := make([]cond, len(alts))
		for i, alt := range alts {
			cs[i] = condOf(strings.TrimSpace(alt))
		}
		out = append(out, func(a *analysis) bool { return holds(a, cs) })
	}
	return out
}

// condOf compiles one condition: a name, a signal or a comparison, "!"
// negating it.
func condOf(n string) cond {
	return negated(n, func(n string) func(*analysis) bool {
		if m, op, x, isCmp := scorecard.Comparison(n); isCmp {
			return compare(&deduction{fact: measures[m]}, op, x)
		}
		if c, ok := conditions[n]; ok {
			return c
		}
		s := signalByName[n]
		return func(a *analysis) bool { return len(a.hitsOf(s)) > 0 }
	})
}

// negated is the condition name compiles to by of, negated when name
// starts with "!".
func negated[T any](name string, of func(string) func(T) bool) func(T) bool {
	pos := of(strings.TrimPrefix(name, "!"))
	if !strings.HasPrefix(name, "!") {
		return pos
	}
	return func(x T) bool { return !pos(x) }
}

func compare(d *deduction, op string, x float64) cond {
	return func(a *analysis) bool {
		v, _ := a.value(d)
		switch op {
		case "<":
			return v < x
		case "<=":
			return v <= x
		case "==":
			return v == x
		case ">=":
			return v >= x
		}
		return v > x
	}
}

func (k *compiler) quotes(q *scorecard.Quotes) *quoteSpec {
	if q == nil {
		return nil
	}
	spec := &quoteSpec{sigs: k.signals(q.Signals), n: q.N}
	for _, f := range q.Facts {
		spec.facts = append(spec.facts, quoteFacts[f])
	}
	return spec
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
	if sr.Evaluator != "" {
		// An evaluator of older files: the default scorecard's rules of
		// the criterion, with the file's skip.
		c, _ := scorecard.Default().Criterion(sr.Evaluator)
		dr := *c.Rules
		if sr.Skip != nil {
			dr.Skip = sr.Skip
		}
		sr = &dr
	}
	r := &rules{praise: textOf(sr.Praise), none: textOf(sr.None), first: sr.Pick == "first"}
	if sr.Skip != nil {
		r.skip, r.skipComment = k.conds(sr.Skip.When), textOf(sr.Skip.Comment)
	}
	for i := range sr.Cases {
		r.cases = append(r.cases, ruleCase{when: k.conds(sr.Cases[i].When), rules: k.rules(fmt.Sprintf("%s.cases[%d].rules", path, i), &sr.Cases[i].Rules)})
	}
	switch {
	case sr.Base != nil:
		r.base = *sr.Base
	case len(sr.Require) == 0 && len(sr.Tally) == 0:
		r.base = 100
	}
	r.awards = k.awards(path+".require", sr.Require)
	r.bonus = k.awards(path+".bonus", sr.Bonus)
	r.deductions = k.deductions(path+".forbid", sr.Forbid, true)
	r.tally = k.deductions(path+".tally", sr.Tally, false)
	for _, e := range sr.PraiseMore {
		r.praiseMore = append(r.praiseMore, extra{when: k.conds(e.When), text: textOf(e.Text)})
	}
	for _, c := range sr.Caps {
		r.caps = append(r.caps, capRule{when: k.conds(c.When), max: c.Max, note: textOf(c.Note), lead: textOf(c.Lead), quotes: k.quotes(c.Quotes)})
	}
	r.evidence, r.fallback = k.quotes(sr.Evidence), k.quotes(sr.Fallback)
	for i, id := range sr.Average {
		if c, ok := k.c.sc.Criterion(id); ok && c.Rules != nil && len(c.Rules.Average) > 0 {
			k.fail(fmt.Sprintf("%s.average[%d]", path, i), "criterion %q is an average itself", id)
		}
	}
	r.average = slices.Clone(sr.Average)
	return r
}

// awards compiles Require or Bonus rules.
func (k *compiler) awards(path string, rows []scorecard.Rule) []award {
	var out []award
	for i := range rows {
		w := &rows[i]
		sig := signalByName[w.Signal]
		if len(w.Phrases) > 0 {
			sig = k.phrases(fmt.Sprintf("%s[%d]", path, i), w.Phrases, w.Who)
		}
		if w.Signal == "" && len(w.Phrases) == 0 {
			sig = noSignal
		}
		aw := award{cue: cues[w.Cue], sig: sig, within: w.First, last: w.Last, late: w.Late, points: w.Points,
			miss: textOf(w.Miss), found: textOf(w.Found), unheard: textOf(w.Unheard), advice: textOf(w.Advice), quote: w.Quote, when: k.conds(w.If)}
		if w.Cue == "" && w.First == 0 {
			aw.cue = cueAny
		}
		for _, f := range w.Facts {
			aw.facts = append(aw.facts, quoteFacts[f])
		}
		out = append(out, aw)
	}
	return out
}

// deductions compiles Forbid or Tally rules; a Forbid rule takes at most
// its points by default (capped), a Tally rule has no cap but Most.
func (k *compiler) deductions(path string, rows []scorecard.Rule, capped bool) []deduction {
	var out []deduction
	for i := range rows {
		d := &rows[i]
		var sigs []signal
		switch {
		case d.Signal != "":
			sigs = []signal{signalByName[d.Signal]}
		case len(d.Signals) > 0:
			sigs = k.signals(d.Signals)
		case len(d.Phrases) > 0:
			sigs = []signal{k.phrases(fmt.Sprintf("%s[%d]", path, i), d.Phrases, d.Who)}
		}
		most := d.Most
		if most == 0 && capped {
			most = d.Points
		}
		row := deduction{fact: measures[d.Measure], sigs: sigs, each: d.Points, most: most, label: textOf(d.Label), quotes: d.Quotes,
			when: k.conds(d.If), late: d.Late, unit: unitsOf(textOf(d.Unit)), always: d.Always, max: d.Max}
		for _, f := range d.Facts {
			row.facts = append(row.facts, quoteFacts[f])
		}
		for _, it := range d.Each {
			ir := itemRow{points: it.Points}
			for _, c := range it.If {
				ir.when = append(ir.when, negated(c, func(n string) func(*objection) bool { return itemConditions[n] }))
			}
			row.items = append(row.items, ir)
		}
		for _, b := range d.Bands {
			bd := band{points: b.Points, slope: b.Slope, per: b.Per, from: b.From, label: textOf(b.Label)}
			if bd.per == 0 {
				bd.per = 1
			}
			if b.Below != nil {
				bd.below, bd.hasBelow = *b.Below, true
			}
			if b.Upto != nil {
				bd.upto, bd.hasUpto = *b.Upto, true
			}
			row.bands = append(row.bands, bd)
		}
		out = append(out, row)
	}
	return out
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

// body evaluates the rules' own scoring: an average, the first award
// found, a tally, or the awards and deductions from the base. praise is the
// comment when nothing was missed.
func (r *rules) body(a *analysis) (result, string) {
	switch {
	case len(r.average) > 0:
		return r.averageOf(a), ""
	case r.first:
		res := a.awardFirst(r.awards, r.base, r.none)
		r.addBonus(a, &res)
		if len(r.deductions) > 0 {
			// What went wrong outweighs what the rule found says.
			var parts []string
			a.deduct(r.deductions, &res, &parts)
			if len(parts) > 0 {
				// The found row's advice does not answer what went wrong.
				res.comment, res.advice, res.done = strings.Join(parts, "; "), "", false
			}
		}
		res.score = score.Clamp(res.score)
		return res, ""
	case len(r.tally) > 0:
		res := result{score: r.base}
		a.tally(r.tally, &res)
		res.score = score.Clamp(res.score)
		if res.comment == "" {
			res.comment = r.praise.in(a.lang)
		}
		return res, ""
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
	r.addBonus(a, &res)
	res.score = score.Clamp(res.score)
	res.comment = verdict(parts, praise)
	return res, praise
}

func (r *rules) addBonus(a *analysis, res *result) {
	if len(r.bonus) == 0 {
		return
	}
	intro := introCache{a: a}
	for i := range r.bonus {
		b := &r.bonus[i]
		if ok, _, ev := a.findCue(b, &intro); ok {
			res.score += b.points
			if b.quote && ev != nil {
				res.evidence = appendEvidence(res.evidence, *ev)
			}
			a.quoteFacts(b, res)
		}
	}
}

// averageOf scores the mean of other criteria, rounded half up, their
// comments joined and their evidence merged.
func (r *rules) averageOf(a *analysis) result {
	var res result
	var comments []string
	sum := 0
	for _, id := range r.average {
		c := a.opts.card.defs[id].eval(a)
		sum += c.score
		comments = append(comments, c.comment)
		res.evidence = append(res.evidence, c.evidence...)
	}
	n := len(r.average)
	res.score = (2*sum + n) / (2 * n)
	res.comment = strings.Join(comments, "; ")
	res.evidence = dedupe(res.evidence)
	return res
}

// finish applies the fallback quotes and the caps.
func (r *rules) finish(a *analysis, res result, praise string) result {
	if r.evidence != nil {
		if q := r.evidence.quote(a); len(res.evidence) == 0 {
			res.evidence = q
		} else {
			res.evidence = dedupe(append(res.evidence, q...))
		}
	}
	if r.fallback != nil && len(res.evidence) == 0 {
		res.evidence = r.fallback.quote(a)
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
				res.evidence = dedupe(append(c.quotes.quote(a), res.evidence...))
			}
			continue
		}
		if res.score > c.max {
			res.score, res.capped = c.max, true
			res.comment += "; " + c.note.in(a.lang)
			if c.quotes != nil {
				res.evidence = append(res.evidence, c.quotes.quote(a)...)
			}
		}
	}
	return res
}

// known lists the card's criteria in file order, for messages.
func (c *card) known() string { return strings.Join(c.ids, ", ") }
