package storagetest

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// Generator makes realistic calls for benchmarks and load tests of any
// Store: about nine weighted criteria with comments and evidence quotes,
// a timed transcript of a dozen turns, conversation metrics, scorer
// metadata, and a few calls still queued or failed. Call(i) depends only
// on the Generator's fields and i, so calls can be made in any order, in
// parallel, or streamed without holding them all in memory.
type Generator struct {
	// Managers is the number of managers; calls go to "manager-000" and
	// on. 0 means 1.
	Managers int
	// Seed varies the calls between generators.
	Seed int64
	// From and Span bound CreatedAt: From <= CreatedAt < From+Span.
	// Times are whole milliseconds so that every database keeps them
	// exactly.
	From time.Time
	Span time.Duration
}

// GenerateCalls returns n calls of Generator{managers, seed, from, span}.
func GenerateCalls(n, managers int, seed int64, from time.Time, span time.Duration) []storage.Call {
	g := Generator{Managers: managers, Seed: seed, From: from, Span: span}
	calls := make([]storage.Call, n)
	for i := range calls {
		calls[i] = g.Call(i)
	}
	return calls
}

// ManagerID returns the id of manager k.
func (g Generator) ManagerID(k int) string {
	return "manager-" + pad(k, 3)
}

// CallID returns the id of call i.
func (g Generator) CallID(i int) string {
	return "call-" + pad(i, 9)
}

func pad(v, width int) string {
	s := strconv.Itoa(v)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// genCriterion is one criterion of the generated rubric.
type genCriterion struct {
	id, title string
	weight    float64
	// segment is the transcript turn its evidence quotes.
	segment int
	good    string // the comment for a high score
	bad     string // the comment for a low score
}

// The generated rubric: the sales stages of a Manager+ checklist.
var genRubric = []genCriterion{
	{"greeting", "Приветствие и представление", 1, 0, "Поздоровался, представился, назвал компанию.", "Не представился."},
	{"rapport", "Контакт с клиентом", 0.5, 2, "Спросил, удобно ли говорить.", "Не уточнил, удобно ли говорить."},
	{"needs", "Выявление потребностей", 2, 4, "Задал несколько открытых вопросов.", "Вопросов о задачах клиента почти нет."},
	{"active_listening", "Активное слушание", 1, 6, "Переформулировал слова клиента.", "Перебивал клиента."},
	{"presentation", "Презентация решения", 1.5, 6, "Связал продукт с задачами клиента.", "Перечислял функции без связи с задачами."},
	{"objections", "Работа с возражениями", 1.5, 8, "Отработал возражение о цене.", "Возражение о цене осталось без ответа."},
	{"next_step", "Следующий шаг", 2, 10, "Назначил демонстрацию с датой и временем.", "Следующий шаг не назначен."},
	{"closing", "Завершение разговора", 0.5, 10, "Подвёл итог и попрощался.", "Разговор оборвался без итога."},
	{"tone", "Тон и вежливость", 0.5, 0, "Вежлив и доброжелателен.", "Звучал раздражённо."},
}

// genTurns is the generated dialog; each call keeps the text and varies
// the timing.
var genTurns = []struct {
	role transcribe.Role
	text string
}{
	{transcribe.RoleManager, "Добрый день! Меня зовут Анна, компания «ТаскФлоу», мы делаем систему учёта задач для отделов продаж."},
	{transcribe.RoleClient, "Здравствуйте."},
	{transcribe.RoleManager, "Вам удобно сейчас говорить пару минут?"},
	{transcribe.RoleClient, "Да, только недолго."},
	{transcribe.RoleManager, "Расскажите, пожалуйста, как сейчас ваши менеджеры ведут сделки?"},
	{transcribe.RoleClient, "В основном в таблицах, и часть сделок теряется."},
	{transcribe.RoleManager, "Правильно понимаю, что главное — не терять сделки? У нас напоминания и воронка, менеджер видит все касания."},
	{transcribe.RoleClient, "Звучит интересно, но у нас небольшой бюджет."},
	{transcribe.RoleManager, "Понимаю. Есть тариф для команд до пяти человек, он окупается, если спасти хотя бы одну сделку в месяц."},
	{transcribe.RoleClient, "Хорошо, давайте посмотрим."},
	{transcribe.RoleManager, "Предлагаю демонстрацию в четверг в 11:00, я пришлю приглашение. До свидания!"},
	{transcribe.RoleClient, "Договорились, до свидания."},
}

var genRaw = json.RawMessage(`{"model":"generated","note":"raw output of a scoring model"}`)

// Call returns call i.
func (g Generator) Call(i int) storage.Call {
	r := rand.New(rand.NewPCG(uint64(g.Seed), uint64(i)))
	managers := max(g.Managers, 1)
	k := r.IntN(managers)
	// Each manager has a skill level, so that managers' averages differ
	// as they do in a real team.
	skill := 35 + int(rand.New(rand.NewPCG(uint64(g.Seed), uint64(k)^0x9e3779b97f4a7c15)).IntN(50))

	var at time.Time
	if g.Span > 0 {
		at = g.From.Add(time.Duration(r.Int64N(int64(g.Span))).Truncate(time.Millisecond))
	} else {
		at = g.From
	}
	at = at.UTC()

	var mode score.Mode
	switch p := r.IntN(100); {
	case p < 60:
		mode = score.ModeManager
	case p < 85:
		mode = score.ModeClient
	default:
		mode = score.ModeDialog
	}
	c := storage.Call{
		ID:        g.CallID(i),
		ManagerID: g.ManagerID(k),
		Mode:      mode,
		Language:  "ru",
		Status:    storage.StatusDone,
		Source:    storage.SourceText,
		CreatedAt: at,
	}
	switch p := r.IntN(100); {
	case p < 3:
		c.Status, c.Source, c.StatusReason = storage.StatusQueued, storage.SourceWebhook, "waiting for a worker"
		c.RecordingURL = "https://records.example.com/" + c.ID + ".mp3"
		return c
	case p < 5:
		c.Status, c.Source, c.StatusReason = storage.StatusFailed, storage.SourceWebhook, "the recording could not be downloaded"
		c.RecordingURL = "https://records.example.com/" + c.ID + ".mp3"
		return c
	case p < 35:
		c.Source = storage.SourceAudio
	}

	tr := transcribe.Transcript{Language: "ru", Segments: make([]transcribe.Segment, len(genTurns)), Source: string(c.Source)}
	clock := 0.0
	for j, turn := range genTurns {
		start := clock + float64(r.IntN(800))/1000
		end := start + 1 + float64(r.IntN(6000))/1000
		tr.Segments[j] = transcribe.Segment{Speaker: turn.role, Text: turn.text, Start: transcribe.Seconds(start), End: transcribe.Seconds(end)}
		clock = end
	}
	tr.Duration = transcribe.Seconds(clock)

	rep := &score.Report{
		Summary:            "Менеджер выявил потребность и назначил следующий шаг; презентацию стоит сильнее связать с задачами клиента.",
		Recommendations:    "Задавайте больше открытых вопросов.\nФиксируйте следующий шаг с датой.",
		RecommendationList: []string{"Задавайте больше открытых вопросов.", "Фиксируйте следующий шаг с датой."},
		RawModelOutput:     genRaw,
		ID:                 c.ID,
		Details:            make([]score.CriterionResult, len(genRubric)),
		Metrics:            transcribe.ComputeMetrics(tr),
		Transcript:         &tr,
		Meta: score.Meta{
			CallID: c.ID, ManagerID: c.ManagerID, Mode: mode, Language: "ru",
			Scorer: "checklist", ScorerVersion: "1",
			Timings:   score.Timings{ScoreMS: int64(r.IntN(50)), TotalMS: int64(50 + r.IntN(50))},
			CreatedAt: at,
		},
	}
	for j, cr := range genRubric {
		v := score.Clamp(skill + r.IntN(61) - 30)
		comment := cr.good
		if v < 50 {
			comment = cr.bad
		}
		seg := tr.Segments[cr.segment]
		rep.Details[j] = score.CriterionResult{
			ID: cr.id, Title: cr.title, Score: v, Weight: cr.weight, Comment: comment,
			Evidence: []score.Evidence{{Quote: seg.Text, Segment: cr.segment, Speaker: seg.Speaker, Start: seg.Start, Grounded: true}},
		}
	}
	rep.Recompute()
	c.Report = rep
	return c
}
