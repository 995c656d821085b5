package checklist

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/callaudit/callaudit/score"
)

// The criteria that start from 100 and lose points for what went wrong
// (conduct, tone, understanding) are tables of deductions, evaluated by
// one engine, deduct: the rules as data rather than code, so that a
// scorecard can list them, and a rule is changed by editing a row. Each
// row names a fact of the call, the points taken per occurrence and at
// most, and the comment that says so.

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

// deduct evaluates a deduction table: 100 less each row's points, with
// the comment listing what was found, or praise when nothing was.
func (a *analysis) deduct(rows []deduction, praise text) result {
	r := result{score: 100}
	var parts []string
	for i := range rows {
		d := &rows[i]
		n, value := a.measure(d)
		if n == 0 {
			continue
		}
		r.score -= min(n*d.each, d.most)
		parts = append(parts, strings.Replace(d.label.in(a.lang), "%s", value, 1))
		r.evidence = append(r.evidence, a.factEvidence(d)...)
	}
	r.score = score.Clamp(r.score)
	r.evidence = dedupe(r.evidence)
	r.comment = verdict(parts, praise.in(a.lang))
	return r
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
			if len(a.hits[s]) > 0 {
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
			n += len(a.hits[s])
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

func sigs(s ...signal) []signal { return s }

// conductRules: the manager's conduct.
var conductRules = []deduction{
	{factSentences, sigs(sigRude), 35, 70, text{"грубость: %s", "rudeness: %s"}, 2},
	{factSentences, sigs(sigPressure), 30, 60, text{"давление на клиента: %s", "pressure on the client: %s"}, 2},
	{factSentences, sigs(sigDismiss), 10, 20, text{"спор с клиентом: %s", "arguing with the client: %s"}, 2},
	{factIgnoredRefusals, nil, 25, 50, text{"продолжение после отказа клиента: %s", "pressed on after the client refused: %s"}, 2},
	{factMonologue, nil, 20, 20, text{"монолог на %s", "a monologue of %s"}, 0},
	{factManagerShare, nil, 15, 15, text{"доля речи менеджера %s", "the manager talked %s of the time"}, 0},
	{factInterruptions, nil, 10, 30, text{"перебивания клиента: %s", "interrupted the client %s"}, 0},
}

// toneRules: the tone on both sides (Диалог).
var toneRules = []deduction{
	{factSentences, sigs(sigRude), 30, 60, text{"грубость менеджера: %s", "the manager's rudeness: %s"}, 2},
	{factSentences, sigs(sigPressure), 20, 40, text{"давление: %s", "pressure: %s"}, 1},
	{factSentences, sigs(sigDismiss), 10, 20, text{"спор: %s", "arguing: %s"}, 1},
	{factIgnoredRefusals, nil, 15, 30, text{"отказ клиента проигнорирован: %s", "the client's refusal ignored: %s"}, 0},
	{factSentences, sigs(sigHostile), 20, 40, text{"раздражение клиента: %s", "the client's irritation: %s"}, 2},
	{factNone, sigs(sigCourtesy, sigFarewell, sigSatisfied), 15, 15,
		text{"сухой тон: ни благодарности, ни тёплого слова", "a dry tone: no thanks and no warm word"}, 0},
}

// understandingRules: whether the two sides understood each other
// (Диалог).
var understandingRules = []deduction{
	{factSentences, sigs(sigConfused), 25, 60, text{"клиент не понял или остался в неведении: %s", "the client did not understand or was left unsure: %s"}, 2},
	{factSentences, sigs(sigUnheard), 30, 60, text{"клиенту пришлось повторять свой вопрос: %s", "the client had to repeat the question: %s"}, 1},
	{factSentences, sigs(sigDeflect), 20, 40, text{"вопрос клиента отложен «на потом»: %s", "the client's question was put off for later: %s"}, 1},
	{factSentences, sigs(sigBrushOff), 30, 30, text{"клиента отправили разбираться самого: %s", "the client was sent elsewhere: %s"}, 1},
	// A refusal talked over and a rude retort are the manager not
	// hearing the client.
	{factIgnoredRefusals, nil, 30, 60, text{"отказ клиента не услышан: %s", "the client's refusal was not heard: %s"}, 0},
	{factSentences, sigs(sigRude, sigDismiss), 20, 40, text{"спор или грубость вместо ответа: %s", "the manager argued or was rude instead of answering: %s"}, 1},
	// The client hardly spoke: nothing shows they followed.
	{factClientShare, nil, 40, 40, text{"клиент почти не говорил (%s слов)", "the client hardly spoke (%s of the words)"}, 0},
	{factContradicted, nil, 20, 40, text{"клиент не согласился с пересказом менеджера: %s", "the client disagreed with the manager's restatement: %s"}, 1},
}

// flowRules: a lively exchange (Диалог). An exchange lives on questions
// from either side: a client asking and getting answers is a dialog too.
var flowRules = []deduction{
	{factAnyMonologue, nil, 25, 25, text{"монолог на %s", "a monologue of %s"}, 0},
	{factFewTurns, nil, 30, 30, text{"мало реплик", "few turns"}, 0},
	{factNoQuestions, nil, 30, 30, text{"ни одного вопроса ни с одной стороны", "no questions from either side"}, 0},
	{factClosedOnly, nil, 15, 15, text{"только закрытые вопросы", "closed questions only"}, 0},
	{factAllInterruptions, nil, 10, 30, text{"перебивания: %s", "interruptions: %s"}, 0},
	{factHits, sigs(sigDismiss, sigRude), 25, 50, text{"спор или грубость: %s", "arguing or rudeness: %s"}, 2},
}
