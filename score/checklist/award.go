package checklist

import (
	"strings"

	"github.com/callaudit/callaudit/score"
)

// The Require rules of a scorecard are tables of awards evaluated by one
// engine, awardAll (or awardFirst for pick "first"), as its Forbid rules
// are tables of deductions: a row names a cue, the points it earns and
// what the comment says when it is missing.

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
	// «quoted» name, a brand ("HomeNest") or capitalised words before
	// "this is" in the manager's first turns (selfIntroduction).
	cueIntroCompany
)

// award is one row of an award table: a Require rule of a scorecard.
type award struct {
	cue    cue
	sig    signal
	within int // segments, for the early cues
	// last: the last hit decides, and it must be in the last `last`
	// segments.
	last   int
	points int
	miss   text // the comment part when the cue is missing
	found  text // the comment when the cue is found (awardFirst)
	// unheard is the comment part when the cue was said but does not
	// count (cueAsked without room to answer).
	unheard text
	// advice is the recommendation when the cue is missed (awardAll) or
	// what is left to do when it is the cue found (awardFirst).
	advice text
	quote  bool // quote the cue when found
	// when are conditions that must all hold; with sig noSignal they
	// are the whole cue.
	when []cond
	// late: the last hit decides, and it must be in the last third of
	// the call.
	late bool
	// facts are quoted when the cue is found.
	facts []func(a *analysis) (score.Evidence, bool)
}

// quoteFacts appends the facts w quotes to r's evidence.
func (a *analysis) quoteFacts(w *award, r *result) {
	for _, f := range w.facts {
		if ev, ok := f(a); ok {
			r.evidence = appendEvidence(r.evidence, ev)
		}
	}
}

// noSignal marks an award of conditions only.
const noSignal signal = -1

// awardAll adds the points of the cues found to r, and the comment parts
// of those missed to parts.
// The advice is the missed cues' advice joined, when each has one.
func (a *analysis) awardAll(rows []award, r *result, parts *[]string) {
	intro := introCache{a: a}
	var advice []string
	general := false
	for i := range rows {
		w := &rows[i]
		ok, said, ev := a.findCue(w, &intro)
		switch {
		case ok:
			r.score += w.points
			r.done = true
			if adv := w.advice.in(a.lang); adv != "" {
				r.doneAdvice = append(r.doneAdvice, adv)
			}
			if w.quote && ev != nil {
				r.evidence = appendEvidence(r.evidence, *ev)
			}
			a.quoteFacts(w, r)
			continue
		case said && w.unheard.ru != "":
			*parts = append(*parts, w.unheard.in(a.lang))
		default:
			*parts = append(*parts, w.miss.in(a.lang))
		}
		if adv := w.advice.in(a.lang); adv != "" {
			advice = append(advice, adv)
		} else {
			general = true
		}
	}
	if !general && len(advice) > 0 {
		r.advice = a.listOf(advice)
	}
}

// listOf joins clauses into one sentence: «a, b и c», "a, b and c".
// A clause with its own «и» ("and") is set off by semicolons instead.
func (a *analysis) listOf(parts []string) string {
	s := parts[len(parts)-1]
	if len(parts) > 1 {
		and, sep := a.tr(" и ", " and "), ", "
		for _, p := range parts {
			if strings.Contains(p, and) {
				sep, and = "; ", "; "
			}
		}
		s = strings.Join(parts[:len(parts)-1], sep) + and + s
	}
	return capitalize(strings.TrimSuffix(s, ".")) + "."
}

// awardFirst scores the points of the first cue found, with its found
// comment, or base with none.
func (a *analysis) awardFirst(rows []award, base int, none text) result {
	intro := introCache{a: a}
	for i := range rows {
		w := &rows[i]
		if ok, _, ev := a.findCue(w, &intro); ok {
			r := result{score: w.points, comment: w.found.in(a.lang), advice: w.advice.in(a.lang),
				done: w.points > base && 2*w.points >= 100}
			if w.quote && ev != nil {
				r.evidence = []score.Evidence{*ev}
			}
			a.quoteFacts(w, &r)
			return r
		}
	}
	return result{score: base, comment: none.in(a.lang)}
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
	if len(w.when) > 0 && !holdsAll(a, w.when) {
		return false, false, nil
	}
	if w.sig == noSignal {
		return true, true, nil
	}
	if w.late {
		h, late := a.lateHit(w.sig)
		if !late {
			return false, false, nil
		}
		e := a.evidence(h)
		return true, true, &e
	}
	if w.last > 0 && (w.cue == cueAny || w.cue == cueEarly) {
		// The last hit decides: is it among the last turns?
		hs := a.hitsOf(w.sig)
		if len(hs) == 0 || int(hs[len(hs)-1].seg) < len(a.d.segs)-w.last {
			return false, false, nil
		}
		e := a.evidence(hs[len(hs)-1])
		return true, true, &e
	}
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
		if hs := a.hitsOf(w.sig); len(hs) > 0 {
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
