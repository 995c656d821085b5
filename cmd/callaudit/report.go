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
		"recs": "Рекомендации", "metrics": "Метрики",
		"share":    "доля речи менеджера",
		"evidence": "цитата", "open": "«", "close": "»",
	},
	"en": {
		"score": "Score", "criteria": "Criteria", "summary": "Summary",
		"recs": "Recommendations", "metrics": "Metrics",
		"share":    "manager talk share",
		"evidence": "quote", "open": "\u201c", "close": "\u201d",
	},
}

// nouns are the counted words of the metrics line in each language's
// forms: Russian one/few/many (1 реплика, 2 реплики, 5 реплик), English
// one/other.
var nouns = map[string]map[string][]string{
	"ru": {"turns": {"реплика", "реплики", "реплик"}, "questions": {"вопрос менеджера", "вопроса менеджера", "вопросов менеджера"}},
	"en": {"turns": {"turn", "turns"}, "questions": {"manager question", "manager questions"}},
}

// count writes "n noun" with the noun agreeing with n.
func count(lang string, n int, noun string) string {
	forms := nouns[lang]
	if forms == nil {
		lang, forms = "en", nouns["en"]
	}
	f := forms[noun]
	if lang != "ru" {
		if n == 1 {
			return "1 " + f[0]
		}
		return fmt.Sprintf("%d %s", n, f[1])
	}
	k := 2
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		k = 0
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		k = 1
	}
	return fmt.Sprintf("%d %s", n, f[k])
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
	fmt.Fprintf(&b, "%s: %s, %s %.0f%%, %s\n", l["metrics"], count(rep.Meta.Language, m.Turns, "turns"),
		l["share"], m.ManagerTalkShare*100, count(rep.Meta.Language, m.ManagerQuestions, "questions"))
	_, err := io.WriteString(w, b.String())
	return err
}

// bar draws a score as ten cells.
func bar(v int) string {
	n := (score.Clamp(v) + 5) / 10
	return strings.Repeat("█", n) + strings.Repeat("·", 10-n)
}
