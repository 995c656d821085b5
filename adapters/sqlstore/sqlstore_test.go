package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
)

func TestSqlstoreConformance(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			if db.name == "postgres" {
				postgresURL(t) // skip (or fail) once, not in every subtest
			}
			storagetest.Run(t, func(t *testing.T) storage.Store {
				return open(t, db.fresh(t))
			})
			t.Run("EventLog", func(t *testing.T) {
				storagetest.RunEventLog(t, func(t *testing.T) storage.EventLog { return open(t, db.fresh(t)) })
			})
		})
	}
}

// migrationRows reads the migration table as text, to compare it across
// restarts.
func migrationRows(t *testing.T, s *sqlstore.Store) []string {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), "SELECT version, name, applied_at FROM callaudit_migrations ORDER BY version")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var (
			v       int
			name, a string
		)
		require.NoError(t, rows.Scan(&v, &name, &a))
		out = append(out, fmt.Sprintf("%d %s %s", v, name, a))
	}
	require.NoError(t, rows.Err())
	return out
}

func TestSqlstoreMigrationsIdempotent(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := db.fresh(t)
			s, err := sqlstore.Open(ctx, dsn)
			require.NoError(t, err)
			call := storagetest.FullCall("kept-across-restart", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
			require.NoError(t, s.Save(ctx, call))
			before := migrationRows(t, s)
			require.NotEmpty(t, before, "the first Open applies the migrations")
			require.NoError(t, s.Close())

			// The second Open finds every version applied: nothing runs
			// again (it would fail on CREATE TABLE) and the data is there.
			s2 := open(t, dsn, sqlstore.WithClock(func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }))
			assert.Equal(t, before, migrationRows(t, s2))
			got, err := s2.Get(ctx, call.ID)
			require.NoError(t, err)
			storagetest.AssertCallEqual(t, call, got)
		})
	}
}

// TestSqlstoreConcurrentOpen starts several stores on one empty database
// at once: the migration lock must let exactly one apply each version.
func TestSqlstoreConcurrentOpen(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			dsn := db.fresh(t)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					s, err := sqlstore.Open(context.Background(), dsn)
					if err == nil {
						err = s.Close()
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			s := open(t, dsn)
			assert.Len(t, migrationRows(t, s), embeddedMigrations(t, db.name), "each version once")
		})
	}
}

// embeddedMigrations counts the dialect's migration files.
func embeddedMigrations(t *testing.T, dialect string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", dialect, "*.sql"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return len(files)
}

// TestSqlstoreUpgradeAddsBoardIndex opens a database that has only the
// first version, with calls in it, as a store from before the per-mode
// leaderboard left it: the second version is applied, the calls stay, and
// the leaderboard of each mode is right.
func TestSqlstoreUpgradeAddsBoardIndex(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := db.fresh(t)
			s := open(t, dsn)
			at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
			for i, mode := range score.Modes {
				c := storagetest.FullCall(fmt.Sprintf("c%d", i), at.Add(time.Duration(i)*time.Hour))
				c.Mode = mode
				require.NoError(t, s.Save(ctx, c))
			}
			_, err := s.DB().ExecContext(ctx, "DROP INDEX calls_board")
			require.NoError(t, err, "version 2 made the index")
			_, err = s.DB().ExecContext(ctx, "DELETE FROM callaudit_migrations WHERE version = 2")
			require.NoError(t, err)
			require.NoError(t, s.Close())

			s2 := open(t, dsn)
			assert.Len(t, migrationRows(t, s2), embeddedMigrations(t, db.name))
			_, err = s2.DB().ExecContext(ctx, "DROP INDEX calls_board")
			require.NoError(t, err, "the upgrade made the index again")
			for _, mode := range score.Modes {
				board, err := s2.Managers(ctx, storage.ManagerQuery{Mode: mode})
				require.NoError(t, err)
				require.Len(t, board, 1, mode)
				assert.Equal(t, 1, board[0].Count, "%s: one call of that mode", mode)
			}
		})
	}
}

// TestSqlstoreConcurrentWriters is the 32×50: every save of many
// goroutines at once persists, and none fails with a lock error
// (SQLITE_BUSY would surface as a KindUnavailable error here).
func TestSqlstoreConcurrentWriters(t *testing.T) {
	const writers, perWriter = 32, 50
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			s := open(t, db.fresh(t))
			ctx := context.Background()
			gen := storagetest.Generator{Managers: 8, Seed: 1, From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Span: 30 * 24 * time.Hour}
			var wg sync.WaitGroup
			errs := make(chan error, writers*perWriter)
			for w := range writers {
				calls := make([]storage.Call, perWriter)
				for i := range calls {
					calls[i] = gen.Call(w*perWriter + i)
				}
				wg.Go(func() {
					for _, c := range calls {
						errs <- s.Save(ctx, c)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			seen := map[string]bool{}
			f := storage.Filter{Limit: storage.MaxLimit}
			for {
				page, err := s.List(ctx, f)
				require.NoError(t, err)
				for _, c := range page.Calls {
					seen[c.ID] = true
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			assert.Len(t, seen, writers*perWriter)
		})
	}
}

// TestSqlstoreCriteriaFollowSaves checks the call_criteria copies: a
// re-save replaces a call's criterion scores, and a call that stops
// counting (no longer done) leaves the per-criterion averages.
func TestSqlstoreCriteriaFollowSaves(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			s := open(t, db.fresh(t))
			ctx := context.Background()
			at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			mk := func(id string, criteria map[string]int) storage.Call {
				rep := &score.Report{Summary: "s", Recommendations: "r"}
				for cid, v := range criteria {
					rep.Details = append(rep.Details, score.CriterionResult{ID: cid, Score: v, Weight: 1})
				}
				rep.Recompute()
				return storage.Call{ID: id, ManagerID: "m", Mode: score.ModeManager, Status: storage.StatusDone, Report: rep, CreatedAt: at}
			}
			require.NoError(t, s.Save(ctx, mk("a", map[string]int{"greeting": 80, "needs": 40})))
			require.NoError(t, s.Save(ctx, mk("b", map[string]int{"greeting": 20})))
			st, err := s.Stats(ctx, storage.StatsQuery{ManagerID: "m"})
			require.NoError(t, err)
			assert.Equal(t, map[string]float64{"greeting": 50, "needs": 40}, st.Criteria)

			// Re-saving "a" with other criteria replaces its rows.
			require.NoError(t, s.Save(ctx, mk("a", map[string]int{"closing": 90})))
			st, err = s.Stats(ctx, storage.StatsQuery{ManagerID: "m"})
			require.NoError(t, err)
			assert.Equal(t, map[string]float64{"greeting": 20, "closing": 90}, st.Criteria)

			// "b" failing (re-analysis) takes it out of the statistics.
			failed := mk("b", map[string]int{"greeting": 20})
			failed.Status, failed.StatusReason = storage.StatusFailed, "upstream error"
			require.NoError(t, s.Save(ctx, failed))
			st, err = s.Stats(ctx, storage.StatsQuery{ManagerID: "m"})
			require.NoError(t, err)
			assert.Equal(t, 1, st.Count)
			assert.Equal(t, map[string]float64{"closing": 90}, st.Criteria)
		})
	}
}

func TestSqlstoreErrorKinds(t *testing.T) {
	for _, db := range databases() {
		t.Run(db.name, func(t *testing.T) {
			s := open(t, db.fresh(t))
			_, err := s.Get(context.Background(), "missing")
			assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err))
			assert.Equal(t, "call not found", callaudit.MessageOf(err))

			canceled, cancel := context.WithCancel(context.Background())
			cancel()
			err = s.Save(canceled, storagetest.FullCall("c", time.Now()))
			assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))

			require.NoError(t, s.Ping(context.Background()))
		})
	}
}

// TestSqlstoreSQLiteTwoWriters opens two Stores on one SQLite file, as two
// server processes would: each has its own writer connection, so the
// file lock is contended, and BEGIN IMMEDIATE with the busy timeout must
// make every save wait its turn instead of failing with SQLITE_BUSY.
func TestSqlstoreSQLiteTwoWriters(t *testing.T) {
	dsn := freshSQLite(t)
	stores := []*sqlstore.Store{open(t, dsn), open(t, dsn)}
	gen := storagetest.Generator{Managers: 4, Seed: 2, From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Span: 24 * time.Hour}
	const goroutines, perGoroutine = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*perGoroutine)
	for g := range goroutines {
		s := stores[g%len(stores)]
		wg.Go(func() {
			for i := range perGoroutine {
				errs <- s.Save(context.Background(), gen.Call(g*perGoroutine+i))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, stores[0].DB().QueryRow("SELECT count(*) FROM calls").Scan(&n))
	assert.Equal(t, goroutines*perGoroutine, n)
}

// TestSqlstoreOpenCreatesDirectory: a SQLite path in a directory that does
// not exist yet (a fresh server's data directory) works.
func TestSqlstoreOpenCreatesDirectory(t *testing.T) {
	for _, dsn := range []string{
		filepath.Join(t.TempDir(), "data", "audit", "calls.db"),
		"sqlite:" + filepath.Join(t.TempDir(), "nested", "calls.db"),
	} {
		s := open(t, dsn)
		require.NoError(t, s.Save(context.Background(), storagetest.FullCall("c1", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
		assert.FileExists(t, strings.TrimPrefix(dsn, "sqlite:"))
	}
}
