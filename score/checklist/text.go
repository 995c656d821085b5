package checklist

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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
	numeric            bool
}

// sentence is a run of tokens ended by . ! ? … or the end of a segment.
type sentence struct {
	seg              int32
	start, end       int32 // byte offsets into the segment text
	firstTok, endTok int32 // token range [firstTok, endTok)
	question         bool
	words            int32
}

// segInfo is a segment's place in the token stream.
type segInfo struct {
	role              transcribe.Role
	firstTok, endTok  int32
	firstSent, endSnt int32
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
	d.buf = d.buf[:0]
	d.toks = d.toks[:0]
	d.sents = d.sents[:0]
	d.segs = d.segs[:0]
	for si, s := range tr.Segments {
		seg := segInfo{role: s.Speaker, firstTok: int32(len(d.toks)), firstSent: int32(len(d.sents))}
		if seg.role == "" {
			seg.role = transcribe.RoleUnknown
		}
		d.tokenizeSegment(int32(si), s.Text)
		seg.endTok = int32(len(d.toks))
		seg.endSnt = int32(len(d.sents))
		d.segs = append(d.segs, seg)
	}
	// One string for all normalised words: tokens slice into it without
	// allocating a string per word.
	d.norm = string(d.buf)
}

// tokenizeSegment appends the tokens and sentences of one segment.
func (d *doc) tokenizeSegment(seg int32, text string) {
	sentStart := -1 // byte offset of the current sentence's first token
	sentFirstTok := int32(len(d.toks))
	inTok := false
	var cur token
	closeTok := func(end int) {
		if !inTok {
			return
		}
		cur.end = int32(end)
		cur.normEnd = int32(len(d.buf))
		d.toks = append(d.toks, cur)
		inTok = false
	}
	closeSent := func(end int, question bool) {
		if sentStart < 0 {
			return
		}
		d.sents = append(d.sents, sentence{
			seg: seg, start: int32(sentStart), end: int32(end),
			firstTok: sentFirstTok, endTok: int32(len(d.toks)),
			question: question, words: int32(len(d.toks)) - sentFirstTok,
		})
		sentStart = -1
		sentFirstTok = int32(len(d.toks))
	}
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (inTok && isApostrophe(r) && nextIsLetter(text, i)):
			if !inTok {
				inTok = true
				cur = token{start: int32(i), normStart: int32(len(d.buf)), seg: seg, numeric: true}
				if sentStart < 0 {
					sentStart = i
					sentFirstTok = int32(len(d.toks))
				}
				cur.sent = int32(len(d.sents))
			}
			if !unicode.IsDigit(r) {
				cur.numeric = false
			}
			d.buf = utf8.AppendRune(d.buf, fold(r))
		default:
			closeTok(i)
			switch r {
			case '.', '!', '?', '…', '\n':
				// "11:00" and "3.5" keep their sentence: a dot between
				// digits is not a full stop.
				if r == '.' && i > 0 && i+1 < len(text) && isDigitByte(text[i-1]) && isDigitByte(text[i+1]) {
					continue
				}
				closeSent(i+utf8.RuneLen(r), r == '?')
			}
		}
	}
	closeTok(len(text))
	closeSent(len(text), false)
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
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
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
