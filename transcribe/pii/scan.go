package pii

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// The scanner makes one pass over a folded copy of the text (same byte
// offsets as the original) and groups digits and number words that follow
// each other with only spaces, dashes or brackets between them into runs:
// "+7 (912) 345-67-89", "4276 3800 1234 5678", "восемь девятьсот
// шестнадцать…". Each run is classified by its digit count, its grouping,
// its checksum and the cues in the text around it. The same pass reads an
// e-mail address at each '@' and after a spoken at-sign ("собака"), and a
// date after each cue word of a date of birth.

const (
	maxDigits = 24
	maxGroups = 16
	cueBefore = 64 // bytes before a run searched for cues (~30 Cyrillic letters)
)

type run struct {
	start, end int
	n          int // digits seen; only the first maxDigits are kept
	digits     [maxDigits]byte
	groups     [maxGroups]uint8
	ng         int
	plus       bool // starts with + or "плюс"
	paren      bool
	spoken     bool // has number words
	lastWord   bool // the last token was a number word

	// the number-word group being built: "девятьсот шестнадцать" is one
	// group, 916; -1 means absent.
	wg                   bool
	wgH, wgT, wgU, wgTen int8
}

type scanner struct {
	lc  []byte // folded text
	out []Finding

	r      run
	active bool

	plusAt, plusEnd int // a + sign or "плюс" waiting for digits; -1 when none

	// a passport series ("серия 4508") waiting for its number
	series      bool
	seriesStart int
	seriesEnd   int
	seriesVal   string

	// val is the Value of the findings add makes: the digits of the run
	// being classified.
	val string
}

// fold writes s lower-cased into dst with ё as е, changing only letters
// whose lower case has the same UTF-8 length (ASCII and Cyrillic), so byte
// offsets in the result are offsets in s.
func fold(dst []byte, s string) []byte {
	dst = append(dst[:0], s...)
	for i := 0; i < len(dst); i++ {
		c := dst[i]
		switch {
		case c >= 'A' && c <= 'Z':
			dst[i] = c + 32
		case c == 0xD0 && i+1 < len(dst):
			c2 := dst[i+1]
			switch {
			case c2 >= 0x90 && c2 <= 0x9F: // А..П
				dst[i+1] = c2 + 0x20
			case c2 >= 0xA0 && c2 <= 0xAF: // Р..Я
				dst[i], dst[i+1] = 0xD1, c2-0x20
			case c2 == 0x81: // Ё
				dst[i+1] = 0xB5
			}
			i++
		case c == 0xD1 && i+1 < len(dst):
			if dst[i+1] == 0x91 { // ё
				dst[i], dst[i+1] = 0xD0, 0xB5
			}
			i++
		}
	}
	return dst
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// letterAt reports whether a letter starts at i, and its size.
func letterAt(b []byte, i int) (bool, int) {
	c := b[i]
	if c < utf8.RuneSelf {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z', 1
	}
	if (c == 0xD0 || c == 0xD1) && i+1 < len(b) && b[i+1]&0xC0 == 0x80 {
		return true, 2
	}
	r, size := utf8.DecodeRune(b[i:])
	return unicode.IsLetter(r), size
}

// wordEnd returns the end of the word starting at i. Digits end a word,
// so that "ИНН7707083893" or "\n89123456789" still gives the number.
func wordEnd(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			i++
		case (c == 0xD0 || c == 0xD1) && i+1 < len(b) && b[i+1]&0xC0 == 0x80:
			i += 2
		case c < utf8.RuneSelf:
			return i
		default:
			r, size := utf8.DecodeRune(b[i:])
			if !unicode.IsLetter(r) {
				return i
			}
			i += size
		}
	}
	return i
}

// boundaryBefore reports whether no letter or digit ends at i.
func boundaryBefore(b []byte, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRune(b[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// hasCue reports whether one of cues begins a word in b[from:to].
func hasCue(b []byte, from, to int, cues []string) bool {
	from = max(from, 0)
	to = min(to, len(b))
	if from >= to {
		return false
	}
	w := b[from:to]
	for _, c := range cues {
		off := 0
		for {
			k := bytes.Index(w[off:], []byte(c))
			if k < 0 {
				break
			}
			pos := from + off + k
			// Symbols such as "№" or "$" need no word boundary.
			if c[0] >= 0xE0 || c[0] == '$' || c[0] == '%' || boundaryBefore(b, pos) {
				return true
			}
			off += k + 1
		}
	}
	return false
}

// gapOK reports whether the bytes between two tokens keep them in one run.
// A comma joins only number words ("восемь, девятьсот…"), because between
// figures it separates different numbers.
func gapOK(g []byte, words bool) bool {
	if len(g) > 6 {
		return false
	}
	for i := 0; i < len(g); {
		r, size := utf8.DecodeRune(g[i:])
		switch {
		case r == ' ' || r == '\t' || r == '-' || r == '(' || r == ')' || r == '\u00a0' ||
			r == '\u2009' || r == '\u202f' || r == '№' || r >= '\u2010' && r <= '\u2015':
		case r == ',' && words:
		default:
			return false
		}
		i += size
	}
	return true
}

func onlySpaces(g []byte) bool {
	for _, c := range g {
		if c != ' ' {
			return false
		}
	}
	return true
}

func (s *scanner) scan() {
	b := s.lc
	s.plusAt = -1
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case isDigit(c):
			j := i + 1
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			s.digitToken(i, j)
			i = j
		case c == '+':
			s.setPlus(i, i+1)
			i++
		case c == '@':
			if f, ok := emailAt(b, i); ok {
				s.close()
				s.out = append(s.out, f)
				i = f.End
				continue
			}
			i++
		case c < utf8.RuneSelf && !(c >= 'a' && c <= 'z'):
			i++
		default:
			ok, size := letterAt(b, i)
			if !ok {
				i += size
				continue
			}
			j := wordEnd(b, i)
			s.wordToken(i, j)
			i = j
		}
	}
	s.close()
	if s.series {
		s.series = false
		s.val = s.seriesVal
		s.add(KindPassport, s.seriesStart, s.seriesEnd, 0.6)
	}
}

func (s *scanner) setPlus(start, end int) {
	s.close()
	s.plusAt, s.plusEnd = start, end
}

// begin starts a run at a token, taking in a waiting plus sign or an
// opening bracket just before it.
func (s *scanner) begin(start int, words bool) {
	s.close()
	s.r = run{start: start, end: start, wgH: -1, wgT: -1, wgU: -1, wgTen: -1}
	s.active = true
	if s.plusAt >= 0 && start-s.plusEnd <= 1 && gapOK(s.lc[s.plusEnd:start], words) {
		s.r.start, s.r.plus = s.plusAt, true
	} else if start > 0 && s.lc[start-1] == '(' {
		s.r.start, s.r.paren = start-1, true
	}
	s.plusAt = -1
}

// joins reports whether a token at start continues the active run.
func (s *scanner) joins(start int, word bool) bool {
	if !s.active {
		return false
	}
	g := s.lc[s.r.end:start]
	if !gapOK(g, word && s.r.lastWord) {
		return false
	}
	if bytes.IndexByte(g, '(') >= 0 || bytes.IndexByte(g, ')') >= 0 {
		s.r.paren = true
	}
	return true
}

func (s *scanner) digitToken(i, j int) {
	if !s.joins(i, false) || s.plusAt >= 0 {
		s.begin(i, false)
	}
	r := &s.r
	s.flushWords()
	r.addGroup(s.lc[i:j])
	r.end = j
	r.lastWord = false
}

func (s *scanner) wordToken(i, j int) {
	info, ok := words[string(s.lc[i:j])]
	if info.flags != 0 {
		s.cueWord(info.flags, i, j)
	}
	w := info.num
	if !ok || w.class == 0 {
		s.close()
		s.plusAt = -1
		return
	}
	if w.class == wPlus {
		s.setPlus(i, j)
		return
	}
	joined := s.joins(i, true)
	if !joined || s.plusAt >= 0 {
		s.begin(i, true)
	}
	r := &s.r
	if joined && !(r.lastWord && onlySpaces(s.lc[r.end:i])) {
		s.flushWords()
	}
	r.addWord(w, s)
	r.end = j
	r.lastWord = true
	r.spoken = true
}

// cueWord handles a word after which a date of birth or the rest of a
// spoken e-mail address may follow.
func (s *scanner) cueWord(flags uint8, i, j int) {
	b := s.lc
	if flags&fBirth != 0 {
		if j-i == len("д") && !(bytes.HasPrefix(b[j:], []byte(".р.")) || bytes.HasPrefix(b[j:], []byte("/р"))) {
			return
		}
		if ds, de, ok := dateAfter(b, j); ok {
			s.val = string(b[ds:de])
			s.add(KindBirthDate, ds, de, 0.9)
		}
	}
	if flags&fAt != 0 && i > 0 && b[i-1] == ' ' && j < len(b) && b[j] == ' ' {
		if f, ok := spokenEmail(b, i-1, j+1); ok {
			s.out = append(s.out, f)
		}
	}
}

func (r *run) addGroup(d []byte) {
	for _, c := range d {
		if r.n < maxDigits {
			r.digits[r.n] = c
		}
		r.n++
	}
	if r.ng < maxGroups {
		r.groups[r.ng] = uint8(min(len(d), 255))
	}
	r.ng++
}

// addWord extends the number-word group when the word can follow what it
// has (hundreds, then tens or a teen, then a unit) and starts a new group
// otherwise, so "восемь девять" is 8, 9 and "сорок пять" is 45.
func (r *run) addWord(w numWord, s *scanner) {
	if r.wg {
		fits := false
		switch w.class {
		case wTen, wTeen:
			fits = r.wgH >= 0 && r.wgT < 0 && r.wgTen < 0 && r.wgU < 0
		case wUnit:
			fits = w.val != 0 && r.wgU < 0 && r.wgTen < 0 && (r.wgT >= 0 || r.wgH >= 0)
		}
		if !fits {
			s.flushWords()
		}
	}
	r.wg = true
	switch w.class {
	case wHundred:
		r.wgH = w.val
	case wTen:
		r.wgT = w.val
	case wTeen:
		r.wgTen = w.val
	case wUnit:
		r.wgU = w.val
	}
}

func (s *scanner) flushWords() {
	r := &s.r
	if !r.wg {
		return
	}
	var d [3]byte
	n := 0
	put := func(v int8) { d[n] = byte(v) + '0'; n++ }
	or0 := func(v int8) int8 { return max(v, 0) }
	switch {
	case r.wgH >= 0:
		put(r.wgH)
		if r.wgTen >= 0 {
			put(1)
			put(r.wgTen)
		} else {
			put(or0(r.wgT))
			put(or0(r.wgU))
		}
	case r.wgT >= 0:
		put(r.wgT)
		put(or0(r.wgU))
	case r.wgTen >= 0:
		put(1)
		put(r.wgTen)
	default:
		put(r.wgU)
	}
	r.addGroup(d[:n])
	r.wg = false
	r.wgH, r.wgT, r.wgU, r.wgTen = -1, -1, -1, -1
}

func (s *scanner) close() {
	if !s.active {
		return
	}
	s.flushWords()
	s.active = false
	s.flushSeries(s.r.start)
	s.classify(&s.r)
}

func (s *scanner) add(k Kind, start, end int, conf float64) {
	s.out = append(s.out, Finding{Kind: k, Start: start, End: end, Confidence: conf, Value: s.val})
}

// flushSeries reports a passport series whose number never came, once
// the scan has moved far enough past it.
func (s *scanner) flushSeries(pos int) {
	if s.series && pos-s.seriesEnd > 48 {
		s.series = false
		s.val = s.seriesVal
		s.add(KindPassport, s.seriesStart, s.seriesEnd, 0.6)
	}
}

func (r *run) groupsAre(g ...uint8) bool {
	if r.ng != len(g) {
		return false
	}
	for i, v := range g {
		if r.groups[i] != v {
			return false
		}
	}
	return true
}

// thousands reports digit grouping by threes after the first group, the
// way prices and quantities are written ("1 250 000").
func (r *run) thousands() bool {
	if r.ng < 2 || r.ng > maxGroups || r.plus || r.paren || r.spoken || r.groups[0] > 3 {
		return false
	}
	for _, g := range r.groups[1:r.ng] {
		if g != 3 {
			return false
		}
	}
	return true
}

func (s *scanner) classify(r *run) {
	n := r.n
	if n < 3 || n > maxDigits {
		return
	}
	d := r.digits[:n]
	b := s.lc
	s.val = string(d)
	before := func(cues []string) bool { return hasCue(b, r.start-cueBefore, r.start, cues) }
	unit := s.unitAfter(r.end)
	notPII := unit || before(cueNotPII)
	sep := r.ng > 1
	thousands := r.thousands()

	// Codes are short: check them before anything longer is considered.
	// "310 смс за 1573 рублей" has the cue but is a price.
	if n >= 3 && n <= 4 && !unit && hasCue(b, r.start-40, r.start, cueCVV) {
		s.add(KindCode, r.start, r.end, 0.9)
		return
	}
	if n >= 4 && n <= 8 && !unit && hasCue(b, r.start-48, r.start, cueSMS) {
		s.add(KindCode, r.start, r.end, 0.9)
		return
	}

	// A passport series waiting for its six-digit number.
	if s.series && n == 6 && r.start-s.seriesEnd <= 48 {
		s.series = false
		s.val = s.seriesVal + s.val
		s.add(KindPassport, s.seriesStart, r.end, 0.95)
		return
	}

	switch {
	case r.plus && n >= 10 && n <= 15:
		s.add(KindPhone, r.start, r.end, 0.99)
	case n == 11 && snilsValid(d) && (r.groupsAre(3, 3, 3, 2) || before(cueSNILS)):
		s.add(KindSNILS, r.start, r.end, 0.95)
	case n == 11 && (d[0] == '7' || d[0] == '8') && bytes.IndexByte([]byte("3489"), d[1]) >= 0 && !thousands:
		switch {
		case sep || r.spoken:
			s.add(KindPhone, r.start, r.end, 0.95)
		case !notPII || before(cuePhone) && !before(cueNotPII):
			s.add(KindPhone, r.start, r.end, 0.9)
		}
	case n == 11 && snilsValid(d) && !notPII:
		s.add(KindSNILS, r.start, r.end, 0.7)
	case n == 10:
		s.classify10(r, d, notPII, thousands)
	case n == 12 && innValid(d):
		switch {
		case before(cueINN):
			s.add(KindINN, r.start, r.end, 0.99)
		case !notPII:
			s.add(KindINN, r.start, r.end, 0.9)
		}
	case n >= 13 && n <= 19 && !thousands:
		cue := before(cueCard)
		switch {
		case luhn(d) && d[0] >= '2' && d[0] <= '6' && (cue || sep || r.spoken):
			s.add(KindCard, r.start, r.end, 0.95)
		case luhn(d) && d[0] >= '2' && d[0] <= '6' && !notPII:
			s.add(KindCard, r.start, r.end, 0.8)
		case cue && n == 16:
			// A misheard digit breaks the checksum of a dictated card.
			s.add(KindCard, r.start, r.end, 0.6)
		}
	case n == 4 && (r.ng == 1 || r.groupsAre(2, 2)) && before(cuePassport):
		s.series, s.seriesStart, s.seriesEnd, s.seriesVal = true, r.start, r.end, s.val
	case n == 6 && before(cuePassport):
		s.add(KindPassport, r.start, r.end, 0.8)
	case n == 7 && (r.groupsAre(3, 2, 2) || r.groupsAre(3, 4) || r.spoken) && before(cuePhone) && !before(cueNotPII):
		s.add(KindPhone, r.start, r.end, 0.75)
	}
}

func (s *scanner) classify10(r *run, d []byte, notPII, thousands bool) {
	before := func(cues []string) bool { return hasCue(s.lc, r.start-cueBefore, r.start, cues) }
	switch {
	case before(cuePassport):
		s.add(KindPassport, r.start, r.end, 0.95)
	case before(cueINN) && innValid(d):
		s.add(KindINN, r.start, r.end, 0.95)
	case r.groupsAre(2, 2, 6) && !notPII:
		s.add(KindPassport, r.start, r.end, 0.8)
	case thousands:
	case r.paren || before(cuePhone) && !before(cueNotPII):
		s.add(KindPhone, r.start, r.end, 0.9)
	case d[0] == '9' && !notPII:
		s.add(KindPhone, r.start, r.end, 0.85)
	case r.groupsAre(4, 6) && !notPII:
		s.add(KindPassport, r.start, r.end, 0.6)
	case r.ng == 1 && innValid(d) && !notPII:
		s.add(KindINN, r.start, r.end, 0.6)
	}
}

// unitAfter reports a unit or currency as the next word after a number
// ("12 500 рублей", "150 шт", "20%").
func (s *scanner) unitAfter(end int) bool {
	i := end
	for i < len(s.lc) {
		switch {
		case s.lc[i] == ' ':
			i++
			continue
		case s.lc[i] == 0xC2 && i+1 < len(s.lc) && s.lc[i+1] == 0xA0:
			i += 2
			continue
		}
		break
	}
	if i-end > 3 {
		return false
	}
	for _, u := range unitsAfter {
		if bytes.HasPrefix(s.lc[i:], []byte(u)) {
			return true
		}
	}
	return false
}
