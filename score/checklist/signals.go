package checklist

import "github.com/callaudit/callaudit/transcribe"

// signal is one observable thing in a call ("the manager greeted", "the
// client objected"). Criteria are computed from signals.
type signal int

const (
	sigGreet signal = iota
	sigIntroName
	sigIntroCompany
	sigPermission
	sigCourtesy
	sigReason
	sigOpenWord
	sigTellMe
	sigPain
	sigSummary
	sigConfirm
	sigBenefit
	sigObjection
	sigEmpathy
	sigValue
	sigDismiss
	sigAction
	sigTime
	sigAgree
	sigAgreeMgr
	sigPropose
	sigVague
	sigFarewell
	sigThanks
	sigClientBye
	sigRude
	sigPressure
	sigCardData
	sigInterest
	sigBuy
	sigReject
	sigRefuse
	sigUnheard
	sigBrushOff
	sigClaimAgree
	sigBusy
	sigInbound
	sigNeed
	sigConfused
	sigHostile
	sigSatisfied
	sigResolved
	sigDeflect
	sigAnythingElse
	sigCalling
	sigConditional
	sigCommit
	sigUnderstood
	sigTerms
	numSignals
)

// Signals are bits of a uint64 per sentence and segment (analysis.sentSig):
// this fails to compile when there are more than 64.
var _ [64 - numSignals]struct{}

// signalNames are the signals' names in scorecards (scorecard.Signals;
// a test checks both lists agree).
var signalNames = [numSignals]string{
	sigGreet:        "greet",
	sigIntroName:    "intro_name",
	sigIntroCompany: "intro_company",
	sigPermission:   "permission",
	sigCourtesy:     "courtesy",
	sigReason:       "reason",
	sigOpenWord:     "open_word",
	sigTellMe:       "tell_me",
	sigPain:         "pain",
	sigSummary:      "summary",
	sigConfirm:      "confirm",
	sigBenefit:      "benefit",
	sigObjection:    "objection",
	sigEmpathy:      "empathy",
	sigValue:        "value",
	sigDismiss:      "dismiss",
	sigAction:       "action",
	sigTime:         "time",
	sigAgree:        "agree",
	sigAgreeMgr:     "agree_manager",
	sigPropose:      "propose",
	sigVague:        "vague",
	sigFarewell:     "farewell",
	sigThanks:       "thanks",
	sigClientBye:    "client_bye",
	sigRude:         "rude",
	sigPressure:     "pressure",
	sigCardData:     "card_data",
	sigInterest:     "interest",
	sigBuy:          "buy",
	sigReject:       "reject",
	sigRefuse:       "refuse",
	sigUnheard:      "unheard",
	sigBrushOff:     "brush_off",
	sigClaimAgree:   "claim_agree",
	sigBusy:         "busy",
	sigInbound:      "inbound",
	sigNeed:         "need",
	sigConfused:     "confused",
	sigHostile:      "hostile",
	sigSatisfied:    "satisfied",
	sigResolved:     "resolved",
	sigDeflect:      "deflect",
	sigAnythingElse: "anything_else",
	sigCalling:      "calling",
	sigConditional:  "conditional",
	sigCommit:       "commit",
	sigUnderstood:   "understood",
	sigTerms:        "terms",
}

type signalDef struct {
	sig     signal
	role    transcribe.Role // who must say it; "" is anyone
	phrases []string
}

const (
	mgr = transcribe.RoleManager
	cli = transcribe.RoleClient
)

// signalDefs are the phrase tables, Russian and English side by side. The
// syntax is described at elem. Phrases are deliberately conservative: a
// missed phrase costs a few points, a false one rewards bad calls.
var signalDefs = []signalDef{
	{sigGreet, mgr, []string{
		"добр* день", "добр* утро", "добр* вечер", "доброго времени суток", "здравствуй*", "приветству*", "привет",
		"hello", "hi", "hey", "good morning", "good afternoon", "good evening", "greetings",
		// Answering an inbound call for the company is its greeting.
		"слушаю вас", "спасибо за звонок", "thanks for calling", "thank you for calling",
	}},
	{sigIntroName, mgr, []string{
		"меня зовут", "мое имя", "на связи", "с вами .. говорит", "это .. из", "звоню из",
		"my name is", "my name's", "this is .. from", "this is .. with", "speaking", "here from",
		"it's .. from", "it's .. with", "here with", "this is",
	}},
	{sigIntroCompany, mgr, []string{
		"компани*", "из .. компани*", "звоню из", "представляю", "беспокоит .. из", "это .. из", "служба", "магазин*", "отдел*",
		"this is .. from", "this is .. with", "calling from", "on behalf of", "company", "here from", "team at",
		"банк*", "агентств*", "автоцентр*", "автосалон*", "завод*", "it's .. from", "it's .. with", "here with",
		"thanks for calling",
	}},
	{sigPermission, mgr, []string{
		"удобн* .. говор*", "удобн* сейчас", "удобн* .. разговар*", "есть .. минут*", "найдет* .. минут*", "уделит* .. минут*",
		"не отвлека*", "не отвлек*", "можем .. поговорить", "пару минут", "минутку",
		"good time", "bad time", "have a minute", "have a few minutes", "have .. minutes", "got a minute", "got a few",
		"is now okay", "can we talk", "okay to talk", "free to talk", "a quick chat", "okay time", "ok time", "good moment",
		"convenient time", "better time", "удобный момент", "удобное время",
	}},
	{sigCourtesy, mgr, []string{
		"спасибо", "благодар*", "пожалуйста", "рад* слышать", "приятно", "как у вас дела", "как ваши дела",
		"thanks", "thank you", "please", "appreciate", "nice to", "glad to", "how are you",
		"сочувству*", "выздоравлива*", "sorry to hear", "get well",
	}},
	{sigReason, mgr, []string{
		"оставлял* заявк*", "оставил* заявк*", "по вашей заявке", "по поводу вашей", "вы интересовал*", "звоню по поводу", "звоню по",
		"вы обращал*", "по вашему обращению", "в прошлый раз", "мы общались", "вы писали",
		"you requested", "you reached out", "you filled", "your request", "you signed up", "following up on", "reaching out because",
		"calling about", "we spoke", "you asked", "you left a request", "you left a", "your inquiry", "you contacted us",
		"you emailed", "i sent you", "по вашему запросу", "вы оставили", "вы звонили", "вы запрашивали",
	}},
	{sigOpenWord, mgr, []string{
		"как", "каким", "какой", "какая", "какое", "какие", "каких", "какую", "что", "чем", "чего", "почему", "зачем", "сколько",
		"где", "когда", "кто", "кого", "кому",
		"what", "what's", "how", "why", "which", "where", "when", "who",
	}},
	{sigTellMe, mgr, []string{
		"расскажит*", "опишит*", "поделит*", "объяснит*", "подскажит*", "уточнит*",
		"tell me", "walk me through", "describe", "share with me", "help me understand",
	}},
	{sigPain, mgr, []string{
		"меша*", "проблем*", "сложност*", "трудност*", "боль", "болит", "не устраива*", "задач*", "цел*", "важн*", "приоритет*",
		"беспоко*", "не хвата*",
		"challeng*", "problem*", "pain", "goal*", "priorit*", "struggl*", "frustrat*", "important", "bottleneck*", "not working",
	}},
	{sigSummary, mgr, []string{
		"то есть", "правильно .. понима*", "правильно .. понял*", "верно .. понима*", "верно .. понял*", "как я понял*",
		"если я правильно", "резюмир*", "подытож*", "итак вам", "получается вам", "получается что",
		"so what i'm hearing", "if i understand", "if i understood", "correct me if", "sounds like you", "so you need",
		"so your", "to summarize", "to sum up", "let me make sure", "did i get that right", "is that right", "is that correct",
		"am i right", "if i've got it right", "if i got it right", "if i got that right", "have i got that right",
		"have i got it right", "did i get it right", "is that fair", "fair summary", "to recap",
		"just to recap", "let me recap", "just to confirm", "so you're looking for", "so what you need", "if i'm hearing you",
		"если я верно", "я правильно понимаю", "правильно .. услышал*", "давайте .. уточню", "подведу итог*", "подведем итог*",
		"я так понимаю", "как я понимаю",
	}},
	{sigConfirm, cli, []string{
		"да", "именно", "верно", "точно", "правильно", "так и есть", "ага",
		"yes", "yeah", "exactly", "right", "correct", "that's it", "spot on", "yep",
	}},
	{sigBenefit, mgr, []string{
		"сокращ*", "эконом*", "увелич*", "позволя*", "позволит", "помож*", "помога*", "быстрее", "автоматич*", "сразу видит",
		"контрол*", "не потеря*", "результат*", "окуп*", "выгод*", "снизит*", "сниж*",
		"save*", "saving*", "reduce*", "increase*", "helps", "help you", "lets you", "allows", "so you can", "faster",
		"result*", "cut* .. time", "never lose", "pays for",
	}},
	{sigObjection, cli, []string{
		"дорог*", "подума*", "не надо", "не нужно", "не нужна", "не нужен", "нет времени", "уже есть", "уже был*", "уже пользу*",
		"сомнева*", "не уверен*", "не интересн*", "не интересует", "нет денег", "нет бюджета", "не сейчас", "посоветоваться",
		"нам вроде не", "неудобно",
		"expensive", "too much", "more than we pay", "think about it", "not interested", "already have", "already use",
		"no budget", "not sure", "can't afford", "not now", "no time", "too pricey", "pricey", "don't need",
	}},
	{sigEmpathy, mgr, []string{
		"понимаю", "понятно", "согласен", "согласна", "справедлив*", "хороший вопрос", "разумно", "вас понимаю", "логично",
		"i understand", "i hear you", "makes sense", "fair", "good question", "totally get", "i get that", "understandable",
	}},
	{sigValue, mgr, []string{
		"окуп*", "бесплатн*", "пробн*", "тестов*", "без риска", "меньше", "дешевле", "посчита*", "экономи*", "стоит меньше",
		"гаранти*", "возврат*", "рассрочк*", "получаете", "получите", "кейс*",
		"free", "trial", "pilot", "roi", "pays for itself", "less than", "cost of", "guarantee*", "refund*", "you get",
		"case stud*", "return on",
	}},
	{sigDismiss, mgr, []string{
		"да не", "ну и что", "ничего не дорого", "это не дорого", "не дорого это", "вы не понимаете", "ладно",
		"no it's not", "it's not expensive", "whatever", "you don't understand", "trust me", "believe me", "поверьте",
	}},
	{sigAction, mgr, []string{
		"пришлю", "вышлю", "отправлю", "направлю", "созвон*", "встрет*", "встреч*", "демо*", "договорим*", "перезвон*", "позвон*",
		"назнач*", "запишу", "запиш*", "наберу", "подключ*", "переключ*", "придерж*", "настройк*", "презентаци*", "счет", "договор", "доступ", "приед*", "привез*",
		"send", "schedule", "book", "call you", "meeting", "demo", "follow up", "set up", "set you up", "invite", "calendar",
		"onboarding", "contract", "proposal", "quote", "invoice", "i'll email", "switch you", "on hold", "confirmation",
		"come in", "come by", "stop by", "drop by", "test drive", "appointment", "visit", "viewing", "pick you up",
		"приходит*", "подъезжайт*", "подъедет*", "визит*", "просмотр*", "тест-драйв*", "прием*",
	}},
	{sigTime, "", []string{
		"понедельник*", "вторник*", "среду", "среда", "четверг*", "пятниц*", "суббот*", "воскресен*", "завтра", "послезавтра",
		"# 00", "# 30", "# 15", "# 45", "в # час*", "в #", "с # до #", "на следующей неделе", "на этой неделе", "через .. дн*",
		"через недел*", "через час", "до конца недели", "в полдень", "в час дня", "сегодня вечером", "сегодня после",
		// Small numbers are left out: "в два раза" is no time of day.
		"в два часа", "в три часа", "в четыре часа", "в пять часов", "в шесть", "в семь", "в восемь", "в девять", "в десять",
		"в одиннадцать", "в двенадцать", "в половине", "после обеда", "до обеда", "часа в", "часов в",
		"январ*", "феврал*", "март*", "апрел*", "мая", "июн*", "июл*", "август*", "сентябр*", "октябр*", "ноябр*", "декабр*",
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow", "next week", "at #",
		"at noon", "at two", "at three", "at four", "at five", "at six", "at nine", "at ten", "at eleven",
		"this afternoon", "later today", "in two days", "in a week", "tonight", "end of day", "within an hour",
		"next billing", "в течение часа", "в течение дня", "до конца дня", "с завтрашн*", "с понедельник*",
		"# am", "# pm", "# o'clock", "end of the week", "this week", "after lunch", "this evening", "tomorrow morning", "january", "february", "march", "april", "june",
		"july", "august", "september", "october", "november", "december",
	}},
	{sigAgree, cli, []string{
		"да", "хорошо", "давайте", "подходит", "договорились", "отлично", "согласен", "согласна", "ок", "окей", "удобно",
		"можно", "конечно", "подойдет", "приеду", "приду", "буду", "записывайте", "устраивает",
		"yes", "sure", "ok", "okay", "sounds good", "works for me", "that works", "great", "deal", "perfect", "fine", "let's do",
		"works", "suits me", "suits us", "i'll be there", "we'll be there", "see you then", "book it", "book me",
	}},
	// The manager accepting a step the client proposed.
	{sigAgreeMgr, mgr, []string{
		"да", "хорошо", "давайте", "договорились", "отлично", "конечно", "подходит", "записал*", "записываю", "принято",
		"согласен", "согласна", "супер", "ок", "окей",
		"yes", "sure", "ok", "okay", "sounds good", "works for me", "that works", "great", "deal", "perfect", "absolutely",
		"of course", "will do", "works",
	}},
	// Words that make a day or time a proposal rather than a report
	// ("в прошлый вторник говорили"), said by either side.
	{sigPropose, "", []string{
		"давайте", "предлага*", "предлож*", "можем", "могу", "можно", "может", "удобн*", "подойдет", "подходит",
		"перезвонит*", "позвонит*", "приезжайт*", "приходит*", "запишит*", "запишу", "записать", "назначим",
		"could we", "can we", "let's", "how about", "what about", "shall we", "would", "works for you", "call me",
		"does .. work", "is .. okay", "are you free", "free on",
	}},
	{sigVague, mgr, []string{
		"надумает*", "звоните", "позвоните нам", "если что", "обращайтесь", "будем ждать", "как решите",
		"let me know", "call us", "get back to me", "get back to us", "reach out if", "whenever you're ready", "brochure",
	}},
	{sigFarewell, mgr, []string{
		"до свидания", "всего .. доброго", "всего .. хорошего", "хорошего .. дня", "хорошего .. вечера", "до .. встречи",
		"до связи", "до завтра", "удачи", "прекрасного .. дня",
		"до понедельник*", "до вторник*", "до сред*", "до четверг*", "до пятниц*", "до суббот*", "до воскресен*", "до вечера",
		"созвонимся", "хорошей дороги", "осторожнее на дороге", "счастливого пути",
		"talk monday", "talk tuesday", "talk wednesday", "talk thursday", "talk friday", "talk tomorrow", "talk then",
		"talk at", "drive safe", "good luck", "отличного .. дня", "приятного .. дня", "приятного .. вечера",
		"goodbye", "bye", "have a great", "have a good", "have a nice", "have a lovely", "talk soon", "talk to you soon",
		"talk to you later", "take care", "see you", "speak soon",
	}},
	{sigThanks, mgr, []string{
		"спасибо", "благодар*",
		"thank*",
	}},
	{sigClientBye, cli, []string{
		"до свидания", "всего .. доброго", "всего .. хорошего", "хорошего .. дня", "до .. встречи", "до завтра", "пока", "и вам",
		"угу", "bye", "goodbye", "you too", "take care", "talk soon", "see you",
	}},
	{sigRude, mgr, []string{
		"короче", "ну и что", "вы что", "глуп*", "дура*", "дурак*", "идиот*", "заткн*", "отстан*", "ваши проблемы",
		"не мои проблемы", "мне все равно", "не морочьте", "бред", "чушь", "отвали*", "слушайте сюда", "не тупите",
		"stupid", "shut up", "i don't care", "not my problem", "your problem", "idiot*", "dumb", "listen to me", "are you deaf", "nonsense",
		// Condescending address and blaming the client.
		"женщина", "мужчина", "девушка", "вы же понимаете", "вы же сами", "сами виноваты", "сами должны", "сами себе",
		"надо было раньше", "надо было вовремя", "ваша ответственность", "не одна вы", "не один вы", "не кричите",
		"что тут непонятного", "сто раз", "я вам уже", "вы просто не", "не наши проблемы", "странная позиция",
		"потом не жалуйтесь", "надо было нормально", "не обязан", "не обязана", "сами подписали", "раз подписали",
		"if you signed", "you signed for it", "not obliged to",
		"sweetheart", "honey", "sweetie", "your fault", "that's on you", "your loss", "did you even", "everyone knows",
		"you just don't get", "don't complain", "you'll be liable",
	}},
	{sigPressure, mgr, []string{
		"бер* сегодня", "только сегодня", "всем надо", "все берут", "все покупают", "последний шанс", "акция заканчива*",
		"решайте быстр*", "решайте сейчас", "сейчас или никогда", "последн* мест*", "потом будет поздно", "не упустите",
		"надо брать", "срочно", "сегодня .. скидк*", "скидк* .. сегодня",
		"only today", "today only", "everyone needs", "everybody needs", "last chance", "now or never", "decide now",
		"offer expires", "sign today", "you have to decide", "won't last", "act now",
	}},
	{sigCardData, mgr, []string{
		"номер карт*", "номер вашей карт*", "номер своей карт*", "номер банковск* карт*", "cvv", "cvc", "cvv2", "код .. смс", "код .. sms", "смс код", "код из смс", "срок действия .. карт*",
		"три цифры", "пин код", "пинкод", "код подтвержд*", "данные .. карт*", "код с обратной",
		"card number", "security code", "sms code", "verification code", "one-time code", "one time code",
		"expiry date", "expiration date", "pin", "three digits", "card details",
	}},
	{sigInterest, cli, []string{
		"интересн*", "звучит", "неплохо", "расскажите подробнее", "а как", "а сколько", "сколько стоит", "а можно", "а есть",
		"хотелось бы", "нравится", "здорово", "любопытн*",
		"interesting", "sounds good", "sounds great", "tell me more", "how much", "how does", "can it", "does it", "i like",
		"we'd like", "i want", "curious",
		// A cautious client conceding the argument: «Логично», «Это
		// можно обсуждать», "That's fair".
		"логично", "можно обсужд*", "можно обсуд*", "that's fair", "that's reasonable", "sounds reasonable", "more reasonable",
	}},
	{sigBuy, cli, []string{
		"давайте попробуем", "попробуем", "беру", "берем", "оформля*", "оформим", "подключайт*", "подключа*", "согласен",
		"согласна", "договорились", "покупаем", "давайте оформ*", "присылайте", "подходит",
		"давайте увелич*", "давайте подключ*", "давайте перейд*", "давайте смен*", "давайте закаж*",
		"давайте возьм*", "возьму", "возьмем", "закажу", "закажем",
		"i'll go with", "we'll go with", "let's go with", "i'll order", "i'll buy",
		"let's do it", "let's try", "sign up", "i'll take", "we'll take", "deal", "let's go", "send it over", "go ahead",
		"works for us", "that works",
	}},
	{sigReject, cli, []string{
		"не надо", "не интересно", "не интересует", "не нужно", "не звоните", "подумаю", "подумаем",
		"not interested", "don't need", "don't call", "think about it", "not for us",
	}},
	// A refusal of what was just proposed: it decides that a proposal, a
	// next step or an alternative was not accepted, whatever the manager
	// says next. A bare "Нет"/"No" opening the reply counts too (refuses).
	{sigRefuse, cli, []string{
		"не обещаю", "ничего не обещаю", "не приеду", "не приду", "не буду", "не хочу", "ничего не хочу", "не надо",
		"мне не нужн*", "нам не нужн*", "не нужна", "не нужен", "не интересн*", "не записывайте", "не оформляйте",
		"скорее нет", "скорее всего не", "нет спасибо", "нет не надо", "нет не нужно",
		"not promising", "i'm not promising", "no deal", "i said no", "no thanks", "no thank you", "don't sign",
		"i don't need", "we don't need", "i don't want", "not interested", "don't call", "please don't",
	}},
	// The client saying that their request was not heard: the manager's
	// questions and offer missed the need the client stated.
	{sigUnheard, cli, []string{
		"вы меня .. слышите", "вы меня слышите", "вы не слышите", "при чем тут", "при чем здесь", "я же говорю", "я же сказал*",
		"вы не ответили", "вы издеваетесь", "я про", "я спрашивал*", "я же спросил*", "так что с",
		"you're not listening", "are you listening", "that's not what i asked", "i just asked", "you didn't answer",
		"what does that have to do", "i already told you", "i told you",
	}},
	// Sending the client elsewhere with the request they called about.
	{sigBrushOff, mgr, []string{
		"обратитесь в", "обратитесь на", "обратитесь по", "нужно обратиться", "нужно позвонить в", "смотрите на сайте",
		"все на сайте", "на сайте все", "все есть на сайте", "не наши проблемы", "это не к нам",
		"please contact", "contact support", "contact our", "call our service", "call our support", "google it",
		"look on our website", "it's on the website", "check our website", "it's all there", "not our problem",
	}},
	// The manager declaring the client agreed: with a refusal before it,
	// keyword stuffing rather than a next step.
	{sigClaimAgree, mgr, []string{
		"договорились", "фиксируем", "зафиксируем", "записываю", "записал*", "оформляю", "переключаю", "отмечу",
		"we're agreed", "agreed", "deal", "i'll put you down", "i'll go ahead", "set that up", "sign you up",
		"i'll process", "shall i process",
	}},
	// The client stating a need or a problem: its words are what the
	// manager's later turns must take up.
	{sigNeed, cli, []string{
		"мне нужн*", "нам нужн*", "нужен", "нужна", "не работает", "не работают", "не хватает", "проблем*", "беда",
		"теряются", "стучит", "списали", "не выдали", "не пришл*", "не приехал*",
		"i need", "we need", "not working", "failing", "problem", "issue", "doesn't work", "broken", "charged twice",
	}},
	// The manager answering an inbound call.
	{sigInbound, mgr, []string{
		"слушаю", "чем могу помочь", "чем помочь", "спасибо за звонок", "спасибо за обращение", "техподдержка",
		"how can i help", "how may i help", "thanks for calling", "thank you for calling",
	}},
	// The client cannot talk now: a call that books a callback politely
	// is a good short call, not a failed one.
	{sigBusy, cli, []string{
		"за рулем", "на совещании", "на встрече", "сейчас неудобно", "неудобно сейчас", "не могу говорить", "перезвоните",
		"можете позже", "наберите", "позже",
		"i'm driving", "in a meeting", "call me at", "call me back", "can't talk", "call me later", "bad time",
	}},
	// The client saying they did not understand or are still in the
	// dark: the conversation missed them, whatever was said.
	{sigConfused, cli, []string{
		"не понял*", "не поняла", "не понимаю", "не очень понял*", "не успеваю", "так и не", "что это вообще", "запутал*",
		"о чем вы", "не разобрал*", "все равно не",
		"i don't understand", "i don't get it", "i'm confused", "i'm lost", "lost me", "still don't know", "what do you mean",
		"not following", "i'm not sure what", "makes no sense",
	}},
	// The client irritated or hostile: the tone of the conversation
	// suffers whoever caused it.
	{sigHostile, cli, []string{
		"вранье", "обман*", "сказк*", "безобрази*", "издевает*", "сколько можно", "надоел*", "достали", "кошмар", "возмутительн*",
		"больше не звоните", "уйду", "к другому", "к другим", "другого провайдер*", "только деньги",
		"fine whatever", "ok whatever", "okay whatever", "yeah whatever", "ridiculous", "unacceptable", "waste of time", "other providers", "another provider", "fed up", "sick of",
		"i'm done", "this is a joke", "что за разговор", "как вы разговариваете", "что вы себе позволяете", "хамств*", "хамит*",
		"excuse me", "never mind", "how dare", "that's rude", "unbelievable", "don't talk to me",
		"really frustrating", "so frustrating", "this is frustrating", "i'm frustrated", "i'm disappointed", "very disappointed",
		"somewhere else", "go elsewhere", "another company", "разочарован*", "в другую компанию", "в другой банк", "в другое агентство",
		"в другую клинику", "в другой салон",
	}},
	// The client's relief or satisfaction with what was done.
	{sigSatisfied, cli, []string{
		"спасибо огромное", "огромное спасибо", "спасибо большое", "большое спасибо", "успокоили", "помогли", "получилось",
		"заработал*", "понятно объяснил*", "за это .. люблю", "оплачено", "вот спасибо", "выручили",
		"that was quick", "painless", "you've been great", "that would be great", "that's great", "thanks so much",
		"thank you so much", "good to know", "works now", "way faster", "much better", "lifesaver", "oh great", "perfect",
	}},
	// The manager doing what the client asked during the call.
	{sigResolved, mgr, []string{
		"сняла блокировку", "снял блокировку", "разблокировал*", "вернул*", "исправил*", "починил*", "готово", "сделано",
		"все получилось", "я оформил*", "сделал* заявк*", "оформил* заявк*", "переключил*", "я отменил*", "пересчитал*", "подал* заявк*", "передал* мастер*",
		"i've refunded", "refunded", "fixed", "i just moved", "i've moved", "sorted", "i've filed", "filed it", "resolved",
		"it's done", "all set", "done", "i've cancelled", "i've canceled", "i've updated", "i've switched",
	}},
	// The manager putting the client's question off to a later meeting
	// instead of answering it, or declining to answer it at all ("I
	// can't promise anything", «точно не подскажу»).
	{sigDeflect, mgr, []string{
		"не могу ничего обещать", "ничего не могу обещать", "ничего не обещаю", "не могу сказать", "не подскажу",
		"не могу подсказать", "понятия не имею", "не в курсе", "это не ко мне", "вопрос к собственнику", "это вопрос не ко мне",
		"ничем не могу помочь", "ничего не могу сделать", "не могу ничего сделать",
		"can't promise anything", "cannot promise anything", "i can't promise", "no idea", "not up to me", "not my department",
		"nothing i can do", "can't help you with", "i don't know, it depends", "i don't know it depends",
		"покажу на демонстрации", "на демонстрации", "на демо", "обсудим на встрече", "расскажу на встрече", "на встрече расскажу",
		"это потом", "об этом позже", "давайте потом",
		"in the demo", "on the demo", "go over that", "we'll cover that", "cover that later", "get to that later",
		"talk about that later",
	}},
	// The manager's closing "anything else?": a "Нет, спасибо" to it
	// refuses nothing.
	{sigAnythingElse, mgr, []string{
		"что-то еще", "что то еще", "что-нибудь еще", "что нибудь еще", "еще вопросы", "остались вопросы", "еще чем-то", "еще чем то",
		"anything else", "something else", "any other questions", "anything more",
	}},
	// The client saying why they are calling: the call is inbound.
	{sigCalling, cli, []string{
		"я звоню", "звоню по", "звоню узнать", "хотел* .. узнать", "хотел* .. спросить", "хочу узнать", "хочу спросить",
		"хочу сменить", "хочу перейти", "хочу расторгн*", "хочу подключ*", "хочу записат*", "я по объявлению", "я по поводу",
		"i'm calling", "calling about", "i need a", "i want to know", "i'd like to", "i wanted to ask", "i want to upgrade",
		"i want to change", "i want to cancel", "i was wondering", "i'm looking for", "i'm looking at", "i have a question",
		"i'd like to book", "i ordered", "мне бы", "записаться", "у меня вопрос", "можно узнать",
	}},
	// The manager offering a step on a condition the client is left to
	// meet: «если хотите, могу прислать…», "if you like I could send…".
	// Unless the client takes it up, it is no agreed step.
	{sigConditional, mgr, []string{
		"если хотите", "если хочется", "если желаете", "если интересно", "если вам интересно", "если нужно", "если вам нужно",
		"если надо", "если понадобится", "при желании", "если захотите", "если решите", "если надумаете", "если будет нужно",
		"если вдруг", "могу .. если", "можем .. если",
		"if you like", "if you'd like", "if you want", "if you wish", "if you're interested", "if that helps", "if it helps",
		"if you need", "if you ever", "if you decide", "should you want", "happy to .. if", "i could .. if", "i can .. if",
	}},
	// The client taking their part of the step: «Скину сегодня вечером».
	// The same words are the manager's own actions, so they count only
	// from a speaker known to be the client. (Letting the manager send or
	// call, «можете прислать», "you can send it", is permission, not a
	// commitment.)
	{sigCommit, cli, []string{
		"скину", "пришлю", "вышлю", "отправлю", "перешлю", "i'll send", "will do", "i'll email", "i'll forward",
	}},
	// The client saying they understood: the conversation reached them
	// («Понятно, спасибо», "Got it, that makes sense"). Negated («не
	// понятно») it is dropped; confusion is sigConfused.
	{sigUnderstood, cli, []string{
		"понятно", "ясно", "понял", "поняла", "теперь понимаю", "все понятно", "доходчиво",
		"understood", "got it", "makes sense", "i see", "that's clear", "clear now", "now i understand",
	}},
	// The terms of a purchase — price, payment, discount, delivery,
	// dates, warranty, a trial — which the client asks about when they
	// consider buying. Only the client's questions count
	// (analysis.deriveTermQuestions): they are signs of interest.
	{sigTerms, cli, []string{
		// Not «когда», «сколько» or "when" alone: «когда почините?»,
		// «сколько ждать?» complain.
		"цен*", "стоим*", "стоит", "по деньгам", "торг*", "скидк*", "дешевле", "подешевле", "ипотек*", "рассрочк*",
		"кредит*", "оплат*", "платн*", "бесплатн*", "гаранти*", "доставк*", "пробн*", "тариф*", "договор*",
		"price*", "cost*", "how much", "charge", "fee", "fees", "discount*", "financ*", "trade in", "delivery", "deliver",
		"warranty", "trial", "contract", "in stock", "payment*", "installment*", "cheaper",
	}},
}
