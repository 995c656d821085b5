package checklist

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/callaudit/callaudit/score"
)

// DoneScore is doneScore for the external tests.
const DoneScore = doneScore

// Advised says where one recommendation came from: the criterion it
// answers, whether it is the criterion's general advice, and that
// criterion's result as the rules found it.
type Advised struct {
	Text, ID string
	General  bool
	// Done: a part of the criterion was achieved; DoneAdvice is the
	// advice of its rows that were found.
	Done       bool
	DoneAdvice []string
}

// Explained is a report with the sources of its recommendations and
// every criterion's advice of the rows found.
type Explained struct {
	Report     *score.Report
	Advised    []Advised
	DoneAdvice map[string][]string
	// Sentences are the transcript's sentences as the checklist split
	// them, each with its segment.
	Sentences []Sentence
}

// Sentence is one sentence of the transcript.
type Sentence struct {
	Segment int
	Text    string
}

// ScoreExplained scores req as Score does and says where each
// recommendation came from.
func (s *Scorer) ScoreExplained(req score.Request) (*Explained, error) {
	var out Explained
	rep, err := s.score(context.Background(), req, func(a *analysis, rep *score.Report) {
		out.DoneAdvice = map[string][]string{}
		for id, r := range a.results {
			out.DoneAdvice[id] = append([]string(nil), r.doneAdvice...)
		}
		// The critical-data warning has no criterion; the sources
		// follow it.
		texts := rep.RecommendationList
		if a.critical && len(texts) > len(a.recs) {
			texts = texts[1:]
		}
		for i, src := range a.recs {
			r := a.results[src.id]
			out.Advised = append(out.Advised, Advised{Text: texts[i], ID: src.id, General: src.kind == adviceGeneral,
				Done: r.done, DoneAdvice: r.doneAdvice})
		}
		for si := range a.d.sents {
			ev := a.sentenceEvidence(int32(si))
			out.Sentences = append(out.Sentences, Sentence{Segment: ev.Segment, Text: ev.Quote})
		}
	})
	out.Report = rep
	return &out, err
}

// QuoteOf reports whether quote q of segment seg is one of the sentences,
// or, of a sentence too long to quote whole, a part.
func (e *Explained) QuoteOf(seg int, q string) bool {
	for _, s := range e.Sentences {
		if s.Segment != seg {
			continue
		}
		if s.Text == q || (utf8.RuneCountInString(s.Text) > evidenceRunes && strings.Contains(s.Text, q)) {
			return true
		}
	}
	return false
}
