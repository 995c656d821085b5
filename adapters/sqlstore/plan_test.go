package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// TestSQLiteQueryPlans guards the schema's purpose: the history and stats
// queries are index range scans that need no sort, whatever filters they
// carry. (SQLite's planner needs no statistics for this; PostgreSQL's
// plans depend on them and are measured by the benchmarks instead.)
func TestSQLiteQueryPlans(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "plan.db"))
	require.NoError(t, err)
	defer s.Close()
	to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	lo, hi := 40, 80
	cur := storage.EncodeCursor(storage.Cursor{CreatedAt: to.Add(-time.Hour), ID: "call-9"})
	period := storage.Filter{ManagerID: "m", From: to.AddDate(0, 0, -90), To: to}

	plan := func(q string, args []any) string {
		rows, err := s.read.Query("EXPLAIN QUERY PLAN "+q, args...)
		require.NoError(t, err)
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			lines = append(lines, detail)
		}
		require.NoError(t, rows.Err())
		return strings.Join(lines, "\n")
	}
	lists := []struct {
		name  string
		f     storage.Filter
		index string
	}{
		{"all calls", storage.Filter{}, "calls_created"},
		{"all calls, next page", storage.Filter{Cursor: cur}, "calls_created"},
		{"manager", storage.Filter{ManagerID: "m"}, "calls_manager"},
		{"manager, period, scores", storage.Filter{ManagerID: "m", From: period.From, To: period.To, MinScore: &lo, MaxScore: &hi}, "calls_manager"},
		{"manager, period, next page", storage.Filter{ManagerID: "m", From: period.From, To: period.To, Cursor: cur, Mode: score.ModeClient}, "calls_manager"},
		{"status", storage.Filter{Status: storage.StatusQueued}, "calls_status"},
	}
	for _, tt := range lists {
		t.Run("List "+tt.name, func(t *testing.T) {
			q, args, _, err := s.listQuery(tt.f)
			require.NoError(t, err)
			p := plan(q, args)
			assert.Contains(t, p, "USING INDEX "+tt.index)
			assert.NotContains(t, p, "TEMP B-TREE FOR ORDER BY", "the index gives the order")
		})
	}
	t.Run("Stats", func(t *testing.T) {
		trend, trendArgs, criteria, criteriaArgs := s.statsQueries(storage.StatsQuery{ManagerID: "m", From: period.From, To: period.To})
		// One mode's calls of one manager: calls_board holds exactly them.
		assert.Contains(t, plan(trend, trendArgs), "USING COVERING INDEX calls_board (status=? AND mode=? AND manager_id=?")
		assert.Contains(t, plan(criteria, criteriaArgs), "USING COVERING INDEX call_criteria_manager")
	})
	t.Run("Managers", func(t *testing.T) {
		// The leaderboard of one mode over all time reads calls_board
		// alone, already grouped by manager.
		board, args := s.managersQuery(storage.ManagerQuery{Mode: score.ModeClient})
		p := plan(board, args)
		assert.Contains(t, p, "USING COVERING INDEX calls_board (status=? AND mode=?)")
		assert.NotContains(t, p, "TEMP B-TREE", "the index gives the groups")
	})
}
