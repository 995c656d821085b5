package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// TestSqlstoreCriteriaRowCounts saves reports with criterion counts on
// both sides of the prepared-statement cache's bound (64), twice each so
// that the second save reuses a prepared insert, and checks that every
// criterion reaches the statistics and that Get reads the call back.
func TestSqlstoreCriteriaRowCounts(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			s := open(t, db.fresh(t))
			ctx := context.Background()
			at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			for _, n := range []int{1, 9, 64, 65, 80} {
				manager := fmt.Sprintf("m%d", n)
				for round := range 2 {
					rep := &score.Report{Summary: "s", Recommendations: "r"}
					for i := range n {
						rep.Details = append(rep.Details, score.CriterionResult{ID: fmt.Sprintf("c%02d", i), Score: 10*round + i, Weight: 1})
					}
					rep.Recompute()
					id := fmt.Sprintf("call-%d-%d", n, round)
					require.NoError(t, s.Save(ctx, storage.Call{ID: id, ManagerID: manager, Mode: score.ModeManager,
						Status: storage.StatusDone, Report: rep, CreatedAt: at}))
					got, err := s.Get(ctx, id)
					require.NoError(t, err)
					require.NotNil(t, got.Report)
					assert.Len(t, got.Report.Criteria, n)
				}
				st, err := s.Stats(ctx, storage.StatsQuery{ManagerID: manager})
				require.NoError(t, err)
				assert.Equal(t, 2, st.Count, "n=%d", n)
				require.Len(t, st.Criteria, n, "n=%d", n)
				// Criterion i scored i and 10+i in the two rounds.
				assert.InDelta(t, float64(n-1)+5, st.Criteria[fmt.Sprintf("c%02d", n-1)], 1e-9, "n=%d", n)
			}
		})
	}
}
