package score

// The default sales rubric: the criteria a sales call is judged on, their
// titles and descriptions in the report languages, and the weight of each
// in each mode. It is data rather than code so that every scorer (the
// offline checklist, the OpenAI scorer, users' own) scores the same
// criteria under the same ids and reports compare criterion by criterion.

// The criterion ids of the default sales rubric. They are stable: reports,
// stored history and users' rubrics refer to them.
const (
	CriterionGreeting          = "greeting"
	CriterionRapport           = "rapport"
	CriterionNeedsDiscovery    = "needs_discovery"
	CriterionNeedSummary       = "need_summary"
	CriterionPresentation      = "presentation"
	CriterionObjectionHandling = "objection_handling"
	CriterionNextStep          = "next_step"
	CriterionFarewell          = "farewell"
	CriterionConduct           = "conduct"
	CriterionClientInterest    = "client_interest"
	CriterionObjections        = "objections"
	CriterionCommitment        = "commitment"
	CriterionEngagement        = "engagement"
	CriterionBalance           = "balance"
	CriterionFlow              = "flow"
	CriterionOutcome           = "outcome"
	CriterionUnderstanding     = "understanding"
	CriterionResolution        = "resolution"
	CriterionTone              = "tone"
)

// salesCriteria is the catalogue: every criterion of the default rubrics
// once, with its titles and the description a model scorer is given. The
// weights are per mode, in salesWeights.
var salesCriteria = []Criterion{
	{ID: CriterionGreeting,
		Title:       ruen("Приветствие и представление", "Greeting and introduction"),
		Description: ruen("Менеджер поздоровался, назвал своё имя и компанию.", "The manager greeted the client and gave their name and company.")},
	{ID: CriterionRapport,
		Title:       ruen("Контакт и разрешение на разговор", "Rapport and permission to talk"),
		Description: ruen("Менеджер спросил, удобно ли говорить, назвал повод звонка, был вежлив.", "The manager asked whether it is a good time, gave the reason for the call and was polite.")},
	{ID: CriterionNeedsDiscovery,
		Title:       ruen("Выявление потребностей", "Needs discovery"),
		Description: ruen("Открытые вопросы о ситуации, задачах и трудностях клиента.", "Open questions about the client's situation, goals and problems.")},
	{ID: CriterionNeedSummary,
		Title:       ruen("Резюмирование потребности", "Summarising the need"),
		Description: ruen("Менеджер пересказал потребность клиента и получил подтверждение.", "The manager restated the client's need and got it confirmed.")},
	{ID: CriterionPresentation,
		Title:       ruen("Презентация под потребность", "Presentation tied to the need"),
		Description: ruen("Предложение связано с тем, что сказал клиент, и говорит о пользе, а не о списке функций.", "The offer refers to what the client said and speaks of benefits, not a list of features.")},
	{ID: CriterionObjectionHandling,
		Title:       ruen("Работа с возражениями", "Objection handling"),
		Description: ruen("На возражения менеджер ответил с пониманием, уточнил и привёл аргумент ценности.", "The manager met objections with empathy, a clarifying question and a value argument.")},
	{ID: CriterionNextStep,
		Title:       ruen("Договорённость о следующем шаге", "Agreed next step"),
		Description: ruen("Конкретное действие с датой или временем, подтверждённое клиентом.", "A concrete action with a date or time, confirmed by the client.")},
	{ID: CriterionFarewell,
		Title:       ruen("Завершение разговора", "Farewell"),
		Description: ruen("Менеджер поблагодарил клиента и вежливо попрощался.", "The manager thanked the client and said goodbye politely.")},
	{ID: CriterionConduct,
		Title:       ruen("Корректность и этика", "Conduct"),
		Description: ruen("Без грубости, давления и просьб о данных карты; без монологов и перебиваний.", "No rudeness, pressure or requests for card details; no monologues or interrupting.")},
	{ID: CriterionClientInterest,
		Title:       ruen("Интерес клиента", "Client interest"),
		Description: ruen("Клиент задаёт вопросы, проявляет интерес к продукту.", "The client asks questions and shows interest in the product.")},
	{ID: CriterionObjections,
		Title:       ruen("Возражения клиента", "Client objections"),
		Description: ruen("Какие возражения клиент высказал и были ли они сняты.", "Which objections the client raised and whether they were resolved.")},
	{ID: CriterionCommitment,
		Title:       ruen("Готовность к покупке", "Readiness to buy"),
		Description: ruen("Клиент согласился попробовать, купить или на конкретный следующий шаг.", "The client agreed to try, to buy or to a concrete next step.")},
	{ID: CriterionEngagement,
		Title:       ruen("Вовлечённость клиента", "Client engagement"),
		Description: ruen("Доля речи клиента и его вопросы.", "The client's share of the talk and their questions.")},
	{ID: CriterionBalance,
		Title:       ruen("Баланс разговора", "Talk balance"),
		Description: ruen("Соотношение речи менеджера и клиента.", "How the talk is shared between manager and client.")},
	{ID: CriterionFlow,
		Title:       ruen("Ход диалога", "Conversation flow"),
		Description: ruen("Живой обмен репликами, вопросы, без монологов, перебиваний и споров.", "A lively exchange with questions, without monologues, interruptions or arguing.")},
	{ID: CriterionOutcome,
		Title:       ruen("Результат разговора", "Outcome"),
		Description: ruen("Чем закончился звонок: согласие, конкретный следующий шаг или ничего.", "How the call ended: agreement, a concrete next step or nothing.")},
	{ID: CriterionUnderstanding,
		Title: ruen("Взаимопонимание", "Mutual understanding"),
		Description: ruen("Стороны поняли друг друга: на вопросы клиента даны ответы, клиенту не пришлось переспрашивать, пересказ менеджера клиент подтвердил.",
			"The two sides understood each other: the client's questions were answered, the client did not have to ask again, and the manager's restatement was confirmed.")},
	{ID: CriterionResolution,
		Title: ruen("Решение вопроса клиента", "Client's question resolved"),
		Description: ruen("Вопрос или проблема, с которой пришёл клиент, решены в разговоре, или есть ясный путь с конкретным шагом; клиент уходит удовлетворённым.",
			"The question or problem the client came with was solved in the call, or there is a clear path with a concrete step; the client leaves satisfied.")},
	{ID: CriterionTone,
		Title: ruen("Тон разговора", "Tone of the conversation"),
		Description: ruen("Тон обеих сторон: вежливость и теплота, без грубости, давления, раздражения и враждебности.",
			"The tone on both sides: courtesy and warmth, without rudeness, pressure, irritation or hostility.")},
}

// salesWeights are the criteria and weights of each mode, in report order.
// Manager+ weighs the manager's stages; Client+ only the client's
// reactions (interest, objections and whether they were resolved,
// readiness to buy, engagement); Диалог the conversation as a whole, with
// none of the manager's stages, so that a call can be a good conversation
// without textbook steps or a bad one despite them.
var salesWeights = map[Mode][]weighted{
	ModeManager: {
		{CriterionGreeting, 10}, {CriterionRapport, 8}, {CriterionNeedsDiscovery, 18}, {CriterionNeedSummary, 8},
		{CriterionPresentation, 12}, {CriterionObjectionHandling, 12}, {CriterionNextStep, 16}, {CriterionFarewell, 6},
		{CriterionConduct, 10},
	},
	ModeClient: {
		{CriterionClientInterest, 25}, {CriterionObjections, 20}, {CriterionCommitment, 35}, {CriterionEngagement, 20},
	},
	ModeDialog: {
		{CriterionUnderstanding, 25}, {CriterionResolution, 30}, {CriterionTone, 20}, {CriterionBalance, 10},
		{CriterionFlow, 15},
	},
}

type weighted struct {
	id     string
	weight float64
}

func ruen(ru, en string) map[string]string { return map[string]string{"ru": ru, "en": en} }

// DefaultRubric returns the default sales rubric of mode: its criteria with
// titles, descriptions and weights, in report order. An unknown mode gets
// the Manager+ rubric. The result is a fresh copy the caller may change,
// e.g. to reweigh criteria and pass as Request.Rubric.
func DefaultRubric(mode Mode) Rubric {
	if r, ok := salesRubrics[mode]; ok {
		return r.Clone()
	}
	return salesRubrics[ModeManager].Clone()
}

// DefaultCriteria returns every criterion of the catalogue, once each
// (also outcome, which no default mode weighs any more but custom rubrics
// and stored reports use), with titles and descriptions and a zero weight, for building
// custom rubrics and for scorers that look up a criterion's texts by id.
// The result is a fresh copy.
func DefaultCriteria() []Criterion {
	return Rubric{Criteria: salesCriteria}.Clone().Criteria
}

// salesRubrics are built once from the tables above; DefaultRubric hands
// out copies.
var salesRubrics = func() map[Mode]Rubric {
	byID := make(map[string]Criterion, len(salesCriteria))
	for _, c := range salesCriteria {
		byID[c.ID] = c
	}
	m := make(map[Mode]Rubric, len(salesWeights))
	for mode, ws := range salesWeights {
		r := Rubric{Name: "sales " + string(mode), Criteria: make([]Criterion, len(ws))}
		for i, w := range ws {
			c := byID[w.id]
			c.Weight = w.weight
			r.Criteria[i] = c
		}
		m[mode] = r
	}
	return m
}()
