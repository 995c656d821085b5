package llmreport

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// Ground checks a model's quote against the transcript. A quote found in a
// segment (the hinted one first) is returned as the transcript's own text
// with its segment, speaker and time, Grounded. The match ignores case,
// runs of spaces, ё/е and typographic quote and dash variants, because
// models normalise those; the returned Quote is always the verbatim
// transcript text. A quote found nowhere is kept with Grounded false and
// Segment -1, so a reader sees it is unverified.
func Ground(t transcribe.Transcript, quote string, hint *int) (score.Evidence, bool) {
	cands := quoteCandidates(quote)
	if cands[0] == "" {
		return score.Evidence{}, false
	}
	try := func(i int, fq string) (score.Evidence, bool) {
		s := t.Segments[i]
		verbatim, ok := findFolded(s.Text, fq)
		if !ok {
			return score.Evidence{}, false
		}
		return score.Evidence{Quote: verbatim, Segment: i, Speaker: s.Speaker, Start: s.Start, Grounded: true}, true
	}
	for _, q := range cands {
		fq := fold(q)
		if hint != nil && *hint >= 0 && *hint < len(t.Segments) {
			if ev, ok := try(*hint, fq); ok {
				return ev, true
			}
		}
		for i := range t.Segments {
			if ev, ok := try(i, fq); ok {
				return ev, true
			}
		}
	}
	return score.Evidence{Quote: cands[len(cands)-1], Segment: -1, Grounded: false}, true
}

// quoteCandidates returns the quote as given, then with what models add
// around a quote removed one layer at a time: a "[n] speaker:" prefix,
// a pair of surrounding quote marks, leading or trailing ellipses. The
// least-cleaned form that matches wins, so quote marks that belong to the
// transcript are kept.
func quoteCandidates(q string) []string {
	q = strings.TrimSpace(q)
	out := []string{q}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	if strings.HasPrefix(q, "[") {
		if i := strings.Index(q, "]"); i > 0 && i < 8 {
			q = strings.TrimSpace(q[i+1:])
			add(q)
		}
	}
	for _, role := range []transcribe.Role{transcribe.RoleManager, transcribe.RoleClient, transcribe.RoleUnknown} {
		if rest, ok := strings.CutPrefix(q, string(role)+":"); ok {
			q = strings.TrimSpace(rest)
			add(q)
		}
	}
	const marks = "\"'«»“”„‘’`"
	for range 4 {
		before := q
		first, fs := utf8.DecodeRuneInString(q)
		last, ls := utf8.DecodeLastRuneInString(q)
		if len(q) > fs+ls && strings.ContainsRune(marks, first) && strings.ContainsRune(marks, last) {
			q = strings.TrimSpace(q[fs : len(q)-ls])
		}
		for _, e := range []string{"...", "…"} {
			q = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(q, e), e))
		}
		if q == before {
			break
		}
		add(q)
	}
	return out
}

func foldRune(r rune) rune {
	switch r {
	case 'ё', 'Ё':
		return 'е'
	case '«', '»', '“', '”', '„':
		return '"'
	case '‘', '’', '`':
		return '\''
	case '—', '–', '‑', '−':
		return '-'
	case '\u00a0':
		return ' '
	}
	return unicode.ToLower(r)
}

// fold lower-cases and normalises s, collapsing whitespace.
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		r = foldRune(r)
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// findFolded finds folded needle in text and returns the matching span of
// text as it is written.
func findFolded(text, needle string) (string, bool) {
	if needle == "" {
		return "", false
	}
	// Fold text, remembering where each folded rune came from.
	var b strings.Builder
	var starts, ends []int
	space := false
	for i, r := range text {
		fr := foldRune(r)
		if unicode.IsSpace(fr) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			starts = append(starts, i)
			ends = append(ends, i)
		}
		space = false
		b.WriteRune(fr)
		starts = append(starts, i)
		ends = append(ends, i+utf8.RuneLen(r))
	}
	folded := b.String()
	at := strings.Index(folded, needle)
	if at < 0 {
		return "", false
	}
	first := utf8.RuneCountInString(folded[:at])
	last := first + utf8.RuneCountInString(needle) - 1
	return text[starts[first]:ends[last]], true
}
