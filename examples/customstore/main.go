// Command customstore shows how to plug your own storage into the auditor:
// a Store that keeps calls in a JSON-lines file (filestore.go), checked
// with the same conformance kit as the built-in stores
// (storage/storagetest; see main_test.go), and used by audit.New like any
// other.
//
//	go run ./examples/customstore            # a file in a temporary directory
//	go run ./examples/customstore -file calls.jsonl
//
// To write your own, copy filestore.go, replace the file with your
// database, and keep main_test.go's storagetest.Run passing.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
)

func main() {
	file := flag.String("file", "", "the JSON-lines file to keep the calls in (default: one in a temporary directory)")
	flag.Parse()
	if err := run(*file, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// calls are two short sales calls by the same manager.
var calls = []audit.Input{
	{CallID: "call-1", ManagerID: "anna", DialogText: "Менеджер: Добрый день! Меня зовут Анна, компания «ТаскФлоу». Вам удобно говорить?\n" +
		"Клиент: Да, здравствуйте.\nМенеджер: Расскажите, как ваши менеджеры сейчас ведут сделки?\n" +
		"Клиент: В таблицах, и сделки теряются.\nМенеджер: Давайте покажу, как это решается. Удобно в четверг в 11:00?\n" +
		"Клиент: Да, давайте. До свидания!"},
	{CallID: "call-2", ManagerID: "anna", DialogText: "Менеджер: Алло. У нас скидка только сегодня, берите.\nКлиент: Мне не интересно."},
}

// run audits the calls into a file store at path (empty: a temporary
// file), opens the file again as a restarted server would, and prints
// what it finds there.
func run(path string, w io.Writer) error {
	if path == "" {
		dir, err := os.MkdirTemp("", "customstore")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "calls.jsonl")
	}
	ctx := context.Background()

	store, err := Open(path)
	if err != nil {
		return err
	}
	a, err := audit.New(checklist.New(), audit.WithStore(store))
	if err != nil {
		store.Close()
		return err
	}
	for _, in := range calls {
		rep, err := a.Audit(ctx, in)
		if err != nil {
			store.Close()
			return err
		}
		fmt.Fprintf(w, "audited %s: %d/100\n", rep.ID, rep.TotalScore)
	}
	if err := store.Close(); err != nil {
		return err
	}

	// The history survives a restart.
	store, err = Open(path)
	if err != nil {
		return err
	}
	defer store.Close()
	page, err := store.List(ctx, storage.Filter{ManagerID: "anna"})
	if err != nil {
		return err
	}
	for _, c := range page.Calls {
		fmt.Fprintf(w, "stored %s: %s, %d criteria\n", c.ID, c.Status, len(c.Report.Criteria))
	}
	st, err := store.Stats(ctx, storage.StatsQuery{ManagerID: "anna"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "anna: %d calls, average %.1f, from %d to %d\n", st.Count, st.Average, st.Min, st.Max)
	return nil
}
