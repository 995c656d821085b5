package pii_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/transcribe/pii"
)

// The acceptance corpus: dialog lines with one piece of personal data in
// one of the forms people dictate and transcribers write, and lines with
// ordinary numbers (prices, dates, times, quantities, order and contract
// numbers) that must stay as they are. Values are random (fixed seed), so
// checksums are computed, not copied from a list.

type gen struct{ r *rand.Rand }

func (g gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

func (g gen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

func (g gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// luhnComplete appends the Luhn check digit to body.
func luhnComplete(body string) string {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		v := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return body + string(byte('0'+(10-sum%10)%10))
}

func snilsComplete(g gen) string {
	for {
		d := g.digits(9)
		if d <= "001001998" {
			continue
		}
		sum := 0
		for i := range 9 {
			sum += int(d[i]-'0') * (9 - i)
		}
		c := sum
		switch {
		case sum < 100:
		case sum == 100 || sum == 101:
			c = 0
		default:
			c = sum % 101 % 100
		}
		return fmt.Sprintf("%s%02d", d, c)
	}
}

func innDigit(d string, w []int) byte {
	sum := 0
	for i, k := range w {
		sum += int(d[i]-'0') * k
	}
	return byte('0' + sum%11%10)
}

func inn10(g gen) string {
	d := g.digits(9)
	return d + string(innDigit(d, []int{2, 4, 10, 3, 5, 9, 4, 6, 8}))
}

func inn12(g gen) string {
	d := g.digits(10)
	d += string(innDigit(d, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}))
	return d + string(innDigit(d, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}))
}

var (
	ruUnits    = []string{"ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}
	ruTeens    = []string{"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"}
	ruTens     = []string{"", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"}
	ruHundreds = []string{"", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"}
	enUnits    = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
)

// ruGroup says a group of digits the way a Russian speaker dictates it:
// "916" is "девятьсот шестнадцать", "05" is "ноль пять".
func ruGroup(d string) string {
	if d[0] == '0' {
		var w []string
		for _, c := range d {
			w = append(w, ruUnits[c-'0'])
		}
		return strings.Join(w, " ")
	}
	var w []string
	if len(d) == 3 {
		w = append(w, ruHundreds[d[0]-'0'])
		d = d[1:]
		if d == "00" {
			return strings.Join(w, " ")
		}
		if d[0] == '0' {
			return strings.Join(append(w, ruUnits[d[1]-'0']), " ")
		}
	}
	if len(d) == 2 {
		switch {
		case d[0] == '1':
			return strings.Join(append(w, ruTeens[d[1]-'0']), " ")
		case d[1] == '0':
			return strings.Join(append(w, ruTens[d[0]-'0']), " ")
		default:
			return strings.Join(append(w, ruTens[d[0]-'0'], ruUnits[d[1]-'0']), " ")
		}
	}
	return strings.Join(append(w, ruUnits[d[0]-'0']), " ")
}

// spokenGroups says digit groups one after another. After a round
// hundred ("900") the speaker's pause is written as a comma: without it
// "девятьсот восемьдесят девять" is 989, not 900 and 89, for a listener
// as for the detector.
func spokenGroups(groups ...string) string {
	var b strings.Builder
	for i, g := range groups {
		if i > 0 {
			if p := groups[i-1]; len(p) == 3 && p[1:] == "00" {
				b.WriteString(",")
			}
			b.WriteString(" ")
		}
		b.WriteString(ruGroup(g))
	}
	return b.String()
}

func spellDigits(d string, units []string, sep string) string {
	w := make([]string, len(d))
	for i, c := range d {
		w[i] = units[c-'0']
	}
	return strings.Join(w, sep)
}

func (g gen) phone() string {
	code := g.pick("9"+g.digits(2), "9"+g.digits(2), "9"+g.digits(2), "495", "499", "812", "343", "800", "846", "383")
	n := g.digits(7)
	a, b, c := n[:3], n[3:5], n[5:]
	switch g.r.IntN(16) {
	case 0:
		return fmt.Sprintf("+7 (%s) %s-%s-%s", code, a, b, c)
	case 1:
		return fmt.Sprintf("+7 %s %s %s %s", code, a, b, c)
	case 2:
		return "+7" + code + n
	case 3:
		return fmt.Sprintf("8 (%s) %s-%s-%s", code, a, b, c)
	case 4:
		return fmt.Sprintf("8-%s-%s-%s-%s", code, a, b, c)
	case 5:
		return "8" + code + n
	case 6:
		return fmt.Sprintf("8 %s %s %s %s", code, a, b, c)
	case 7:
		return fmt.Sprintf("8 %s %s-%s-%s", code, a, b, c)
	case 8:
		return fmt.Sprintf("+7-%s-%s-%s-%s", code, a, b, c)
	case 9:
		return fmt.Sprintf("8(%s)%s%s%s", code, a, b, c)
	case 10: // as a transcriber hears the groups
		return fmt.Sprintf("8 %s %s %s %s", code, n[:2], n[2:4], n[4:])
	case 11: // spoken, groups as people say them
		return "восемь " + spokenGroups(code, a, b, c)
	case 12:
		return strings.Join([]string{"плюс семь", ruGroup(code), ruGroup(a), ruGroup(b), ruGroup(c)}, ", ")
	case 13: // digit by digit
		return spellDigits("8"+code+n, ruUnits, " ")
	case 14:
		return "+7 " + code + " " + a + " " + b + c
	default:
		return fmt.Sprintf("(%s) %s-%s-%s", code, a, b, c)
	}
}

func (g gen) enPhone() string {
	switch g.r.IntN(4) {
	case 0:
		return spellDigits("8"+"9"+g.digits(9), enUnits, " ")
	case 1:
		return fmt.Sprintf("+1 %d%s %s %s", g.between(2, 9), g.digits(2), g.digits(3), g.digits(4))
	case 2:
		return fmt.Sprintf("+44 20 %s %s", g.digits(4), g.digits(4))
	default:
		return g.phone()
	}
}

func (g gen) card() string {
	var n string
	switch g.r.IntN(5) {
	case 0:
		n = luhnComplete("4" + g.digits(14))
	case 1:
		n = luhnComplete("5" + string(byte('1'+g.r.IntN(5))) + g.digits(13))
	case 2:
		n = luhnComplete("220" + string(byte('0'+g.r.IntN(5))) + g.digits(11))
	case 3:
		n = luhnComplete("3" + g.pick("4", "7") + g.digits(12)) // 15 digits
	default:
		n = luhnComplete("62" + g.digits(g.between(11, 16)))
	}
	switch g.r.IntN(4) {
	case 0:
		return n
	case 1:
		if len(n) == 15 {
			return n[:4] + " " + n[4:10] + " " + n[10:]
		}
		fallthrough
	case 2:
		var parts []string
		for i := 0; i < len(n); i += 4 {
			parts = append(parts, n[i:min(i+4, len(n))])
		}
		return strings.Join(parts, g.pick(" ", "-"))
	default:
		var parts []string
		for i := 0; i < len(n); i += 4 {
			parts = append(parts, n[i:min(i+4, len(n))])
		}
		return strings.Join(parts, " ")
	}
}

func (g gen) passport() (value, cue string) {
	series := fmt.Sprintf("%02d%02d", g.between(1, 99), g.between(0, 25))
	num := g.digits(6)
	switch g.r.IntN(4) {
	case 0:
		return series[:2] + " " + series[2:] + " " + num, ""
	case 1:
		return series + " " + num, "паспорт "
	case 2:
		return series + " номер " + num, "серия "
	default:
		return series + num, "паспортные данные: "
	}
}

func (g gen) snils() (value, cue string) {
	d := snilsComplete(g)
	switch g.r.IntN(3) {
	case 0:
		return d[:3] + "-" + d[3:6] + "-" + d[6:9] + " " + d[9:], ""
	case 1:
		return d[:3] + " " + d[3:6] + " " + d[6:9] + " " + d[9:], "СНИЛС "
	default:
		return d, "СНИЛС "
	}
}

func (g gen) email() string {
	name := g.pick("ivan", "anna.petrova", "sergey_k", "m.ivanova", "olga1985", "dmitry.sidorov", "sales", "john.smith", "k-orlov")
	dom := g.pick("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "company.com", "firma.org", "list.ru")
	switch g.r.IntN(6) {
	case 0:
		return name + " собака " + strings.ReplaceAll(dom, ".", " точка ")
	case 1:
		return strings.ToUpper(name[:1]) + name[1:] + "@" + dom
	default:
		return name + "@" + dom
	}
}

var (
	ruMonths = []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	enMonths = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

func (g gen) date(en bool) string {
	d, m, y := g.between(1, 28), g.between(1, 12), g.between(1950, 2006)
	if !en && g.r.IntN(6) == 0 { // said in words, as a transcriber writes it
		day := g.pick("первого", "третьего", "пятнадцатого", "двадцатого", "двадцать пятого", "тридцатого", "седьмое", "третье")
		year := g.pick("тысяча девятьсот восемьдесят пятого года", "тысяча девятьсот девяностого года", "двухтысячного года",
			"две тысячи третьего года", "семьдесят восьмого года", "")
		return strings.TrimSpace(day + " " + ruMonths[m-1] + " " + year)
	}
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("%02d.%02d.%d", d, m, y)
	case 1:
		return fmt.Sprintf("%d-%02d-%02d", y, m, d)
	case 2:
		if en {
			return fmt.Sprintf("%s %d, %d", enMonths[m-1], d, y)
		}
		return fmt.Sprintf("%d %s %d года", d, ruMonths[m-1], y)
	case 3:
		if en {
			return fmt.Sprintf("%d %s %d", d, enMonths[m-1], y)
		}
		return fmt.Sprintf("%d %s %d", d, ruMonths[m-1], y)
	default:
		return fmt.Sprintf("%02d/%02d/%d", d, m, y)
	}
}

type sample struct {
	line, value string
	kind        pii.Kind
}

// piiSample returns one dialog line with one piece of personal data.
func (g gen) piiSample() sample {
	who := g.pick("Клиент: ", "", "Менеджер: ", "К: ")
	en := g.r.IntN(4) == 0
	if en {
		who = g.pick("Client: ", "", "Agent: ")
	}
	var v, line string
	var k pii.Kind
	switch g.r.IntN(9) {
	case 0, 1:
		k = pii.KindPhone
		if en {
			v = g.enPhone()
			line = g.pick("Sure, my number is %s, call after six.", "You can reach me at %s.", "Write it down: %s.", "%s — that's my mobile.", "Please call back on %s tomorrow.")
		} else {
			v = g.phone()
			line = g.pick("Да, записывайте: %s, звоните после шести.", "Мой телефон %s.", "Перезвоните мне на %s, пожалуйста.",
				"%s — это мобильный, лучше на него.", "Можно в ватсап, номер %s.", "Ага, %s, это рабочий.", "Телефон для связи %s, спросите Ольгу.")
		}
	case 2:
		k = pii.KindCard
		v = g.card()
		if en {
			line = g.pick("The card number is %s.", "Card %s, expiry twelve twenty-six.", "OK, %s.")
		} else {
			line = g.pick("Номер карты %s, срок до двадцать шестого.", "Карта %s.", "Диктую: %s.", "Оплачу картой %s, это Сбер.")
		}
	case 3:
		k = pii.KindPassport
		var cue string
		v, cue = g.passport()
		if en && cue == "" {
			line = g.pick("Here it is: %s.", "It's %s.")
		} else if en {
			line = "My passport number is %s."
		} else {
			line = g.pick("Хорошо, "+cue+"%s, выдан в две тысячи десятом.", "Записывайте, "+cue+"%s.", "Так, "+cue+"%s.")
		}
	case 4:
		k = pii.KindSNILS
		var cue string
		v, cue = g.snils()
		if en {
			line = "My SNILS is %s."
		} else {
			line = g.pick("Мой "+cue+"%s.", "Да, "+cue+"%s, проверьте.", "Вот "+cue+"%s, записали?")
		}
	case 5:
		k = pii.KindINN
		if g.r.IntN(2) == 0 {
			v = inn10(g)
		} else {
			v = inn12(g)
		}
		if en {
			line = g.pick("Our INN is %s.", "The taxpayer number, INN %s.")
		} else {
			line = g.pick("ИНН %s, это наша компания.", "Мой ИНН %s.", "Пишите ИНН организации: %s.")
		}
	case 6:
		k = pii.KindEmail
		v = g.email()
		if en {
			line = g.pick("Send it to %s, please.", "My email is %s.", "It's %s.")
		} else {
			line = g.pick("Пришлите на почту %s.", "Почта %s, туда и счёт.", "Мой имейл %s, запишете?", "Пишите на %s.")
		}
	case 7:
		k = pii.KindBirthDate
		v = g.date(en)
		if en {
			line = g.pick("Date of birth: %s.", "I was born on %s.", "My date of birth is %s.", "DOB %s.")
		} else {
			line = g.pick("Дата рождения %s.", "Я родился %s.", "Родилась %s, а что?", "Дата рождения у меня %s.")
		}
	default:
		k = pii.KindCode
		if g.r.IntN(2) == 0 {
			v = g.digits(3)
			if en {
				line = g.pick("The CVV is %s.", "CVC %s.", "Security code %s.")
			} else {
				line = g.pick("CVV %s.", "Три цифры на обороте: %s.", "Код на обратной стороне %s.", "CVC-код %s.")
			}
		} else {
			v = g.digits(g.between(4, 6))
			if g.r.IntN(4) == 0 && !en {
				v = spellDigits(v, ruUnits, " ")
			}
			if en {
				line = g.pick("The code from the SMS is %s.", "Verification code %s.", "The code is %s.")
			} else {
				line = g.pick("Код из смс %s.", "Пришёл код %s.", "Код подтверждения %s.", "Смс-код %s, диктую.")
			}
		}
	}
	return sample{line: who + fmt.Sprintf(line, v), value: v, kind: k}
}

// ordinaryLine returns a dialog line with numbers that are not personal data.
func (g gen) ordinaryLine() string {
	price := func() string {
		n := g.between(100, 9999999)
		s := fmt.Sprint(n)
		var parts []string
		for len(s) > 3 {
			parts = append([]string{s[len(s)-3:]}, parts...)
			s = s[:len(s)-3]
		}
		return strings.Join(append([]string{s}, parts...), " ")
	}
	d, m := g.between(1, 28), g.between(1, 12)
	ru := []func() string{
		func() string { return fmt.Sprintf("Стоимость %s рублей за год.", price()) },
		func() string {
			return fmt.Sprintf("Итого %s ₽ с учётом скидки %d%%.", price(), g.between(3, 40))
		},
		func() string {
			return fmt.Sprintf("Номер заказа %s, доставка %02d.%02d.%d.", g.digits(g.between(5, 11)), d, m, g.between(2024, 2026))
		},
		func() string {
			return fmt.Sprintf("Заказ № %s оформлен, привезём к %d:%02d.", g.digits(g.between(6, 12)), g.between(8, 20), 15*g.r.IntN(4))
		},
		func() string {
			return fmt.Sprintf("По договору № %d-%s/%d оплата до %d %s.", g.between(1, 99), g.digits(4), g.between(20, 26), d, ruMonths[m-1])
		},
		func() string {
			return fmt.Sprintf("Договор %d-%02d-%s подписан %02d.%02d.%d.", g.between(2023, 2026), g.between(1, 12), g.digits(4), d, m, g.between(2023, 2026))
		},
		func() string {
			return fmt.Sprintf("Нужно %d штук по %s рублей.", g.between(2, 5000), price())
		},
		func() string {
			return fmt.Sprintf("Давайте созвонимся %d %s в %d:%02d.", d, ruMonths[m-1], g.between(9, 19), 30*g.r.IntN(2))
		},
		func() string {
			return fmt.Sprintf("Счёт %s выставлен на %s рублей.", g.digits(g.between(4, 10)), price())
		},
		func() string {
			return fmt.Sprintf("Трек-номер %s, посылка придёт через %d дня.", g.digits(14), g.between(2, 4))
		},
		func() string {
			return fmt.Sprintf("Тариф на %d пользователей, %d гигабайт, %d минут.", g.between(5, 500), g.between(10, 2000), g.between(100, 3000))
		},
		func() string {
			return fmt.Sprintf("Мы работаем с %d года, у нас %s клиентов.", g.between(1995, 2020), price())
		},
		func() string {
			return fmt.Sprintf("Артикул %s, остаток %d шт.", g.digits(g.between(6, 13)), g.between(1, 900))
		},
		func() string {
			return fmt.Sprintf("Заявка %s от %02d.%02d, срок %d дней.", g.digits(g.between(5, 10)), d, m, g.between(3, 60))
		},
		func() string {
			return fmt.Sprintf("Скидка %d%% до %d %s, потом %s руб.", g.between(5, 50), d, ruMonths[m-1], price())
		},
		func() string {
			return fmt.Sprintf("Встреча %d.%02d в %d:%02d, переговорная %d.", d, m, g.between(9, 18), 30*g.r.IntN(2), g.between(1, 40))
		},
		func() string {
			return fmt.Sprintf("Лицевой счёт %s, к оплате %s рублей.", g.digits(g.between(8, 12)), price())
		},
		func() string {
			return fmt.Sprintf("Это %d-й тариф, %d месяцев бесплатно.", g.between(1, 9), g.between(1, 12))
		},
		func() string {
			return fmt.Sprintf("Оплата %s рублей двумя частями: %s и %s.", price(), price(), price())
		},
		func() string {
			return fmt.Sprintf("Продали %s единиц за %d квартал %d года.", price(), g.between(1, 4), g.between(2019, 2025))
		},
		func() string {
			return fmt.Sprintf("Офис на Ленина %d, кабинет %d, работаем с %d до %d.", g.between(1, 200), g.between(100, 999), g.between(8, 10), g.between(17, 21))
		},
		func() string {
			return fmt.Sprintf("Цены %d, %d и %d рублей, выбирайте.", g.between(100, 999), g.between(1000, 4999), g.between(5000, 9999))
		},
		func() string {
			return fmt.Sprintf("Штрихкод %s, код товара %s.", luhnComplete("46"+g.digits(10)), g.digits(g.between(5, 8)))
		},
		func() string {
			return fmt.Sprintf("Реквизиты: БИК %s, КПП %s, расчётный счёт 40702%s.", g.digits(9), g.digits(9), g.digits(15))
		},
		func() string {
			return fmt.Sprintf("ОГРН %s, работаем с %d года.", "1"+g.digits(12), g.between(2000, 2022))
		},
		func() string {
			return fmt.Sprintf("У нас %d филиала и %d сотрудников, выручка %d млн.", g.between(2, 90), g.between(50, 9000), g.between(10, 900))
		},
		func() string {
			return fmt.Sprintf("Версия %d.%d.%d вышла %d %s.", g.between(1, 9), g.between(0, 20), g.between(0, 99), d, ruMonths[m-1])
		},
		func() string {
			return fmt.Sprintf("Сейчас %d:%02d, перезвоню через %d минут.", g.between(9, 20), g.between(0, 59), g.between(5, 40))
		},
		func() string {
			return fmt.Sprintf("Пакет на %d минут и %d смс за %d рублей.", g.between(100, 3000), g.between(50, 500), g.between(200, 2000))
		},
	}
	en := []func() string{
		func() string { return fmt.Sprintf("It costs $%d,%03d per year.", g.between(1, 99), g.between(0, 999)) },
		func() string {
			return fmt.Sprintf("Your order number is %s, delivery on %s %d.", g.digits(g.between(5, 11)), enMonths[m-1], d)
		},
		func() string {
			return fmt.Sprintf("Invoice %d-%s is due %02d/%02d/%d.", g.between(2023, 2026), g.digits(4), m, d, g.between(2024, 2026))
		},
		func() string {
			return fmt.Sprintf("We need %d units at %d.%02d each.", g.between(2, 5000), g.between(1, 999), g.between(0, 99))
		},
		func() string {
			return fmt.Sprintf("Let's meet at %d:%02d on %s %d, %d.", g.between(1, 12), 30*g.r.IntN(2), enMonths[m-1], d, g.between(2024, 2026))
		},
		func() string {
			return fmt.Sprintf("Contract %s was signed in %d.", g.digits(g.between(6, 10)), g.between(2015, 2025))
		},
		func() string {
			return fmt.Sprintf("Ticket %s, we'll reply within %d hours.", g.digits(g.between(5, 9)), g.between(2, 48))
		},
		func() string { return fmt.Sprintf("That's %d%% off, so %s rubles total.", g.between(5, 50), price()) },
		func() string {
			return fmt.Sprintf("We have plans at %d, %d and %d dollars.", g.between(10, 49), g.between(50, 99), g.between(100, 999))
		},
		func() string {
			return fmt.Sprintf("Call volume grew %d%% in Q%d %d.", g.between(2, 80), g.between(1, 4), g.between(2019, 2025))
		},
		func() string {
			return fmt.Sprintf("Reference %d/%d, case closed on %d %s %d.", g.between(2020, 2026), g.between(1, 999), d, enMonths[m-1], g.between(2020, 2026))
		},
	}
	who := g.pick("Менеджер: ", "Клиент: ", "")
	if g.r.IntN(4) == 0 {
		return g.pick("Agent: ", "Client: ", "") + en[g.r.IntN(len(en))]()
	}
	return who + ru[g.r.IntN(len(ru))]()
}

// covered reports whether every byte of line[at:at+n] is inside a finding
// of kind k.
func covered(fs []pii.Finding, at, n int, k pii.Kind) bool {
	pos := at
	for _, f := range fs {
		if f.Kind == k && f.Start <= pos && f.End > pos {
			pos = f.End
		}
	}
	return pos >= at+n
}

func TestCorpus(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(13, 2026))}
	const nPII, nPlain = 3000, 3000

	found, total := map[pii.Kind]int{}, map[pii.Kind]int{}
	hits := 0
	var missed []string
	for range nPII {
		s := g.piiSample()
		at := strings.Index(s.line, s.value)
		if !assert.GreaterOrEqual(t, at, 0) {
			continue
		}
		total[s.kind]++
		if covered(pii.Find(s.line), at, len(s.value), s.kind) {
			found[s.kind]++
			hits++
		} else if len(missed) < 20 {
			missed = append(missed, fmt.Sprintf("%s: %s", s.kind, s.line))
		}
	}
	recall := float64(hits) / nPII
	kinds := slices.Clone(pii.Kinds)
	for _, k := range kinds {
		t.Logf("recall %-10s %4d/%4d = %.4f", k, found[k], total[k], float64(found[k])/float64(max(total[k], 1)))
	}
	t.Logf("recall overall %d/%d = %.4f", hits, nPII, recall)
	for _, m := range missed {
		t.Logf("missed %s", m)
	}

	flagged := 0
	var wrong []string
	for range nPlain {
		line := g.ordinaryLine()
		if fs := pii.Find(line); len(fs) > 0 {
			flagged++
			if len(wrong) < 20 {
				wrong = append(wrong, fmt.Sprintf("%s %q in %s", fs[0].Kind, line[fs[0].Start:fs[0].End], line))
			}
		}
	}
	fpr := float64(flagged) / nPlain
	t.Logf("false positives %d/%d lines = %.4f", flagged, nPlain, fpr)

	assert.GreaterOrEqual(t, recall, 0.99, "missed:\n%s", strings.Join(missed, "\n"))
	assert.LessOrEqual(t, fpr, 0.01, "flagged:\n%s", strings.Join(wrong, "\n"))
	for _, k := range kinds {
		assert.Positive(t, total[k], "the corpus has %s", k)
	}
}
