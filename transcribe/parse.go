package transcribe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// labelWords maps a lower-case speaker label word to the role it names.
// "Собеседник" and "звонящий" are the other party of a call recorded on the
// manager's side, so they count as the client. Speaker/Спикер labels come
// from diarised exports that split turns without knowing roles.
var labelWords = map[string]Role{
	// Russian, manager side.
	"менеджер": RoleManager, "продавец": RoleManager, "оператор": RoleManager,
	"сотрудник": RoleManager, "консультант": RoleManager, "специалист": RoleManager,
	"администратор": RoleManager, "диспетчер": RoleManager,
	"агент": RoleManager, "риелтор": RoleManager, "риэлтор": RoleManager,
	"м": RoleManager,
	// English, manager side.
	"manager": RoleManager, "agent": RoleManager, "rep": RoleManager,
	"sales": RoleManager, "salesperson": RoleManager, "seller": RoleManager,
	"operator": RoleManager, "m": RoleManager, "representative": RoleManager,
	// Russian, client side.
	"клиент": RoleClient, "покупатель": RoleClient, "абонент": RoleClient,
	"собеседник": RoleClient, "звонящий": RoleClient, "к": RoleClient,
	// English, client side.
	"client": RoleClient, "customer": RoleClient, "caller": RoleClient,
	"buyer": RoleClient, "prospect": RoleClient, "lead": RoleClient, "c": RoleClient,
	"заказчик": RoleClient, "пациент": RoleClient, "гость": RoleClient,
	// Diarised exports: a turn boundary without a role.
	"speaker": RoleUnknown, "спикер": RoleUnknown, "говорящий": RoleUnknown,
}

// Bounds that keep label matching cheap and stop running text from being
// read as a label: a label header is short and has few parts.
const (
	maxHeaderBytes = 80
	maxHeaderItems = 6
	maxWordBytes   = 48
)

// ParseDialog splits a plain-text dialog into speaker turns.
//
// A turn starts at a speaker label: a role word followed by ":" or a dash,
// in any case. Manager: Менеджер, Продавец, Оператор, Сотрудник,
// Консультант, Специалист, Администратор, Диспетчер, М, Manager, Agent, Rep,
// Representative, Sales, Salesperson, Seller, Operator, M, Агент, Риелтор.
// Client: Клиент, Покупатель, Абонент, Собеседник, Звонящий, Заказчик,
// Пациент, Гость, К, Client, Customer, Caller, Buyer, Prospect, Lead, C.
// Speaker, Спикер and Говорящий start a turn of unknown role (diarised
// exports: "SPEAKER_00:", "Speaker A:", "Спикер 1:"). Labels may carry a
// number ("Менеджер 2:"), a name ("Анна (менеджер):", "Менеджер Анна:",
// "Менеджер (Анна):") and a timestamp before or after them ("[01:02]",
// "(1:02:03)", "01:02", "[00:01 - 00:04]"). A person's name alone
// ("Ольга:", "Иван Петрович:", "Mike:") is a label when it opens at least
// two lines and the dialog has another speaker. Segment.Label keeps the
// label when it is more than a role word, so that the turns of one person
// can be told apart, and AssignRoles decides from what they say which
// speaker without a role is the manager. Several labels may share a line
// ("Клиент: Привет! Менеджер: Добрый день!"); lines without a label continue
// the previous turn.
//
// To keep running text from being split, a label that does not start a line
// or follow sentence punctuation must begin with a capital letter (unless
// the dialog writes its labels in lower case) and end with ":"; single-letter
// labels (М, К, M, C) and dash separators are only recognised at the start
// of a line or a sentence; "X — это" is never a label. A bare timestamp
// after the separator is text (it may be a time of day); a bracketed one is
// the turn's start.
//
// Text before the first label, or with no labels at all, becomes one
// RoleUnknown segment per line. A line holding only a timestamp applies to
// the next turn. Start times that go backwards are dropped; a segment's End
// is the next segment's Start unless a range gave it. The result has
// Language from DetectLanguage over the segments' text (labels excluded)
// and Source "text". ParseDialog never panics and runs in time linear in
// the input.
func ParseDialog(text string) Transcript { return ParseDialogDirection(text, DirectionUnknown) }

// ParseDialogDirection is ParseDialog with the call's direction as
// evidence for the roles of unlabelled speakers (see AssignRoles).
func ParseDialogDirection(text string, dir Direction) Transcript {
	p := parser{segs: make([]Segment, 0, min(strings.Count(text, "\n")+1, 1024)), cur: -1}
	p.run(text)
	if names := p.nameLabels(); names != nil {
		// Person-name labels are known only once the whole dialog has
		// been seen: parse again, splitting at them. Dialogs labelled
		// by role pay nothing for this.
		p = parser{segs: p.segs[:0], cur: -1, names: names}
		p.run(text)
	}
	segs := p.finishTimes()
	t := Transcript{
		Language: spokenLanguage(segs),
		Segments: segs,
		Source:   "text",
	}
	assignRoles(&t, dir)
	return t
}

// run parses text line by line.
func (p *parser) run(text string) {
	for line := range strings.Lines(text) {
		p.line(line) // trims the line ending with the other spaces
	}
	p.closeTurn()
}

// stamp is a parsed timestamp or time range, in seconds.
type stamp struct {
	start, end       float64
	hasStart, hasEnd bool
}

// label is one speaker label found in a line.
type label struct {
	role  Role
	name  string // Segment.Label: the header when it is more than a role word
	text  int    // byte offset where the turn's text begins
	ts    stamp
	dash  bool // the separator was a dash
	lower bool // the label's first word is in lower case
}

type parser struct {
	segs []Segment
	// cur is the index of the labelled segment that unlabelled text
	// continues, or -1 before the first label.
	cur     int
	pending stamp // from a line holding only a timestamp
	// times backs Segment.Start and End in chunks, so a timed dialog
	// does not cost an allocation per timestamp.
	times []float64
	// joined collects the text of the open turn once it spans lines.
	joined  strings.Builder
	joining bool
	// Styles learned from the labels seen so far.
	seenLabel, lowerStyle, dashStyle bool
	// names are person-name labels ("Ольга", "Tom Wilson") that start
	// lines often enough to be speakers (see nameLabels); nameCands
	// collects the candidates on the first pass.
	names     []string
	nameCands nameCandidates
}

// line splits one line at its labels.
func (p *parser) line(line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	if ts, k, ok := parseStamp(line, 0); ok && k == len(line) {
		p.pending = ts
		return
	}
	i := skipBullet(line)
	textFrom := 0
	boundary, lineStart := true, true
	for i < len(line) {
		lb, ok := p.matchLabel(line, i, boundary, lineStart)
		if !ok && lineStart && p.names == nil {
			p.nameCands.note(line, i)
		}
		if ok {
			if lineStart {
				textFrom = i // drop the list bullet before a label
			}
			p.addText(line[textFrom:i])
			p.openTurn(lb)
			// The turn's text may start with another label
			// ("Клиент: Менеджер: ..."), held to the strict form as
			// in running text; a label always consumes input, so
			// this cannot loop.
			textFrom, i = lb.text, lb.text
			boundary, lineStart = false, false
			continue
		}
		// Advance to the start of the next word, noting whether the
		// word before it ended a sentence.
		var last rune
		for i < len(line) {
			r, n, space := runeAt(line, i)
			if space {
				break
			}
			last = r
			i += n
		}
		i = skipSpaces(line, i)
		boundary = last != 0 && endsSentence(last)
		lineStart = false
	}
	p.addText(line[textFrom:])
}

// addText gives text to the open labelled turn, or makes it an unknown
// speaker's segment when no label has been seen yet.
func (p *parser) addText(s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if p.cur >= 0 {
		seg := &p.segs[p.cur]
		switch {
		case seg.Text == "":
			// Most turns are one piece of the input: no copy.
			seg.Text = s
		case p.joining:
			p.joined.WriteByte(' ')
			p.joined.WriteString(s)
		default:
			// Continuation lines are joined in a builder, so that a
			// long turn costs linear, not quadratic, time.
			p.joining = true
			p.joined.Reset()
			p.joined.WriteString(seg.Text)
			p.joined.WriteByte(' ')
			p.joined.WriteString(s)
		}
		return
	}
	seg := Segment{Speaker: RoleUnknown, Text: s}
	p.applyPending(&seg)
	p.segs = append(p.segs, seg)
}

func (p *parser) openTurn(lb label) {
	p.closeTurn()
	if !p.seenLabel {
		p.seenLabel = true
		p.lowerStyle = lb.lower
	}
	p.dashStyle = p.dashStyle || lb.dash
	seg := Segment{Speaker: lb.role, Label: lb.name}
	if lb.ts.hasStart {
		p.pending = lb.ts
	}
	p.applyPending(&seg)
	p.segs = append(p.segs, seg)
	p.cur = len(p.segs) - 1
}

// closeTurn finishes the open turn's text, and drops the turn when its
// label had none.
func (p *parser) closeTurn() {
	if p.joining {
		p.segs[p.cur].Text = p.joined.String()
		p.joining = false
	}
	if p.cur >= 0 && p.cur == len(p.segs)-1 && p.segs[p.cur].Text == "" {
		p.segs = p.segs[:p.cur]
		p.cur = -1
	}
}

// seconds returns a pointer to v, taken from the current chunk of times. A
// full chunk is replaced, never grown, so earlier pointers stay valid.
func (p *parser) seconds(v float64) *float64 {
	if len(p.times) == cap(p.times) {
		p.times = make([]float64, 0, 32)
	}
	p.times = append(p.times, v)
	return &p.times[len(p.times)-1]
}

func (p *parser) applyPending(seg *Segment) {
	if p.pending.hasStart {
		seg.Start = p.seconds(p.pending.start)
		if p.pending.hasEnd {
			seg.End = p.seconds(p.pending.end)
		}
	}
	p.pending = stamp{}
}

// matchLabel reports whether a speaker label begins at line[i]. boundary
// says the previous word ended a sentence (or i starts the line).
func (p *parser) matchLabel(line string, i int, boundary, lineStart bool) (label, bool) {
	var lb label
	if lineStart && len(p.names) > 0 {
		if lb, ok := p.matchName(line, i); ok {
			return lb, true
		}
	}
	c := line[i]
	// Cheap rejections first: this runs at every word of the dialog.
	if !boundary && c != '[' && c != '(' && !isDigit(c) && !p.lowerStyle && !isUpperAt(line, i) {
		return lb, false
	}
	if !sepAhead(line, i) {
		return lb, false
	}
	j := i
	if ts, k, ok := parseStamp(line, j); ok {
		if k < len(line) && !isSpaceAt(line, k) {
			return lb, false
		}
		lb.ts = ts
		j = skipSpaces(line, k)
	}
	h := header{strict: !boundary, lowerStyle: p.lowerStyle, ts: lb.ts, start: j, nameEnd: j}
	j, ok := h.parse(line, j)
	if !ok || h.roleWords == 0 || (h.single && !boundary) {
		return lb, false
	}
	lb.role, lb.ts, lb.lower = h.role, h.ts, h.lower
	if h.extra || h.role == RoleUnknown {
		lb.name = strings.TrimSpace(line[h.start:h.nameEnd])
	}
	switch {
	case j >= len(line):
		// "Speaker 1 00:03" on its own line, text on the next: exports
		// from meeting tools put no separator after a timestamp.
		if !boundary || !h.tsAfterRole {
			return lb, false
		}
		lb.text = j
		return lb, true
	case line[j] == ':':
		j++
	case strings.HasPrefix(line[j:], "："):
		j += len("：")
	default: // a dash
		if !boundary || !(lineStart || p.dashStyle) {
			return lb, false
		}
		_, n := utf8.DecodeRuneInString(line[j:])
		j += n
		if j < len(line) && !isSpaceAt(line, j) {
			return lb, false
		}
		if w, _ := readWord(line, skipSpaces(line, j)); strings.EqualFold(w, "это") {
			return lb, false
		}
		lb.dash = true
	}
	j = skipSpaces(line, j)
	if !lb.ts.hasStart && j < len(line) && (line[j] == '[' || line[j] == '(') {
		if ts, k, ok := parseStamp(line, j); ok {
			lb.ts = ts
			j = skipSpaces(line, k)
		}
	}
	lb.text = j
	return lb, true
}

// header is the part of a label before its separator: role words, and
// optionally names, a number, a parenthesised name or role, a timestamp
// ("Менеджер 2", "Анна (менеджер)", "Sales Rep [00:12]").
type header struct {
	// Set by the caller.
	strict     bool // in running text: must open with a capitalised role word
	lowerStyle bool // the dialog writes its labels in lower case
	ts         stamp

	start   int  // where the header's words begin
	nameEnd int  // where its last word, number or group ends
	extra   bool // it has names, numbers or groups besides role words

	role        Role
	roleWords   int
	sales       bool // "Sales ..." pins the manager side ("Sales Lead")
	single      bool // a one-letter role word
	tsAfterRole bool
	lower       bool // the first word is in lower case
	words       int
	connector   bool // after Russian "по": lower-case qualifiers follow
}

// parse reads a header from line[j] up to a separator or the end of the
// line, and returns where it stopped.
func (h *header) parse(line string, j int) (int, bool) {
	limit := min(len(line), j+maxHeaderBytes)
	for items := 0; ; items++ {
		j = skipSpaces(line, j)
		if j >= len(line) || isSep(line, j) {
			return j, true
		}
		if j >= limit || items >= maxHeaderItems {
			return j, false
		}
		var ok bool
		stamped := false
		switch c := line[j]; {
		case c == '[' || c == '(' || isDigit(c):
			if ts, k, isStamp := parseStamp(line, j); isStamp {
				if !h.ts.hasStart {
					h.ts = ts
				}
				h.tsAfterRole = h.roleWords > 0
				j, ok, stamped = k, true, true
			} else if c == '(' {
				j, ok = h.parenGroup(line, j, limit)
			} else if c != '[' {
				j, ok = h.number(line, j)
			}
		case c == '#' || c == '_':
			j, ok = h.number(line, j)
		default:
			j, ok = h.word(line, j)
		}
		if !ok {
			return j, false
		}
		if !stamped {
			h.nameEnd = j
		}
	}
}

// word reads a role word, a name or title, or a qualifier.
func (h *header) word(line string, j int) (int, bool) {
	word, k := readWord(line, j)
	if word == "" {
		return j, false
	}
	first, _ := utf8.DecodeRuneInString(word)
	upper := unicode.IsUpper(first)
	if h.words == 0 {
		h.lower = !upper
	}
	h.words++
	switch {
	case h.roleWords == 0 && h.strict && !upper && !h.lowerStyle:
		return j, false
	case h.roleWords > 0 && h.role == RoleUnknown && utf8.RuneCountInString(word) == 1:
		// "Speaker C", "Спикер К": a letter naming a diarised speaker,
		// not the one-letter role words.
		h.extra = true
	case h.addRole(word):
	case h.roleWords > 0 && word == "по":
		h.connector = true
	case h.connector && !upper:
	case upper && (!h.strict || h.roleWords > 0):
		// A name or title: "Анна", "Account".
		h.extra = true
	default:
		return j, false
	}
	return k, true
}

// parenGroup reads "(name)" or "(role)" or "(name, role)".
func (h *header) parenGroup(line string, j, limit int) (int, bool) {
	k := j + 1
	for k < limit && line[k] != ')' {
		k++
	}
	if k >= limit {
		return j, false
	}
	for w := j + 1; w < k; {
		if w = skipSpaces(line, w); w >= k {
			break
		}
		word, next := readWord(line[:k], w)
		if word == "" {
			if c := line[w]; !isDigit(c) && c != ',' && c != '#' {
				return j, false
			}
			next = w + 1
		}
		if !h.addRole(word) {
			h.extra = true
		}
		w = next
	}
	return k + 1, true
}

// number reads "1", "#2": numbered speakers of the same role.
func (h *header) number(line string, j int) (int, bool) {
	if h.roleWords == 0 {
		return j, false
	}
	k := j
	if line[k] == '#' || line[k] == '_' {
		k++
	}
	_, k, ok := readDigits(line, k, 1, 3)
	if !ok || (k < len(line) && !isSpaceAt(line, k) && !isSep(line, k)) {
		return j, false
	}
	h.extra = true
	return k, true
}

// addRole adds word to the header's role if it is a role word. The last
// role word wins, as English heads come last ("Customer Success
// Manager"); "Sales" keeps the manager side ("Sales Lead"); the roleless
// "Speaker" never overrides a role.
func (h *header) addRole(word string) bool {
	r, ok := lookupRole(word)
	if !ok {
		return false
	}
	isSales := strings.EqualFold(word, "sales")
	switch {
	case h.roleWords == 0:
		h.role = r
	case h.sales || isSales:
		h.role = RoleManager
	case r != RoleUnknown:
		h.role = r
	}
	h.sales = h.sales || isSales
	h.single = h.single || utf8.RuneCountInString(word) == 1
	h.roleWords++
	return true
}

// lookupRole returns the role a label word names. Hyphenated words
// ("Продавец-консультант") are looked up whole, then part by part.
func lookupRole(word string) (Role, bool) {
	var buf [maxWordBytes * 2]byte
	// The string(bytes) conversion inside a map index does not allocate.
	if r, ok := labelWords[string(lowerInto(buf[:0], word))]; ok {
		return r, true
	}
	if !strings.Contains(word, "-") {
		return "", false
	}
	var role Role
	found := false
	for part := range strings.SplitSeq(word, "-") {
		if r, ok := labelWords[string(lowerInto(buf[:0], part))]; ok && (!found || r != RoleUnknown) {
			role, found = r, true
		}
	}
	return role, found
}

// lowerInto appends s in lower case to buf.
func lowerInto(buf []byte, s string) []byte {
	for _, r := range s {
		buf = utf8.AppendRune(buf, unicode.ToLower(r))
	}
	return buf
}

// readWord returns the word of letters (with inner hyphens and
// apostrophes) at s[i], and the offset after it; "" when s[i] is not a
// letter or the word is too long to be part of a label.
func readWord(s string, i int) (string, int) {
	j := i
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if unicode.IsLetter(r) {
			j += n
			continue
		}
		if (r == '-' || r == '\'') && j > i && j+n < len(s) {
			if r2, _ := utf8.DecodeRuneInString(s[j+n:]); unicode.IsLetter(r2) {
				j += n
				continue
			}
		}
		break
	}
	if j == i || j-i > maxWordBytes {
		return "", i
	}
	return s[i:j], j
}

// isSep reports whether a label separator (":" or a dash) is at s[i].
func isSep(s string, i int) bool {
	switch s[i] {
	case ':', '-':
		return true
	case 0xE2: // "–" and "—" are E2 80 93 / E2 80 94
		return strings.HasPrefix(s[i:], "–") || strings.HasPrefix(s[i:], "—")
	case 0xEF: // full-width colon
		return strings.HasPrefix(s[i:], "：")
	}
	return false
}

// sepAhead reports whether a label starting at s[i] could end within
// reach: a separator byte comes up within a header and a leading timestamp
// range, or the line ends (a label may close the line).
func sepAhead(s string, i int) bool {
	end := i + 2*maxHeaderBytes
	if end >= len(s) {
		return true
	}
	for _, c := range []byte(s[i:end]) {
		// ':' and '-', and the lead bytes of "–", "—" (E2) and "：" (EF).
		if c == ':' || c == '-' || c == 0xE2 || c == 0xEF {
			return true
		}
	}
	return false
}

// isUpperAt reports whether the rune at s[i] is upper case, with fast
// paths for ASCII and basic Cyrillic.
func isUpperAt(s string, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if r >= 0x400 && r <= 0x44F {
		return r < 0x430
	}
	return unicode.IsUpper(r)
}

// endsSentence reports whether r ends a sentence, so that what follows
// may be a label even in lower case or with a single letter.
func endsSentence(r rune) bool {
	switch r {
	case '.', '!', '?', '…', ';', '»', '"', '”', ')', ']':
		return true
	}
	return false
}

// skipBullet skips a list bullet at the start of a line ("- ", "— ", "• ").
func skipBullet(s string) int {
	for _, b := range []string{"-", "–", "—", "•", "*"} {
		if strings.HasPrefix(s, b) {
			if j := len(b); j < len(s) && isSpaceAt(s, j) {
				return skipSpaces(s, j)
			}
		}
	}
	return 0
}

func skipSpaces(s string, i int) int {
	for i < len(s) {
		_, n, space := runeAt(s, i)
		if !space {
			break
		}
		i += n
	}
	return i
}

func isSpaceAt(s string, i int) bool {
	_, _, space := runeAt(s, i)
	return space
}

// runeAt decodes the rune at s[i] and says whether it is a space, with a
// fast path for ASCII, which most of any dialog's bytes are.
func runeAt(s string, i int) (r rune, size int, space bool) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1, asciiSpace[c]
	}
	r, size = utf8.DecodeRuneInString(s[i:])
	return r, size, isSpaceRune(r)
}

// isSpaceRune is unicode.IsSpace for non-ASCII runes, without the table
// search that dominated parsing Cyrillic text: the Unicode White_Space
// characters above ASCII, listed.
func isSpaceRune(r rune) bool {
	switch {
	case r == 0x85, r == 0xA0, r == 0x1680, r >= 0x2000 && r <= 0x200A,
		r == 0x2028, r == 0x2029, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// finishTimes makes times consistent: a start earlier than the one before
// is dropped (with its end), an end before its start is dropped, and a
// missing end is the next segment's start.
func (p *parser) finishTimes() []Segment {
	segs := p.segs
	last := -1.0
	for i := range segs {
		s := &segs[i]
		if s.Start != nil && *s.Start < last {
			s.Start, s.End = nil, nil
		}
		if s.Start == nil {
			s.End = nil
			continue
		}
		last = *s.Start
		if s.End != nil && *s.End < *s.Start {
			s.End = nil
		}
	}
	for i := 0; i+1 < len(segs); i++ {
		if segs[i].Start != nil && segs[i].End == nil && segs[i+1].Start != nil {
			segs[i].End = p.seconds(*segs[i+1].Start)
		}
	}
	return segs
}
