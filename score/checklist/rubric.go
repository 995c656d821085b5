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

// criterionDef is a criterion the checklist can score: its id in
// score's default sales rubric, which holds its titles and description,
// the advice given when the call falls short on it, and its rule.
type criterionDef struct {
	id     string
	advice text
	eval   func(a *analysis) result
}

// The criterion ids, the same as score's (score.CriterionGreeting, …),
// named here for the checklist's tests and users.
const (
	Greeting          = score.CriterionGreeting
	Rapport           = score.CriterionRapport
	NeedsDiscovery    = score.CriterionNeedsDiscovery
	NeedSummary       = score.CriterionNeedSummary
	Presentation      = score.CriterionPresentation
	ObjectionHandling = score.CriterionObjectionHandling
	NextStep          = score.CriterionNextStep
	Farewell          = score.CriterionFarewell
	Conduct           = score.CriterionConduct
	ClientInterest    = score.CriterionClientInterest
	Objections        = score.CriterionObjections
	Commitment        = score.CriterionCommitment
	Engagement        = score.CriterionEngagement
	Balance           = score.CriterionBalance
	Flow              = score.CriterionFlow
	Outcome           = score.CriterionOutcome
	Understanding     = score.CriterionUnderstanding
	Resolution        = score.CriterionResolution
	Tone              = score.CriterionTone
)

// criterionDefs are the criteria the checklist scores: those of
// score.DefaultCriteria (a test checks), with their advice and rules.
var criterionDefs = []criterionDef{
	{Greeting, text{"Начинайте звонок с приветствия и представляйтесь полностью: имя и компания («Добрый день! Меня зовут …, компания …»).",
		"Open with a greeting and a full introduction: your name and your company (\"Good afternoon, this is … from …\")."},
		evalGreeting},
	{Rapport, text{"Спросите, удобно ли клиенту говорить, и назовите повод звонка («Вы оставляли заявку на сайте…»).",
		"Ask whether it is a good time to talk and state why you are calling (\"You requested a demo on our site…\")."},
		evalRapport},
	{NeedsDiscovery, text{"Задайте 2–3 открытых вопроса до презентации: «Как вы сейчас…?», «Что больше всего мешает…?», «Сколько…?».",
		"Ask two or three open questions before presenting: \"How do you currently…?\", \"What gets in the way…?\", \"How many…?\"."},
		evalNeedsDiscovery},
	{NeedSummary, text{"Перед презентацией перескажите потребность и получите подтверждение: «То есть главное для вас — …, правильно я понимаю?».",
		"Before presenting, restate the need and get a yes: \"So the main thing for you is …, is that right?\"."},
		evalNeedSummary},
	{Presentation, text{"Презентуйте только то, что закрывает названную клиентом проблему, и говорите о результате для него, а не о списке функций.",
		"Present only what solves the problem the client named, and talk about the result for them rather than listing features."},
		evalPresentation},
	{ObjectionHandling, text{"На возражение отвечайте по схеме: согласиться с чувством («Понимаю»), уточнить вопросом, привести аргумент ценности (окупаемость, пробный период). Не спорьте.",
		"Handle objections in three steps: acknowledge (\"I understand\"), ask a clarifying question, give a value argument (payback, a free trial). Do not argue."},
		evalObjectionHandling},
	{NextStep, text{"Завершайте звонок конкретной договорённостью: что произойдёт, когда (день и время) и кто это сделает, и получите согласие клиента.",
		"Close with a concrete commitment: what happens next, when (day and time) and who does it, and get the client's agreement."},
		evalNextStep},
	{Farewell, text{"Поблагодарите клиента за время и попрощайтесь («Спасибо за время, хорошего дня!»).",
		"Thank the client for their time and say goodbye (\"Thanks for your time, have a great day!\")."},
		evalFarewell},
	{Conduct, text{"Говорите уважительно, не давите на клиента («только сегодня», «всем надо»), не перебивайте и не произносите длинных монологов; никогда не просите данные карты или коды из SMS.",
		"Stay respectful, do not pressure the client (\"today only\", \"everyone needs it\"), do not interrupt or deliver long monologues, and never ask for card details or SMS codes."},
		evalConduct},
	{ClientInterest, text{"Вовлекайте клиента: спрашивайте, что ему важно, и давайте повод задать вопрос о продукте.",
		"Draw the client in: ask what matters to them and give them reasons to ask about the product."},
		evalClientInterest},
	{Objections, text{"Доводите каждое возражение клиента до ответа, который его снимает, и проверяйте: «Это снимает ваш вопрос?».",
		"Take every objection to an answer that resolves it, and check: \"Does that address your concern?\"."},
		evalObjections},
	{Commitment, text{"Проверяйте готовность клиента и предлагайте маленький конкретный шаг (пробный период, встреча), на который легко согласиться.",
		"Check the client's readiness and offer a small concrete step (a trial, a meeting) that is easy to agree to."},
		evalCommitment},
	{Engagement, text{"Дайте клиенту говорить: ему должно принадлежать не меньше трети разговора. Задавайте вопросы и слушайте ответы.",
		"Let the client talk: at least a third of the conversation should be theirs. Ask questions and listen to the answers."},
		evalEngagement},
	{Balance, text{"Держите баланс: менеджер говорит не больше 65% времени, остальное — клиент.",
		"Keep the balance: the manager talks no more than 65% of the time, the client the rest."},
		evalBalance},
	{Flow, text{"Ведите диалог, а не монолог: короткие реплики, вопросы после каждого блока информации, не перебивайте.",
		"Hold a dialog rather than a monologue: short turns, a question after each piece of information, no interrupting."},
		evalFlow},
	{Outcome, text{"Каждый звонок должен заканчиваться результатом: согласием клиента или конкретной договорённостью о следующем шаге с датой.",
		"Every call should end with a result: the client's agreement or a concrete next step with a date."},
		evalOutcome},
	{Understanding, text{"Проверяйте, что вас поняли, и отвечайте на вопрос клиента сразу, а не «на встрече»: «Отвечу прямо: стоит … Так понятно?».",
		"Check you were understood and answer the client's question when it is asked, not \"in the demo\": \"Straight answer: it costs … Does that make sense?\"."},
		evalUnderstanding},
	{Resolution, text{"Доводите вопрос клиента до решения в разговоре или до конкретного шага со временем, и проверьте, что клиента это устраивает.",
		"Take the client's question to a solution in the call, or to a concrete step with a time, and check the client is happy with it."},
		evalResolution},
	{Tone, text{"Держите тёплый и спокойный тон, даже если клиент раздражён: признайте его чувство и переходите к делу.",
		"Keep a warm, calm tone even when the client is irritated: acknowledge the feeling and move on to what you can do."},
		evalTone},
}

// defsByID indexes criterionDefs.
var defsByID = func() map[string]*criterionDef {
	m := make(map[string]*criterionDef, len(criterionDefs))
	for i := range criterionDefs {
		m[criterionDefs[i].id] = &criterionDefs[i]
	}
	return m
}()

// defaultRubrics are score's default rubrics under the checklist's name,
// built once: Score reads them without copying.
var defaultRubrics = func() map[score.Mode]score.Rubric {
	m := make(map[score.Mode]score.Rubric, len(score.Modes))
	for _, mode := range score.Modes {
		r := score.DefaultRubric(mode)
		r.Name = Name + " " + string(mode)
		m[mode] = r
	}
	return m
}()

// titles are the titles of score's default criteria by id, for the
// rubrics of callers who leave them out.
var titles = func() map[string]map[string]string {
	cs := score.DefaultCriteria()
	m := make(map[string]map[string]string, len(cs))
	for _, c := range cs {
		m[c.ID] = c.Title
	}
	return m
}()

// KnownCriteria returns the ids of every criterion the checklist can score,
// across all modes, for building custom rubrics.
func KnownCriteria() []string {
	ids := make([]string, len(criterionDefs))
	for i, d := range criterionDefs {
		ids[i] = d.id
	}
	return ids
}
