package checklist

// The criteria of the Диалог mode judge the conversation as a whole, not
// the manager's stages: whether the two sides understood each other,
// whether the client's question was resolved and the tone on both sides.
// A warm call that fixes the client's problem in plain words is a good
// conversation; a call that recites every step while the client stays
// confused is not.

// lateHit returns the last hit of s (built in or the scorecard's) and
// whether it is in the last third of the call: how the client felt at
// the end, a step named late.
func (a *analysis) lateHit(s signal) (hit, bool) {
	hs := a.hitsOf(s)
	if len(hs) == 0 {
		return hit{}, false
	}
	h := hs[len(hs)-1]
	return h, int(h.seg) >= len(a.d.segs)*2/3
}

// summaryContradicted reports whether the client's answer to the
// restatement h contradicts it, and which segment that answer is.
func (a *analysis) summaryContradicted(h hit) (int, bool) {
	if h.seg == 0 {
		return -1, false
	}
	reply := a.clientTurn(int(h.seg), 1)
	if a.refuses(reply) || a.segHas(reply, sigUnheard) || a.segHas(reply, sigConfused) {
		return reply, true
	}
	// «Да, полное КАСКО дорого»: a yes first confirms the restatement;
	// the doubt after it is a new objection, not a contradiction.
	return reply, a.segHas(reply, sigObjection) && !a.opensWith(reply, sigConfirm)
}

// The outcomes of the manager's restatements of the need.
const (
	notRestated = iota
	restated
	restatedContradicted
	restatedConfirmed
)

// restatement judges the manager's restatements of the need after the
// first turn: the first one the client confirmed within two turns, else
// the last one, contradicted or not; with the restatement's hit and the
// client's turn that confirmed or contradicted it (-1 for none).
func (a *analysis) restatement() (outcome int, h hit, reply int) {
	for _, x := range a.hits[sigSummary] {
		if x.seg == 0 {
			continue
		}
		if r, contradicted := a.summaryContradicted(x); contradicted {
			outcome, h, reply = restatedContradicted, x, r
			continue
		}
		outcome, h, reply = restated, x, -1
		for s := int(x.seg) + 1; s < len(a.d.segs) && s <= int(x.seg)+2; s++ {
			if a.d.segs[s].role != mgr && a.segHas(s, sigConfirm) {
				return restatedConfirmed, x, s
			}
		}
	}
	return outcome, h, reply
}
