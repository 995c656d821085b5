package checklist

import (
	"strings"

	"github.com/callaudit/callaudit/score"
)

// The criteria of the Диалог mode judge the conversation as a whole, not
// the manager's stages: whether the two sides understood each other,
// whether the client's question was resolved and the tone on both sides.
// A warm call that fixes the client's problem in plain words is a good
// conversation; a call that recites every step while the client stays
// confused is not.

// lateHit returns the last hit of s when it is in the last third of the
// call: how the client felt at the end.
func (a *analysis) lateHit(s signal) (hit, bool) {
	hs := a.hits[s]
	if len(hs) == 0 {
		return hit{}, false
	}
	h := hs[len(hs)-1]
	return h, int(h.seg) >= len(a.d.segs)*2/3
}

// evalResolution judges whether the question or problem the client came
// with was resolved in the call or given a clear path, and how the client
// left.
func evalResolution(a *analysis) result {
	if a.callback {
		return result{score: 90, evidence: a.firstHits(1, sigBusy),
			comment: a.tr("клиенту было неудобно говорить; договорились о перезвоне в конкретное время", "the client could not talk; a callback at a set time was agreed")}
	}
	var r result
	var parts []string
	fixed := a.firstHits(1, sigResolved)
	switch {
	case len(fixed) > 0:
		r.score = 85
		r.comment = a.tr("вопрос клиента решён в разговоре", "the client's question was solved during the call")
		r.evidence = fixed
	case a.next.agree && a.next.time:
		r.score = 85
		r.comment = a.tr("есть ясный путь: конкретный шаг со временем, клиент согласился", "a clear path: a concrete step with a time, agreed by the client")
		r.evidence = []score.Evidence{a.evidence(a.next.hit)}
	case a.next.agree:
		r.score = 65
		r.comment = a.tr("клиент согласился на следующий шаг, но без времени", "the client agreed to a next step, without a time")
		r.evidence = []score.Evidence{a.evidence(a.next.hit)}
	case a.clientQs >= 2 && !a.unheard && a.sentences(sigConfused)+a.sentences(sigDeflect) == 0:
		// The client came for information and asked for it: answered
		// questions are the resolution of such a call.
		r.score = 70
		r.comment = a.tr("клиент получил ответы на свои вопросы", "the client got answers to their questions")
	case a.next.time:
		r.score = 55
		r.comment = a.tr("шаг предложен, но согласия клиента нет", "a step was proposed but the client did not agree")
	default:
		r.score = 40
		r.comment = a.tr("вопрос клиента не решён и ясного пути нет", "the client's question was not resolved and there is no clear path")
	}
	if h, ok := a.lateHit(sigSatisfied); ok {
		r.score += 15
		r.evidence = appendEvidence(r.evidence, a.evidence(h))
	}
	penalty := func(on bool, pts int, ru, en string, sigs ...signal) {
		if !on {
			return
		}
		r.score -= pts
		parts = append(parts, a.tr(ru, en))
		if len(sigs) > 0 {
			r.evidence = append(r.evidence, a.firstHits(1, sigs...)...)
		}
	}
	_, hostile := a.lateHit(sigHostile)
	_, confused := a.lateHit(sigConfused)
	penalty(hostile, 35, "клиент ушёл недовольным", "the client left dissatisfied", sigHostile)
	penalty(confused, 30, "клиент так и не понял", "the client was still unsure at the end", sigConfused)
	penalty(a.unheard, 30, "запрос клиента остался без ответа", "the client's request went unanswered", sigUnheard, sigBrushOff)
	penalty(a.next.refused || len(a.ignoredRefusals) > 0, 30, "клиент отказался, а разговор продолжили как будто согласился", "the client refused, yet the call went on as if they agreed")
	penalty(a.sentences(sigRude)+a.sentences(sigPressure) > 0, 25, "разговор испорчен грубостью или давлением", "rudeness or pressure spoilt the call", sigRude, sigPressure)
	penalty(a.needSeg >= 0 && !a.needMet, 20, "к тому, что нужно клиенту, не вернулись", "what the client needed was never taken up")
	r.score = score.Clamp(r.score)
	if len(parts) > 0 {
		// What went wrong outweighs what the base case says went right.
		r.comment = strings.Join(parts, "; ")
	}
	r.evidence = dedupe(r.evidence)
	return r
}

// summaryContradicted reports whether the client's answer to the
// restatement h contradicts it, and which segment that answer is.
func (a *analysis) summaryContradicted(h hit) (int, bool) {
	if h.seg == 0 {
		return -1, false
	}
	reply := a.clientTurn(int(h.seg), 1)
	return reply, a.refuses(reply) || a.segHas(reply, sigUnheard) || a.segHas(reply, sigObjection) || a.segHas(reply, sigConfused)
}
