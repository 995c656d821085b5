package checklist

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/callaudit/callaudit/transcribe"
)

// A phrase is written as space-separated elements over normalised words:
//
//	word     the word exactly ("да")
//	stem*    any word starting with stem ("удобн*" matches удобно, удобнее)
//	#        any number ("в # 00" matches "в 11:00")
//	..       up to maxGap words may stand between its neighbours
//
// Russian inflects heavily, so most Russian elements are stems; the stem
// must have at least two letters so that the index below stays selective.
const maxGap = 3

type elem struct {
	text   string
	prefix bool
	number bool
	gap    int // words that may be skipped before this element
}

type phrase struct {
	sig   signal
	k3    uint8 // thirdCode of the first word; 0 matches any
	elems []elem
	src   string
}

// hit is one match of a signal: the token range it covers.
type hit struct {
	seg        int32
	first, end int32 // token range [first, end)
}

// matcher finds every phrase of every signal in a doc. Phrases are indexed
// by the first two letters of their first element, so each word of the
// transcript is compared only with the few phrases that can start there:
// the scan is linear in the transcript, whatever the size of the tables.
type matcher struct {
	table   [64 * 64][]cand   // by keyOf of the first element
	index   map[string][]cand // by key, for words without a table key
	numbers []cand            // phrases that start with a number
}

// cand is a phrase in an index bucket, with what rules it out at a glance
// kept beside the pointer: the scan rejects most candidates on these two
// bytes without touching the phrase itself.
type cand struct {
	p    *phrase
	k3   uint8 // the phrase's k3
	role uint8 // roleCode of who must say it; 0 is anyone
	// next is the index key the word after the first must have, when
	// the phrase's second element follows without a gap; 0 when any
	// word may. Phrases that open with a common short word («не …»,
	// "i …") are most of the candidates of such words, and this turns
	// them away without a call.
	next uint16
}

// nextKey is cand.next for p.
func nextKey(p *phrase) uint16 {
	if len(p.elems) < 2 {
		return 0
	}
	e := &p.elems[1]
	if e.gap != 0 || e.number || (e.prefix && utf8.RuneCountInString(e.text) < 2) {
		return 0
	}
	if k := wordKey(e.text); k != noKey {
		return k
	}
	return 0
}

// roleCode numbers the roles a signal may require, so that the scan
// compares bytes rather than strings.
func roleCode(r transcribe.Role) uint8 {
	switch r {
	case mgr:
		return 1
	case cli:
		return 2
	}
	return 0
}

// compilePhrase parses one phrase of the table; a malformed phrase is a bug
// in the tables, reported by New's tests.
func compilePhrase(sig signal, src string) (*phrase, error) {
	p := &phrase{sig: sig, src: src}
	gap := 0
	for _, f := range strings.Fields(src) {
		if f == ".." {
			gap = maxGap
			continue
		}
		if f == "#" {
			p.elems = append(p.elems, elem{gap: gap, number: true})
			gap = 0
			continue
		}
		// A written word may fold into several ("one-time" → one time);
		// a trailing * makes the last of them a stem.
		prefix := strings.HasSuffix(f, "*")
		words := strings.Fields(normalize(strings.TrimSuffix(f, "*")))
		if len(words) == 0 {
			return nil, fmt.Errorf("phrase %q: element %q has no letters", src, f)
		}
		for i, w := range words {
			e := elem{text: w, gap: gap}
			gap = 0
			if prefix && i == len(words)-1 {
				e.prefix = true
				if utf8.RuneCountInString(w) < 2 {
					return nil, fmt.Errorf("phrase %q: stem %q is shorter than two letters", src, f)
				}
			}
			p.elems = append(p.elems, e)
		}
	}
	if len(p.elems) == 0 || gap != 0 || p.elems[0].gap != 0 {
		return nil, fmt.Errorf("phrase %q: empty, or starts or ends with a gap", src)
	}
	return p, nil
}

// key is the index key of a word: its first two letters (the whole word
// when shorter).
func key(w string) string {
	n := 0
	for i := range w {
		if n == 2 {
			return w[:i]
		}
		n++
	}
	return w
}

func newMatcher(defs []signalDef) (*matcher, error) {
	m := &matcher{index: make(map[string][]cand)}
	for _, d := range defs {
		for _, src := range d.phrases {
			p, err := compilePhrase(d.sig, src)
			if err != nil {
				return nil, err
			}
			if p.elems[0].number {
				m.numbers = append(m.numbers, cand{p: p, role: roleCode(d.role), next: nextKey(p)})
				continue
			}
			first := []rune(p.elems[0].text)
			switch {
			case p.elems[0].number:
				// Any number: no narrowing.
			case len(first) >= 3:
				p.k3 = thirdCode(first[2])
			case !p.elems[0].prefix:
				p.k3 = endCode
			}
			c := cand{p: p, k3: p.k3, role: roleCode(d.role), next: nextKey(p)}
			if k := wordKey(p.elems[0].text); k != noKey {
				m.table[k] = append(m.table[k], c)
				continue
			}
			k := key(p.elems[0].text)
			m.index[k] = append(m.index[k], c)
		}
	}
	return m, nil
}

func (e *elem) matches(d *doc, i int) bool {
	if e.number {
		return d.toks[i].numeric
	}
	w := d.word(i)
	if e.prefix {
		return strings.HasPrefix(w, e.text)
	}
	return w == e.text
}

// matchAt reports whether p matches starting at token i within segment
// end, and where the match ends.
func (p *phrase) matchAt(d *doc, i, segEnd int) (int, bool) {
	if !p.elems[0].matches(d, i) {
		return 0, false
	}
	return p.rest(d, 1, i+1, segEnd)
}

func (p *phrase) rest(d *doc, k, j, segEnd int) (int, bool) {
	if k == len(p.elems) {
		return j, true
	}
	e := &p.elems[k]
	for skip := 0; skip <= e.gap && j+skip < segEnd; skip++ {
		if e.matches(d, j+skip) {
			if end, ok := p.rest(d, k+1, j+skip+1, segEnd); ok {
				return end, true
			}
		}
	}
	return 0, false
}

// roleFits reports whether a segment spoken by have may carry a signal
// meant for want. Unlabelled speech counts for either side, so a dialog
// whose speakers could not be told apart is still scored on its words.
func roleFits(want, have transcribe.Role) bool {
	return want == "" || have == want || have == transcribe.RoleUnknown
}

// scan records every hit of every signal in d into hits, indexed by
// signal less base. A signal is recorded once per starting word.
func (m *matcher) scan(d *doc, hits [][]hit, base signal) {
	for s := range hits {
		hits[s] = hits[s][:0]
	}
	for si := range d.segs {
		seg := &d.segs[si]
		end := int(seg.endTok)
		// Unlabelled speech fits any role (see roleFits): a code of 0
		// matches every candidate below. Any other role fits only
		// signals that anyone may carry.
		have := roleCode(seg.role)
		if have == 0 && seg.role != transcribe.RoleUnknown {
			have = 3
		}
		for i := int(seg.firstTok); i < end; i++ {
			var cands []cand
			switch t := &d.toks[i]; {
			case t.numeric:
				cands = m.numbers
			case t.key != noKey:
				cands = m.table[t.key]
			default:
				cands = m.index[key(d.word(i))]
			}
			k3 := d.toks[i].k3
			for _, c := range cands {
				if c.k3 != 0 && c.k3 != k3 || c.role != 0 && have != 0 && c.role != have {
					continue
				}
				if c.next != 0 && (i+1 >= end || d.toks[i+1].key != c.next) {
					continue
				}
				p := c.p
				hs := hits[p.sig-base]
				if n := len(hs); n > 0 && hs[n-1].first == int32(i) {
					continue
				}
				if e, ok := p.matchAt(d, i, end); ok {
					hits[p.sig-base] = append(hs, hit{seg: int32(si), first: int32(i), end: int32(e)})
				}
			}
		}
	}
}
