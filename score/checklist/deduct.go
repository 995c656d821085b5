package checklist

import (
	"fmt"
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
}

// deduct takes each row's points off r, adds the comment parts of what
// was found to parts and its quotes to r's evidence.
func (a *analysis) deduct(rows []deduction, r *result, parts *[]string) {
	for i := range rows {
		d := &rows[i]
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

// measure counts the fact of d in the call and formats it for the
// comment.
func (a *analysis) measure(d *deduction) (int, string) {
	switch d.fact {
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
			return 1, fmt.Sprintf("%.0f%%", share*100)
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

// factEvidence quotes up to d.quotes occurrences of the fact of d.
func (a *analysis) factEvidence(d *deduction) []score.Evidence {
	if d.quotes == 0 {
		return nil
	}
	var out []score.Evidence
	switch d.fact {
	case factSentences, factHits:
		return a.firstHits(d.quotes, d.sigs...)
	case factIgnoredRefusals:
		for _, seg := range a.ignoredRefusals[:min(len(a.ignoredRefusals), d.quotes)] {
			if ev, ok := a.segmentEvidence(seg); ok {
				out = append(out, ev)
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
