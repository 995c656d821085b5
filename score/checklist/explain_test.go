package checklist_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
)

// blindSets are the held-out sets measured blind: the guard scores their
// dialogs like the others, but its messages name only the file, never
// what the report says.
var blindSets = []string{"holdout2", "holdout3", "holdout4"}

func blind(name string) bool {
	for _, b := range blindSets {
		if strings.Contains(name, "/"+b+"/") {
			return true
		}
	}
	return false
}

// TestExplanationsMatchFindings is the guard of the explanations: over
// every dialog of the test data (TestGolden's and the held-out sets), in
// every variant, mode and report language, no recommendation asks for
// what the call achieved — none answers a criterion that scored at least
// checklist.DoneScore, none is a criterion's general advice (which asks
// for all of it) when a part of the criterion was achieved, and none
// repeats the advice of a rule the call satisfied — and every evidence
// quote of a criterion is a sentence of the transcript (or, of a sentence
// too long to quote whole, a part of it) in the segment it names.
func TestExplanationsMatchFindings(t *testing.T) {
	dialogs := goldenDialogs(t)
	for _, set := range append([]string{"holdout"}, blindSets...) {
		files, err := filepath.Glob(filepath.Join("testdata", set, "*.txt"))
		require.NoError(t, err)
		require.NotEmpty(t, files, set)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			dialogs[f] = string(b)
		}
	}
	names := make([]string, 0, len(dialogs))
	for n := range dialogs {
		names = append(names, n)
	}
	sort.Strings(names)
	s := checklist.New()
	reports, advised := 0, 0
	for _, name := range names {
		say := func(format string, args ...any) {
			t.Helper()
			if blind(name) {
				t.Errorf("%s: an explanation contradicts the findings (not shown: a blind set)", name)
				return
			}
			t.Errorf(name+": "+format, args...)
		}
		for v, tr := range variants(transcribe.ParseDialog(dialogs[name])) {
			for _, mode := range score.Modes {
				for _, lang := range []string{"ru", "en"} {
					e, err := s.ScoreExplained(score.Request{Transcript: tr, Mode: mode, Language: lang})
					require.NoError(t, err, name)
					reports++
					key := v + "|" + string(mode) + "|" + lang
					scores := map[string]int{}
					for _, d := range e.Report.Details {
						scores[d.ID] = d.Score
						for _, ev := range d.Evidence {
							if !e.QuoteOf(ev.Segment, ev.Quote) {
								say("%s: %s quotes %q as segment %d, not a sentence of it", key, d.ID, ev.Quote, ev.Segment)
							}
						}
					}
					for _, a := range e.Advised {
						advised++
						if scores[a.ID] >= checklist.DoneScore {
							say("%s: %q answers %s, which scored %d", key, a.Text, a.ID, scores[a.ID])
						}
						if a.General && a.Done {
							say("%s: %q is the general advice of %s, part of which the call achieved (score %d)", key, a.Text, a.ID, scores[a.ID])
						}
						for id, done := range e.DoneAdvice {
							for _, d := range done {
								if strings.Contains(strings.ToLower(a.Text), strings.ToLower(strings.TrimSuffix(d, "."))) {
									say("%s: %q asks for %q, which %s found", key, a.Text, d, id)
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d dialogs, %d reports, %d recommendations checked", len(names), reports, advised)
	require.Greater(t, advised, 1000)
}

// explainCall is the audit's call: the manager asks whether it is a good
// time but gives no reason; the client's answer to the first question
// names the problem and objects to the price in the same turn; the offer
// takes up «заявки» after «Понимаю.»; the step is booked after the price
// in one turn.
const explainCall = `Менеджер: Добрый день! Меня зовут Ольга, компания «ЛидПро». Вам удобно говорить?
Клиент: Да, слушаю.
Менеджер: Как у вас сейчас обрабатываются заявки с сайта?
Клиент: Вручную, менеджеры не успевают, и мы теряем заявки каждый день. Дорого.
Менеджер: Понимаю. Наша система распределяет заявки автоматически и окупается за счёт сохранённых заявок.
Клиент: Интересно. Сколько заявок она выдержит?
Менеджер: Сколько угодно. Подключение стоит 10 тысяч в месяц. Созвонимся в четверг в 15:00, покажу демо?
Клиент: Да, давайте.
Менеджер: Спасибо, до свидания!`

func scoreText(t *testing.T, text string, mode score.Mode, lang string) *score.Report {
	t.Helper()
	rep, err := checklist.New().Score(context.Background(), score.Request{Transcript: transcribe.ParseDialog(text), Mode: mode, Language: lang})
	require.NoError(t, err)
	return rep
}

func quotes(d score.CriterionResult) []string {
	var out []string
	for _, ev := range d.Evidence {
		out = append(out, ev.Quote)
	}
	return out
}

// TestExplainRapportAdvice: the manager asked whether it is a good time;
// the advice asks only for the reason of the call.
func TestExplainRapportAdvice(t *testing.T) {
	for lang, want := range map[string][2]string{
		"ru": {"Назовите повод звонка", "удобно ли"},
		"en": {"State why you are calling", "good time"},
	} {
		rep := scoreText(t, explainCall, score.ModeManager, lang)
		require.Equal(t, 75, criterionOf(t, rep, "rapport").Score, lang)
		require.Contains(t, rep.Recommendations, want[0], lang)
		require.NotContains(t, rep.Recommendations, want[1], lang)
	}
}

// TestExplainEarlyObjections: a price objection counts wherever it is
// raised, in answer to a discovery question too; the client's own
// problem in such an answer is not one.
func TestExplainEarlyObjections(t *testing.T) {
	for _, c := range []struct {
		answer string
		counts bool
	}{
		{"Клиент: Дорого.", true},
		{"Клиент: Это дорого для нас.", true},
		{"Клиент: But I think you are too expensive.", true},
		{"Клиент: Well, our car is getting expensive to fix and we have two kids now.", false},
	} {
		text := "Менеджер: Добрый день! Меня зовут Ольга, компания «ЛидПро». Как вы сейчас обрабатываете заявки?\n" + c.answer +
			"\nМенеджер: Понимаю. Система окупается за месяц, первые две недели бесплатно.\nКлиент: Хорошо.\nМенеджер: Спасибо, до свидания!"
		d := criterionOf(t, scoreText(t, text, score.ModeManager, "ru"), "objection_handling")
		if c.counts {
			require.Positive(t, d.Weight, c.answer)
			require.Contains(t, d.Comment, "1 возражение", c.answer)
			require.Contains(t, quotes(d)[0], strings.TrimPrefix(c.answer, "Клиент: "), c.answer)
		} else {
			require.Zero(t, d.Weight, c.answer)
		}
	}
}

// TestExplainPresentationEvidence: the offer takes up the client's
// «теряем заявки» although the same turn objects to the price, and the
// evidence quotes the offer, not the «Понимаю.» before it.
func TestExplainPresentationEvidence(t *testing.T) {
	d := criterionOf(t, scoreText(t, explainCall, score.ModeManager, "ru"), "presentation")
	require.NotContains(t, d.Comment, "не связано", d.Comment)
	require.Contains(t, quotes(d), "Наша система распределяет заявки автоматически и окупается за счёт сохранённых заявок.")
	require.NotContains(t, quotes(d), "Понимаю.")
}

// TestExplainStepQuote: the step's evidence and the summary quote the
// booking, not the price said before it in the same turn.
func TestExplainStepQuote(t *testing.T) {
	rep := scoreText(t, explainCall, score.ModeManager, "ru")
	d := criterionOf(t, rep, "next_step")
	require.Equal(t, 100, d.Score)
	require.Contains(t, quotes(d), "Созвонимся в четверг в 15:00, покажу демо?")
	require.NotContains(t, quotes(d), "Подключение стоит 10 тысяч в месяц.")
	require.Contains(t, rep.Summary, "договорились — «Созвонимся в четверг в 15:00")
}

// TestExplainCommitmentAdvice: a dated step the client agreed to is not
// asked for again; the advice asks for what is left, the decision.
func TestExplainCommitmentAdvice(t *testing.T) {
	for lang, general := range map[string]string{"ru": "предлагайте маленький конкретный шаг", "en": "offer a small concrete step"} {
		rep := scoreText(t, explainCall, score.ModeClient, lang)
		require.Equal(t, 75, criterionOf(t, rep, "commitment").Score, lang)
		require.NotContains(t, rep.Recommendations, general, lang)
		require.Contains(t, rep.Recommendations, map[string]string{"ru": "подведите к решению", "en": "move towards a decision"}[lang], lang)
	}
}
