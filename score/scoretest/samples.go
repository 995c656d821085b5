package scoretest

import "github.com/callaudit/callaudit/transcribe"

// Samples returns the transcripts Run scores: a Russian sales call with
// speaker labels, an English call with timestamps (and an interruption),
// and a short call whose speakers are unknown. Each call returns fresh
// copies.
func Samples() []transcribe.Transcript {
	return []transcribe.Transcript{ruSales(), enTimed(), unlabelled()}
}

func ruSales() transcribe.Transcript {
	m, c := transcribe.RoleManager, transcribe.RoleClient
	return transcribe.Transcript{Language: "ru", Source: "text", Segments: []transcribe.Segment{
		{Speaker: m, Text: "Добрый день! Меня зовут Ирина, компания «Склад-Про». Вам удобно говорить?"},
		{Speaker: c, Text: "Здравствуйте, да, пару минут есть."},
		{Speaker: m, Text: "Расскажите, как вы сейчас ведёте учёт остатков на складе?"},
		{Speaker: c, Text: "В Excel, и постоянно путаемся с остатками."},
		{Speaker: m, Text: "То есть главное — точные остатки без путаницы, правильно я понимаю?"},
		{Speaker: c, Text: "Да, верно. Но это, наверное, дорого."},
		{Speaker: m, Text: "Понимаю. У нас есть бесплатный пробный период на две недели, остатки обновляются сами при каждой продаже."},
		{Speaker: c, Text: "Хорошо, давайте попробуем."},
		{Speaker: m, Text: "Отлично, пришлю доступ сегодня и созвонимся в пятницу в 15:00. Спасибо, до свидания!"},
		{Speaker: c, Text: "До свидания."},
	}}
}

func enTimed() transcribe.Transcript {
	m, c := transcribe.RoleManager, transcribe.RoleClient
	at := func(role transcribe.Role, start, end float64, text string) transcribe.Segment {
		return transcribe.Segment{Speaker: role, Text: text, Start: transcribe.Seconds(start), End: transcribe.Seconds(end)}
	}
	return transcribe.Transcript{Language: "en", Duration: transcribe.Seconds(62), Source: "scoretest", Segments: []transcribe.Segment{
		at(m, 0, 5, "Hi, this is Tom from Acme Payroll. Is now a good time?"),
		at(c, 5.5, 7, "Yes, go ahead."),
		at(m, 7.5, 12, "What do you use for payroll today, and what takes the most time?"),
		at(c, 12.5, 20, "A spreadsheet. Checking overtime by hand takes two days a month."),
		at(m, 19, 30, "Our tool calculates overtime automatically, so those two days become an hour. It costs 5 dollars per employee."),
		at(c, 30.5, 34, "That's more than we pay now."),
		at(m, 34.5, 42, "I understand. What are those two days of work worth to you?"),
		at(c, 42.5, 46, "Fair point. Let's try it."),
		at(m, 46.5, 55, "Great, I'll send an invite for a demo on Monday at 10 am. Thank you, have a good day!"),
		at(c, 55.5, 57, "Thanks, bye."),
	}}
}

func unlabelled() transcribe.Transcript {
	u := transcribe.RoleUnknown
	return transcribe.Transcript{Source: "text", Segments: []transcribe.Segment{
		{Speaker: u, Text: "Алло, добрый день, это доставка цветов."},
		{Speaker: u, Text: "Да, слушаю вас."},
		{Speaker: u, Text: "Курьер будет у вас завтра в 12:00, вам удобно?"},
		{Speaker: u, Text: "Да, удобно, спасибо."},
	}}
}
