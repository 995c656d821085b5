package pii

import (
	"strings"

	"github.com/callaudit/callaudit/transcribe"
)

// Redacted is a transcript with its personal data replaced by
// placeholders, and the way back: which text each placeholder stands for.
// Quotes a model takes from Transcript can be checked against it (Locate)
// and, where a viewer may see the original, restored (Restore).
type Redacted struct {
	// Transcript is the masked copy; the input transcript is not changed.
	Transcript transcribe.Transcript
	// Replacements[i] are the replacements made in segment i, in order.
	Replacements [][]Replacement

	original []string
}

// RedactTranscript masks every segment of t, with placeholders in t's
// language.
func RedactTranscript(t transcribe.Transcript) Redacted {
	out := Redacted{
		Transcript:   t.Clone(),
		Replacements: make([][]Replacement, len(t.Segments)),
		original:     make([]string, len(t.Segments)),
	}
	for i, s := range t.Segments {
		out.original[i] = s.Text
		text, reps := Redact(s.Text, t.Language)
		out.Transcript.Segments[i].Text = text
		out.Replacements[i] = reps
	}
	return out
}

// Count returns the number of replacements made.
func (r Redacted) Count() int {
	n := 0
	for _, reps := range r.Replacements {
		n += len(reps)
	}
	return n
}

// Counts returns the number of replacements of each kind.
func (r Redacted) Counts() map[Kind]int {
	m := map[Kind]int{}
	for _, reps := range r.Replacements {
		for _, x := range reps {
			m[x.Kind]++
		}
	}
	return m
}

// Locate reports the segment of the masked transcript that contains quote
// verbatim: segment seg when it does, else the first that does. It is how
// a model's quote is checked against the text the model saw.
func (r Redacted) Locate(seg int, quote string) (int, bool) {
	if quote == "" {
		return -1, false
	}
	segs := r.Transcript.Segments
	if seg >= 0 && seg < len(segs) && strings.Contains(segs[seg].Text, quote) {
		return seg, true
	}
	for i, s := range segs {
		if strings.Contains(s.Text, quote) {
			return i, true
		}
	}
	return -1, false
}

// Restore returns the original text of a quote taken from segment seg of
// the masked transcript, with every placeholder in it (even one cut by the
// quote's edge) replaced by what it hid. It reports false when the quote is
// not in that segment.
func (r Redacted) Restore(seg int, quote string) (string, bool) {
	if !r.has(seg) || quote == "" {
		return "", false
	}
	masked := r.Transcript.Segments[seg].Text
	at := strings.Index(masked, quote)
	if at < 0 {
		return "", false
	}
	start, end := at, at+len(quote)
	reps := r.Replacements[seg]
	orig := r.original[seg]
	os, oe := mapBack(reps, start, false), mapBack(reps, end, true)
	return orig[os:oe], true
}

// has reports whether segment seg exists in every part of r (a Redacted
// not made by RedactTranscript may lack some).
func (r Redacted) has(seg int) bool {
	return seg >= 0 && seg < len(r.Transcript.Segments) && seg < len(r.original) && seg < len(r.Replacements)
}

// Mask returns the masked text of a quote taken from the original segment
// seg, with a value the quote cuts masked whole. It reports false when the
// quote is not in that segment of the original.
func (r Redacted) Mask(seg int, quote string) (string, bool) {
	if !r.has(seg) || quote == "" {
		return "", false
	}
	at := strings.Index(r.original[seg], quote)
	if at < 0 {
		return "", false
	}
	reps := r.Replacements[seg]
	ms, me := mapForward(reps, at, false), mapForward(reps, at+len(quote), true)
	return r.Transcript.Segments[seg].Text[ms:me], true
}

// mapForward turns an offset in the original text into one in the masked
// text; an offset inside a replaced value moves to the start (or, for an
// end, the end) of its placeholder.
func mapForward(reps []Replacement, pos int, isEnd bool) int {
	delta := 0
	for _, x := range reps {
		switch {
		case pos <= x.Start:
			return pos + delta
		case pos < x.End:
			if isEnd {
				return x.At + len(x.Placeholder)
			}
			return x.At
		}
		delta = x.At + len(x.Placeholder) - x.End
	}
	return pos + delta
}

// mapBack turns an offset in the masked text into one in the original; an
// offset inside a placeholder moves to the start (or, for an end, the end)
// of the text it replaced.
func mapBack(reps []Replacement, pos int, isEnd bool) int {
	delta := 0
	for _, x := range reps {
		pe := x.At + len(x.Placeholder)
		switch {
		case pos <= x.At:
			return pos + delta
		case pos < pe:
			if isEnd {
				return x.End
			}
			return x.Start
		}
		delta = x.End - pe
	}
	return pos + delta
}
