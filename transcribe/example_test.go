package transcribe_test

import (
	"fmt"

	"github.com/callaudit/callaudit/transcribe"
)

func ExampleParseDialog() {
	tr := transcribe.ParseDialog("Клиент: Здравствуйте! Менеджер: Добрый день, чем могу помочь?\n" +
		"[01:05] Agent: Anything else?\n[01:09] Customer: No, thanks.")
	for _, s := range tr.Segments {
		if s.Start != nil {
			fmt.Printf("%.0fs ", *s.Start)
		}
		fmt.Printf("%s: %s\n", s.Speaker, s.Text)
	}
	fmt.Println(tr.Language, tr.Source)
	// Output:
	// client: Здравствуйте!
	// manager: Добрый день, чем могу помочь?
	// 65s manager: Anything else?
	// 69s client: No, thanks.
	// ru text
}

func ExampleComputeMetrics() {
	tr := transcribe.ParseDialog(`[00:00] Менеджер: Добрый день! Удобно говорить?
[00:04] Клиент: Да.
[00:06] Менеджер: Сколько у вас менеджеров? Какую CRM используете?
[00:12] Клиент: Пятеро, пока работаем в таблицах.
[00:17 - 00:19] Менеджер: Понял, спасибо.`)
	m := transcribe.ComputeMetrics(tr)
	fmt.Println("turns:", m.Turns)
	fmt.Println("manager questions:", m.ManagerQuestions)
	fmt.Printf("manager talk share by words: %.2f\n", m.ManagerTalkShare)
	// Every turn has a start and (from the next turn or the range) an
	// end, so time-based figures are there too.
	fmt.Printf("manager talk: %.0fs of %.0fs\n", *m.ManagerTalkSeconds, *m.DurationSeconds)
	fmt.Printf("longest monologue: %.0fs\n", *m.LongestMonologueSeconds)
	// Output:
	// turns: 5
	// manager questions: 3
	// manager talk share by words: 0.68
	// manager talk: 12s of 19s
	// longest monologue: 6s
}
