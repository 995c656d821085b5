package audit_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

// The quick start: audit a pasted dialog with the offline checklist scorer
// (no API key needed) and keep the history in memory.
func Example() {
	a, err := audit.New(checklist.New(), audit.WithStore(memory.New()))
	if err != nil {
		log.Fatal(err)
	}
	rep, err := a.Audit(context.Background(), audit.Input{
		DialogText: "Менеджер: Добрый день! Меня зовут Анна, компания «ТаскФлоу». Вам удобно говорить?\n" +
			"Клиент: Да, здравствуйте.\n" +
			"Менеджер: Расскажите, как ваши менеджеры сейчас ведут сделки?\n" +
			"Клиент: В таблицах, и сделки теряются.",
		Mode:      "Manager+",
		CallID:    "call-1",
		ManagerID: "anna",
	})
	if err != nil {
		log.Fatal(err)
	}
	// rep.TotalScore is the 0..100 result; each detail has a score, a
	// comment and evidence quotes, and the advice is in Recommendations.
	fmt.Println("call:", rep.ID, "language:", rep.Meta.Language, "scorer:", rep.Meta.Scorer)
	fmt.Println("in range:", rep.TotalScore >= 0 && rep.TotalScore <= 100)
	fmt.Println("greeting scored:", rep.Criteria["greeting"] > 0)
	fmt.Println("manager questions:", rep.Metrics.ManagerQuestions)
	// Output:
	// call: call-1 language: ru scorer: checklist
	// in range: true
	// greeting scored: true
	// manager questions: 2
}

// The history: every audit is saved, so a sales lead can list a manager's
// calls and see their statistics.
func Example_history() {
	store := memory.New()
	a, err := audit.New(checklist.New(), audit.WithStore(store))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for i, text := range []string{
		"Manager: Hello, this is Mark from CloudDesk. Is it a good time to talk?\nClient: Yes, go ahead.",
		"Manager: Hi. Our platform has many features.\nClient: I am not interested, thanks.",
	} {
		_, err := a.Audit(ctx, audit.Input{DialogText: text, CallID: fmt.Sprint("call-", i+1), ManagerID: "mark", Language: "en"})
		if err != nil {
			log.Fatal(err)
		}
	}

	page, err := store.List(ctx, storage.Filter{ManagerID: "mark"})
	if err != nil {
		log.Fatal(err)
	}
	var ids []string
	for _, c := range page.Calls {
		ids = append(ids, c.ID+" ("+string(c.Status)+")")
	}
	fmt.Println(strings.Join(ids, ", "))

	st, err := store.Stats(ctx, storage.StatsQuery{ManagerID: "mark"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("calls:", st.Count, "criteria:", len(st.Criteria) > 0)
	// Output:
	// call-2 (done), call-1 (done)
	// calls: 2 criteria: true
}
