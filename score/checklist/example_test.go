package checklist_test

import (
	"context"
	"fmt"
	"log"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
)

// The quick start: parse a pasted dialog, score it offline, read the total
// and one criterion with its evidence.
func Example() {
	tr := transcribe.ParseDialog(`Менеджер: Добрый день! Меня зовут Анна, компания «ТаскФлоу». Вам удобно говорить?
Клиент: Да, здравствуйте.
Менеджер: Расскажите, как ваши менеджеры сейчас ведут сделки?
Клиент: В таблицах, и сделки теряются.
Менеджер: То есть главное — не терять сделки, правильно я понимаю?
Клиент: Да.
Менеджер: В нашей системе у каждой сделки есть дата следующего шага, так сделки не теряются. Давайте покажу на демо в четверг в 11:00?
Клиент: Давайте, подходит.
Менеджер: Спасибо, до свидания!`)

	rep, err := checklist.New().Score(context.Background(), score.Request{Transcript: tr, Mode: score.ModeManager})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("total:", rep.TotalScore)
	fmt.Println(rep.Criteria)
	for _, d := range rep.Details {
		if d.ID == checklist.NextStep {
			fmt.Printf("%s: %d (%s)\n", d.Title, d.Score, d.Comment)
			fmt.Printf("evidence: %q, segment %d\n", d.Evidence[0].Quote, d.Evidence[0].Segment)
		}
	}
	// Output:
	// total: 82
	// map[conduct:100 farewell:100 greeting:100 need_summary:100 needs_discovery:45 next_step:100 objection_handling:100 presentation:70 rapport:75]
	// Договорённость о следующем шаге: 100 (Конкретный шаг с датой, клиент согласился)
	// evidence: "Давайте покажу на демо в четверг в 11:00?", segment 6
}

// A team can reweigh the checklist, or score only some of its criteria,
// by passing a rubric with the request.
func ExampleScorer_Score_rubric() {
	tr := transcribe.ParseDialog("Agent: Hi, this is Mark from CloudDesk.\nCustomer: Hi.\nAgent: I'll send you the pricing. Bye!")
	rubric := score.Rubric{Name: "greeting only", Criteria: []score.Criterion{
		{ID: checklist.Greeting, Weight: 1},
	}}
	rep, err := checklist.New().Score(context.Background(), score.Request{Transcript: tr, Rubric: &rubric})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Meta.Language, rep.TotalScore, rep.Criteria)
	// Output:
	// en 100 map[greeting:100]
}

// DefaultRubric lists the criteria and weights the checklist scores a mode
// with: score's default rubric unless WithRubric replaced it.
func ExampleScorer_DefaultRubric() {
	for _, c := range checklist.New().DefaultRubric(score.ModeClient).Criteria {
		fmt.Printf("%-16s %2.0f  %s\n", c.ID, c.Weight, c.TitleIn("en"))
	}
	// Output:
	// client_interest  25  Client interest
	// objections       20  Client objections
	// commitment       35  Readiness to buy
	// engagement       20  Client engagement
}
