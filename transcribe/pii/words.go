package pii

// Word tables, all lower case with ё written as е (the scanner folds text
// the same way). Cues are word beginnings: "паспорт" also matches
// "паспорта" and "паспортные".

type wordClass uint8

const (
	wUnit    wordClass = iota + 1 // 0..9
	wTeen                         // 10..19
	wTen                          // 20..90
	wHundred                      // 100..900
	wPlus                         // "плюс", "plus"
)

type numWord struct {
	class wordClass
	val   int8 // the digit: 7 for "семь", "семьдесят" and "семьсот"; 0..9 of a teen
}

// numWords are the number words a transcriber writes when a client
// dictates digits: "восемь девятьсот шестнадцать сто двадцать три…".
var numWords = map[string]numWord{
	"ноль": {wUnit, 0}, "нуль": {wUnit, 0},
	"один": {wUnit, 1}, "одна": {wUnit, 1},
	"два": {wUnit, 2}, "две": {wUnit, 2},
	"три": {wUnit, 3}, "четыре": {wUnit, 4}, "пять": {wUnit, 5},
	"шесть": {wUnit, 6}, "семь": {wUnit, 7}, "восемь": {wUnit, 8}, "девять": {wUnit, 9},
	"десять": {wTeen, 0}, "одиннадцать": {wTeen, 1}, "двенадцать": {wTeen, 2},
	"тринадцать": {wTeen, 3}, "четырнадцать": {wTeen, 4}, "пятнадцать": {wTeen, 5},
	"шестнадцать": {wTeen, 6}, "семнадцать": {wTeen, 7}, "восемнадцать": {wTeen, 8},
	"девятнадцать": {wTeen, 9},
	"двадцать":     {wTen, 2}, "тридцать": {wTen, 3}, "сорок": {wTen, 4}, "пятьдесят": {wTen, 5},
	"шестьдесят": {wTen, 6}, "семьдесят": {wTen, 7}, "восемьдесят": {wTen, 8}, "девяносто": {wTen, 9},
	"сто": {wHundred, 1}, "двести": {wHundred, 2}, "триста": {wHundred, 3},
	"четыреста": {wHundred, 4}, "пятьсот": {wHundred, 5}, "шестьсот": {wHundred, 6},
	"семьсот": {wHundred, 7}, "восемьсот": {wHundred, 8}, "девятьсот": {wHundred, 9},
	"плюс": {wPlus, 0},

	"zero": {wUnit, 0}, "oh": {wUnit, 0},
	"one": {wUnit, 1}, "two": {wUnit, 2}, "three": {wUnit, 3}, "four": {wUnit, 4},
	"five": {wUnit, 5}, "six": {wUnit, 6}, "seven": {wUnit, 7}, "eight": {wUnit, 8}, "nine": {wUnit, 9},
	"ten": {wTeen, 0}, "eleven": {wTeen, 1}, "twelve": {wTeen, 2}, "thirteen": {wTeen, 3},
	"fourteen": {wTeen, 4}, "fifteen": {wTeen, 5}, "sixteen": {wTeen, 6},
	"seventeen": {wTeen, 7}, "eighteen": {wTeen, 8}, "nineteen": {wTeen, 9},
	"twenty": {wTen, 2}, "thirty": {wTen, 3}, "forty": {wTen, 4}, "fifty": {wTen, 5},
	"sixty": {wTen, 6}, "seventy": {wTen, 7}, "eighty": {wTen, 8}, "ninety": {wTen, 9},
	"plus": {wPlus, 0},
}

// Cues before a number, per kind.
var (
	cuePhone = []string{"телефон", "тел", "номер", "позвон", "звон", "перезвон", "мобильн", "сотов",
		"ватсап", "вотсап", "whatsapp", "телеграм", "telegram", "phone", "mobile", "cell", "call", "reach", "number", "контакт"}
	cueCard     = []string{"карт", "card", "visa", "виза", "mastercard", "мастеркард", "мир"}
	cuePassport = []string{"паспорт", "passport", "сери", "series"}
	cueSNILS    = []string{"снилс", "snils", "страхов", "insurance"}
	cueINN      = []string{"инн", "inn", "налогоплат", "taxpayer", "tax id", "tin"}
	cueCVV      = []string{"cvv", "cvc", "cvv2", "cvc2", "на обороте", "на обратной", "с обратной", "оборот",
		"security code", "back of the card", "три цифры", "three digits"}
	cueSMS = []string{"смс", "sms", "код из", "код подтвержд", "одноразов", "проверочн", "код пришел", "пришел код",
		"verification code", "confirmation code", "one-time", "one time", "otp", "passcode", "code from", "the code is", "code is"}

	// cueNotPII are words after which a number is a document or order
	// number, not personal data, unless a cue of the kind itself is present.
	cueNotPII = []string{"заказ", "договор", "счет", "накладн", "артикул", "арт.", "трек", "№", "заявк", "отправлени",
		"квитанц", "платеж", "лицев", "инвентар", "тикет", "обращени", "партии", "модел", "товар", "штрихкод", "огрн", "бик", "кпп",
		"order", "contract", "barcode", "ean", "invoice", "tracking", "ticket", "sku", "item", "account", "model", "batch"}
	// unitsAfter are words after a number that make it a quantity or price.
	unitsAfter = []string{"руб", "р.", "₽", "тыс", "млн", "млрд", "долл", "$", "евро", "€", "штук", "шт", "%", "процент",
		"коп", "минут", "секунд", "час", "дн", "лет", "год", "кг", "км", "метр", "мес",
		"rub", "dollar", "usd", "eur", "pcs", "pieces", "units", "items", "percent", "minutes", "hours", "days", "years", "kg", "km"}
)

// months maps month names (Russian genitive and nominative, English, short
// English) to their number, for dates of birth written in words.
var months = map[string]int{
	"января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6,
	"июля": 7, "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
	"july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
	"sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

const (
	fBirth = 1 << iota // a date of birth may follow
	fAt                // a spoken at-sign in an e-mail address
)

type wordInfo struct {
	num   numWord // class 0: not a number word
	flags uint8
}

// birthWords are the cue words of a date of birth; "д" stands for "д.р."
// and "д/р" and is checked for what follows.
var birthWords = []string{"рождения", "рождении", "рождение", "рожденья", "родился", "родилась", "родились",
	"рожден", "рождена", "д", "birth", "born", "birthdate", "birthday", "dob"}

// words is every word the scanner looks up, so each word of the text costs
// one map access.
var words = func() map[string]wordInfo {
	m := make(map[string]wordInfo, len(numWords)+len(birthWords)+3)
	for w, n := range numWords {
		m[w] = wordInfo{num: n}
	}
	for _, w := range birthWords {
		x := m[w]
		x.flags |= fBirth
		m[w] = x
	}
	for _, w := range []string{"собака", "at", "эт"} {
		x := m[w]
		x.flags |= fAt
		m[w] = x
	}
	return m
}()
