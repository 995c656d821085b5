package transcribe_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
)

// A deterministic generator of diarized sales calls for measuring
// AssignRoles: Russian and English, inbound and outbound, the manager
// speaking first or second, speakers labelled as a diarizer, a channel
// split or a dialog export labels them (letters, SPEAKER_00, numbers,
// person names), with the direction known or not. Each call is built from
// phase pools (opening, reason, discovery, the client's own questions,
// offer, objection, next step, goodbye), of which a call takes a random
// subset in a random order of rounds, so that no two calls are copies.

type genLine struct {
	manager bool
	text    string
}

type genLang struct {
	agents, clients, companies, products []string
	// Outbound: the client picks up, the manager introduces themselves
	// and names the reason.
	pickUp, outIntro, outReason []string
	// Inbound: the manager answers for the company, or the client speaks
	// first (the recording starts when the client is put through).
	inAnswer, inClientFirst, inClientAsk, inManagerReply []string
	mQuestion, cAnswer, cQuestion, mAnswer               []string
	mOffer, cObjection, mHandle, mNext                   []string
	cAgree, cBye, mBye                                   []string
}

var genRU = genLang{
	agents:    []string{"Ольга", "Анна", "Дмитрий", "Сергей", "Марина", "Артём"},
	clients:   []string{"Иван", "Елена", "Пётр", "Наталья", "Алексей", "Юлия"},
	companies: []string{"Окна Плюс", "ТаскФлоу", "СтройДом", "Мебель Про", "КлинСервис", "АвтоЛидер"},
	products:  []string{"пластиковые окна", "CRM-систему", "ремонт квартиры", "кухонный гарнитур", "уборку офиса", "обслуживание автомобиля"},
	pickUp:    []string{"Алло?", "Да, слушаю.", "Алло, да.", "Да?", "Слушаю вас.", "Алло, кто это?"},
	outIntro: []string{
		"Добрый день, {client}! Меня зовут {agent}, я из компании «{company}».",
		"Здравствуйте! Это {agent}, «{company}».",
		"{agent}, компания {company}, добрый день.",
		"Добрый вечер! {agent} из «{company}» беспокоит.",
	},
	outReason: []string{
		"Вы оставляли заявку на сайте на {product}. Удобно сейчас говорить?",
		"Звоню по вашей заявке на {product}, есть пара минут?",
		"Вы интересовались у нас {product}, хотела уточнить детали. Удобно?",
		"Вы запрашивали расчёт на {product}, я подготовила варианты.",
	},
	inAnswer: []string{
		"«{company}», {agent}, здравствуйте! Чем могу помочь?",
		"Компания {company}, меня зовут {agent}. Слушаю вас.",
		"Добрый день, «{company}», {agent}. Спасибо за звонок!",
		"{company}, добрый день! Чем помочь?",
	},
	inClientFirst: []string{
		"Алло, это «{company}»? Я хотела спросить про {product}.",
		"Здравствуйте, я по объявлению насчёт {product}.",
		"Добрый день. Мне нужна консультация по {product}.",
	},
	inClientAsk: []string{
		"Здравствуйте, я по объявлению про {product}.",
		"Добрый день. Хотел узнать про {product}.",
		"Здравствуйте, мне нужны {product}, подскажите по срокам.",
		"Добрый день, сколько стоит {product}?",
	},
	inManagerReply: []string{
		"Да, здравствуйте! Меня зовут {agent}, с радостью расскажу.",
		"Добрый день, {agent}, «{company}». Конечно, подскажу.",
		"Здравствуйте! Да, это мы. Расскажите, что вас интересует?",
	},
	mQuestion: []string{
		"Подскажите, для каких задач вам нужно {product}?",
		"Сколько человек у вас будет этим пользоваться?",
		"Какой бюджет вы рассматриваете?",
		"А как вы сейчас решаете этот вопрос?",
		"Когда планируете начать?",
		"Расскажите, что для вас самое важное при выборе?",
		"Какие размеры и сколько комнат?",
	},
	cAnswer: []string{
		"У нас отдел продаж, человек десять.",
		"Пока работаем в таблицах, неудобно.",
		"Хотим начать в следующем месяце.",
		"Бюджет пока не определён.",
		"Главное, чтобы было быстро и без переделок.",
		"Честно говоря, пока просто смотрю варианты.",
		"Три комнаты, окна старые, деревянные.",
	},
	cQuestion: []string{
		"А сколько это будет стоить?",
		"А по срокам как?",
		"Гарантия у вас есть?",
		"А доставка входит?",
	},
	mAnswer: []string{
		"Стоимость от {price} рублей, точнее посчитаем после замера.",
		"Сроки — от двух недель, гарантия пять лет.",
		"Доставка по городу бесплатная, монтаж входит в цену.",
		"Обычно укладываемся в десять рабочих дней.",
	},
	mOffer: []string{
		"У нас есть тариф за {price} рублей в месяц, в него входит настройка.",
		"Могу предложить пробный период на две недели.",
		"Для вашей задачи подойдёт пакет «Стандарт», итого {price} рублей.",
		"Сейчас действует скидка десять процентов до конца месяца.",
	},
	cObjection: []string{
		"Дороговато, честно говоря.",
		"Надо подумать, посоветоваться с мужем.",
		"А скидки бывают?",
		"У конкурентов дешевле видел.",
		"Пришлите, пожалуйста, предложение на почту.",
	},
	mHandle: []string{
		"Понимаю. Давайте посчитаем вариант попроще, без лишних опций.",
		"Скидку могу согласовать при оплате до пятницы.",
		"Зато у нас монтаж свой, без субподрядчиков, и гарантия дольше.",
	},
	mNext: []string{
		"Давайте я пришлю вам предложение сегодня и перезвоню в четверг?",
		"Записываю вас на замер в пятницу в 11, подходит?",
		"Отправлю договор на почту, созвонимся завтра.",
		"Я вам наберу в понедельник, хорошо?",
	},
	cAgree: []string{"Хорошо, договорились.", "Да, давайте.", "Ладно, присылайте.", "Подходит, спасибо."},
	cBye:   []string{"Спасибо, до свидания.", "Всего доброго.", "До связи."},
	mBye:   []string{"Спасибо за время, хорошего дня!", "Всего доброго, до связи!", "Спасибо, до свидания!"},
}

var genEN = genLang{
	agents:    []string{"Anna", "Mike", "Sarah", "David", "Emma", "Tom"},
	clients:   []string{"John", "Laura", "Peter", "Kate", "Brian", "Olivia"},
	companies: []string{"TaskFlow", "BrightWindows", "CleanPro", "HomeFix", "AutoCare", "DeskHub"},
	products:  []string{"the CRM plan", "new windows", "office cleaning", "a kitchen remodel", "car servicing", "coworking desks"},
	pickUp:    []string{"Hello?", "Yes, speaking.", "Hi, who's this?", "Hello, yes?", "Yeah?"},
	outIntro: []string{
		"Hi {client}, this is {agent} from {company}.",
		"Good afternoon! My name is {agent}, I'm calling from {company}.",
		"Hello, {agent} here, with {company}.",
	},
	outReason: []string{
		"You requested a quote for {product} on our website. Is this a good time?",
		"I'm following up on your request about {product}. Got a minute?",
		"You signed up for a demo of {product}, do you have a couple of minutes?",
		"You downloaded our guide on {product}, so I wanted to check in.",
	},
	inAnswer: []string{
		"Thanks for calling {company}, this is {agent}. How can I help?",
		"{company}, {agent} speaking. How can I help you today?",
		"Good morning, {company}, my name is {agent}.",
	},
	inClientFirst: []string{
		"Hi, is this {company}? I'm calling about {product}.",
		"Hello, I saw your ad about {product}.",
		"Hi there, I was hoping to get some information on {product}.",
	},
	inClientAsk: []string{
		"Hi, I'm calling about {product}.",
		"Hello, I'd like to know more about {product}.",
		"Hi, how much is {product}?",
		"Hello, I need {product} done next month.",
	},
	inManagerReply: []string{
		"Sure, my name is {agent}, happy to help.",
		"Absolutely, this is {agent} from {company}. Let me tell you about it.",
		"Of course! Tell me a bit about what you need?",
	},
	mQuestion: []string{
		"What are you using right now?",
		"How many people on your team would use it?",
		"What budget do you have in mind?",
		"When are you planning to start?",
		"What matters most to you in choosing?",
		"How many rooms are we talking about?",
	},
	cAnswer: []string{
		"We have about ten sales reps.",
		"Right now it's all spreadsheets, it's a mess.",
		"Probably next month.",
		"We haven't set a budget yet.",
		"Mostly speed, honestly.",
		"Just looking at options for now.",
	},
	cQuestion: []string{"How much does it cost?", "What about timing?", "Is there a warranty?", "Does that include delivery?"},
	mAnswer: []string{
		"It starts at {price} dollars, we'll confirm after a quick survey.",
		"Usually two weeks, and there's a five-year warranty.",
		"Delivery is free in the city and installation is included.",
	},
	mOffer: []string{
		"We have a plan at {price} dollars a month that covers setup.",
		"I can offer you a two-week free trial.",
		"The Standard package fits you best, {price} dollars in total.",
		"There's a ten percent discount until the end of the month.",
	},
	cObjection: []string{
		"That's a bit expensive.",
		"I need to think about it and talk to my partner.",
		"Do you ever have discounts?",
		"Just send me the details by email.",
	},
	mHandle: []string{
		"I understand. We could start with a smaller plan and grow later.",
		"I can get the discount approved if you sign by Friday.",
		"Our crew is in-house, so the warranty is longer than most.",
	},
	mNext: []string{
		"I'll send you the proposal today and call you on Thursday, okay?",
		"I've booked you for a demo on Friday at 11, does that work?",
		"I'll email the contract and we can talk tomorrow.",
		"Could we do a quick call on Monday to go over it?",
	},
	cAgree: []string{"Okay, sounds good.", "Sure, let's do that.", "Fine, go ahead.", "That works, thanks."},
	cBye:   []string{"Thanks, bye.", "Talk soon.", "Have a good one."},
	mBye:   []string{"Thanks for your time, have a great day!", "Talk soon, bye!", "Thank you, goodbye!"},
}

// genCall is one generated call and the truth about it.
type genCall struct {
	name      string
	lang      string
	dir       transcribe.Direction // the truth
	known     bool                 // whether AssignRoles is told dir
	labels    [2]string            // [manager, client]
	lines     []genLine
	asText    bool // rendered as a text dialog and parsed
	mgrFirst  bool
	labelKind string
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// generateCalls returns n calls from the seed.
func generateCalls(seed uint64, n int) []genCall {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	calls := make([]genCall, 0, n)
	labelKinds := []string{"letters", "pyannote", "numbers", "names", "channels"}
	for i := range n {
		lang, L := "ru", genRU
		if i%3 == 2 {
			lang, L = "en", genEN
		}
		c := genCall{lang: lang, dir: transcribe.DirectionOutbound, known: r.IntN(2) == 0, asText: r.IntN(2) == 0, labelKind: labelKinds[i%len(labelKinds)]}
		if r.IntN(2) == 0 {
			c.dir = transcribe.DirectionInbound
		}
		agent, client, company, product := pick(r, L.agents), pick(r, L.clients), pick(r, L.companies), pick(r, L.products)
		price := fmt.Sprint((r.IntN(40) + 5) * 500)
		fill := func(s string) string {
			return strings.NewReplacer("{agent}", agent, "{client}", client, "{company}", company, "{product}", product, "{price}", price).Replace(s)
		}
		m := func(pool []string) { c.lines = append(c.lines, genLine{true, fill(pick(r, pool))}) }
		cl := func(pool []string) { c.lines = append(c.lines, genLine{false, fill(pick(r, pool))}) }

		switch {
		case c.dir == transcribe.DirectionOutbound:
			// The client answers the phone; sometimes the recording
			// starts with the manager's greeting.
			if r.IntN(4) != 0 {
				cl(L.pickUp)
			}
			if r.IntN(3) == 0 {
				// Introduction and reason in one turn.
				c.lines = append(c.lines, genLine{true, fill(pick(r, L.outIntro)) + " " + fill(pick(r, L.outReason))})
			} else {
				m(L.outIntro)
				if r.IntN(2) == 0 {
					cl(L.pickUp)
				}
				m(L.outReason)
			}
			cl(L.cAgree)
		case r.IntN(3) == 0:
			cl(L.inClientFirst)
			m(L.inManagerReply)
		default:
			m(L.inAnswer)
			cl(L.inClientAsk)
			if r.IntN(2) == 0 {
				m(L.inManagerReply)
			}
		}
		for range 1 + r.IntN(3) {
			if r.IntN(3) == 0 {
				cl(L.cQuestion)
				m(L.mAnswer)
			} else {
				m(L.mQuestion)
				cl(L.cAnswer)
			}
		}
		if r.IntN(4) != 0 {
			m(L.mOffer)
			if r.IntN(2) == 0 {
				cl(L.cObjection)
				if r.IntN(2) == 0 {
					m(L.mHandle)
				}
			}
		}
		if r.IntN(5) != 0 {
			m(L.mNext)
			cl(L.cAgree)
		}
		if r.IntN(2) == 0 {
			m(L.mBye)
			cl(L.cBye)
		} else {
			cl(L.cBye)
			m(L.mBye)
		}
		c.mgrFirst = c.lines[0].manager

		// Labels by order of appearance, as a diarizer numbers them.
		var first, second string
		switch c.labelKind {
		case "letters":
			first, second = "Speaker A", "Speaker B"
		case "pyannote":
			first, second = "SPEAKER_00", "SPEAKER_01"
		case "numbers":
			first, second = "Спикер 1", "Спикер 2"
			if lang == "en" {
				first, second = "Speaker 1", "Speaker 2"
			}
		case "names":
			first, second = client, agent
			if c.mgrFirst {
				first, second = agent, client
			}
		case "channels":
			// The manager's side is not always the same channel.
			first, second = "left channel", "right channel"
			if r.IntN(2) == 0 {
				first, second = second, first
			}
			c.asText = false // a channel split is never a text export
		}
		if c.mgrFirst {
			c.labels = [2]string{first, second}
		} else {
			c.labels = [2]string{second, first}
		}
		how := "segments"
		if c.asText {
			how = "text"
		}
		known := "unknown"
		if c.known {
			known = string(c.dir)
		}
		first2 := "client first"
		if c.mgrFirst {
			first2 = "manager first"
		}
		c.name = fmt.Sprintf("%02d %s %s (told %s) %s, %s, %s", i, lang, c.dir, known, first2, c.labelKind, how)
		calls = append(calls, c)
	}
	return calls
}

// transcript is the call as AssignRoles sees it: diarized segments with
// unknown roles, or a text dialog parsed by ParseDialogDirection.
func (c genCall) transcript() transcribe.Transcript {
	dir := transcribe.DirectionUnknown
	if c.known {
		dir = c.dir
	}
	if c.asText {
		var b strings.Builder
		for _, l := range c.lines {
			label := c.labels[1]
			if l.manager {
				label = c.labels[0]
			}
			fmt.Fprintf(&b, "%s: %s\n", label, l.text)
		}
		return transcribe.ParseDialogDirection(b.String(), dir)
	}
	tr := transcribe.Transcript{Language: c.lang}
	at := 0.0
	for _, l := range c.lines {
		label := c.labels[1]
		if l.manager {
			label = c.labels[0]
		}
		d := 0.4 + float64(len(l.text))/15
		tr.Segments = append(tr.Segments, transcribe.Segment{Speaker: transcribe.RoleUnknown, Label: label, Text: l.text,
			Start: transcribe.Seconds(at), End: transcribe.Seconds(at + d)})
		at += d + 0.3
	}
	return transcribe.AssignRoles(tr, dir)
}

// rolesRight reports whether every turn of the call got its true role.
func (c genCall) rolesRight(tr transcribe.Transcript) bool {
	if len(tr.Segments) != len(c.lines) {
		return false
	}
	for i, l := range c.lines {
		want := transcribe.RoleClient
		if l.manager {
			want = transcribe.RoleManager
		}
		if tr.Segments[i].Speaker != want {
			return false
		}
	}
	return true
}

// TestAssignRolesGeneratedCalls measures role assignment on generated
// diarized calls; the figure is in docs/benchmarks.md:
//
//	go test ./transcribe -run TestAssignRolesGeneratedCalls -v
func TestAssignRolesGeneratedCalls(t *testing.T) {
	const n = 120
	calls := generateCalls(17, n)
	require.Len(t, calls, n)

	// The set is varied: no two calls are the same dialog, and every
	// style occurs.
	seen := map[string]bool{}
	styles := map[string]int{}
	for _, c := range calls {
		var b strings.Builder
		for _, l := range c.lines {
			b.WriteString(l.text)
		}
		assert.False(t, seen[b.String()], "call %s repeats another", c.name)
		seen[b.String()] = true
		styles[c.lang]++
		styles[string(c.dir)]++
		styles[c.labelKind]++
		if c.mgrFirst {
			styles["manager first"]++
		} else {
			styles["client first"]++
		}
		if c.asText {
			styles["text"]++
		}
		if c.known {
			styles["direction told"]++
		}
	}
	for _, s := range []string{"ru", "en", "inbound", "outbound", "manager first", "client first", "letters", "pyannote", "numbers", "names", "channels", "text", "direction told"} {
		assert.GreaterOrEqual(t, styles[s], 5, "style %q is represented", s)
	}

	right := 0
	var confRight, confWrong float64
	wrong := 0
	for _, c := range calls {
		tr := c.transcript()
		ok := c.rolesRight(tr)
		if ok {
			right++
			confRight += tr.RoleConfidence
			assert.Greater(t, tr.RoleConfidence, 0.5, "%s: a right assignment has a confidence", c.name)
			assert.Less(t, tr.RoleConfidence, 1.0, "%s: inferred roles are never certain", c.name)
		} else {
			wrong++
			confWrong += tr.RoleConfidence
			t.Logf("wrong: %s (confidence %.2f)", c.name, tr.RoleConfidence)
			for i, s := range tr.Segments {
				t.Logf("   %-8s %-14s %s", s.Speaker, s.Label, c.lines[i].text)
			}
		}
	}
	acc := float64(right) / float64(n)
	t.Logf("roles right on %d of %d generated calls (%.1f %%); mean confidence %.2f when right, %.2f when wrong (%d wrong)",
		right, n, 100*acc, confRight/max(float64(right), 1), confWrong/max(float64(wrong), 1), wrong)
	fmt.Printf("generated diarized calls: roles right on %d/%d (%.1f %%)\n", right, n, 100*acc)
	assert.GreaterOrEqual(t, acc, 0.95)
}

// TestGeneratedCallsAreDeterministic: the same seed gives the same calls.
func TestGeneratedCallsAreDeterministic(t *testing.T) {
	a, b := generateCalls(17, 40), generateCalls(17, 40)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, generateCalls(18, 40))
}
