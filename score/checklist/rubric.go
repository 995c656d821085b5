package checklist

import (
	"github.com/callaudit/callaudit/score"
)

// text is a message in the two report languages.
type text struct{ ru, en string }

func (t text) in(lang string) string {
	if lang == "en" {
		return t.en
	}
	return t.ru
}

// criterionDef is a criterion the checklist can score, with its titles and
// the advice given when the call falls short on it.
type criterionDef struct {
	id          string
	title, desc text
	advice      text
	eval        func(a *analysis) result
}

// The criterion ids. They are stable: reports, stored history and users'
// rubrics refer to them.
const (
	Greeting          = "greeting"
	Rapport           = "rapport"
	NeedsDiscovery    = "needs_discovery"
	NeedSummary       = "need_summary"
	Presentation      = "presentation"
	ObjectionHandling = "objection_handling"
	NextStep          = "next_step"
	Farewell          = "farewell"
	Conduct           = "conduct"
	ClientInterest    = "client_interest"
	Objections        = "objections"
	Commitment        = "commitment"
	Engagement        = "engagement"
	Balance           = "balance"
	Flow              = "flow"
	Outcome           = "outcome"
)

var criterionDefs = []criterionDef{
	{Greeting, text{"Приветствие и представление", "Greeting and introduction"},
		text{"Менеджер поздоровался, назвал своё имя и компанию.", "The manager greeted the client and gave their name and company."},
		text{"Начинайте звонок с приветствия и представляйтесь полностью: имя и компания («Добрый день! Меня зовут …, компания …»).",
			"Open with a greeting and a full introduction: your name and your company (\"Good afternoon, this is … from …\")."},
		evalGreeting},
	{Rapport, text{"Контакт и разрешение на разговор", "Rapport and permission to talk"},
		text{"Менеджер спросил, удобно ли говорить, назвал повод звонка, был вежлив.", "The manager asked whether it is a good time, gave the reason for the call and was polite."},
		text{"Спросите, удобно ли клиенту говорить, и назовите повод звонка («Вы оставляли заявку на сайте…»).",
			"Ask whether it is a good time to talk and state why you are calling (\"You requested a demo on our site…\")."},
		evalRapport},
	{NeedsDiscovery, text{"Выявление потребностей", "Needs discovery"},
		text{"Открытые вопросы о ситуации, задачах и трудностях клиента.", "Open questions about the client's situation, goals and problems."},
		text{"Задайте 2–3 открытых вопроса до презентации: «Как вы сейчас…?», «Что больше всего мешает…?», «Сколько…?».",
			"Ask two or three open questions before presenting: \"How do you currently…?\", \"What gets in the way…?\", \"How many…?\"."},
		evalNeedsDiscovery},
	{NeedSummary, text{"Резюмирование потребности", "Summarising the need"},
		text{"Менеджер пересказал потребность клиента и получил подтверждение.", "The manager restated the client's need and got it confirmed."},
		text{"Перед презентацией перескажите потребность и получите подтверждение: «То есть главное для вас — …, правильно я понимаю?».",
			"Before presenting, restate the need and get a yes: \"So the main thing for you is …, is that right?\"."},
		evalNeedSummary},
	{Presentation, text{"Презентация под потребность", "Presentation tied to the need"},
		text{"Предложение связано с тем, что сказал клиент, и говорит о пользе, а не о списке функций.", "The offer refers to what the client said and speaks of benefits, not a list of features."},
		text{"Презентуйте только то, что закрывает названную клиентом проблему, и говорите о результате для него, а не о списке функций.",
			"Present only what solves the problem the client named, and talk about the result for them rather than listing features."},
		evalPresentation},
	{ObjectionHandling, text{"Работа с возражениями", "Objection handling"},
		text{"На возражения менеджер ответил с пониманием, уточнил и привёл аргумент ценности.", "The manager met objections with empathy, a clarifying question and a value argument."},
		text{"На возражение отвечайте по схеме: согласиться с чувством («Понимаю»), уточнить вопросом, привести аргумент ценности (окупаемость, пробный период). Не спорьте.",
			"Handle objections in three steps: acknowledge (\"I understand\"), ask a clarifying question, give a value argument (payback, a free trial). Do not argue."},
		evalObjectionHandling},
	{NextStep, text{"Договорённость о следующем шаге", "Agreed next step"},
		text{"Конкретное действие с датой или временем, подтверждённое клиентом.", "A concrete action with a date or time, confirmed by the client."},
		text{"Завершайте звонок конкретной договорённостью: что произойдёт, когда (день и время) и кто это сделает, и получите согласие клиента.",
			"Close with a concrete commitment: what happens next, when (day and time) and who does it, and get the client's agreement."},
		evalNextStep},
	{Farewell, text{"Завершение разговора", "Farewell"},
		text{"Менеджер поблагодарил клиента и вежливо попрощался.", "The manager thanked the client and said goodbye politely."},
		text{"Поблагодарите клиента за время и попрощайтесь («Спасибо за время, хорошего дня!»).",
			"Thank the client for their time and say goodbye (\"Thanks for your time, have a great day!\")."},
		evalFarewell},
	{Conduct, text{"Корректность и этика", "Conduct"},
		text{"Без грубости, давления и просьб о данных карты; без монологов и перебиваний.", "No rudeness, pressure or requests for card details; no monologues or interrupting."},
		text{"Говорите уважительно, не давите на клиента («только сегодня», «всем надо»), не перебивайте и не произносите длинных монологов; никогда не просите данные карты или коды из SMS.",
			"Stay respectful, do not pressure the client (\"today only\", \"everyone needs it\"), do not interrupt or deliver long monologues, and never ask for card details or SMS codes."},
		evalConduct},
	{ClientInterest, text{"Интерес клиента", "Client interest"},
		text{"Клиент задаёт вопросы, проявляет интерес к продукту.", "The client asks questions and shows interest in the product."},
		text{"Вовлекайте клиента: спрашивайте, что ему важно, и давайте повод задать вопрос о продукте.",
			"Draw the client in: ask what matters to them and give them reasons to ask about the product."},
		evalClientInterest},
	{Objections, text{"Возражения клиента", "Client objections"},
		text{"Какие возражения клиент высказал и были ли они сняты.", "Which objections the client raised and whether they were resolved."},
		text{"Доводите каждое возражение клиента до ответа, который его снимает, и проверяйте: «Это снимает ваш вопрос?».",
			"Take every objection to an answer that resolves it, and check: \"Does that address your concern?\"."},
		evalObjections},
	{Commitment, text{"Готовность к покупке", "Readiness to buy"},
		text{"Клиент согласился попробовать, купить или на конкретный следующий шаг.", "The client agreed to try, to buy or to a concrete next step."},
		text{"Проверяйте готовность клиента и предлагайте маленький конкретный шаг (пробный период, встреча), на который легко согласиться.",
			"Check the client's readiness and offer a small concrete step (a trial, a meeting) that is easy to agree to."},
		evalCommitment},
	{Engagement, text{"Вовлечённость клиента", "Client engagement"},
		text{"Доля речи клиента и его вопросы.", "The client's share of the talk and their questions."},
		text{"Дайте клиенту говорить: ему должно принадлежать не меньше трети разговора. Задавайте вопросы и слушайте ответы.",
			"Let the client talk: at least a third of the conversation should be theirs. Ask questions and listen to the answers."},
		evalEngagement},
	{Balance, text{"Баланс разговора", "Talk balance"},
		text{"Соотношение речи менеджера и клиента.", "How the talk is shared between manager and client."},
		text{"Держите баланс: менеджер говорит не больше 65% времени, остальное — клиент.",
			"Keep the balance: the manager talks no more than 65% of the time, the client the rest."},
		evalBalance},
	{Flow, text{"Ход диалога", "Conversation flow"},
		text{"Живой обмен репликами, вопросы, без монологов, перебиваний и споров.", "A lively exchange with questions, without monologues, interruptions or arguing."},
		text{"Ведите диалог, а не монолог: короткие реплики, вопросы после каждого блока информации, не перебивайте.",
			"Hold a dialog rather than a monologue: short turns, a question after each piece of information, no interrupting."},
		evalFlow},
	{Outcome, text{"Результат разговора", "Outcome"},
		text{"Чем закончился звонок: согласие, конкретный следующий шаг или ничего.", "How the call ended: agreement, a concrete next step or nothing."},
		text{"Каждый звонок должен заканчиваться результатом: согласием клиента или конкретной договорённостью о следующем шаге с датой.",
			"Every call should end with a result: the client's agreement or a concrete next step with a date."},
		evalOutcome},
}

// defsByID indexes criterionDefs.
var defsByID = func() map[string]*criterionDef {
	m := make(map[string]*criterionDef, len(criterionDefs))
	for i := range criterionDefs {
		m[criterionDefs[i].id] = &criterionDefs[i]
	}
	return m
}()

// defaultWeights are the criteria and weights of each mode, in report
// order. Manager+ weighs the manager's stages, Client+ the client's
// reactions, Диалог the conversation as a whole.
var defaultWeights = map[score.Mode][]struct {
	id     string
	weight float64
}{
	score.ModeManager: {
		{Greeting, 10}, {Rapport, 8}, {NeedsDiscovery, 18}, {NeedSummary, 8}, {Presentation, 12},
		{ObjectionHandling, 12}, {NextStep, 16}, {Farewell, 6}, {Conduct, 10},
	},
	score.ModeClient: {
		{ClientInterest, 20}, {Objections, 15}, {Commitment, 25}, {Engagement, 20}, {NextStep, 10}, {Conduct, 10},
	},
	score.ModeDialog: {
		{Greeting, 8}, {Balance, 15}, {Flow, 15}, {NeedsDiscovery, 12}, {ObjectionHandling, 10}, {Outcome, 25},
		{Farewell, 5}, {Conduct, 10},
	},
}

// criterion returns the score.Criterion of a known id with its titles.
func (d *criterionDef) criterion(weight float64) score.Criterion {
	return score.Criterion{
		ID:          d.id,
		Title:       map[string]string{"ru": d.title.ru, "en": d.title.en},
		Description: map[string]string{"ru": d.desc.ru, "en": d.desc.en},
		Weight:      weight,
	}
}

// DefaultRubric returns the checklist's criteria and weights for mode; an
// unknown mode gets the Manager+ rubric. The result is a fresh copy the
// caller may change, e.g. to reweigh criteria and pass as Request.Rubric.
func DefaultRubric(mode score.Mode) score.Rubric {
	if r, ok := defaultRubrics[mode]; ok {
		return r.Clone()
	}
	return defaultRubrics[score.ModeManager].Clone()
}

// defaultRubrics are built once: Score reads them without copying.
var defaultRubrics = func() map[score.Mode]score.Rubric {
	m := make(map[score.Mode]score.Rubric, len(score.Modes))
	for _, mode := range score.Modes {
		m[mode] = buildRubric(mode)
	}
	return m
}()

func buildRubric(mode score.Mode) score.Rubric {
	ws, ok := defaultWeights[mode]
	if !ok {
		mode, ws = score.ModeManager, defaultWeights[score.ModeManager]
	}
	r := score.Rubric{Name: "checklist " + string(mode)}
	for _, w := range ws {
		r.Criteria = append(r.Criteria, defsByID[w.id].criterion(w.weight))
	}
	return r
}

// KnownCriteria returns the ids of every criterion the checklist can score,
// across all modes, for building custom rubrics.
func KnownCriteria() []string {
	ids := make([]string, len(criterionDefs))
	for i, d := range criterionDefs {
		ids[i] = d.id
	}
	return ids
}
