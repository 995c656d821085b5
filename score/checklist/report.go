package checklist

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/callaudit/callaudit/score"
)

// The summary and the recommendations are written about this call: what
// the client came with or was called about, what was offered, how the call
// ended and the turn that decided it, each with a quote; and advice chosen
// for the call's direction and situation, with example wording built from
// what was said. Russian texts avoid gendered verb forms of the manager,
// whose gender the checklist does not know.

// quoteRunes is the longest quote a summary or a recommendation carries.
const quoteRunes = 110

// q wraps a quote in the report language's quotation marks, cut to
// quoteRunes at a word boundary.
func (a *analysis) q(s string) string {
	s = strings.TrimSpace(s)
	if cut, long := runePrefix(s, quoteRunes); long {
		if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
			cut = cut[:i]
		}
		s = strings.TrimRight(cut, ",;:—- ") + "…"
	}
	if l := scriptOf(s, len(s)); l != "" && l != a.lang {
		// A quote in another language would turn the report's language;
		// the sentences that need it are left out or written without it.
		return ""
	}
	// The quote's own full stop would double the sentence's.
	s = strings.TrimSuffix(s, ".")
	return a.tr("«"+s+"»", "“"+s+"”")
}

// end closes a summary sentence, unless a quote at its end closes with
// its own ? ! or …
func end(s string) string {
	for _, tail := range []string{"?»", "!»", "…»", "?”", "!”", "…”"} {
		if strings.HasSuffix(s, tail) {
			return s
		}
	}
	return s + "."
}

// runePrefix returns the first n runes of s and whether s is longer,
// without decoding it: it counts rune starts.
func runePrefix(s string, n int) (string, bool) {
	count := 0
	for i := 0; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			if count == n {
				return s[:i], true
			}
			count++
		}
	}
	return s, false
}

// hitQuote quotes the sentence of h from its start, cut by q.
func (a *analysis) hitQuote(h hit) string {
	return a.q(a.sentenceEvidence(a.d.toks[h.first].sent).Quote)
}

// segQuote quotes the first sentence of segment seg, "" when it has none.
func (a *analysis) segQuote(seg int) string {
	if seg < 0 || seg >= len(a.d.segs) {
		return ""
	}
	ev, ok := a.segmentEvidence(int32(seg))
	if !ok {
		return ""
	}
	return a.q(ev.Quote)
}

// lastHit returns the last hit of s.
func (a *analysis) lastHit(s signal) (hit, bool) {
	if hs := a.hits[s]; len(hs) > 0 {
		return hs[len(hs)-1], true
	}
	return hit{}, false
}

// clientOpening is the client's first sentence of at least three words,
// -1 when none: what the client came with when no need phrase was found
// («Здравствуйте» alone says nothing).
func (a *analysis) clientOpening() int32 {
	for si := range a.d.sents {
		if s := &a.d.sents[si]; a.d.segs[s.seg].role == cli && s.endTok-s.firstTok >= 3 {
			return int32(si)
		}
	}
	return -1
}

// firstClientQuestion is the client's first question sentence, -1 when none.
func (a *analysis) firstClientQuestion() int32 {
	for si := range a.d.sents {
		if s := &a.d.sents[si]; s.question && a.d.segs[s.seg].role == cli && s.endTok-s.firstTok >= 2 {
			return int32(si)
		}
	}
	return -1
}

// offerHit finds what the manager offered: the first manager sentence
// after the client first spoke that names a benefit or a value, else an
// action. ok is false when the manager offered nothing.
func (a *analysis) offerHit() (hit, bool) {
	from := int32(0)
	for s := range a.d.segs {
		if a.d.segs[s].role == cli {
			from = int32(s)
			break
		}
	}
	for _, sig := range []signal{sigBenefit, sigValue, sigAction} {
		for _, h := range a.hits[sig] {
			if h.seg > from && a.isManager(int(h.seg)) && a.segSig[h.seg]&(bit(sigRude)|bit(sigCardData)) == 0 {
				return h, true
			}
		}
	}
	return hit{}, false
}

// summarize writes the summary: the score line, then the call's own story.
func summarize(a *analysis, rep *score.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, a.tr("Итоговая оценка %d из 100", "Total score %d out of 100"), rep.TotalScore)
	switch conf := a.d.tr.RoleConfidence; {
	case !a.labelled:
		b.WriteString(a.tr(" (роли говорящих не размечены, оценка приблизительная)", " (speaker roles were not labelled, so the score is approximate)"))
	case conf > 0 && conf < 1:
		// The roles were inferred from what the speakers said.
		fmt.Fprintf(&b, a.tr(" (роли говорящих определены по содержанию реплик, уверенность %.0f%%)",
			" (speaker roles were inferred from what each said, confidence %.0f%%)"), conf*100)
	}
	b.WriteString(". ")
	sentence := func(s string) {
		if s != "" {
			b.WriteString(capitalize(end(strings.TrimSuffix(s, "."))))
			b.WriteString(" ")
		}
	}
	if a.critical {
		sentence(a.outcome("Критическое нарушение: запрос данных карты или кодов подтверждения", "Critical violation: card details or confirmation codes were requested", a.hitQuote(a.hits[sigCardData][0]), "", "", ""))
	}
	sentence(quotedOnly(a.needSentence()))
	sentence(quotedOnly(a.offerSentence()))
	sentence(a.outcomeSentence())
	return strings.TrimSpace(b.String())
}

// quotedOnly drops a sentence whose quote was left out (in another
// language than the report's): without it, it says nothing.
func quotedOnly(s string) string {
	if strings.HasSuffix(s, ": .") {
		return ""
	}
	return s
}

// needSentence names the client's need, or the reason for the call.
func (a *analysis) needSentence() string {
	switch {
	case a.needSeg >= 0 && a.inbound:
		return a.tr("Клиент обратился с запросом: ", "The client called about: ") + a.hitQuote(a.needHit) + "."
	case a.needSeg >= 0:
		return a.tr("Задача клиента: ", "The client's need: ") + a.hitQuote(a.needHit) + "."
	}
	if h, ok := a.hitWithin(sigReason, 4); ok && !a.inbound {
		return a.tr("Повод звонка: ", "Reason for the call: ") + a.hitQuote(h) + "."
	}
	if si := a.clientOpening(); si >= 0 && a.inbound {
		return a.tr("Клиент обратился: ", "The client called: ") + a.q(a.sentenceEvidence(si).Quote) + "."
	}
	if si := a.firstClientQuestion(); si >= 0 {
		return a.tr("Клиента интересовало: ", "The client asked: ") + a.q(a.sentenceEvidence(si).Quote) + "."
	}
	if si := a.clientOpening(); si >= 0 {
		return a.tr("Клиент начал с: ", "The client opened with: ") + a.q(a.sentenceEvidence(si).Quote) + "."
	}
	return ""
}

// offerSentence says what was done or offered for the client.
func (a *analysis) offerSentence() string {
	if a.callback {
		return ""
	}
	if h, ok := a.firstFix(); ok {
		return a.tr("Вопрос решён в разговоре: ", "Solved during the call: ") + a.hitQuote(h) + "."
	}
	if h, ok := a.offerHit(); ok {
		return a.tr("Предложение менеджера: ", "The manager offered: ") + a.hitQuote(h) + "."
	}
	return ""
}

func (a *analysis) firstFix() (hit, bool) {
	for _, h := range a.hits[sigResolved] {
		if h.seg > 0 {
			return h, true
		}
	}
	return hit{}, false
}

// outcome writes an outcome sentence: its head, then the quote of what
// decided it and a second quote after tail, each left out when empty.
func (a *analysis) outcome(ruHead, enHead, q1, ruTail, enTail, q2 string) string {
	s := a.tr(ruHead, enHead)
	if q1 != "" {
		s += " — " + q1
	}
	if q2 != "" {
		s += a.tr(ruTail, enTail) + q2
	}
	return s + "."
}

// outcomeSentence says how the call ended and quotes the turn that
// decided it.
func (a *analysis) outcomeSentence() string {
	n := a.next
	switch {
	case a.callback:
		return a.outcome("Итог: клиенту было неудобно говорить, перезвон согласован", "Outcome: the client could not talk and a callback was agreed", a.hitQuote(n.hit), "", "", "")
	case len(a.ignoredRefusals) > 0 || n.refused:
		refusal := a.prevTurn(int(a.firstIgnored()))
		pressed := a.segQuote(int(a.firstIgnored()))
		if len(a.ignoredRefusals) == 0 {
			refusal, pressed = a.clientTurn(int(n.seg), 1), a.hitQuote(n.hit)
		}
		return a.outcome("Итог: клиент отказался", "Outcome: the client refused", a.segQuote(refusal), ", а разговор продолжили: ", ", and the call went on: ", pressed)
	}
	if h, ok := a.lateHit(sigHostile); ok {
		return a.outcome("Итог: клиент остался недоволен", "Outcome: the client left dissatisfied", a.hitQuote(h), "", "", "")
	}
	if h, ok := a.lateHit(sigConfused); ok {
		return a.outcome("Итог: клиент так и не разобрался", "Outcome: the client was still unsure at the end", a.hitQuote(h), "", "", "")
	}
	if h, ok := a.lateHit(sigSatisfied); ok {
		return a.outcome("Итог: клиент доволен", "Outcome: the client was pleased", a.hitQuote(h), "", "", "")
	}
	switch {
	case n.agree && n.time && n.agreeSeg >= 0:
		return a.outcome("Итог: договорились", "Outcome: agreed", a.hitQuote(n.hit), "; решающий ответ клиента: ", "; the client's deciding answer: ", a.segQuote(int(n.agreeSeg)))
	case n.agree:
		return a.outcome("Итог: клиент согласился на шаг без срока", "Outcome: the client agreed to a step without a date", a.hitQuote(n.hit), "", "", "")
	case a.rejectedAtEnd():
		h, _ := a.lastHit(sigReject)
		return a.outcome("Итог: клиент отложил решение", "Outcome: the client put the decision off", a.hitQuote(h), "", "", "")
	case n.vague:
		h, _ := a.lastHit(sigVague)
		return a.outcome("Итог: конкретного шага нет, инициатива оставлена клиенту", "Outcome: no concrete step, the initiative was left to the client", a.hitQuote(h), "", "", "")
	case n.seg >= 0:
		return a.outcome("Итог: шаг предложен, но не подтверждён клиентом", "Outcome: a step was offered but not confirmed by the client", a.hitQuote(n.hit), "", "", "")
	}
	return a.outcome("Итог: без договорённости", "Outcome: nothing agreed", "", "; последняя реплика клиента — ", "; the client's last words — ", a.segQuote(a.lastClientTurn()))
}

func (a *analysis) firstIgnored() int32 {
	if len(a.ignoredRefusals) == 0 {
		return -1
	}
	return a.ignoredRefusals[0]
}

func (a *analysis) lastClientTurn() int {
	for s := len(a.d.segs) - 1; s >= 0; s-- {
		if a.d.segs[s].role == cli && a.d.segs[s].firstSent < a.d.segs[s].endSent {
			return s
		}
	}
	return -1
}

// doneScore is the score at which a criterion is done: it gets no
// advice.
const doneScore = 80

// recommend gives advice for the criteria that fell short, the costliest
// first (weight × points lost), at most five, each chosen for the call's
// situation and, where the call gives the words, with an example built
// from them.
func recommend(a *analysis, rep *score.Report) []string {
	type gap struct {
		d    score.CriterionResult
		loss float64
	}
	var gaps []gap
	for _, d := range rep.Details {
		if d.Weight > 0 && d.Score < doneScore {
			gaps = append(gaps, gap{d, d.Weight * float64(100-d.Score)})
		}
	}
	sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].loss > gaps[j].loss })
	var out []string
	if a.critical {
		out = append(out, a.tr("Никогда не запрашивайте номер карты, CVV или коды из SMS: это признак мошенничества; разговор требует разбора со службой безопасности.",
			"Never ask for a card number, CVV or SMS codes: it is a hallmark of fraud; this call needs a review by security."))
	}
	a.quotable = a.quotesFit()
	// Rudeness and pressure come first whatever they cost in points: a
	// QA lead raises them before any stage.
	sort.SliceStable(gaps, func(i, j int) bool {
		return a.offends(gaps[i].d.ID) && !a.offends(gaps[j].d.ID)
	})
	need := ""
	if a.quotable {
		need = a.needShort()
	}
	for _, g := range gaps {
		if len(out) >= 5 {
			break
		}
		if adv, kind := a.advise(g.d, &need); adv != "" && !slices.Contains(out, adv) {
			out = append(out, adv)
			a.recs = append(a.recs, recSource{id: g.d.ID, kind: kind})
		}
	}
	if len(out) == 0 {
		out = append(out, a.tr("Разговор удался. Закрепите договорённости письменно после звонка.",
			"The call went well. Confirm what was agreed in writing after the call."))
	}
	return out
}

// offends reports whether criterion id fell short for rudeness or
// pressure.
func (a *analysis) offends(id string) bool {
	return (id == Conduct || id == Tone) && len(a.hits[sigRude])+len(a.hits[sigPressure]) > 0
}

// needShort is the client's stated need, quoted, or "" when none.
func (a *analysis) needShort() string {
	if a.needSeg < 0 {
		return ""
	}
	return a.hitQuote(a.needHit)
}

// recSource says which criterion a recommendation answers and how it was
// chosen.
type recSource struct {
	id   string
	kind adviceKind
}

type adviceKind uint8

const (
	// adviceSituation: written for the call's situation.
	adviceSituation adviceKind = iota
	// adviceRule: the scorecard's advice of the rows missed or found.
	adviceRule
	// adviceGeneral: the criterion's general advice.
	adviceGeneral
)

// advise is the advice for criterion d in this call, "" when none fits
// the situation, and how it was chosen: written for the situation, else
// the advice of the rules that fell short, else the criterion's general
// advice. need is the client's quoted need: the first advice that uses
// it clears it, so later ones refer to the need without the quote.
func (a *analysis) advise(d score.CriterionResult, need *string) (string, adviceKind) {
	adv := a.adviseWith(d, *need)
	if *need != "" && strings.Contains(adv, *need) {
		*need = ""
	}
	switch adv {
	case "-":
		return "", adviceSituation
	case "":
		r := a.results[d.ID]
		switch {
		case r.advice != "":
			return r.advice, adviceRule
		case r.capped && r.done:
			// Everything the rules ask for was said; the cap's reason
			// (rudeness, pressure) is what conduct advises on.
			return "", adviceSituation
		}
		return a.opts.card.defs[d.ID].advice.in(a.lang), adviceGeneral
	}
	return adv, adviceSituation
}

// adviseWith writes the situational advice; "" falls back to the
// criterion's general advice, "-" gives none. Advice that quotes the call
// is given only when the call is in the report's language.
func (a *analysis) adviseWith(d score.CriterionResult, need string) string {
	if _, fixed := a.firstFix(); fixed {
		// The client's problem was solved in the call: discovery and
		// presentation advice would be beside the point.
		switch d.ID {
		case NeedSummary, Presentation:
			return "-"
		case NeedsDiscovery:
			return a.tr("Вопрос клиента решён — теперь спросите, нет ли других задач: «А в остальном всё устраивает? Чем ещё можем помочь?».",
				"The client's problem is solved — now ask about anything else: \"Is everything else working for you? Anything more we can help with?\"")
		case NextStep, Commitment, Outcome:
			return a.tr("Закрепите решение: скажите, когда клиент увидит результат, и предложите проверку — «Если до вечера не заработает, я перезвоню вам в 18:00, хорошо?».",
				"Make the fix stick: say when the client will see the result and offer a check — \"If it isn't working by tonight, I'll call you at 6, all right?\"")
		}
	}
	n := a.next
	switch {
	case d.ID == Greeting && a.inbound:
		return a.tr("Отвечайте на входящий звонок названием компании и своим именем: «Компания …, меня зовут …, слушаю вас».",
			"Answer an inbound call with the company and your name: \"… company, this is …, how can I help?\"")
	case d.ID == Rapport && a.inbound:
		// An inbound caller has their own reason: never tell the
		// manager to name one or to ask for permission to talk.
		return a.tr("Клиент позвонил сам: поблагодарите за обращение и покажите готовность помочь — «Спасибо, что позвонили, сейчас разберёмся».",
			"The client called you: thank them and show you are there to help — \"Thanks for calling, let's sort this out.\"")
	case (d.ID == NextStep || d.ID == Commitment || d.ID == Outcome) && a.callback:
		return "-"
	case (d.ID == NextStep || d.ID == Commitment || d.ID == Outcome) && (n.refused || len(a.ignoredRefusals) > 0):
		return a.tr("После отказа клиента не объявляйте «договорились»: уточните причину отказа и предложите шаг поменьше, на который легко согласиться.",
			"After the client refuses, do not declare agreement: ask what stands in the way and offer a smaller step that is easy to accept.")
	}
	// A dated step the client agreed to is not to be asked for again.
	stepDone := n.agree && n.time
	if !a.quotable {
		if (d.ID == NextStep || d.ID == Commitment || d.ID == Outcome) && a.inbound && !stepDone {
			return a.inboundStep()
		}
		return ""
	}
	switch d.ID {
	case NeedsDiscovery:
		if need != "" {
			return a.tr("Клиент сказал "+need+" — задайте 2–3 открытых вопроса именно об этом: «Расскажите подробнее: как давно это и что уже пробовали?».",
				"The client said "+need+" — ask two or three open questions about exactly that: \"Tell me more: since when, and what have you tried?\"")
		}
		if si := a.firstClientQuestion(); si >= 0 && a.inbound {
			// The caller's first question is what they came for.
			q := a.q(a.sentenceEvidence(si).Quote)
			return a.tr("Прежде чем отвечать на вопрос "+q+", узнайте, для чего это клиенту: «Подскажите, для чего вы выбираете и что для вас главное?».",
				"Before answering "+q+", find out what it is for: \"What will you use it for, and what matters most to you?\"")
		}
	case NeedSummary:
		if need != "" && !a.results[d.ID].done {
			return a.tr("Перескажите потребность своими словами до предложения: клиент сказал "+need+" — «То есть главное для вас — …, правильно понимаю?».",
				"Restate the need before offering: the client said "+need+" — \"So the main thing for you is …, is that right?\"")
		}
	case Presentation:
		if a.offer().linkedSeg >= 0 {
			// The offer built on the client's words: what it lacked is
			// the result for the client, or the rules' own labels say.
			if a.offer().benefitSeg < 0 {
				return a.tr("Предложение опирается на слова клиента — теперь назовите результат для него: не что делает продукт, а что это даст клиенту («Вы перестанете терять …», «Сэкономите …»).",
					"The offer built on the client's words — now name the result for them: not what the product does but what it gives them (\"You will stop losing …\", \"You'll save …\").")
			}
			return ""
		}
		if need != "" {
			return a.tr("Стройте предложение на словах клиента "+need+": «Раз для вас важно …, предлагаю …, это даст вам …».",
				"Build the offer on the client's words "+need+": \"Since … matters to you, I suggest …, which gives you …\"")
		}
	case ObjectionHandling, Objections:
		if hs := a.hits[sigObjection]; len(hs) > 0 {
			q := a.hitQuote(hs[0])
			return a.tr("На возражение "+q+" ответьте по шагам: признайте («Понимаю»), уточните («Что именно смущает?») и дайте аргумент ценности или пробный шаг.",
				"Answer the objection "+q+" in steps: acknowledge (\"I understand\"), clarify (\"What exactly concerns you?\") and give a value argument or a trial step.")
		}
	case NextStep, Commitment, Outcome:
		switch {
		case n.seg >= 0 && !n.time:
			q := a.hitQuote(n.hit)
			return a.tr("Шаг "+q+" назван без срока: добавьте день и время и дождитесь согласия — «…в четверг в 11:00 вам удобно?».",
				"The step "+q+" has no date: add a day and time and wait for a yes — \"…does Thursday at 11 work for you?\"")
		case a.inbound && !stepDone:
			return a.inboundStep()
		}
	case Conduct, Tone:
		if h, ok := a.lastHit(sigRude); ok {
			q := a.hitQuote(h)
			return a.tr("Фразы вроде "+q+" недопустимы: говорите с клиентом на равных, без оценок и обвинений.",
				"Lines like "+q+" are unacceptable: speak to the client as an equal, without judging or blaming.")
		}
		if h, ok := a.lastHit(sigPressure); ok {
			q := a.hitQuote(h)
			return a.tr("Уберите давление ("+q+"): дайте клиенту время и предложите шаг, который он может сделать без риска.",
				"Drop the pressure ("+q+"): give the client time and offer a step they can take without risk.")
		}
		if h, ok := a.lastHit(sigHostile); ok && d.ID == Tone {
			q := a.hitQuote(h)
			return a.tr("На реплику "+q+" ответьте спокойно: признайте чувство («Понимаю, это неприятно») и сразу скажите, что сделаете.",
				"Meet "+q+" calmly: acknowledge the feeling (\"I understand, that's frustrating\") and say at once what you will do.")
		}
	case Understanding:
		if h, ok := a.lastHit(sigDeflect); ok {
			q := a.hitQuote(h)
			return a.tr("Не откладывайте вопрос клиента ("+q+"): ответьте сразу и коротко, а на встрече покажите подробности.",
				"Do not put the client's question off ("+q+"): answer it now and briefly, and show the details later.")
		}
		if h, ok := a.lastHit(sigConfused); ok {
			q := a.hitQuote(h)
			return a.tr("Когда клиент говорит "+q+", остановитесь: объясните проще и проверьте — «Так понятнее? Что уточнить?».",
				"When the client says "+q+", stop: explain more simply and check — \"Does that make sense? What should I clarify?\"")
		}
	case Resolution:
		if need != "" {
			return a.tr("Доведите до решения запрос клиента "+need+": решите его в разговоре или назовите конкретный шаг со сроком и проверьте, что клиента это устраивает.",
				"Take the client's request "+need+" to a solution: solve it in the call or name a concrete step with a date, and check the client is happy with it.")
		}
	}
	return ""
}

// inboundStep is the next-step advice of an inbound call.
func (a *analysis) inboundStep() string {
	return a.tr("Клиент звонил сам — закончите конкретным шагом: «Давайте я оформлю/запишу вас на … в четверг в 11:00 — удобно?».",
		"The client called you — end with a concrete step: \"Shall I book you for … on Thursday at 11?\"")
}

// quotesFit reports whether the call is in the report's language, so that
// quotes from it can stand in the report's sentences. A few segments are
// enough to tell.
func (a *analysis) quotesFit() bool {
	var cyr, lat int
	for s, budget := 0, 600; s < len(a.d.segs) && budget > 0; s++ {
		c, l := scriptCounts(a.d.segText(s), budget)
		cyr, lat, budget = cyr+c, lat+l, budget-len(a.d.segText(s))
	}
	l := scriptLang(cyr, lat)
	return l == "" || l == a.lang
}

// scriptOf tells Russian from English text by its letters, as
// transcribe.DetectLanguage does, over the first n bytes, without
// decoding runes: the report checks every quote it writes.
func scriptOf(s string, n int) string { return scriptLang(scriptCounts(s, n)) }

// scriptCounts counts the Cyrillic letters (two-byte UTF-8 sequences led
// by 0xD0–0xD3) and the Latin ones in the first n bytes of s.
func scriptCounts(s string, n int) (cyr, lat int) {
	for i := 0; i < len(s) && i < n; i++ {
		switch c := s[i]; {
		case c >= 0xD0 && c <= 0xD3:
			cyr++
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			lat++
		}
	}
	return cyr, lat
}

func scriptLang(cyr, lat int) string {
	switch {
	case cyr+lat < 3:
		return ""
	case cyr >= lat:
		return "ru"
	}
	return "en"
}
