package checklist

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callaudit/callaudit/score"
)

// Facts of the call that the scorecard's rules test: the manager's offer
// (conditions offer_*, quote facts linked_offer, benefit_offer,
// feature_dump, offer_reply), and the helpers of comments and evidence.

// offer is what the manager offered: the first turn that refers to what
// the client said (shared word stems), the first that speaks of
// benefits, the first long one, and a feature dump before any
// discovery; -1 for none. The client's answer to the offer says whether
// it fitted.
type offer struct {
	done                                    bool
	linkedSeg, benefitSeg, longSeg, dumpSeg int
	// linkedSent is the sentence of linkedSeg that takes up the client's
	// words: the evidence quotes it, not the turn's «Понимаю.».
	linkedSent int32
	rejected   bool // the client's answer refused it or said they were not heard
	reply      int
}

// offer finds the offer once per call.
func (a *analysis) offer() *offer {
	if !a.offered.done {
		a.offered = a.findOffer()
	}
	return &a.offered
}

func (a *analysis) findOffer() offer {
	d := a.d
	// Client stems: packed ones in a set kept in the analysis, the rare
	// others by string.
	clientStems := &a.stems
	clientStems.reset(int(d.segs[len(d.segs)-1].endTok))
	var otherStems map[string]struct{}
	anyStem := false
	linkedSeg, benefitSeg, longSeg, dumpSeg := -1, -1, -1, -1
	linkedSent := int32(-1)
	for si := range d.segs {
		// Everything is known once a linked, beneficial, long turn has
		// been seen after discovery: the rest of the call cannot change it.
		if linkedSeg >= 0 && benefitSeg >= 0 && longSeg >= 0 && (dumpSeg >= 0 || (a.firstOpenSeg >= 0 && int32(si) > a.firstOpenSeg)) {
			break
		}
		seg := &d.segs[si]
		words := int(seg.endTok - seg.firstTok)
		if seg.role == cli {
			// Objections and refusals are not needs: echoing "дорого"
			// back is no presentation. The turn's other sentences may
			// still state the need («Мы теряем заявки. Дорого.»).
			for i := seg.firstTok; i < seg.endTok; i++ {
				if a.sentSig[d.toks[i].sent]&(bit(sigObjection)|bit(sigReject)) != 0 {
					continue
				}
				switch v := d.toks[i].stem; {
				case v == stemShort:
				case v != stemOther:
					if !stopCodes.has(v) {
						clientStems.add(v)
						anyStem = true
					}
				default:
					if st, ok := stem(d.word(int(i))); ok {
						if otherStems == nil {
							otherStems = make(map[string]struct{})
						}
						otherStems[st] = struct{}{}
						anyStem = true
					}
				}
			}
			continue
		}
		if !a.isManager(si) {
			continue
		}
		// A long turn that restates what the client said («Поняла:
		// взрослый, боль в ухе…») is built on it, not a list of features.
		if words >= a.opts.dumpWords && (a.firstOpenSeg < 0 || int32(si) < a.firstOpenSeg) && dumpSeg < 0 && !a.segHas(si, sigSummary) {
			dumpSeg = si
		}
		if si == 0 || a.segSig[si]&(bit(sigRude)|bit(sigDismiss)|bit(sigPressure)) != 0 {
			continue
		}
		if words >= 8 && longSeg < 0 {
			longSeg = si
		}
		if benefitSeg < 0 && a.segHas(si, sigBenefit) {
			benefitSeg = si
		}
		if linkedSeg < 0 && words >= 5 && anyStem {
			// The sentence quoted is the first that takes up the client's
			// words and offers something (a benefit, a value, a step),
			// else the first that takes them up.
			linkedSent = -1
			for i := seg.firstTok; i < seg.endTok; i++ {
				// Restating the need echoes the client by design; it is
				// credited to the summary, not to the presentation.
				if a.sentSig[d.toks[i].sent]&bit(sigSummary) != 0 {
					continue
				}
				v := d.toks[i].stem
				if v == stemShort {
					continue
				}
				if v != stemOther {
					if clientStems.has(v) && a.linkAt(d.toks[i].sent, &linkedSent) {
						break
					}
					continue
				}
				if st, ok := stem(d.word(int(i))); ok {
					if _, hit := otherStems[st]; hit && a.linkAt(d.toks[i].sent, &linkedSent) {
						break
					}
				}
			}
			if linkedSent >= 0 {
				linkedSeg = si
			}
		}
	}
	o := offer{done: true, linkedSeg: linkedSeg, linkedSent: linkedSent, benefitSeg: benefitSeg, longSeg: longSeg, dumpSeg: dumpSeg, reply: -1}
	// "Мне не нужна страховка" or "I need my exports" answering the offer
	// means it did not fit; so does a «Нет, спасибо» to the first turn
	// built on the client's words, or a bare «Нет» to the pitch.
	if at := max(linkedSeg, benefitSeg); at >= 0 {
		o.reply = a.clientTurn(at, 1)
		o.rejected = a.rejectsOffer(o.reply)
		if first := min(linkedSeg, benefitSeg); !o.rejected && first >= 0 && first != at {
			o.rejected = a.rejectsOffer(a.clientTurn(first, 1))
		}
	}
	return o
}

// linkAt records sentence si as the offer's link, unless an earlier one
// is; it reports whether the search is over: si offers something.
func (a *analysis) linkAt(si int32, linked *int32) bool {
	if *linked < 0 {
		*linked = si
	}
	if a.sentSig[si]&(bit(sigBenefit)|bit(sigValue)|bit(sigAction)) != 0 {
		*linked = si
		return true
	}
	return false
}

// rejectsOffer reports whether client segment seg turns the offer down:
// a refusal, the client saying they were not heard, or a bare «Нет»
// opening the reply. Putting it off («подумаю») does not.
func (a *analysis) rejectsOffer(seg int) bool {
	return a.segHas(seg, sigRefuse) || a.segHas(seg, sigUnheard) || (a.refuses(seg) && !a.segHas(seg, sigReject))
}

// rejectedAtEnd reports whether the client declined or put the decision off
// in the last third of the call without agreeing afterwards.
func (a *analysis) rejectedAtEnd() bool {
	h, late := a.lateHit(sigReject)
	if !late {
		return false
	}
	last := h.seg
	for _, h := range a.hits[sigBuy] {
		if h.seg > last {
			return false
		}
	}
	return true
}

// verdict joins what was missed into a comment, or praises a full score.
func verdict(missed []string, praise string) string {
	if len(missed) == 0 {
		return praise
	}
	return capitalize(strings.Join(missed, "; "))
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}

func appendEvidence(evs []score.Evidence, ev score.Evidence) []score.Evidence {
	for _, e := range evs {
		if e.Segment == ev.Segment && e.Quote == ev.Quote {
			return evs
		}
	}
	return append(evs, ev)
}

func dedupe(evs []score.Evidence) []score.Evidence {
	var out []score.Evidence
	for _, e := range evs {
		out = appendEvidence(out, e)
	}
	return out
}

// stopStems are frequent words that say nothing about a need; they never
// link a presentation to what the client said.
var stopStems = func() map[string]struct{} {
	words := strings.Fields(`сейчас только который которые которая спасибо здравствуйте давайте хорошо нужно можно
		конечно просто вообще сегодня почему потому очень этого этому будет знаете понимаю сколько ничего вроде
		really about there their think would could should thanks hello right great mostly honest which where
		those these other maybe sorry thing things something what's that's don't we're we've you're because`)
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		if s, ok := rawStem(w); ok {
			m[s] = struct{}{}
		}
	}
	return m
}()

// rawStem cuts a normalised word of at least five letters to its first
// five: crude, but enough to tie "сделки" to "сделка" and "reporting" to
// "report".
func rawStem(w string) (string, bool) {
	// Counting rune starts (bytes that are not continuation bytes) finds
	// the fifth rune without decoding: w is valid UTF-8, built by the
	// tokenizer.
	n := 0
	for i := 0; i < len(w); i++ {
		if w[i]&0xC0 != 0x80 {
			if n == 5 {
				return w[:i], true
			}
			n++
		}
	}
	if n == 5 {
		return w, true
	}
	return "", false
}

func stem(w string) (string, bool) {
	s, ok := rawStem(w)
	if !ok {
		return "", false
	}
	if _, stop := stopStems[s]; stop {
		return "", false
	}
	return s, true
}

// sentences counts the distinct sentences where s was found, so that one
// pushy sentence matching two phrases is penalised once.
func (a *analysis) sentences(s signal) int {
	if s >= numSignals {
		return a.customSentences(s)
	}
	n := 0
	for _, m := range a.sentSig {
		if m&bit(s) != 0 {
			n++
		}
	}
	return n
}

// count writes "n noun" in the report language, with the noun agreeing
// with n: Russian has three forms (1 вопрос, 2 вопроса, 5 вопросов),
// English two.
func (a *analysis) count(n int, ruOne, ruFew, ruMany, enOne, enMany string) string {
	if a.lang == "en" {
		if n == 1 {
			return "1 " + enOne
		}
		return strconv.Itoa(n) + " " + enMany
	}
	return strconv.Itoa(n) + " " + pluralRU(n, ruOne, ruFew, ruMany)
}

// pluralRU picks the Russian form for n: one for 1, 21, 101; few for
// 2–4, 22–24; many for 0, 5–20, 25–30 and the teens.
func pluralRU(n int, one, few, many string) string {
	if n < 0 {
		n = -n
	}
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		return one
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return few
	}
	return many
}
