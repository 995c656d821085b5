package checklist_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
)

// span is an expected range of one criterion's score.
type span struct{ min, max int }

// notScored marks a criterion that does not apply to the call: reported
// with weight 0.
var notScored = span{-1, -1}

// TestDialogCriteria checks realistic calls criterion by criterion, not
// only by their totals, so that a rule that starts crediting the wrong
// stage shows up even when the total stays in range.
func TestDialogCriteria(t *testing.T) {
	tests := []struct {
		file     string
		mode     score.Mode
		total    span
		criteria map[string]span
	}{
		{"ru_service_to_sales.txt", score.ModeManager, span{75, 100}, map[string]span{
			// An inbound service call that turns into an upgrade.
			checklist.Greeting:          {70, 100},
			checklist.NeedsDiscovery:    {70, 100},
			checklist.NeedSummary:       {100, 100},
			checklist.Presentation:      {60, 100},
			checklist.ObjectionHandling: notScored,
			checklist.NextStep:          {100, 100},
			checklist.Farewell:          {100, 100},
			checklist.Conduct:           {100, 100},
		}},
		{"ru_short_appointment.txt", score.ModeManager, span{65, 100}, map[string]span{
			// Short and to the point: a summary with a tag question, a
			// time in words accepted by the client.
			checklist.Greeting:    {100, 100},
			checklist.Rapport:     {75, 100},
			checklist.NeedSummary: {100, 100},
			checklist.NextStep:    {100, 100},
			checklist.Farewell:    {100, 100},
			checklist.Conduct:     {100, 100},
		}},
		{"en_polite_passive.txt", score.ModeManager, span{30, 60}, map[string]span{
			// Courteous, but no discovery and only a brochure.
			checklist.Greeting:       {100, 100},
			checklist.NeedsDiscovery: {0, 20},
			checklist.NeedSummary:    {0, 0},
			checklist.Presentation:   {0, 40},
			checklist.NextStep:       {0, 55},
			checklist.Farewell:       {100, 100},
			checklist.Conduct:        {100, 100},
		}},
		{"ru_price_objection.txt", score.ModeManager, span{85, 100}, map[string]span{
			checklist.NeedsDiscovery:    {70, 100},
			checklist.NeedSummary:       {100, 100},
			checklist.Presentation:      {70, 100},
			checklist.ObjectionHandling: {85, 100},
			checklist.NextStep:          {100, 100},
			checklist.Farewell:          {100, 100},
		}},
		{"ru_price_objection.txt", score.ModeClient, span{75, 100}, map[string]span{
			checklist.Objections: {80, 100},
			checklist.Commitment: {100, 100},
		}},
		{"en_monologue.txt", score.ModeManager, span{0, 30}, map[string]span{
			// A feature dump, no questions, the client left to call back.
			checklist.Greeting:       {70, 100},
			checklist.NeedsDiscovery: {0, 0},
			checklist.NeedSummary:    {0, 0},
			checklist.Presentation:   {0, 10},
			checklist.NextStep:       {0, 20},
			checklist.Farewell:       {0, 20},
			checklist.Conduct:        {0, 80},
		}},
		{"en_monologue.txt", score.ModeDialog, span{0, 55}, map[string]span{
			checklist.Flow:          {0, 50},
			checklist.Balance:       {0, 20},
			checklist.Understanding: {0, 60},
		}},
		{"en_client_proposes.txt", score.ModeManager, span{75, 100}, map[string]span{
			// The client names the day and time; the manager accepts.
			checklist.NeedSummary: {100, 100},
			checklist.NextStep:    {100, 100},
			checklist.Farewell:    {100, 100},
		}},
		{"en_client_proposes.txt", score.ModeClient, span{60, 100}, map[string]span{
			checklist.Commitment: {60, 100},
		}},
	}
	s := checklist.New()
	for _, tt := range tests {
		t.Run(tt.file+"/"+string(tt.mode), func(t *testing.T) {
			rep := scoreIt(t, s, score.Request{Transcript: dialog(t, filepath.Join("testdata", tt.file)), Mode: tt.mode})
			assert.GreaterOrEqual(t, rep.TotalScore, tt.total.min, "criteria: %v", rep.Criteria)
			assert.LessOrEqual(t, rep.TotalScore, tt.total.max, "criteria: %v", rep.Criteria)
			for id, want := range tt.criteria {
				d := detail(t, rep, id)
				if want == notScored {
					assert.Zero(t, d.Weight, "%s: %s", id, d.Comment)
					continue
				}
				assert.Positive(t, d.Weight, id)
				assert.GreaterOrEqual(t, d.Score, want.min, "%s: %s", id, d.Comment)
				assert.LessOrEqual(t, d.Score, want.max, "%s: %s", id, d.Comment)
			}
		})
	}
}

// TestNextStepAcceptedInTheNextTurn: a day or time proposed by one side
// is a concrete next step when the other side's next turn begins by
// agreeing, and only then.
func TestNextStepAcceptedInTheNextTurn(t *testing.T) {
	const opener, hello = "М: Добрый день! Меня зовут Ольга, компания «Окна Плюс».", "К: Здравствуйте."
	tests := []struct {
		name     string
		lines    []string
		min, max int
	}{
		{"manager proposes, client agrees", []string{opener, hello, "М: Предлагаю замерщика. Удобно в четверг в 11:00?", "К: Да, давайте. До свидания!"}, 100, 100},
		{"time in words", []string{opener, hello, "М: Мастер может приехать послезавтра в десять, вам подходит?", "К: Хорошо."}, 100, 100},
		{"next week", []string{"M: Hi, this is Ann from Acme.", "C: Hi.", "M: Could we look at it together next week, say Monday at 10 am?", "C: Sure, that works."}, 100, 100},
		{"client proposes, manager agrees", []string{opener, hello, "М: Как вам удобнее продолжить?", "К: Давайте созвонимся в пятницу в 15:00.", "М: Хорошо, договорились."}, 100, 100},
		{"client proposes, nobody answers", []string{opener, hello, "М: Как вам удобнее продолжить?", "К: Давайте созвонимся в пятницу в 15:00."}, 0, 40},
		{"declined", []string{opener, hello, "М: Предлагаю замерщика. Удобно в четверг в 11:00?", "К: Нет, в четверг не получится."}, 0, 40},
		{"client names the time back and agrees", []string{"M: Hi, this is Jake from Riverside Motors.", "C: Hi.", "M: Can you come in Saturday at ten? I'll have the car ready.", "C: Saturday at ten works."}, 100, 100},
		{"client names the time back, agrees in Russian", []string{opener, hello, "М: Сможете подъехать в субботу в десять?", "К: В субботу в десять подходит, приеду."}, 100, 100},
		{"agreement only late in the reply", []string{opener, hello, "М: Предлагаю замерщика. Удобно в четверг в 11:00?", "К: В четверг я на работе, мне бы удобно в выходные."}, 0, 40},
		{"a day reported, not proposed", []string{opener, hello, "М: Как у вас дела с заказом?", "К: Мы в прошлый вторник уже говорили с вашим коллегой.", "М: Да, вижу. Что-то ещё осталось непонятным?", "К: Нет."}, 0, 40},
		{"a schedule stated, not proposed", []string{opener, hello, "М: Чем могу помочь?", "К: Когда будет доставка?", "М: Доставка обычно во вторник.", "К: Да, понятно."}, 0, 40},
		{"a time mentioned at the start does not end the call", []string{"М: Добрый день! Звоню насчёт вашей заявки от понедельника, удобно?", "К: Да.", "М: Что вас интересует?", "К: Цены.", "М: Понятно.", "К: Ясно."}, 0, 40},
	}
	s := checklist.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := detail(t, scoreIt(t, s, score.Request{Transcript: turns(tt.lines...)}), checklist.NextStep)
			assert.GreaterOrEqual(t, d.Score, tt.min, d.Comment)
			assert.LessOrEqual(t, d.Score, tt.max, d.Comment)
		})
	}
}

// TestSummaryWithATag: a restatement of the client's words ending in a
// confirmation tag is a summary, not a presentation; a tag alone is not.
func TestSummaryWithATag(t *testing.T) {
	discovery := []string{"М: Добрый день! Как вы сейчас ведёте учёт?", "К: Всё в тетради, постоянно путаемся в остатках."}
	tests := []struct {
		name    string
		lines   []string
		summary int
	}{
		{"верно", append(discovery, "М: Понимаю, главное — точные остатки, верно?", "К: Да."), 100},
		{"так", append(discovery, "М: Значит, вам нужны точные остатки без тетради, так?", "К: Именно."), 100},
		{"я правильно понял", append(discovery, "М: Вам нужны точные остатки, я правильно понял?", "К: Да."), 100},
		{"english right", []string{"M: How do you track stock today?", "C: In a notebook, and the counts never match.", "M: So accurate counts matter most, right?", "C: Exactly."}, 100},
		{"not confirmed", append(discovery, "М: Понимаю, главное — точные остатки, верно?", "К: Ну, не только."), 70},
		{"a yes, then a doubt", append(discovery, "М: То есть вам нужны точные остатки без тетради, верно?", "К: Да, но программа, наверное, дорогая."), 100},
		{"a lead word and the client's words", []string{"М: Клиника «Здоровье», здравствуйте!", "К: Мне бы к лору, ухо болит третий день.", "М: Температура есть?", "К: Тридцать семь и пять, я взрослый.", "М: Поняла: взрослый, ухо болит третий день, температура небольшая. Есть окно завтра.", "К: Давайте."}, 70},
		{"a lead word without the client's words", []string{"M: How do you track stock today?", "C: In a notebook, and the counts never match.", "M: So our system costs forty dollars a month for the whole team.", "C: Okay."}, 0},
		{"english recap phrase", []string{"M: How do you track stock today?", "C: In a notebook, and the counts never match.", "M: So if I've got it right: you need counts that match without the notebook.", "C: That's it."}, 100},
		{"a tag alone", []string{"М: Добрый день, удобно говорить, да?", "К: Да."}, 0},
		{"a tag without the client's words", append(discovery, "М: Хотите подключить нашу систему уже сегодня, да?", "К: Да."), 0},
	}
	s := checklist.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := scoreIt(t, s, score.Request{Transcript: turns(tt.lines...)})
			d := detail(t, rep, checklist.NeedSummary)
			assert.Equal(t, tt.summary, d.Score, d.Comment)
			if tt.summary > 0 {
				for _, e := range detail(t, rep, checklist.Presentation).Evidence {
					assert.NotEqual(t, d.Evidence[0].Quote, e.Quote, "the summary is not a presentation")
				}
			}
		})
	}
}

// TestFarewellForms: the usual ways to end a call, Russian and English.
func TestFarewellForms(t *testing.T) {
	tests := []struct {
		last  string
		score int
	}{
		{"М: Спасибо, до свидания.", 100},
		{"М: Всего вам доброго!", 100},
		{"М: Всего хорошего.", 100},
		{"М: До встречи в четверг!", 100},
		{"М: Хорошего вам дня!", 100},
		{"М: Хорошего вечера!", 100},
		{"M: Thanks again. Have a great day!", 100},
		{"M: Talk soon.", 100},
		{"M: Okay, bye!", 100},
		{"М: Спасибо за время.", 60},
		{"К: До свидания!", 20},
		{"М: Записал.", 0},
	}
	s := checklist.New()
	for _, tt := range tests {
		t.Run(tt.last, func(t *testing.T) {
			rep := scoreIt(t, s, score.Request{Transcript: turns("М: Добрый день!", "К: Здравствуйте.", "М: Записываю вас на среду.", "К: Хорошо.", tt.last)})
			d := detail(t, rep, checklist.Farewell)
			assert.Equal(t, tt.score, d.Score, d.Comment)
		})
	}
}
