package memory_test

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return memory.New() })
}

// TestLargeStoreAgainstBruteForce loads enough generated calls to fill
// many index blocks and compares paged listings and stats with a brute
// force over the same calls, so that walks starting and stopping inside
// blocks are exercised (the kit's fixtures fit in one block).
func TestLargeStoreAgainstBruteForce(t *testing.T) {
	ctx := context.Background()
	g := storagetest.Generator{Managers: 5, Seed: 3, From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Span: 60 * 24 * time.Hour}
	const n = 5000
	s := memory.New()
	require.NoError(t, storagetest.Load(ctx, s, g, n, 4))
	require.Equal(t, n, s.Len())
	calls := storagetest.GenerateCalls(n, g.Managers, g.Seed, g.From, g.Span)
	slices.SortFunc(calls, func(a, b storage.Call) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})

	day := 24 * time.Hour
	filters := []storage.Filter{
		{},
		{ManagerID: g.ManagerID(1)},
		{From: g.From.Add(10 * day), To: g.From.Add(40 * day)},
		{ManagerID: g.ManagerID(3), MinScore: ptr(60), Mode: score.ModeManager},
		{Status: storage.StatusQueued},
		{MaxScore: ptr(55), To: g.From.Add(30 * day)},
	}
	for i, f := range filters {
		var want []string
		for _, c := range calls {
			if (f.ManagerID == "" || c.ManagerID == f.ManagerID) &&
				(f.From.IsZero() || !c.CreatedAt.Before(f.From)) &&
				(f.To.IsZero() || c.CreatedAt.Before(f.To)) &&
				(f.Mode == "" || c.Mode == f.Mode) &&
				(f.Status == "" || c.Status == f.Status) &&
				scoreIn(c, f.MinScore, f.MaxScore) {
				want = append(want, c.ID)
			}
		}
		require.NotEmpty(t, want, "filter %d selects something", i)
		for _, limit := range []int{37, 500, storage.MaxLimit} {
			f.Limit, f.Cursor = limit, ""
			var got []string
			for {
				page, err := s.List(ctx, f)
				require.NoError(t, err)
				for _, c := range page.Calls {
					got = append(got, c.ID)
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			assert.Equal(t, want, got, "filter %d, limit %d", i, limit)
		}
	}

	for k, mode := range iterModes(g.Managers) {
		q := storage.StatsQuery{ManagerID: g.ManagerID(k), Mode: mode, From: g.From.Add(5 * day), To: g.From.Add(50 * day), Bucket: storage.BucketWeek}
		st, err := s.Stats(ctx, q)
		require.NoError(t, err)
		var count, sum int
		weeks := map[time.Time]int{}
		for _, c := range calls {
			if c.ManagerID == q.ManagerID && c.Mode == mode && c.Report != nil && !c.CreatedAt.Before(q.From) && c.CreatedAt.Before(q.To) {
				count++
				sum += c.Report.TotalScore
				weeks[storage.BucketWeek.Start(c.CreatedAt)]++
			}
		}
		require.Positive(t, count)
		assert.Equal(t, count, st.Count, q.ManagerID)
		assert.InDelta(t, float64(sum)/float64(count), st.Average, 1e-9, q.ManagerID)
		assert.Len(t, st.Trend, len(weeks))
		for _, p := range st.Trend {
			assert.Equal(t, weeks[p.Start], p.Count, "%s week %v", q.ManagerID, p.Start)
		}
	}
}

// iterModes yields every manager index with every mode.
func iterModes(managers int) iter.Seq2[int, score.Mode] {
	return func(yield func(int, score.Mode) bool) {
		for k := range managers {
			for _, m := range score.Modes {
				if !yield(k, m) {
					return
				}
			}
		}
	}
}

func scoreIn(c storage.Call, lo, hi *int) bool {
	if lo == nil && hi == nil {
		return true
	}
	v, ok := c.Score()
	return ok && (lo == nil || v >= *lo) && (hi == nil || v <= *hi)
}

func ptr(v int) *int { return &v }

// fakeClock returns the times it is given, one per call.
type fakeClock struct{ times []time.Time }

func (c *fakeClock) now() time.Time {
	t := c.times[0]
	if len(c.times) > 1 {
		c.times = c.times[1:]
	}
	return t
}

func TestClock(t *testing.T) {
	t1 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	t3 := t2.Add(time.Hour)
	clock := &fakeClock{times: []time.Time{t1, t2, t3}}
	s := memory.New(memory.WithClock(clock.now))
	ctx := context.Background()

	require.NoError(t, s.Save(ctx, storage.Call{ID: "c", Status: storage.StatusQueued}))
	got, err := s.Get(ctx, "c")
	require.NoError(t, err)
	assert.Equal(t, t1, got.CreatedAt, "a zero CreatedAt is the clock's now")
	assert.Equal(t, t1, got.UpdatedAt)

	require.NoError(t, s.Save(ctx, storage.Call{ID: "c", Status: storage.StatusDone, CreatedAt: t3}))
	got, err = s.Get(ctx, "c")
	require.NoError(t, err)
	assert.Equal(t, t1, got.CreatedAt, "the first CreatedAt is kept")
	assert.Equal(t, t2, got.UpdatedAt, "UpdatedAt is the clock's now on every save")

	msk := time.FixedZone("MSK", 3*3600)
	require.NoError(t, s.Save(ctx, storage.Call{ID: "d", CreatedAt: t1.In(msk)}))
	got, err = s.Get(ctx, "d")
	require.NoError(t, err)
	assert.Equal(t, t1, got.CreatedAt, "kept in UTC")
	assert.Equal(t, t3, got.UpdatedAt)
}

// BenchmarkStore runs the storagetest benchmarks on 100,000 generated
// calls: 50 managers over a year.
func BenchmarkStore(b *testing.B) {
	const n = 100_000
	g := storagetest.Generator{Managers: 50, Seed: 1, From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Span: 365 * 24 * time.Hour}
	s := memory.New()
	if err := storagetest.Load(context.Background(), s, g, n, 2); err != nil {
		b.Fatal(err)
	}
	storagetest.Benchmark(b, s, g, n)
}

func TestEventLogConformance(t *testing.T) {
	storagetest.RunEventLog(t, func(t *testing.T) storage.EventLog { return memory.New() })
}
