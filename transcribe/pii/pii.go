// Package pii finds personal data in call transcripts and replaces it with
// placeholders, so a transcript can go to a remote model (or be stored)
// without the client's phone, card, passport, SNILS, INN, e-mail, date of
// birth or one-time codes. It needs no model: Russian and English text is
// scanned for the forms people dictate and transcribers write, and
// checksums (Luhn, SNILS, INN) keep prices, dates, times, quantities and
// order numbers from being masked.
//
// Find reports what it found with byte spans; Redact masks one text;
// RedactTranscript masks every segment of a transcript and keeps the
// mapping back to the original.
package pii

import (
	"bytes"
	"slices"
	"strings"
	"sync"
)

// Kind is a kind of personal data.
type Kind string

// Kinds of personal data Find reports.
const (
	KindPhone     Kind = "phone"
	KindCard      Kind = "card"
	KindPassport  Kind = "passport"
	KindSNILS     Kind = "snils"
	KindINN       Kind = "inn"
	KindEmail     Kind = "email"
	KindBirthDate Kind = "birth_date"
	// KindCode is a card's CVV/CVC or a one-time code from an SMS.
	KindCode Kind = "code"
)

// Kinds lists every Kind, in a fixed order.
var Kinds = []Kind{KindPhone, KindCard, KindPassport, KindSNILS, KindINN, KindEmail, KindBirthDate, KindCode}

// Finding is one piece of personal data: text[Start:End] is it.
type Finding struct {
	Kind       Kind
	Start, End int
	// Confidence is 0..1: about 0.95 for a format with a checksum or a cue
	// word ("паспорт", "ИНН"), 0.6 for a bare number that only fits a
	// format.
	Confidence float64
	// Value is the value in a form to compare: the digits of a number
	// (also when dictated in words: "восемь девятьсот…" is "8900…"), the
	// lower-case address of an e-mail (a dictated one as written), the
	// lower-case text of a date of birth.
	Value string
}

var placeholders = map[Kind][2]string{ // ru, en
	KindPhone:     {"[телефон]", "[phone]"},
	KindCard:      {"[карта]", "[card]"},
	KindPassport:  {"[паспорт]", "[passport]"},
	KindSNILS:     {"[СНИЛС]", "[SNILS]"},
	KindINN:       {"[ИНН]", "[INN]"},
	KindEmail:     {"[email]", "[email]"},
	KindBirthDate: {"[дата рождения]", "[date of birth]"},
	KindCode:      {"[код]", "[code]"},
}

// Placeholder returns the text that replaces a finding of kind k:
// "[телефон]" for Russian (and any language but English), "[phone]" for
// "en".
func Placeholder(k Kind, language string) string {
	p, ok := placeholders[k]
	if !ok {
		return "[" + string(k) + "]"
	}
	if strings.EqualFold(language, "en") || strings.HasPrefix(strings.ToLower(language), "en-") {
		return p[1]
	}
	return p[0]
}

var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// Find returns the personal data in text, in order and not overlapping.
// It is safe for concurrent use.
func Find(text string) []Finding {
	bp := bufs.Get().(*[]byte)
	lc := fold(*bp, text)
	s := scanner{lc: lc}
	s.scan()
	*bp = lc[:0]
	bufs.Put(bp)
	return resolve(s.out)
}

// resolve sorts findings and drops overlaps, keeping the more confident
// (then the longer) one.
func resolve(f []Finding) []Finding {
	if len(f) < 2 {
		return f
	}
	slices.SortFunc(f, func(a, b Finding) int { return a.Start - b.Start })
	out := f[:1]
	for _, x := range f[1:] {
		last := &out[len(out)-1]
		if x.Start >= last.End {
			out = append(out, x)
			continue
		}
		if x.Confidence > last.Confidence || x.Confidence == last.Confidence && x.End-x.Start > last.End-last.Start {
			*last = x
		}
	}
	return out
}

// Replacement is a finding replaced in a text: the original text[Start:End]
// became Placeholder at output[At:At+len(Placeholder)].
type Replacement struct {
	Finding
	Placeholder string
	At          int
}

// Redact returns text with every finding replaced by its placeholder in
// language, and the replacements made.
func Redact(text, language string) (string, []Replacement) {
	f := Find(text)
	if len(f) == 0 {
		return text, nil
	}
	reps := make([]Replacement, len(f))
	var b strings.Builder
	b.Grow(len(text))
	prev := 0
	for i, x := range f {
		b.WriteString(text[prev:x.Start])
		p := Placeholder(x.Kind, language)
		reps[i] = Replacement{Finding: x, Placeholder: p, At: b.Len()}
		b.WriteString(p)
		prev = x.End
	}
	b.WriteString(text[prev:])
	return b.String(), reps
}

func isEmailLocal(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomain(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// emailAt reads an address around the @ at b[at], returning its span.
func emailAt(b []byte, at int) (Finding, bool) {
	l := at
	for l > 0 && isEmailLocal(b[l-1]) {
		l--
	}
	for l < at && b[l] == '.' {
		l++
	}
	r := at + 1
	for r < len(b) && isDomain(b[r]) {
		r++
	}
	for r > at+1 && (b[r-1] == '.' || b[r-1] == '-') {
		r--
	}
	dom := b[at+1 : r]
	dot := bytes.LastIndexByte(dom, '.')
	if l == at || dot <= 0 || len(dom)-dot-1 < 2 {
		return Finding{}, false
	}
	return Finding{Kind: KindEmail, Start: l, End: r, Confidence: 0.99, Value: string(b[l:r])}, true
}

var (
	spokenDot = []string{".", " точка ", " dot ", " дот "}
	tlds      = []string{"ru", "com", "net", "org", "рф", "su", "io", "info", "biz", "by", "kz", "ua", "uk", "de", "me", "co", "pro", "online"}
)

// spokenEmail reads "name<sep>domain<dot>tld" ("ivan собака mail точка
// ru", "john at gmail dot com") around a spoken at-sign b[at:end] (with
// the spaces on both sides); the name must be one Latin word right before
// it.
func spokenEmail(b []byte, at, end int) (Finding, bool) {
	l := at
	for l > 0 && isEmailLocal(b[l-1]) {
		l--
	}
	if l == at || !boundaryBefore(b, l) {
		return Finding{}, false
	}
	r := end
	labels := 0
	for {
		s := r
		for r < len(b) && (b[r] >= 'a' && b[r] <= 'z' || isDigit(b[r]) || b[r] == '-') {
			r++
		}
		if r == s {
			return Finding{}, false
		}
		labels++
		if labels >= 2 {
			label := string(b[s:r])
			if slices.Contains(tlds, label) && (r == len(b) || !isDomain(b[r]) || b[r] == '.') {
				v := string(b[l:at]) + "@"
				for _, part := range bytes.FieldsFunc(b[end:r], func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') }) {
					if string(part) != "точка" && string(part) != "dot" && string(part) != "дот" {
						v += string(part) + "."
					}
				}
				return Finding{Kind: KindEmail, Start: l, End: r, Confidence: 0.9, Value: strings.TrimSuffix(v, ".")}, true
			}
		}
		next := -1
		for _, d := range spokenDot {
			if bytes.HasPrefix(b[r:], []byte(d)) {
				next = r + len(d)
				break
			}
		}
		if next < 0 || labels > 4 {
			return Finding{}, false
		}
		r = next
	}
}
