package checklist

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/callaudit/callaudit/score"
)

// The Forbid rules of a scorecard (conduct, tone, understanding, flow in
// the default one) are tables of deductions, evaluated by one engine,
// deduct. Each row names a fact of the call, the points taken per
// occurrence and at most, and the comment that says so.

// fact is a countable thing in a call a deduction looks at.
type fact uint8

const (
	// factSentences counts the sentences where any of the signals was
	// found (each signal says who must say it).
	factSentences fact = iota
	// factNone is 1 when none of the signals was found at all.
	factNone
	// factIgnoredRefusals counts the manager's turns that pressed on
	// after the client refused or could not talk.
	factIgnoredRefusals
	// factPressedOn counts the manager's turns that pressed on after a
	// refusal: the ignored refusals and the replies to a refusal that
	// sell again (analysis.pressedOnTurns).
	factPressedOn
	// factContradicted counts the restatements the client contradicted.
	factContradicted
	// factMonologue is 1 when a speaker other than the client talked
	// longer than the monologue limit; the comment gives the words.
	factMonologue
	// factManagerShare is 1 when the manager had over 80 % of at least
	// 80 words; the comment gives the manager's share.
	factManagerShare
	// factClientShare is the same fact with the client's share in the
	// comment: the client hardly spoke.
	factClientShare
	// factInterruptions counts the manager's interruptions (timed
	// transcripts only).
	factInterruptions
	// factHits counts the matches of the signals, not their sentences.
	factHits
	// factAnyMonologue is factMonologue whoever spoke it.
	factAnyMonologue
	// factFewTurns is 1 when the call has fewer than four turns.
	factFewTurns
	// factNoQuestions is 1 when neither side asked anything.
	factNoQuestions
	// factClosedOnly is 1 when the manager asked only closed questions
	// and the client none.
	factClosedOnly
	// factAllInterruptions counts the interruptions by either side.
	factAllInterruptions
	// factFound is 1 when one of the signals was found (with late: its
	// last hit is in the last third of the call).
	factFound
	// factSegments counts the turns where one of the signals was found.
	factSegments
	// factOnce is 1: the row's conditions decide.
	factOnce
	factClientQuestions
	factOpenQuestions
	factClosedQuestions
	// factRefusals counts the client's turns that refuse or cannot talk.
	factRefusals
	factObjections
	// factManagerTalk and factClientTalk are shares of the words, 0..1.
	factManagerTalk
	factClientTalk
	// factObjectionReplies is the mean score of the objections' replies.
	factObjectionReplies
	// factAsked counts the manager's open questions where one of the
	// signals was found.
	factAsked
)

// deduction is one row of a deduction table.
type deduction struct {
	fact fact
	sigs []signal
	each int // points per occurrence
	most int // at most, whatever the count
	// label is the comment part; %s stands for the measure (a count,
	// a share, a number of words).
	label text
	// quotes is how many evidence quotes the row gives, 0 for none.
	quotes int
	// when are conditions that must all hold for the row to count.
	when []cond
	late bool
	// unit, when set, writes the count in the label with its noun
	// ("вопрос|вопроса|вопросов").
	unit units
	// always shows a tally row's label when its value is 0.
	always bool
	// bands score a tally row's value instead of each per count.
	bands []band
	// items score each objection's reply (factObjectionReplies).
	items []itemRow
	// max, for a tally row, limits the score so far instead of adding.
	max *int
	// facts are quoted when a tally row applies.
	facts []func(a *analysis) (score.Evidence, bool)
}

// itemRow is an each row: points when all of its conditions hold of an
// objection.
type itemRow struct {
	when   []func(o *objection) bool
	points int
}

// itemConditions are scorecard.ItemConditions.
var itemConditions = map[string]func(o *objection) bool{
	"reply":          func(o *objection) bool { return o.reply >= 0 },
	"reply_empathy":  func(o *objection) bool { return o.empathy },
	"reply_question": func(o *objection) bool { return o.question },
	"reply_value":    func(o *objection) bool { return o.value },
	"reply_bad":      func(o *objection) bool { return o.bad },
}

// replyMean is the rounded mean score of the objections' replies, each
// the sum of the rows whose conditions hold, within 0..100.
func (a *analysis) replyMean(rows []itemRow) int {
	if len(a.objections) == 0 {
		return 0
	}
	sum := 0
	for i := range a.objections {
		o := &a.objections[i]
		s := 0
	row:
		for _, r := range rows {
			for _, c := range r.when {
				if !c(o) {
					continue row
				}
			}
			s += r.points
		}
		sum += score.Clamp(s)
	}
	return int(math.Round(float64(sum) / float64(len(a.objections))))
}

// band is a range of a tally row's value and its points
// (scorecard.Band).
type band struct {
	below, upto       float64
	hasBelow, hasUpto bool
	points            int
	slope, per, from  float64
	label             text
}

// points scores v when it is within the band.
func (b *band) score(v float64) (int, bool) {
	if (b.hasBelow && !(v < b.below)) || (b.hasUpto && !(v <= b.upto)) {
		return 0, false
	}
	if b.slope == 0 {
		return b.points, true
	}
	return int(math.Round(float64(b.points) + b.slope*(v-b.from)/b.per)), true
}

// deduct takes each row's points off r, adds the comment parts of what
// was found to parts and its quotes to r's evidence.
func (a *analysis) deduct(rows []deduction, r *result, parts *[]string) {
	for i := range rows {
		d := &rows[i]
		if len(d.when) > 0 && !holdsAll(a, d.when) {
			continue
		}
		n, value := a.measure(d)
		if n == 0 {
			continue
		}
		r.score -= min(n*d.each, d.most)
		*parts = append(*parts, strings.Replace(d.label.in(a.lang), "%s", value, 1))
		r.evidence = append(r.evidence, a.factEvidence(d)...)
	}
	r.evidence = dedupe(r.evidence)
}

// tally adds each row's points to r and its label to the comment, as
// written; the evidence of the rows shown follows.
func (a *analysis) tally(rows []deduction, r *result) {
	var b strings.Builder
	b.Grow(96)
	for i := range rows {
		d := &rows[i]
		if len(d.when) > 0 && !holdsAll(a, d.when) {
			continue
		}
		v, value := a.value(d)
		var more string
		if len(d.bands) > 0 {
			for j := range d.bands {
				if p, ok := d.bands[j].score(v); ok {
					r.score += p
					more = d.bands[j].label.in(a.lang)
					break
				}
			}
		} else if d.max != nil {
			if v != 0 {
				r.score = min(r.score, *d.max)
			}
		} else {
			p := int(v) * d.each
			if d.most > 0 {
				p = max(min(p, d.most), -d.most)
			}
			r.score += p
		}
		if v == 0 && !d.always {
			continue
		}
		if l := d.label.in(a.lang); l != "" {
			b.WriteString(strings.Replace(l, "%s", value, 1))
		}
		b.WriteString(more)
		r.evidence = append(r.evidence, a.factEvidence(d)...)
		for _, f := range d.facts {
			if ev, ok := f(a); ok {
				r.evidence = appendEvidence(r.evidence, ev)
			}
		}
	}
	r.comment = strings.TrimPrefix(b.String(), "; ")
}

// value is the fact of d as a number, a share or a count, and as the
// comment writes it.
func (a *analysis) value(d *deduction) (float64, string) {
	if d.fact == factManagerTalk || d.fact == factClientTalk {
		v := a.talkShare(d.fact)
		return v, percent(v)
	}
	n, s := a.measure(d)
	return float64(n), s
}

// percent writes a share, 0..1, as the comments do ("75%").
func percent(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }

// talkShare is the manager's or the client's share of the words, 0 when
// the roles are unknown.
func (a *analysis) talkShare(f fact) float64 {
	share, ok := a.managerTalkShare()
	switch {
	case !ok:
		return 0
	case f == factClientTalk:
		return 1 - share
	}
	return share
}

// measure counts the fact of d in the call and formats it for the
// comment.
func (a *analysis) measure(d *deduction) (int, string) {
	n, s := a.count1(d)
	if forms := d.unit.in(a.lang); len(forms) > 0 {
		s = countUnit(n, forms)
	}
	return n, s
}

// units are the noun forms of a count by language, split once.
type units struct{ ru, en []string }

func unitsOf(t text) units {
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, "|")
	}
	return units{ru: split(t.ru), en: split(t.en)}
}

func (u units) in(lang string) []string {
	if lang == "en" {
		return u.en
	}
	return u.ru
}

// countUnit writes n with the noun of forms (вопрос, вопроса, вопросов;
// question, questions) agreeing with it.
func countUnit(n int, f []string) string {
	var w string
	switch len(f) {
	case 3:
		w = pluralRU(n, f[0], f[1], f[2])
	case 2:
		w = f[1]
		if n == 1 {
			w = f[0]
		}
	default:
		w = f[0]
	}
	return strconv.Itoa(n) + " " + w
}

func (a *analysis) count1(d *deduction) (int, string) {
	switch d.fact {
	case factFound:
		for _, s := range d.sigs {
			if _, late := a.lateHit(s); late || (!d.late && len(a.hitsOf(s)) > 0) {
				return 1, "1"
			}
		}
		return 0, "0"
	case factSegments:
		n := 0
		for si := range a.d.segs {
			if slices.ContainsFunc(d.sigs, func(s signal) bool { return a.hasIn(si, s) }) {
				n++
			}
		}
		return n, strconv.Itoa(n)
	case factOnce:
		return 1, "1"
	case factClientQuestions:
		return a.clientQs, strconv.Itoa(a.clientQs)
	case factObjectionReplies:
		n := a.replyMean(d.items)
		return n, strconv.Itoa(n)
	case factAsked:
		n := 0
		for _, si := range a.openQs {
			if slices.ContainsFunc(d.sigs, func(s signal) bool { return a.sentHas(si, s) }) {
				n++
			}
		}
		return n, strconv.Itoa(n)
	case factOpenQuestions:
		return len(a.openQs), strconv.Itoa(len(a.openQs))
	case factClosedQuestions:
		return len(a.closedQs), strconv.Itoa(len(a.closedQs))
	case factObjections:
		return len(a.objections), strconv.Itoa(len(a.objections))
	case factRefusals:
		n := 0
		for si := range a.d.segs {
			if a.d.segs[si].role == cli && a.refuses(si) {
				n++
			}
		}
		return n, strconv.Itoa(n)
	case factManagerTalk, factClientTalk:
		v := a.talkShare(d.fact)
		return int(math.Round(v * 100)), percent(v)
	case factSentences:
		n := 0
		for _, s := range d.sigs {
			n += a.sentences(s)
		}
		return n, strconv.Itoa(n)
	case factNone:
		for _, s := range d.sigs {
			if len(a.hitsOf(s)) > 0 {
				return 0, ""
			}
		}
		return 1, ""
	case factIgnoredRefusals:
		return len(a.ignoredRefusals), strconv.Itoa(len(a.ignoredRefusals))
	case factPressedOn:
		n := len(a.pressedOnTurns())
		return n, strconv.Itoa(n)
	case factContradicted:
		n := 0
		for _, h := range a.hits[sigSummary] {
			if _, ok := a.summaryContradicted(h); ok {
				n++
			}
		}
		return n, strconv.Itoa(n)
	case factMonologue:
		if a.m.LongestMonologueSpeaker != cli && a.m.LongestMonologueWords > a.opts.monologueWords {
			return 1, a.count(a.m.LongestMonologueWords, "слово", "слова", "слов", "word", "words")
		}
	case factManagerShare, factClientShare:
		if share, ok := a.managerTalkShare(); ok && share > 0.8 && a.m.ManagerWords+a.m.ClientWords >= 80 {
			if d.fact == factClientShare {
				share = 1 - share
			}
			return 1, percent(share)
		}
	case factInterruptions, factAllInterruptions:
		p := a.m.ManagerInterruptions
		if d.fact == factAllInterruptions {
			p = a.m.Interruptions
		}
		if p != nil && *p > 0 {
			return *p, a.count(*p, "раз", "раза", "раз", "time", "times")
		}
	case factHits:
		n := 0
		for _, s := range d.sigs {
			n += len(a.hitsOf(s))
		}
		return n, strconv.Itoa(n)
	case factAnyMonologue:
		if a.m.LongestMonologueWords > a.opts.monologueWords {
			return 1, a.count(a.m.LongestMonologueWords, "слово", "слова", "слов", "word", "words")
		}
	case factFewTurns:
		if a.m.Turns > 0 && a.m.Turns < 4 {
			return 1, ""
		}
	case factNoQuestions:
		if len(a.openQs)+len(a.closedQs)+a.clientQs == 0 {
			return 1, ""
		}
	case factClosedOnly:
		if len(a.openQs) == 0 && a.clientQs == 0 && len(a.closedQs) > 0 {
			return 1, ""
		}
	}
	return 0, ""
}

// hasIn reports whether signal s was found in segment si.
func (a *analysis) hasIn(si int, s signal) bool {
	if s < numSignals {
		return a.segSig[si]&bit(s) != 0
	}
	for _, h := range a.hitsOf(s) {
		if int(h.seg) == si {
			return true
		}
	}
	return false
}

// sentHas reports whether signal s was found in sentence si.
func (a *analysis) sentHas(si int32, s signal) bool {
	if s < numSignals {
		return a.sentSig[si]&bit(s) != 0
	}
	for _, h := range a.hitsOf(s) {
		if a.d.toks[h.first].sent == si {
			return true
		}
	}
	return false
}

// factEvidence quotes up to d.quotes occurrences of the fact of d.
func (a *analysis) factEvidence(d *deduction) []score.Evidence {
	if d.quotes == 0 {
		return nil
	}
	var out []score.Evidence
	switch d.fact {
	case factSentences, factHits, factFound, factSegments, factOnce:
		return a.firstHits(d.quotes, d.sigs...)
	case factIgnoredRefusals, factPressedOn:
		segs := a.ignoredRefusals
		if d.fact == factPressedOn {
			segs = a.pressedOnTurns()
		}
		for _, seg := range segs[:min(len(segs), d.quotes)] {
			if ev, ok := a.segmentEvidence(seg); ok {
				out = append(out, ev)
			}
		}
	case factOpenQuestions, factClosedQuestions:
		qs := a.openQs
		if d.fact == factClosedQuestions {
			qs = a.closedQs
		}
		for _, si := range qs[:min(len(qs), d.quotes)] {
			out = append(out, a.sentenceEvidence(si))
		}
	case factObjectionReplies:
		// Each objection with its reply, while fewer than quotes.
		for _, o := range a.objections {
			if len(out) >= d.quotes {
				break
			}
			// The objection's own sentence, and what decided the reply's
			// grade: arguing or pressing, else the value argument or the
			// acknowledgement, rather than its first words.
			if ev, ok := a.sentenceWith(int(o.seg), sigObjection); ok {
				out = appendEvidence(out, ev)
			}
			if ev, ok := a.sentenceWith(int(o.reply), sigDismiss, sigRude, sigPressure, sigValue, sigBenefit, sigEmpathy); ok {
				out = appendEvidence(out, ev)
			}
		}
	case factContradicted:
		for _, h := range a.hits[sigSummary] {
			if reply, ok := a.summaryContradicted(h); ok && len(out) < d.quotes {
				if ev, ok := a.segmentEvidence(int32(reply)); ok {
					out = append(out, ev)
				}
			}
		}
	}
	return out
}
