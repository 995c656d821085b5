package queue_test

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// openRescoreQueue opens a queue over store that scores with the offline
// checklist.
func openRescoreQueue(t *testing.T, store *sqlstore.Store, dsn string) *queue.Queue {
	t.Helper()
	a, err := audit.New(checklist.New(), audit.WithStore(store))
	require.NoError(t, err)
	q, err := queue.Open(context.Background(), queue.Config{DatabaseURL: dsn, Auditor: a, PollInterval: 20 * time.Millisecond, JobTimeout: time.Minute})
	require.NoError(t, err)
	require.NoError(t, q.Start(context.Background()))
	return q
}

// waitRescore polls the rescore until until holds. It fails only when the
// rescore stops advancing for a minute, not after a fixed time: under the
// race detector on two shared cores 10,000 calls take minutes, and a slow
// machine is not a stuck job (go test's -timeout bounds the whole run).
func waitRescore(t *testing.T, q *queue.Queue, id string, until func(audit.RescoreStatus) bool) audit.RescoreStatus {
	t.Helper()
	const stall = time.Minute
	var (
		last     = -1
		advanced = time.Now()
	)
	for {
		st, err := q.Rescore(context.Background(), id)
		require.NoError(t, err)
		if until(st) {
			return st
		}
		if n := st.Done + st.Failed + st.Skipped; n != last {
			last, advanced = n, time.Now()
		} else if time.Since(advanced) > stall {
			require.FailNowf(t, "the rescore stopped advancing", "no progress for %s; it reads %+v", stall, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRescore10000CallsSurvivesRestart is issue 14's acceptance:
// rescoring 10,000 stored calls runs as a job with progress, survives a
// restart of the queue in the middle without scoring a finished call
// again, and leaves the earlier reports readable.
func TestRescore10000CallsSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "calls.db")
	store, err := sqlstore.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	const n = 10_000
	g := storagetest.Generator{Managers: 20, Seed: 14, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Span: 60 * 24 * time.Hour}
	loadStart := time.Now()
	require.NoError(t, storagetest.Load(ctx, store, g, n, 4))
	t.Logf("loaded %d calls in %s", n, time.Since(loadStart).Round(time.Millisecond))
	want := 0
	for i := range n {
		if c := g.Call(i); c.Status == storage.StatusDone {
			want++
		}
	}
	require.Greater(t, want, n/2)

	var (
		scored  sync.Map // call id → times scored
		count   atomic.Int64
		stopAt  = int64(want * 2 / 5)
		stopNow = make(chan struct{})
		once    sync.Once
	)
	defer queue.SetTestHookRescored(func(id string) {
		v, _ := scored.LoadOrStore(id, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
		if count.Add(1) == stopAt {
			once.Do(func() { close(stopNow) })
		}
	})()

	q1 := openRescoreQueue(t, store, dsn)
	start := time.Now()
	st, err := q1.StartRescore(ctx, audit.RescoreRequest{By: "u-admin", BatchSize: 250})
	require.NoError(t, err)
	require.Equal(t, audit.RescoreRunning, st.State)
	id := st.ID

	<-stopNow
	stopCtx, cancel := context.WithCancel(ctx)
	cancel() // no grace: the batch in flight is cut short
	_ = q1.Stop(stopCtx)
	firstRun := count.Load()
	mid, err := q1.Rescore(ctx, id)
	require.NoError(t, err)
	t.Logf("stopped after %d calls (%s); progress %+v", firstRun, time.Since(start).Round(time.Millisecond), mid.RescoreProgress)
	assert.Equal(t, want, mid.Total, "the total is known from the first batch")
	assert.Less(t, mid.Done, want, "stopped in the middle")
	assert.LessOrEqual(t, int64(mid.Done), firstRun, "progress counts what was scored")
	assert.Equal(t, audit.RescoreRunning, mid.State)

	q2 := openRescoreQueue(t, store, dsn)
	t.Cleanup(func() { _ = q2.Stop(context.Background()) })
	final := waitRescore(t, q2, id, func(s audit.RescoreStatus) bool { return s.State != audit.RescoreRunning })
	elapsed := time.Since(start)
	require.Equal(t, audit.RescoreDone, final.State, "%+v", final)
	assert.Equal(t, want, final.Total)
	assert.Equal(t, want, final.Done, "every done call scored again")
	assert.Zero(t, final.Failed)
	assert.Equal(t, int64(want), count.Load(), "no call scored twice, none left out")
	twice := 0
	scored.Range(func(_, v any) bool {
		if v.(*atomic.Int64).Load() != 1 {
			twice++
		}
		return true
	})
	assert.Zero(t, twice, "calls scored more than once")
	t.Logf("rescored %d calls in %s with a restart: %.0f calls/s", want, elapsed.Round(time.Millisecond), float64(want)/elapsed.Seconds())

	// Every call has its earlier report kept once, readable as it was.
	var archived, distinct int
	require.NoError(t, store.DB().QueryRowContext(ctx, "SELECT count(*), count(DISTINCT call_id) FROM call_reports").Scan(&archived, &distinct))
	assert.Equal(t, want, archived)
	assert.Equal(t, want, distinct)
	for _, i := range []int{0, 1, n / 2, n - 1} {
		orig := g.Call(i)
		if orig.Status != storage.StatusDone {
			continue
		}
		vs, err := store.Reports(ctx, orig.ID)
		require.NoError(t, err)
		require.Len(t, vs, 2, orig.ID)
		assert.Equal(t, orig.Report.TotalScore, vs[0].Report.TotalScore, "%s: the earlier report as it was", orig.ID)
		assert.Equal(t, orig.Report.Criteria, vs[0].Report.Criteria)
		assert.Equal(t, "job:"+id, vs[1].By)
		assert.Equal(t, storage.ReasonRescore, vs[1].Reason)
		assert.Equal(t, "checklist", vs[1].Report.Meta.Scorer)
		var ids []string
		for _, c := range checklist.New().DefaultRubric(orig.Mode).Criteria {
			ids = append(ids, c.ID)
		}
		assert.ElementsMatch(t, ids, slices.Collect(maps.Keys(vs[1].Report.Criteria)), "scored by the checklist's rubric of the call's mode")
	}
}

func TestRescoreRefusals(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "calls.db")
	store, err := sqlstore.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	q := openRescoreQueue(t, store, dsn)
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	now := time.Now()
	_, err = q.StartRescore(ctx, audit.RescoreRequest{Since: now, Until: now.Add(-time.Hour)})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "%v", err)
	_, err = q.StartRescore(ctx, audit.RescoreRequest{Scorecard: "bank"})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "no scorecards: %v", err)
	_, err = q.Rescore(ctx, "nope")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "%v", err)

	// An empty period finishes at once.
	st, err := q.StartRescore(ctx, audit.RescoreRequest{Since: now.Add(24 * time.Hour)})
	require.NoError(t, err)
	final := waitRescore(t, q, st.ID, func(s audit.RescoreStatus) bool { return s.State != audit.RescoreRunning })
	assert.Equal(t, audit.RescoreDone, final.State)
	assert.Zero(t, final.Total)
}
