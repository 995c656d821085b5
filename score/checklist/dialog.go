package checklist

import (
	"fmt"
	"strings"

	"github.com/callaudit/callaudit/score"
)

// The criteria of the Диалог mode judge the conversation as a whole, not
// the manager's stages: whether the two sides understood each other,
// whether the client's question was resolved and the tone on both sides.
// A warm call that fixes the client's problem in plain words is a good
// conversation; a call that recites every step while the client stays
// confused is not.

// evalUnderstanding starts from 100 and takes points off for every sign
// that the sides talked past each other: the client did not understand or
// had to say they were not heard, a question put off to a later meeting,
// the client sent elsewhere, a restatement the client contradicted.
func evalUnderstanding(a *analysis) result {
	r := result{score: 100}
	var parts []string
	take := func(n, each, most int, ru, en string) {
		if n == 0 {
			return
		}
		r.score -= min(n*each, most)
		parts = append(parts, fmt.Sprintf("%s: %d", a.tr(ru, en), n))
	}
	take(a.sentences(sigConfused), 25, 60, "клиент не понял или остался в неведении", "the client did not understand or was left unsure")
	take(a.sentences(sigUnheard), 30, 60, "клиенту пришлось повторять свой вопрос", "the client had to repeat the question")
	take(a.sentences(sigDeflect), 20, 40, "вопрос клиента отложен «на потом»", "the client's question was put off for later")
	take(a.sentences(sigBrushOff), 30, 30, "клиента отправили разбираться самого", "the client was sent elsewhere")
	// A refusal talked over and a rude retort are the manager not
	// hearing the client.
	take(len(a.ignoredRefusals), 30, 60, "отказ клиента не услышан", "the client's refusal was not heard")
	take(a.sentences(sigRude)+a.sentences(sigDismiss), 20, 40, "менеджер спорил или грубил вместо ответа", "the manager argued or was rude instead of answering")
	if share, ok := a.managerTalkShare(); ok && share > 0.8 && a.m.ManagerWords+a.m.ClientWords >= 80 {
		// The client hardly spoke: nothing shows they followed.
		r.score -= 40
		parts = append(parts, a.tr(fmt.Sprintf("клиент почти не говорил (%.0f%% слов)", (1-share)*100), fmt.Sprintf("the client hardly spoke (%.0f%% of the words)", (1-share)*100)))
	}
	contradicted := 0
	for _, h := range a.hits[sigSummary] {
		if reply, ok := a.summaryContradicted(h); ok {
			contradicted++
			if ev, ok := a.segmentEvidence(int32(reply)); ok {
				r.evidence = appendEvidence(r.evidence, ev)
			}
		}
	}
	take(contradicted, 20, 40, "клиент не согласился с пересказом менеджера", "the client disagreed with the manager's restatement")
	r.evidence = append(a.firstHits(3, sigConfused, sigUnheard, sigDeflect, sigBrushOff, sigRude, sigDismiss), r.evidence...)
	r.score = score.Clamp(r.score)
	praise := a.tr("стороны поняли друг друга, клиенту не пришлось переспрашивать", "the two sides understood each other; the client never had to ask again")
	if a.clientQs > 0 {
		praise += a.tr("; вопросы клиента получили ответ", "; the client's questions were answered")
	}
	r.comment = verdict(parts, praise)
	return r
}

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

// evalTone judges the tone on both sides: the manager's rudeness, pressure
// and arguing, the client's irritation or hostility, and whether anyone
// was warm at all.
func evalTone(a *analysis) result {
	r := result{score: 100}
	var parts []string
	take := func(n, each, most int, ru, en string) {
		if n == 0 {
			return
		}
		r.score -= min(n*each, most)
		parts = append(parts, fmt.Sprintf("%s: %d", a.tr(ru, en), n))
	}
	take(a.sentences(sigRude), 30, 60, "грубость менеджера", "the manager's rudeness")
	take(a.sentences(sigPressure), 20, 40, "давление", "pressure")
	take(a.sentences(sigDismiss), 10, 20, "спор", "arguing")
	take(len(a.ignoredRefusals), 15, 30, "отказ клиента проигнорирован", "the client's refusal ignored")
	take(a.sentences(sigHostile), 20, 40, "раздражение клиента", "the client's irritation")
	warm := len(a.hits[sigCourtesy]) > 0 || len(a.hits[sigFarewell]) > 0 || len(a.hits[sigSatisfied]) > 0
	if !warm {
		r.score -= 15
		parts = append(parts, a.tr("сухой тон: ни благодарности, ни тёплого слова", "a dry tone: no thanks and no warm word"))
	}
	if a.critical {
		r.score = min(r.score, criticalCap)
	}
	r.evidence = a.firstHits(3, sigRude, sigPressure, sigHostile, sigDismiss)
	if len(r.evidence) == 0 {
		r.evidence = a.firstHits(2, sigSatisfied, sigCourtesy)
	}
	r.score = score.Clamp(r.score)
	r.comment = verdict(parts, a.tr("доброжелательный тон с обеих сторон", "a friendly tone on both sides"))
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
