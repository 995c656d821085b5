package checklist

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/callaudit/callaudit/transcribe"
)

// token is one word of a segment. Its normalised form (lower case, ё→е,
// punctuation stripped) lives in doc.norm; start and end are byte offsets
// into the original segment text, so that evidence quotes can be cut from
// the text exactly as it was written.
type token struct {
	normStart, normEnd int32
	start, end         int32
	seg, sent          int32
	stem               uint32 // packed stem, see packStem
	key                uint16 // index key of the first two letters, see keyOf
	k3                 uint8  // code of the third letter, see thirdCode
	numeric            bool
}

// sentence is a run of tokens ended by . ! ? … or the end of a segment.
type sentence struct {
	seg              int32
	start, end       int32 // byte offsets into the segment text
	firstTok, endTok int32 // token range [firstTok, endTok)
	question         bool
}

// segInfo is a segment's place in the token stream.
type segInfo struct {
	role               transcribe.Role
	firstTok, endTok   int32
	firstSent, endSent int32
}

// doc is a tokenised transcript. Docs are pooled: one scoring call reuses
// the slices of an earlier one, which keeps allocations per call flat.
type doc struct {
	tr    *transcribe.Transcript
	buf   []byte
	norm  string
	toks  []token
	sents []sentence
	segs  []segInfo
}

var docPool = sync.Pool{New: func() any { return new(doc) }}

func (d *doc) word(i int) string {
	t := &d.toks[i]
	return d.norm[t.normStart:t.normEnd]
}

// segText returns the original text of segment i.
func (d *doc) segText(i int) string { return d.tr.Segments[i].Text }

// parse tokenises tr into d, reusing d's slices.
func (d *doc) parse(tr *transcribe.Transcript) {
	d.tr = tr
	// Size the buffers up front: growing them while tokenising costs more
	// than the tokenising itself. Folded text is as long as the original
	// for Latin and Cyrillic; a word takes at least two bytes with its
	// separator.
	size := 0
	for _, s := range tr.Segments {
		size += len(s.Text)
	}
	d.buf = grow(d.buf, size)
	d.toks = grow(d.toks, size/2+1)
	d.sents = grow(d.sents, size/16+len(tr.Segments))
	d.segs = grow(d.segs, len(tr.Segments))
	for si, s := range tr.Segments {
		seg := segInfo{role: s.Speaker, firstTok: int32(len(d.toks)), firstSent: int32(len(d.sents))}
		if seg.role == "" {
			seg.role = transcribe.RoleUnknown
		}
		d.tokenizeSegment(int32(si), s.Text)
		seg.endTok = int32(len(d.toks))
		seg.endSent = int32(len(d.sents))
		d.segs = append(d.segs, seg)
	}
	// One string for all normalised words: tokens slice into it without
	// allocating a string per word. It shares d.buf rather than copying
	// it (a copy of every call's text was a tenth of the scorer's
	// allocations): the words only live while the call is scored, never
	// reach the report (quotes are cut from the original text), and the
	// buffer is written again only by the next parse of this pooled doc.
	d.norm = unsafe.String(unsafe.SliceData(d.buf), len(d.buf))
}

// tokenizeSegment appends the tokens and sentences of one segment.
func (d *doc) tokenizeSegment(seg int32, text string) {
	// Local copies of the slices, and the open token in locals rather than
	// a struct, keep the hot loop in registers.
	buf, toks, sents := d.buf, d.toks, d.sents
	sentStart, sentFirst := -1, int32(0) // the open sentence: byte offset, first token
	inTok := false
	var (
		tokStart, normStart int
		numeric             bool
		runes               int
		codes               uint32 // key codes of the first five letters, six bits each
		stemOK              bool   // no digit or letter without a code among them
	)
	for i, n := 0, 0; i < len(text); i += n {
		// Decoding ASCII and two-byte (Cyrillic) runes by hand is the
		// hot loop of the scorer; anything else goes to utf8.
		var r, f rune // f is r folded, or 0 when r is not part of a word
		switch c := text[i]; {
		case c < utf8.RuneSelf:
			r, n = rune(c), 1
			f = foldTab[c]
		case c&0xE0 == 0xC0 && i+1 < len(text) && text[i+1]&0xC0 == 0x80 && c >= 0xC2:
			r, n = rune(c&0x1F)<<6|rune(text[i+1]&0x3F), 2
			f = foldTab[r&(tabSize-1)] // every two-byte rune is below tabSize
		default:
			r, n = utf8.DecodeRuneInString(text[i:])
			if r < tabSize {
				f = foldTab[r]
			} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
				f = fold(r)
			}
		}
		if f == 0 && inTok && isApostrophe(r) && nextIsLetter(text, i) {
			f = '\''
		}
		if f != 0 {
			if !inTok {
				inTok = true
				if sentStart < 0 {
					sentStart, sentFirst = i, int32(len(toks))
				}
				tokStart, normStart, numeric, runes, codes, stemOK = i, len(buf), true, 0, 0, true
			}
			// Only ASCII digits make a number ("в 11:00").
			numeric = numeric && '0' <= r && r <= '9'
			if runes < 5 {
				c := keyCode(f)
				codes = codes<<6 | uint32(c)
				stemOK = stemOK && c != 0 && c != digitCode
			}
			runes++
			switch {
			case f < utf8.RuneSelf:
				buf = append(buf, byte(f))
			case f < 0x800:
				buf = append(buf, 0xC0|byte(f>>6), 0x80|byte(f)&0x3F)
			default:
				buf = utf8.AppendRune(buf, f)
			}
			continue
		}
		if inTok {
			toks = append(toks, newToken(seg, int32(len(sents)), tokStart, i, normStart, len(buf), numeric, runes, codes, stemOK))
			inTok = false
		}
		switch r {
		case '.', '!', '?', '…', '\n':
			// "11:00" and "3.5" keep their sentence: a dot between
			// digits is not a full stop.
			if r == '.' && i > 0 && i+1 < len(text) && isDigitByte(text[i-1]) && isDigitByte(text[i+1]) {
				continue
			}
			// "Mr. Collins", «ул. Лесная»: the dot of an abbreviation
			// ends no sentence.
			if r == '.' && len(toks) > 0 && sentStart >= 0 {
				if t := &toks[len(toks)-1]; int(t.end) == i && int(t.seg) == int(seg) && abbreviations[string(buf[t.normStart:t.normEnd])] {
					continue
				}
			}
			if sentStart >= 0 {
				sents = append(sents, sentence{seg: seg, start: int32(sentStart), end: int32(i + n),
					firstTok: sentFirst, endTok: int32(len(toks)), question: r == '?'})
				sentStart = -1
			}
		}
	}
	if inTok {
		toks = append(toks, newToken(seg, int32(len(sents)), tokStart, len(text), normStart, len(buf), numeric, runes, codes, stemOK))
	}
	if sentStart >= 0 {
		sents = append(sents, sentence{seg: seg, start: int32(sentStart), end: int32(len(text)),
			firstTok: sentFirst, endTok: int32(len(toks))})
	}
	d.buf, d.toks, d.sents = buf, toks, sents
}

// newToken makes a finished token. codes holds the key codes of its first
// min(runes, 5) letters, from which its index key, third-letter code and
// packed stem are derived once per word rather than per letter; stemOK
// says that none of the five is a digit or a letter without a code.
func newToken(seg, sent int32, start, end, normStart, normEnd int, numeric bool, runes int, codes uint32, stemOK bool) token {
	t := token{start: int32(start), end: int32(end), normStart: int32(normStart), normEnd: int32(normEnd),
		seg: seg, sent: sent, numeric: numeric, key: noKey, k3: endCode, stem: stemShort}
	m := min(runes, 5)
	top := uint(6 * (m - 1)) // shift of the first letter's code
	c1 := uint16(codes>>top) & 63
	switch {
	case c1 == 0:
	case m == 1:
		t.key = c1<<6 | endCode
	default:
		if c2 := uint16(codes>>(top-6)) & 63; c2 != 0 {
			t.key = c1<<6 | c2
		}
	}
	if m >= 3 {
		t.k3 = otherCode
		if c3 := uint8(codes>>(top-12)) & 63; c3 != 0 {
			t.k3 = c3
		}
	}
	switch {
	case runes < 5:
	case stemOK:
		t.stem = codes
	default:
		t.stem = stemOther
	}
	return t
}

// isWordRune reports whether r belongs to a word: a letter or a digit.
// ASCII and Cyrillic, nearly all the text it sees, skip the Unicode tables.
func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	case 0x0400 <= r && r <= 0x0481, 0x048A <= r && r <= 0x04FF:
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// grow returns s emptied, with room for n elements.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

// abbreviations are the words a dot follows without ending the sentence:
// titles before a name and address words before a street.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "jr": true, "sr": true,
	"ул": true, "им": true, "пр": true, "д": true, "кв": true,
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

func nextIsLetter(s string, i int) bool {
	_, n := utf8.DecodeRuneInString(s[i:])
	r, _ := utf8.DecodeRuneInString(s[i+n:])
	return unicode.IsLetter(r)
}

// fold lower-cases r, maps ё to е and the typographic apostrophe to the
// ASCII one, so that "Ёлка", "елка" and "don’t"/"don't" compare equal.
func fold(r rune) rune {
	switch r {
	case 'ё', 'Ё':
		return 'е'
	case '’':
		return '\''
	}
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case 'А' <= r && r <= 'Я':
		return r + 'а' - 'А'
	case 'а' <= r && r <= 'я':
		return r
	}
	return unicode.ToLower(r)
}

// normalize folds a whole string the way tokens are folded and collapses
// everything that is not a letter, digit or apostrophe into single spaces.
func normalize(s string) string {
	var b strings.Builder
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || isApostrophe(r) {
			b.WriteRune(fold(r))
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// noKey marks a word whose first letters are outside the index alphabet;
// such words are looked up by string instead.
const noKey = 0xFFFF

// keyOf packs the first two folded letters of a word (second 0 for a
// one-letter word) into an index of the matcher's table. Lower-case Latin
// and Cyrillic letters, digits and the apostrophe have codes; any other
// letter gives noKey.
func keyOf(first, second rune) uint16 {
	c1 := keyCode(first)
	if c1 == 0 {
		return noKey
	}
	if second == 0 {
		return c1<<6 | 63
	}
	c2 := keyCode(second)
	if c2 == 0 {
		return noKey
	}
	return c1<<6 | c2
}

func keyCode(r rune) uint16 {
	if r < tabSize {
		return uint16(codeTab[r])
	}
	return 0
}

// tabSize covers every rune of one or two bytes in UTF-8 (ASCII, Latin,
// Greek, Cyrillic…): the runes of nearly every call get their class,
// folded form and key code from a table. It is a power of two, so that a
// mask proves a two-byte rune in range.
const tabSize = 0x800

// The tables are package variables initialised by functions, not by
// init(), so that Go initialises them before the compiled phrase tables
// that depend on them.
var (
	foldTab = func() (t [tabSize]rune) { // folded rune, 0 for runes outside words
		for r := range rune(tabSize) {
			if isWordRune(r) {
				t[r] = fold(r)
			}
		}
		return t
	}()
	codeTab = func() (t [tabSize]uint8) { // keyCode
		for r := range rune(tabSize) {
			t[r] = uint8(slowKeyCode(r))
		}
		return t
	}()
)

func slowKeyCode(r rune) uint16 {
	switch {
	case 'a' <= r && r <= 'z':
		return uint16(r-'a') + 1
	case 'а' <= r && r <= 'я':
		return uint16(r-'а') + 27
	case '0' <= r && r <= '9':
		return 59
	case r == '\'':
		return 60
	}
	return 0
}

// Codes of a third letter: endCode when the word has two letters or
// fewer, otherCode for a letter without a key code.
const (
	otherCode = 62
	endCode   = 63
)

// thirdCode narrows a table bucket by the third letter of a word: most
// words sharing two first letters differ in the third.
func thirdCode(r rune) uint8 {
	if c := keyCode(r); c != 0 {
		return uint8(c)
	}
	return otherCode
}

// wordKey is keyOf for a whole normalised word.
func wordKey(w string) uint16 {
	var rs [2]rune
	n := 0
	for _, r := range w {
		rs[n] = r
		if n++; n == 2 {
			break
		}
	}
	return keyOf(rs[0], rs[1])
}
