package checklist_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
)

// summarySentences splits a summary into sentences, not splitting inside
// «…» or “…” quotes, whose text has its own full stops.
func summarySentences(s string) []string {
	var out []string
	depth, start := 0, 0
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '«', '“':
			depth++
		case '»', '”':
			depth--
		}
		endsQuote := (r == '»' || r == '”') && depth == 0 && i > 0 && strings.ContainsRune("?!…", rs[i-1])
		if depth == 0 && (r == '.' || endsQuote) && (i+1 == len(rs) || rs[i+1] == ' ') {
			out = append(out, strings.TrimSpace(string(rs[start:i+1])))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(string(rs[start:])); rest != "" {
		out = append(out, rest)
	}
	return out
}

func TestSummarySentences(t *testing.T) {
	assert.Equal(t, []string{"Итоговая оценка 5 из 100.", "Итог: клиент отложил — «Ладно. Подумаю».", "Клиент спросил «Когда?»"},
		summarySentences("Итоговая оценка 5 из 100. Итог: клиент отложил — «Ладно. Подумаю». Клиент спросил «Когда?»"))
}

// TestSummariesAreAboutTheCall: beyond the score line, every summary of
// the set is written from its own call: no sentence is shared by two
// dialogs' reports in a mode, each quotes the call, and it says how the
// call ended.
func TestSummariesAreAboutTheCall(t *testing.T) {
	set := loadDevSet(t)
	s := checklist.New()
	for _, mode := range score.Modes {
		seen := map[string]string{}
		for _, d := range set {
			rep, err := s.Score(context.Background(), score.Request{Transcript: d.tr, Mode: mode, Language: d.Language})
			require.NoError(t, err)
			sents := summarySentences(rep.Summary)
			require.GreaterOrEqual(t, len(sents), 3, "%s %s: %s", mode, d.ID, rep.Summary)
			assert.Regexp(t, `^(Итоговая оценка|Total score) \d+ `, sents[0])
			quoted := 0
			for _, sent := range sents[1:] {
				if other, ok := seen[sent]; ok && other != d.ID {
					t.Errorf("%s: %s and %s share the summary sentence %q", mode, other, d.ID, sent)
				}
				seen[sent] = d.ID
				if strings.ContainsAny(sent, "«“") {
					quoted++
				}
			}
			assert.Equal(t, len(sents)-1, quoted, "%s %s: every sentence after the score line quotes the call: %s", mode, d.ID, rep.Summary)
			assert.Regexp(t, `(Итог|Outcome): `, rep.Summary, "%s %s", mode, d.ID)
		}
	}
}

// masculine are the manager's verb forms the reports used to write for
// every manager; the checklist does not know the manager's gender.
var masculine = regexp.MustCompile(`(?i)(^|[^а-яё])(поздоровался|представился|спросил|назвал|пересказал|поблагодарил|попрощался|продолжал|перебивал|вернулся|выяснял|дождался|был вежлив|менеджер говорил|запрашивал|объяснил)([^а-яё]|$)`)

// TestReportsAreGenderNeutral: no Russian comment, summary or
// recommendation of the set puts the manager in the masculine.
func TestReportsAreGenderNeutral(t *testing.T) {
	set := loadDevSet(t)
	s := checklist.New()
	for _, mode := range score.Modes {
		for _, d := range set {
			if d.Language != "ru" {
				continue
			}
			rep, err := s.Score(context.Background(), score.Request{Transcript: d.tr, Mode: mode, Language: "ru"})
			require.NoError(t, err)
			texts := append([]string{rep.Recommendations}, stripQuotes(rep.Summary))
			for _, c := range rep.Details {
				texts = append(texts, c.Comment)
			}
			for _, text := range texts {
				assert.NotRegexp(t, masculine, stripQuotes(text), "%s %s", mode, d.ID)
			}
		}
	}
}

// stripQuotes drops quoted speech, which is the speakers' own words.
func stripQuotes(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '«' || r == '“':
			depth++
		case r == '»' || r == '”':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestRecommendationsFitTheDirection: an inbound call is never told to
// name the reason for calling or to ask whether it is a good time.
func TestRecommendationsFitTheDirection(t *testing.T) {
	set := loadDevSet(t)
	s := checklist.New()
	wrong := regexp.MustCompile(`(?i)повод звонка|оставляли заявку|удобно ли клиенту говорить|why you are calling|good time to talk|requested a demo`)
	inbound := 0
	for _, mode := range score.Modes {
		for _, d := range set {
			if d.Direction != "inbound" {
				continue
			}
			inbound++
			rep, err := s.Score(context.Background(), score.Request{Transcript: d.tr, Mode: mode, Language: d.Language})
			require.NoError(t, err)
			assert.NotRegexp(t, wrong, rep.Recommendations, "%s %s", mode, d.ID)
		}
	}
	assert.Positive(t, inbound)
}

// TestRecommendationsQuoteTheCall: advice on a stated need, an objection
// or a rude line carries the call's own words as its example.
func TestRecommendationsQuoteTheCall(t *testing.T) {
	rep := scoreLines(t, score.ModeManager,
		"Менеджер: Добрый день, компания «Окна Плюс», меня зовут Ольга. Удобно говорить?",
		"Клиент: Да. У меня окно на кухне продувает, нужен ремонт.",
		"Менеджер: У нас акция на балконные рамы.",
		"Клиент: Дорого, наверное.",
		"Менеджер: Ну вы же сами виноваты, что не поменяли раньше.")
	all := rep.Recommendations
	assert.Contains(t, all, "«Дорого, наверное»", "the objection is quoted")
	assert.Contains(t, all, "нужен ремонт", "the stated need is quoted")
	assert.Contains(t, all, "«Ну вы же сами виноваты, что не поменяли раньше»", "the rude line is quoted")
	assert.Equal(t, 1, strings.Count(all, "нужен ремонт"), "the need is quoted once, not in every advice")
}
