package checklist

import "github.com/callaudit/callaudit/score"

// The stage criteria that add up points for what the manager did
// (greeting, rapport) are tables of awards evaluated by one engine,
// awardAll, as the deduction criteria are tables of deductions: a row
// names a cue, the points it earns and what the comment says when it is
// missing.

// cue is something a stage criterion looks for in the call.
type cue uint8

const (
	// cueEarly is a hit of the signal in the first `within` segments.
	cueEarly cue = iota
	// cueAny is a hit of the signal anywhere.
	cueAny
	// cueAsked is an early hit of the signal (a question) that leaves
	// the client room to answer; asked in the same breath as a pitch it
	// is found but does not count.
	cueAsked
	// cueIntroName is the manager's name: the signal's phrase early, or
	// an introduction in plain words («Это Ольга», «Банк «Северный»,
	// Елена»).
	cueIntroName
	// cueIntroCompany is the company: the signal's phrase early, or a
	// «quoted» name in the manager's first turns.
	cueIntroCompany
)

// award is one row of an award table.
type award struct {
	cue    cue
	sig    signal
	within int // segments, for the early cues
	points int
	miss   text // the comment part when the cue is missing
	// unheard is the comment part when the cue was said but does not
	// count (cueAsked without room to answer).
	unheard text
	quote   bool // quote the cue when found
}

// awardAll evaluates an award table: the sum of the points of the cues
// found, with the comment listing what was missed, or praise.
func (a *analysis) awardAll(rows []award, praise text) result {
	var r result
	var parts []string
	intro := introCache{a: a}
	for i := range rows {
		w := &rows[i]
		ok, said, ev := a.findCue(w, &intro)
		switch {
		case ok:
			r.score += w.points
			if w.quote && ev != nil {
				r.evidence = appendEvidence(r.evidence, *ev)
			}
		case said && w.unheard.ru != "":
			parts = append(parts, w.unheard.in(a.lang))
		default:
			parts = append(parts, w.miss.in(a.lang))
		}
	}
	r.comment = verdict(parts, praise.in(a.lang))
	return r
}

// introCache computes the plain-words introduction once per table.
type introCache struct {
	a                   *analysis
	done                bool
	nameSeg, companySeg int
}

func (c *introCache) get() (int, int) {
	if !c.done {
		c.nameSeg, c.companySeg = c.a.selfIntroduction()
		c.done = true
	}
	return c.nameSeg, c.companySeg
}

// findCue reports whether the cue of w is in the call (ok), whether it
// was said without counting (said), and its evidence.
func (a *analysis) findCue(w *award, intro *introCache) (ok, said bool, ev *score.Evidence) {
	switch w.cue {
	case cueEarly, cueAsked:
		h, found := a.hitWithin(w.sig, w.within)
		if !found {
			return false, false, nil
		}
		e := a.evidence(h)
		if w.cue == cueAsked && !a.waitsForAnswer(h) {
			return false, true, nil
		}
		return true, true, &e
	case cueAny:
		if hs := a.hits[w.sig]; len(hs) > 0 {
			if !w.quote {
				return true, true, nil
			}
			e := a.evidence(hs[0])
			return true, true, &e
		}
	case cueIntroName, cueIntroCompany:
		if h, found := a.hitWithin(w.sig, w.within); found {
			e := a.evidence(h)
			return true, true, &e
		}
		nameSeg, companySeg := intro.get()
		seg := nameSeg
		if w.cue == cueIntroCompany {
			seg = companySeg
		}
		if seg < 0 {
			return false, false, nil
		}
		if e, found := a.segmentEvidence(int32(seg)); found {
			return true, true, &e
		}
		return true, true, nil
	}
	return false, false, nil
}

// greetingRules: the manager greeted and introduced themselves fully.
var greetingRules = []award{
	{cue: cueEarly, sig: sigGreet, within: 4, points: 40, miss: text{"нет приветствия", "no greeting"}, quote: true},
	{cue: cueIntroName, sig: sigIntroName, within: 6, points: 30, miss: text{"имя менеджера не прозвучало", "the manager did not give their name"}, quote: true},
	{cue: cueIntroCompany, sig: sigIntroCompany, within: 6, points: 30, miss: text{"не названа компания", "the company was not named"}, quote: true},
}

// rapportRules: permission to talk, the reason for the call and courtesy
// (an outbound call; an inbound one is judged on courtesy alone).
var rapportRules = []award{
	{cue: cueAsked, sig: sigPermission, within: 8, points: 50, miss: text{"нет вопроса, удобно ли говорить", "did not ask whether it is a good time"},
		unheard: text{"вопрос, удобно ли говорить, задан без паузы для ответа", "asked whether it is a good time but went on without waiting for the answer"}, quote: true},
	{cue: cueAny, sig: sigReason, points: 25, miss: text{"повод звонка не назван", "did not give the reason for the call"}, quote: true},
	{cue: cueAny, sig: sigCourtesy, points: 25, miss: text{"нет слов вежливости", "no courtesy words"}},
}
