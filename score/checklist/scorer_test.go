package checklist_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scoretest"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// samples marks a dialog path as one of the project's sample dialogs,
// embedded in transcribetest (the module's own copies), rather than a file
// of this package's testdata.
const samples = "transcribetest:"

func TestConformance(t *testing.T) {
	scoretest.Run(t, scoretest.Harness{
		NewScorer: func(*testing.T) score.Scorer { return checklist.New() },
		Features:  scoretest.Features{Deterministic: true, Rubrics: true},
		Transcripts: []transcribe.Transcript{
			dialog(t, "testdata/en_good_discovery.txt"),
			dialog(t, "testdata/ru_card_scam.txt"),
		},
	})
}

// dialog parses a dialog: a file of testdata, or a sample dialog when the
// path starts with samples.
func dialog(t testing.TB, path string) transcribe.Transcript {
	t.Helper()
	if name, ok := strings.CutPrefix(path, samples); ok {
		return transcribe.ParseDialog(transcribetest.Dialog(t, name))
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return transcribe.ParseDialog(string(b))
}

func scoreIt(t *testing.T, s *checklist.Scorer, req score.Request) *score.Report {
	t.Helper()
	rep, err := s.Score(context.Background(), req)
	require.NoError(t, err)
	scoretest.CheckReport(t, req, rep)
	return rep
}

// TestSeparatesGoodFromBad is the point of the scorer: good calls score
// high, bad ones low, mediocre ones in between.
func TestSeparatesGoodFromBad(t *testing.T) {
	tests := []struct {
		file     string
		mode     score.Mode
		min, max int
	}{
		{samples + "ru_good_crm.txt", score.ModeManager, 75, 100},
		{samples + "ru_bad_pushy.txt", score.ModeManager, 0, 35},
		{samples + "en_medium_demo.txt", score.ModeManager, 36, 74},
		{samples + "ru_inline_one_line.txt", score.ModeManager, 55, 100},
		{"testdata/en_good_discovery.txt", score.ModeManager, 75, 100},
		{"testdata/ru_rude_support.txt", score.ModeManager, 0, 35},
		{"testdata/ru_card_scam.txt", score.ModeManager, 0, 15},
		// Written after the phrase tables were settled, as a check
		// against overfitting: other labels, other products.
		{"testdata/ru_good_windows.txt", score.ModeManager, 75, 100},
		{"testdata/en_pushy_crm.txt", score.ModeManager, 0, 35},
		// Диалог judges the conversation, not the manager's stages: a
		// pushy call still has some exchange in it, so its bad calls sit
		// lower than 55 while its good ones reach 75 and more.
		{"testdata/en_pushy_crm.txt", score.ModeDialog, 0, 55},
		// The other modes keep the order of good and bad calls.
		{samples + "ru_good_crm.txt", score.ModeClient, 75, 100},
		{samples + "ru_bad_pushy.txt", score.ModeClient, 0, 40},
		{samples + "ru_good_crm.txt", score.ModeDialog, 75, 100},
		{samples + "ru_bad_pushy.txt", score.ModeDialog, 0, 55},
		{"testdata/en_good_discovery.txt", score.ModeDialog, 75, 100},
		{"testdata/ru_rude_support.txt", score.ModeDialog, 0, 55},
		{"testdata/ru_card_scam.txt", score.ModeClient, 0, 15},
		{"testdata/ru_card_scam.txt", score.ModeDialog, 0, 15},
	}
	s := checklist.New()
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file)+"/"+string(tt.mode), func(t *testing.T) {
			rep := scoreIt(t, s, score.Request{Transcript: dialog(t, tt.file), Mode: tt.mode})
			assert.GreaterOrEqual(t, rep.TotalScore, tt.min, "criteria: %v", rep.Criteria)
			assert.LessOrEqual(t, rep.TotalScore, tt.max, "criteria: %v", rep.Criteria)
		})
	}
}

func TestInlineSupportCallIsSplitIntoTurns(t *testing.T) {
	tr := dialog(t, samples+"ru_inline_one_line.txt")
	require.Len(t, tr.Segments, 10, "the one-line dialog must be split into turns")
	for i, seg := range tr.Segments {
		want := transcribe.RoleClient
		if i%2 == 1 {
			want = transcribe.RoleManager
		}
		assert.Equal(t, want, seg.Speaker, "segment %d", i)
	}
	rep := scoreIt(t, checklist.New(), score.Request{Transcript: tr})
	// A support call has no objections: the criterion is reported but
	// does not count.
	d := detail(t, rep, checklist.ObjectionHandling)
	assert.Zero(t, d.Weight)
	assert.GreaterOrEqual(t, rep.Criteria[checklist.NextStep], 75, "the delivery slot was agreed")
	assert.Equal(t, 100, rep.Criteria[checklist.Farewell])
}

func detail(t *testing.T, rep *score.Report, id string) score.CriterionResult {
	t.Helper()
	for _, d := range rep.Details {
		if d.ID == id {
			return d
		}
	}
	require.Failf(t, "missing criterion", "%s not in %v", id, rep.Criteria)
	return score.CriterionResult{}
}

func turns(lines ...string) transcribe.Transcript {
	var tr transcribe.Transcript
	for _, l := range lines {
		role, text, _ := strings.Cut(l, ": ")
		r := transcribe.RoleManager
		if role == "К" || role == "C" {
			r = transcribe.RoleClient
		}
		tr.Segments = append(tr.Segments, transcribe.Segment{Speaker: r, Text: text})
	}
	return tr
}

// TestCriteria checks single criteria on hand-built calls: each case
// differs from a passing one in the one thing the criterion looks at.
func TestCriteria(t *testing.T) {
	tests := []struct {
		name     string
		tr       transcribe.Transcript
		id       string
		min, max int
		evidence string // a quote the criterion must cite
	}{
		{"full greeting", turns("М: Добрый день! Меня зовут Анна, компания «Ромашка».", "К: Здравствуйте."),
			checklist.Greeting, 100, 100, "Добрый день!"},
		{"greeting without company", turns("М: Здравствуйте, меня зовут Анна.", "К: Да."),
			checklist.Greeting, 70, 70, ""},
		{"no greeting", turns("М: Алло. Вам нужна CRM?", "К: Кто это?"),
			checklist.Greeting, 0, 0, ""},
		{"permission in an inflected form", turns("М: Добрый день! Вам сейчас удобнее говорить или перезвонить?", "К: Говорите."),
			checklist.Rapport, 50, 100, "Вам сейчас удобнее говорить или перезвонить?"},
		{"open questions", turns("М: Как вы сейчас ведёте сделки?", "К: В таблицах.", "М: Что больше всего мешает?", "К: Всё теряется.", "М: Сколько у вас менеджеров?", "К: Пять."),
			checklist.NeedsDiscovery, 90, 100, "Что больше всего мешает?"},
		{"closed questions only", turns("М: Вам нужна CRM?", "К: Нет.", "М: Берёте?", "К: Нет."),
			checklist.NeedsDiscovery, 1, 20, "Вам нужна CRM?"},
		{"summary confirmed", turns("М: Как вы работаете?", "К: В таблицах, и всё теряется.", "М: То есть вам важно ничего не терять, правильно я понимаю?", "К: Да, именно."),
			checklist.NeedSummary, 100, 100, "Да, именно."},
		{"summary not confirmed", turns("М: Как вы работаете?", "К: В таблицах.", "М: Если я правильно понял, нужен порядок.", "К: Посмотрим."),
			checklist.NeedSummary, 70, 70, ""},
		{"objection met with empathy, question and value", turns("М: Тариф стоит пять тысяч.", "К: Это дорого.", "М: Понимаю. Сколько стоит одна потерянная сделка?", "К: Тысяч пятьдесят.", "М: Тариф окупится с одной сделки, и две недели бесплатно."),
			checklist.ObjectionHandling, 100, 100, "Это дорого."},
		{"objection argued with", turns("М: Тариф стоит пять тысяч.", "К: Это дорого.", "М: Да не дорого это."),
			checklist.ObjectionHandling, 0, 0, ""},
		{"next step with a day, time and agreement", turns("М: Добрый день!", "К: Здравствуйте.", "М: Давайте созвонимся в четверг в 11:00?", "К: Да, подходит."),
			checklist.NextStep, 100, 100, "Давайте созвонимся в четверг в 11:00?"},
		{"vague next step", turns("М: Добрый день!", "К: Здравствуйте.", "М: Ладно, если надумаете — звоните.", "К: Угу."),
			checklist.NextStep, 1, 20, ""},
		{"farewell", turns("М: Добрый день!", "К: Здравствуйте.", "М: Спасибо за время, всего доброго!"),
			checklist.Farewell, 100, 100, "Спасибо за время, всего доброго!"},
		{"pressure", turns("М: Всем надо. Только сегодня скидка, берите.", "К: Нет."),
			checklist.Conduct, 0, 45, "Всем надо."},
		{"rudeness", turns("М: Короче, это ваши проблемы.", "К: Что?"),
			checklist.Conduct, 0, 70, "Короче, это ваши проблемы."},
		{"english pressure", turns("M: It's today only. Everyone needs this. Decide now.", "C: No."),
			checklist.Conduct, 0, 45, ""},
		{"card data", turns("М: Добрый день! Назовите номер карты и код из СМС.", "К: Зачем?"),
			checklist.Conduct, 0, 0, "Назовите номер карты и код из СМС."},
		{"polite call", turns("М: Добрый день! Чем могу помочь?", "К: Хочу узнать статус заказа.", "М: Заказ приедет завтра. Хорошего дня!"),
			checklist.Conduct, 100, 100, ""},
	}
	s := checklist.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mode := score.ModeManager
			if tt.id == checklist.Commitment {
				mode = score.ModeClient
			}
			rep := scoreIt(t, s, score.Request{Transcript: tt.tr, Mode: mode})
			d := detail(t, rep, tt.id)
			assert.GreaterOrEqual(t, d.Score, tt.min, "comment: %s", d.Comment)
			assert.LessOrEqual(t, d.Score, tt.max, "comment: %s", d.Comment)
			assert.NotEmpty(t, d.Comment)
			if tt.evidence != "" {
				var quotes []string
				for _, e := range d.Evidence {
					quotes = append(quotes, e.Quote)
				}
				assert.Contains(t, quotes, tt.evidence)
			}
		})
	}
}

func TestCardDataFailsTheWholeCall(t *testing.T) {
	tr := dialog(t, "testdata/ru_card_scam.txt")
	rep := scoreIt(t, checklist.New(), score.Request{Transcript: tr})
	for _, d := range rep.Details {
		if d.Weight > 0 { // criteria that do not apply keep their weight of 0
			assert.LessOrEqual(t, d.Score, 10, "criterion %s", d.ID)
		}
	}
	assert.LessOrEqual(t, rep.TotalScore, 10)
	assert.Contains(t, rep.Summary, "Критическое нарушение")
	require.NotEmpty(t, rep.RecommendationList)
	assert.Contains(t, rep.RecommendationList[0], "CVV")
}

func TestMonologueAndInterruptionsCost(t *testing.T) {
	long := strings.Repeat("Наша система умеет очень много всего полезного для вашего бизнеса. ", 20)
	mono := turns("М: Добрый день! "+long, "К: Понятно.")
	rep := scoreIt(t, checklist.New(), score.Request{Transcript: mono})
	assert.Less(t, rep.Criteria[checklist.Conduct], 100)
	assert.Contains(t, detail(t, rep, checklist.Conduct).Comment, "онолог")

	at := func(role transcribe.Role, s, e float64, text string) transcribe.Segment {
		return transcribe.Segment{Speaker: role, Text: text, Start: transcribe.Seconds(s), End: transcribe.Seconds(e)}
	}
	m, c := transcribe.RoleManager, transcribe.RoleClient
	polite := transcribe.Transcript{Segments: []transcribe.Segment{
		at(m, 0, 3, "Добрый день! Как у вас дела?"), at(c, 3.5, 8, "Хорошо, но мы сейчас очень заняты."), at(m, 8.5, 10, "Понимаю."),
	}}
	interrupting := transcribe.Transcript{Segments: []transcribe.Segment{
		at(m, 0, 3, "Добрый день! Как у вас дела?"), at(c, 3.5, 8, "Хорошо, но мы сейчас очень заняты."), at(m, 5, 10, "Понимаю."),
	}}
	a := scoreIt(t, checklist.New(), score.Request{Transcript: polite})
	b := scoreIt(t, checklist.New(), score.Request{Transcript: interrupting})
	assert.Equal(t, 100, a.Criteria[checklist.Conduct])
	assert.Less(t, b.Criteria[checklist.Conduct], a.Criteria[checklist.Conduct])
}

func TestModesChangeCriteria(t *testing.T) {
	tr := dialog(t, samples+"ru_good_crm.txt")
	s := checklist.New()
	for _, tt := range []struct {
		mode     score.Mode
		has, not string
	}{
		{score.ModeManager, checklist.NeedsDiscovery, checklist.Engagement},
		{score.ModeClient, checklist.Commitment, checklist.Greeting},
		{score.ModeDialog, checklist.Balance, checklist.Commitment},
		{"", checklist.NeedsDiscovery, checklist.Balance},
		{"dialog", checklist.Understanding, checklist.Rapport}, // any accepted spelling
	} {
		t.Run(string(tt.mode), func(t *testing.T) {
			rep, err := s.Score(context.Background(), score.Request{Transcript: tr, Mode: tt.mode})
			require.NoError(t, err)
			assert.Contains(t, rep.Criteria, tt.has)
			assert.NotContains(t, rep.Criteria, tt.not)
			want, _ := score.ParseMode(string(tt.mode))
			assert.Equal(t, want, rep.Meta.Mode)
		})
	}
	_, err := s.Score(context.Background(), score.Request{Transcript: tr, Mode: "Boss+"})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

func TestRubricFromRequest(t *testing.T) {
	tr := dialog(t, samples+"en_medium_demo.txt")
	s := checklist.New()

	only := score.Rubric{Criteria: []score.Criterion{{ID: checklist.Greeting, Weight: 1}, {ID: checklist.NeedsDiscovery, Weight: 0}}}
	rep := scoreIt(t, s, score.Request{Transcript: tr, Rubric: &only, Language: "en"})
	assert.Equal(t, rep.Criteria[checklist.Greeting], rep.TotalScore, "only the greeting weighs")
	assert.Equal(t, "Greeting and introduction", detail(t, rep, checklist.Greeting).Title, "titles default to the checklist's")

	titled := score.Rubric{Criteria: []score.Criterion{{ID: checklist.Farewell, Weight: 2, Title: map[string]string{"en": "Goodbye"}}}}
	rep = scoreIt(t, s, score.Request{Transcript: tr, Rubric: &titled, Language: "en"})
	assert.Equal(t, "Goodbye", detail(t, rep, checklist.Farewell).Title)
	assert.InDelta(t, 2.0, detail(t, rep, checklist.Farewell).Weight, 0)

	unknown := score.Rubric{Criteria: []score.Criterion{{ID: checklist.Greeting, Weight: 1}, {ID: "upsell", Weight: 1}, {ID: "crm_entry", Weight: 1}}}
	_, err := s.Score(context.Background(), score.Request{Transcript: tr, Rubric: &unknown})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Contains(t, callaudit.MessageOf(err), "upsell")
	assert.Contains(t, callaudit.MessageOf(err), "crm_entry")

	_, err = s.Score(context.Background(), score.Request{Transcript: tr, Rubric: &score.Rubric{}})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

func TestWithRubricChangesTheDefault(t *testing.T) {
	r := score.DefaultRubric(score.ModeManager)
	r.Criteria = r.Criteria[:2]
	s := checklist.New(checklist.WithRubric(score.ModeManager, r))
	r.Criteria[0].Weight = 99 // the scorer keeps its own copy
	got := s.DefaultRubric(score.ModeManager)
	require.Len(t, got.Criteria, 2)
	assert.NotEqual(t, 99.0, got.Criteria[0].Weight)
	rep := scoreIt(t, s, score.Request{Transcript: dialog(t, samples+"ru_good_crm.txt")})
	assert.Len(t, rep.Criteria, 2)
	// The other modes keep their defaults.
	assert.Equal(t, checklist.New().DefaultRubric(score.ModeClient), s.DefaultRubric(score.ModeClient))

	// A configured rubric with criteria the checklist does not know fails
	// the calls of its mode, with the reason.
	bad := checklist.New(checklist.WithRubric(score.ModeDialog, score.Rubric{Criteria: []score.Criterion{{ID: "upsell", Weight: 1}}}))
	tr := dialog(t, samples+"ru_good_crm.txt")
	_, err := bad.Score(context.Background(), score.Request{Transcript: tr, Mode: score.ModeDialog})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Contains(t, callaudit.MessageOf(err), "upsell")
	_, err = bad.Score(context.Background(), score.Request{Transcript: tr, Mode: score.ModeManager})
	assert.NoError(t, err)
}

func TestDefaultRubrics(t *testing.T) {
	known := checklist.KnownCriteria()
	for _, m := range []score.Mode{score.ModeManager, score.ModeClient, score.ModeDialog, "unknown"} {
		r := checklist.New().DefaultRubric(m)
		// The checklist scores score's default rubric, as the default
		// scorecard's (its id and version).
		assert.Equal(t, "sales", r.Name)
		assert.Equal(t, 1, r.Version)
		assert.Equal(t, score.DefaultRubric(m).Criteria, r.Criteria)
		require.NoError(t, r.Validate())
		for _, c := range r.Criteria {
			assert.Contains(t, known, c.ID)
			assert.NotEmpty(t, c.Title["ru"], c.ID)
			assert.NotEmpty(t, c.Title["en"], c.ID)
			assert.NotEmpty(t, c.Description["ru"], c.ID)
			assert.NotEmpty(t, c.Description["en"], c.ID)
		}
	}
}

func TestReportLanguage(t *testing.T) {
	tr := dialog(t, samples+"ru_bad_pushy.txt")
	s := checklist.New()
	for _, tt := range []struct{ req, want string }{{"", "ru"}, {"en", "en"}, {"en-US", "en"}, {"de", "ru"}} {
		t.Run(tt.req, func(t *testing.T) {
			rep, err := s.Score(context.Background(), score.Request{Transcript: tr, Language: tt.req})
			require.NoError(t, err)
			assert.Equal(t, tt.want, rep.Meta.Language)
			assert.Equal(t, tt.want, transcribe.DetectLanguage(rep.Summary+rep.Recommendations))
			for _, d := range rep.Details {
				assert.Equal(t, tt.want, transcribe.DetectLanguage(d.Title+" "+d.Comment), d.ID)
			}
		})
	}
	en := dialog(t, samples+"en_medium_demo.txt")
	rep := scoreIt(t, s, score.Request{Transcript: en})
	assert.Equal(t, "en", rep.Meta.Language, "an English dialog gets an English report")
}

func TestReportShape(t *testing.T) {
	tr := dialog(t, samples+"ru_bad_pushy.txt")
	rep := scoreIt(t, checklist.New(), score.Request{Transcript: tr})
	assert.Nil(t, rep.RawModelOutput)
	assert.Equal(t, checklist.Name, rep.Meta.Scorer)
	assert.Equal(t, checklist.Version, rep.Meta.ScorerVersion)
	assert.Equal(t, strings.Join(rep.RecommendationList, "\n"), rep.Recommendations)
	assert.LessOrEqual(t, len(rep.RecommendationList), 5)
	assert.Equal(t, transcribe.ComputeMetrics(tr), rep.Metrics)
	// Rudeness comes first, quoting the line; then the costliest miss:
	// discovery weighs the most of what this call skipped.
	assert.Contains(t, rep.RecommendationList[0], "«Короче")
	assert.Contains(t, rep.RecommendationList[1], "открытых вопроса")
	assert.Contains(t, rep.Summary, "Итог:")
}

func TestUnlabelledDialogIsScored(t *testing.T) {
	tr := transcribe.ParseDialog("Добрый день! Меня зовут Анна, компания ТаскФлоу. Вам удобно говорить?\nДа, удобно.\nКак вы сейчас ведёте сделки?\nВ таблицах.")
	rep := scoreIt(t, checklist.New(), score.Request{Transcript: tr})
	assert.Positive(t, rep.TotalScore)
	assert.Contains(t, rep.Summary, "приблизительная")
}

func TestEmptyAndCanceled(t *testing.T) {
	s := checklist.New()
	_, err := s.Score(context.Background(), score.Request{})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Score(ctx, score.Request{Transcript: turns("М: Добрый день!")})
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))
}
