package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// Open a SQLite file (created with its schema on first use), save an
// audited call and read a manager's statistics. A postgres:// URL instead
// of the path gives the same store on PostgreSQL.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "callaudit-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(dir, "calls.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	report := &score.Report{
		Summary:         "Greeted the client and found the need; no next step.",
		Recommendations: "Agree on a demo with a date.",
		Details: []score.CriterionResult{
			{ID: "greeting", Score: 90, Weight: 1},
			{ID: "next_step", Score: 30, Weight: 2},
		},
	}
	report.Recompute()
	err = store.Save(ctx, storage.Call{
		ID: "call-1", ManagerID: "anna", Mode: score.ModeManager, Status: storage.StatusDone,
		Report: report, CreatedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := store.Stats(ctx, storage.StatsQuery{ManagerID: "anna"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(store.Dialect(), st.Count, st.Average, st.Criteria["next_step"], st.Trend[0].Start.Format(time.DateOnly))
	// Output: sqlite 1 50 30 2026-03-02
}
