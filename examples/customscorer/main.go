// Command customscorer shows how to write your own Scorer: a "script
// compliance" check for one company's call script (script.go), built on
// the score package's types, checked with the same conformance kit as the
// built-in scorers (score/scoretest; see main_test.go), and used by
// audit.New like any other scorer.
//
//	go run ./examples/customscorer
//
// To write your own, copy script.go, change the steps in taskFlowScript
// (or replace the matching with your own logic), and keep main_test.go's
// scoretest.Run passing.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/callaudit/callaudit/audit"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// taskFlowScript is the script of an imaginary CRM vendor, TaskFlow.
var taskFlowScript = []Step{
	{ID: "company_named", Weight: 2, Phrases: []string{"таскфлоу", "taskflow"},
		Title:  map[string]string{"ru": "Назвал компанию «ТаскФлоу»", "en": "Named TaskFlow"},
		Advice: map[string]string{"ru": "Представляйтесь: «Меня зовут …, компания ТаскФлоу».", "en": "Introduce yourself: \"This is … from TaskFlow\"."}},
	{ID: "team_size", Weight: 2, Phrases: []string{"сколько у вас менеджер", "сколько менеджер", "how many"},
		Title:  map[string]string{"ru": "Спросил размер отдела продаж", "en": "Asked the team size"},
		Advice: map[string]string{"ru": "Спросите, сколько менеджеров в отделе: от этого зависит тариф.", "en": "Ask how many sales reps they have: the plan depends on it."}},
	{ID: "trial_offer", Weight: 3, Phrases: []string{"две недели бесплатно", "14 дней", "free trial", "two weeks free"},
		Title:  map[string]string{"ru": "Предложил 14 дней бесплатно", "en": "Offered the free trial"},
		Advice: map[string]string{"ru": "Всегда предлагайте бесплатный период 14 дней.", "en": "Always offer the 14-day free trial."}},
	{ID: "demo_booked", Weight: 3, Phrases: []string{"демо", "настройк", "demo"},
		Title:  map[string]string{"ru": "Назначил демо или настройку", "en": "Booked a demo or setup call"},
		Advice: map[string]string{"ru": "Заканчивайте звонок записью на демо или настройку.", "en": "End the call by booking a demo or a setup call."}},
	{ID: "no_discount_promises", Weight: 2, Forbidden: true, Phrases: []string{"скидк", "discount"},
		Title:  map[string]string{"ru": "Без обещаний скидок", "en": "No discount promises"},
		Advice: map[string]string{"ru": "Скидки согласует только руководитель: не обещайте их в звонке.", "en": "Only a team lead approves discounts: do not promise them on the call."}},
}

const sampleDialog = `Менеджер: Добрый день! Меня зовут Анна, компания «ТаскФлоу». Вам удобно говорить?
Клиент: Да, здравствуйте.
Менеджер: Сколько у вас менеджеров в отделе продаж?
Клиент: Семь человек.
Менеджер: Для семи человек у нас есть тариф «Команда», и первые две недели бесплатно.
Клиент: А скидку дадите?
Менеджер: Если подключитесь сегодня, дадим скидку 10%. Запишу вас на настройку в четверг в 11:00?
Клиент: Хорошо.`

// run scores the sample dialog with the script scorer and prints the
// report.
func run(w io.Writer) error {
	scorer, err := NewScriptScorer("taskflow-script", taskFlowScript)
	if err != nil {
		return err
	}
	a, err := audit.New(scorer)
	if err != nil {
		return err
	}
	rep, err := a.Audit(context.Background(), audit.Input{DialogText: sampleDialog, CallID: "demo-1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d/100 (%s, %s)\n", rep.Meta.Scorer, rep.TotalScore, rep.Meta.Mode, rep.Meta.Language)
	for _, d := range rep.Details {
		fmt.Fprintf(w, "  %3d  %s: %s\n", d.Score, d.Title, d.Comment)
		for _, e := range d.Evidence {
			fmt.Fprintf(w, "      «%s» (%s, #%d)\n", e.Quote, e.Speaker, e.Segment)
		}
	}
	fmt.Fprintln(w, rep.Summary)
	for _, r := range rep.RecommendationList {
		fmt.Fprintln(w, " -", r)
	}
	return nil
}
