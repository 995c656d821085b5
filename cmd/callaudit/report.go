package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/callaudit/callaudit/score"
)

// labels are the headings of the readable report in its language.
var labels = map[string]map[string]string{
	"ru": {
		"score": "Оценка", "criteria": "Критерии", "summary": "Итог",
		"recs": "Рекомендации", "metrics": "Метрики", "turns": "реплик",
		"share": "доля речи менеджера", "questions": "вопросов менеджера",
		"evidence": "цитата", "open": "«", "close": "»",
	},
	"en": {
		"score": "Score", "criteria": "Criteria", "summary": "Summary",
		"recs": "Recommendations", "metrics": "Metrics", "turns": "turns",
		"share": "manager talk share", "questions": "manager questions",
		"evidence": "quote", "open": "\u201c", "close": "\u201d",
	},
}

// printReport writes the report for a person reading a terminal.
func printReport(w io.Writer, rep *score.Report) error {
	l := labels[rep.Meta.Language]
	if l == nil {
		l = labels["en"]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d/100  (%s, %s, %s", l["score"], rep.TotalScore, rep.Meta.Mode, rep.Meta.Language, rep.Meta.Scorer)
	if rep.Meta.Model != "" {
		fmt.Fprintf(&b, " %s", rep.Meta.Model)
	}
	b.WriteString(")\n\n")

	if len(rep.Details) > 0 {
		fmt.Fprintf(&b, "%s\n", l["criteria"])
		width := 0
		for _, d := range rep.Details {
			width = max(width, utf8.RuneCountInString(d.Title))
		}
		for _, d := range rep.Details {
			pad := strings.Repeat(" ", width-utf8.RuneCountInString(d.Title))
			fmt.Fprintf(&b, "  %s%s  %3d  %s\n", d.Title, pad, d.Score, bar(d.Score))
			if d.Comment != "" {
				fmt.Fprintf(&b, "      %s\n", d.Comment)
			}
			for _, e := range d.Evidence {
				fmt.Fprintf(&b, "      %s: %s%s%s\n", l["evidence"], l["open"], e.Quote, l["close"])
			}
		}
		b.WriteByte('\n')
	}
	if rep.Summary != "" {
		fmt.Fprintf(&b, "%s\n  %s\n\n", l["summary"], rep.Summary)
	}
	recs := rep.RecommendationList
	if len(recs) == 0 && rep.Recommendations != "" {
		recs = []string{rep.Recommendations}
	}
	if len(recs) > 0 {
		fmt.Fprintf(&b, "%s\n", l["recs"])
		for _, r := range recs {
			fmt.Fprintf(&b, "  - %s\n", r)
		}
		b.WriteByte('\n')
	}
	m := rep.Metrics
	fmt.Fprintf(&b, "%s: %d %s, %s %.0f%%, %d %s\n", l["metrics"],
		m.Turns, l["turns"], l["share"], m.ManagerTalkShare*100, m.ManagerQuestions, l["questions"])
	_, err := io.WriteString(w, b.String())
	return err
}

// bar draws a score as ten cells.
func bar(v int) string {
	n := (score.Clamp(v) + 5) / 10
	return strings.Repeat("█", n) + strings.Repeat("·", 10-n)
}
