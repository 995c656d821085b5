package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// day returns an instant in March 2026, UTC. 2 March is a Monday.
func day(d, hour, minute int) time.Time {
	return time.Date(2026, 3, d, hour, minute, 0, 0, time.UTC)
}

// statsFixture is anna's six scored calls over two weeks, with calls that
// must not count: hers without a report, one with a report that is not done
// (a9, being analysed again), and other managers'.
//
//	id  when (UTC)        mode      total  criteria
//	a1  Mon 2 Mar 10:00   Manager+  60     greeting 80, needs 40
//	a2  Mon 2 Mar 15:00   Manager+  80     greeting 100, needs 60
//	a3  Wed 4 Mar 09:00   Client+   90     greeting 90
//	a4  Sun 8 Mar 23:30   Manager+  50     greeting 50, needs 50, close 50  (given as Mon 02:30 MSK)
//	a5  Mon 9 Mar 00:00   Диалог    70     greeting 70, close 70
//	a6  Thu 12 Mar 12:00  Manager+  30     needs 20, close 40
func statsFixture() []storage.Call {
	msk := time.FixedZone("MSK", 3*3600)
	return []storage.Call{
		scored("a1", "anna", score.ModeManager, day(2, 10, 0), 60, map[string]int{"greeting": 80, "needs": 40}),
		scored("a2", "anna", score.ModeManager, day(2, 15, 0), 80, map[string]int{"greeting": 100, "needs": 60}),
		scored("a3", "anna", score.ModeClient, day(4, 9, 0), 90, map[string]int{"greeting": 90}),
		scored("a4", "anna", score.ModeManager, time.Date(2026, 3, 9, 2, 30, 0, 0, msk), 50, map[string]int{"greeting": 50, "needs": 50, "close": 50}),
		scored("a5", "anna", score.ModeDialog, day(9, 0, 0), 70, map[string]int{"greeting": 70, "close": 70}),
		scored("a6", "anna", score.ModeManager, day(12, 12, 0), 30, map[string]int{"needs": 20, "close": 40}),
		pending("a7", "anna", score.ModeManager, day(10, 8, 0), storage.StatusQueued),
		pending("a8", "anna", score.ModeManager, day(3, 8, 0), storage.StatusFailed),
		notDone(scored("a9", "anna", score.ModeManager, day(10, 9, 0), 0, map[string]int{"greeting": 0, "needs": 0})),
		scored("b1", "boris", score.ModeManager, day(3, 12, 0), 100, nil),
	}
}

// notDone marks a scored call as being processed again: it keeps its old
// report, and statistics count done calls only.
func notDone(c storage.Call) storage.Call {
	c.Status, c.StatusReason = storage.StatusProcessing, "analysing again"
	return c
}

func stats(t *testing.T, s storage.Store, q storage.StatsQuery) storage.Stats {
	t.Helper()
	st, err := s.Stats(ctx(t), q)
	require.NoError(t, err, "Stats(%+v)", q)
	return st
}

// assertTrend compares trend points: starts as instants, averages within
// rounding.
func assertTrend(t *testing.T, want, got []storage.TrendPoint) {
	t.Helper()
	require.Len(t, got, len(want), "trend %+v", got)
	for i := range want {
		assert.True(t, want[i].Start.Equal(got[i].Start), "point %d starts %v, want %v", i, got[i].Start, want[i].Start)
		assert.Equal(t, want[i].Count, got[i].Count, "point %d count", i)
		assert.InDelta(t, want[i].Average, got[i].Average, 1e-9, "point %d average", i)
	}
}

func testStatsArithmetic(t *testing.T, s storage.Store) {
	saveShuffled(t, s, statsFixture())
	// No mode is Manager+: a1, a2, a4 and a6. The Client+ and Диалог
	// calls have other rubrics and never enter its figures.
	st := stats(t, s, storage.StatsQuery{ManagerID: "anna"})
	assert.Equal(t, "anna", st.ManagerID)
	assert.Equal(t, score.ModeManager, st.Mode, "the answer states the mode it covers")
	assert.Equal(t, 4, st.Count, "a3 and a5 are other modes, a7 and a8 have no report, a9 is not done, b1 is boris's")
	assert.InDelta(t, 55.0, st.Average, 1e-9)
	assert.Equal(t, 30, st.Min)
	assert.Equal(t, 80, st.Max)
	require.Len(t, st.Criteria, 3)
	assert.InDelta(t, 230.0/3, st.Criteria["greeting"], 1e-9, "greeting: a1, a2, a4")
	assert.InDelta(t, 170.0/4, st.Criteria["needs"], 1e-9, "needs: a1, a2, a4, a6")
	assert.InDelta(t, 90.0/2, st.Criteria["close"], 1e-9, "close: a4, a6")

	t.Run("every manager", func(t *testing.T) {
		all := stats(t, s, storage.StatsQuery{})
		assert.Equal(t, score.ModeManager, all.Mode)
		assert.Equal(t, 5, all.Count)
		assert.InDelta(t, 320.0/5, all.Average, 1e-9)
		assert.Equal(t, 100, all.Max)
		assert.InDelta(t, 100.0, all.Criteria["overall"], 1e-9)
	})
	t.Run("another manager", func(t *testing.T) {
		b := stats(t, s, storage.StatsQuery{ManagerID: "boris"})
		assert.Equal(t, 1, b.Count)
		assert.InDelta(t, 100.0, b.Average, 1e-9)
		assert.Equal(t, 100, b.Min)
		assert.Equal(t, 100, b.Max)
		assert.Equal(t, map[string]float64{"overall": 100}, b.Criteria)
	})
}

// testStatsModesApart checks that each mode's figures come from that
// mode's calls alone: a store that averages modes together (or drops the
// mode filter, or applies it to the totals but not to the criteria) gets
// other counts, averages or criteria.
func testStatsModesApart(t *testing.T, s storage.Store) {
	saveShuffled(t, s, statsFixture())
	tests := []struct {
		mode     score.Mode
		want     score.Mode
		count    int
		average  float64
		min, max int
		criteria map[string]float64
	}{
		{"", score.ModeManager, 4, 55, 30, 80, map[string]float64{"greeting": 230.0 / 3, "needs": 42.5, "close": 45}},
		{score.ModeManager, score.ModeManager, 4, 55, 30, 80, map[string]float64{"greeting": 230.0 / 3, "needs": 42.5, "close": 45}},
		{score.ModeClient, score.ModeClient, 1, 90, 90, 90, map[string]float64{"greeting": 90}},
		{score.ModeDialog, score.ModeDialog, 1, 70, 70, 70, map[string]float64{"greeting": 70, "close": 70}},
	}
	for _, tt := range tests {
		t.Run(string(tt.want)+"/"+string(tt.mode), func(t *testing.T) {
			st := stats(t, s, storage.StatsQuery{ManagerID: "anna", Mode: tt.mode})
			assert.Equal(t, tt.want, st.Mode)
			assert.Equal(t, tt.count, st.Count)
			assert.InDelta(t, tt.average, st.Average, 1e-9)
			assert.Equal(t, tt.min, st.Min)
			assert.Equal(t, tt.max, st.Max)
			assert.Equal(t, len(tt.criteria), len(st.Criteria), "only this mode's criteria: %v", st.Criteria)
			for k, v := range tt.criteria {
				assert.InDelta(t, v, st.Criteria[k], 1e-9, "criterion %s", k)
			}
			sum := 0
			for _, p := range st.Trend {
				sum += p.Count
			}
			assert.Equal(t, tt.count, sum, "the trend covers this mode's calls only")
		})
	}
}

func testStatsTrend(t *testing.T, s storage.Store) {
	saveShuffled(t, s, statsFixture())
	managerDays := []storage.TrendPoint{
		{Start: day(2, 0, 0), Count: 2, Average: 70},
		{Start: day(8, 0, 0), Count: 1, Average: 50},
		{Start: day(12, 0, 0), Count: 1, Average: 30},
	}
	tests := []struct {
		name   string
		mode   score.Mode
		bucket storage.Bucket
		want   []storage.TrendPoint
	}{
		{"days by default", "", "", managerDays},
		{"days", "", storage.BucketDay, managerDays},
		// Weeks start on Monday 00:00 UTC: a4 (Sunday 23:30 UTC, Monday
		// in Moscow) is in the first week, a5 (Monday 00:00) in the second.
		{"weeks", "", storage.BucketWeek, []storage.TrendPoint{
			{Start: day(2, 0, 0), Count: 3, Average: 190.0 / 3},
			{Start: day(9, 0, 0), Count: 1, Average: 30},
		}},
		{"weeks of another mode", score.ModeDialog, storage.BucketWeek, []storage.TrendPoint{
			{Start: day(9, 0, 0), Count: 1, Average: 70},
		}},
		{"days of another mode", score.ModeClient, storage.BucketDay, []storage.TrendPoint{
			{Start: day(4, 0, 0), Count: 1, Average: 90},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stats(t, s, storage.StatsQuery{ManagerID: "anna", Mode: tt.mode, Bucket: tt.bucket})
			assertTrend(t, tt.want, st.Trend)
			sum := 0
			for _, p := range st.Trend {
				sum += p.Count
			}
			assert.Equal(t, st.Count, sum, "the trend covers every counted call")
		})
	}
}

func testStatsFilters(t *testing.T, s storage.Store) {
	saveShuffled(t, s, statsFixture())
	msk := time.FixedZone("MSK", 3*3600)
	tests := []struct {
		name     string
		q        storage.StatsQuery
		count    int
		average  float64
		min, max int
		criteria map[string]float64
		trend    []storage.TrendPoint
	}{
		// a2 is at from, a6 at to.
		{"period: from inclusive, to exclusive", storage.StatsQuery{ManagerID: "anna", From: day(2, 15, 0), To: day(12, 12, 0)},
			2, 65, 50, 80, map[string]float64{"greeting": 75, "needs": 55, "close": 50},
			[]storage.TrendPoint{{Start: day(2, 0, 0), Count: 1, Average: 80}, {Start: day(8, 0, 0), Count: 1, Average: 50}}},
		{"period in another zone", storage.StatsQuery{ManagerID: "anna", From: day(2, 15, 0).In(msk), To: day(12, 12, 0).In(msk)},
			2, 65, 50, 80, map[string]float64{"greeting": 75, "needs": 55, "close": 50},
			[]storage.TrendPoint{{Start: day(2, 0, 0), Count: 1, Average: 80}, {Start: day(8, 0, 0), Count: 1, Average: 50}}},
		{"only from", storage.StatsQuery{ManagerID: "anna", From: day(9, 0, 0)},
			1, 30, 30, 30, map[string]float64{"needs": 20, "close": 40},
			[]storage.TrendPoint{{Start: day(12, 0, 0), Count: 1, Average: 30}}},
		{"from a call's instant", storage.StatsQuery{ManagerID: "anna", From: day(2, 15, 0)},
			3, 160.0 / 3, 30, 80, map[string]float64{"greeting": 75, "needs": 130.0 / 3, "close": 45},
			[]storage.TrendPoint{{Start: day(2, 0, 0), Count: 1, Average: 80}, {Start: day(8, 0, 0), Count: 1, Average: 50}, {Start: day(12, 0, 0), Count: 1, Average: 30}}},
		{"another mode from a call's instant", storage.StatsQuery{ManagerID: "anna", Mode: score.ModeDialog, From: day(9, 0, 0)},
			1, 70, 70, 70, map[string]float64{"greeting": 70, "close": 70},
			[]storage.TrendPoint{{Start: day(9, 0, 0), Count: 1, Average: 70}}},
		{"only to", storage.StatsQuery{ManagerID: "anna", To: day(2, 15, 0)},
			1, 60, 60, 60, map[string]float64{"greeting": 80, "needs": 40},
			[]storage.TrendPoint{{Start: day(2, 0, 0), Count: 1, Average: 60}}},
		{"mode", storage.StatsQuery{ManagerID: "anna", Mode: score.ModeManager, Bucket: storage.BucketWeek},
			4, 55, 30, 80, map[string]float64{"greeting": 230.0 / 3, "needs": 42.5, "close": 45},
			[]storage.TrendPoint{{Start: day(2, 0, 0), Count: 3, Average: 190.0 / 3}, {Start: day(9, 0, 0), Count: 1, Average: 30}}},
		{"mode and period", storage.StatsQuery{ManagerID: "anna", Mode: score.ModeClient, From: day(1, 0, 0), To: day(31, 0, 0)},
			1, 90, 90, 90, map[string]float64{"greeting": 90},
			[]storage.TrendPoint{{Start: day(4, 0, 0), Count: 1, Average: 90}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stats(t, s, tt.q)
			assert.Equal(t, tt.count, st.Count)
			assert.InDelta(t, tt.average, st.Average, 1e-9)
			assert.Equal(t, tt.min, st.Min)
			assert.Equal(t, tt.max, st.Max)
			require.Len(t, st.Criteria, len(tt.criteria), "criteria %v", st.Criteria)
			for k, v := range tt.criteria {
				assert.InDelta(t, v, st.Criteria[k], 1e-9, "criterion %s", k)
			}
			assertTrend(t, tt.trend, st.Trend)
		})
	}
}

func testStatsEmpty(t *testing.T, s storage.Store) {
	check := func(t *testing.T, st storage.Stats) {
		t.Helper()
		assert.Zero(t, st.Count)
		assert.Zero(t, st.Average)
		assert.Zero(t, st.Min)
		assert.Zero(t, st.Max)
		assert.NotNil(t, st.Criteria, "an empty map, not nil")
		assert.Empty(t, st.Criteria)
		assert.NotNil(t, st.Trend, "an empty slice, not nil")
		assert.Empty(t, st.Trend)
	}
	t.Run("empty store", func(t *testing.T) {
		st := stats(t, s, storage.StatsQuery{ManagerID: "anna"})
		assert.Equal(t, "anna", st.ManagerID)
		check(t, st)
		check(t, stats(t, s, storage.StatsQuery{}))
	})
	saveShuffled(t, s, statsFixture())
	for _, tt := range []struct {
		name string
		q    storage.StatsQuery
	}{
		{"unknown manager", storage.StatsQuery{ManagerID: "nobody"}},
		{"only unscored calls in the period", storage.StatsQuery{ManagerID: "anna", From: day(10, 0, 0), To: day(11, 0, 0)}},
		{"empty period", storage.StatsQuery{ManagerID: "anna", From: day(2, 10, 0), To: day(2, 10, 0)}},
		{"mode without calls", storage.StatsQuery{ManagerID: "boris", Mode: score.ModeDialog}},
		{"only other modes' calls in the period", storage.StatsQuery{ManagerID: "anna", From: day(4, 0, 0), To: day(5, 0, 0)}},
	} {
		t.Run(tt.name, func(t *testing.T) { check(t, stats(t, s, tt.q)) })
	}
}

func testStatsBadRequests(t *testing.T, s storage.Store) {
	for _, tt := range []struct {
		name string
		q    storage.StatsQuery
	}{
		{"unknown bucket", storage.StatsQuery{ManagerID: "anna", Bucket: "month"}},
		{"to before from", storage.StatsQuery{ManagerID: "anna", From: day(9, 0, 0), To: day(2, 0, 0)}},
		{"unknown mode", storage.StatsQuery{ManagerID: "anna", Mode: "Sales"}},
		{"mode spelled as a person would", storage.StatsQuery{ManagerID: "anna", Mode: "manager +"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Stats(ctx(t), tt.q)
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "error: %v", err)
		})
	}
}

func managerLister(t *testing.T, s storage.Store) storage.ManagerLister {
	ml, ok := s.(storage.ManagerLister)
	require.True(t, ok, "Features.ManagerLister is set but %T does not implement storage.ManagerLister", s)
	return ml
}

func testManagers(t *testing.T, s storage.Store) {
	ml := managerLister(t, s)
	calls := append(statsFixture(),
		scored("a10", "anna", score.ModeManager, day(10, 12, 0), 70, nil),
		scored("b2", "boris", score.ModeManager, day(11, 12, 0), 40, nil),
		scored("b3", "boris", score.ModeClient, day(5, 12, 0), 20, nil),
		scored("v1", "vera", score.ModeManager, day(5, 12, 0), 70, nil),
		scored("g1", "gleb", score.ModeManager, day(7, 12, 0), 70, nil),
		scored("nobody", "", score.ModeManager, day(6, 12, 0), 100, nil),
		pending("d1", "dmitry", score.ModeManager, day(6, 12, 0), storage.StatusQueued),
	)
	saveShuffled(t, s, calls)
	// anna's Manager+ calls: a1 60, a2 80 (2 Mar), a4 50 (8 Mar 23:30),
	// a10 70 (10 Mar), a6 30 (12 Mar 12:00); her Client+ a3 and Диалог a5
	// are on the other boards only.
	tests := []struct {
		name string
		q    storage.ManagerQuery
		want []storage.ManagerSummary
	}{
		// Ties on the average: more calls first (boris), then by id
		// (gleb before vera). The trend splits each manager's own
		// first..last span: anna's midpoint is 7 Mar 11:00.
		{"all time", storage.ManagerQuery{}, []storage.ManagerSummary{
			{ManagerID: "boris", Count: 2, Average: 70, Trend: -60, LastAt: day(11, 12, 0)},
			{ManagerID: "gleb", Count: 1, Average: 70, Trend: 0, LastAt: day(7, 12, 0)},
			{ManagerID: "vera", Count: 1, Average: 70, Trend: 0, LastAt: day(5, 12, 0)},
			{ManagerID: "anna", Count: 5, Average: 58, Trend: 50 - 70, LastAt: day(12, 12, 0)},
		}},
		{"Manager+ named", storage.ManagerQuery{Mode: score.ModeManager}, []storage.ManagerSummary{
			{ManagerID: "boris", Count: 2, Average: 70, Trend: -60, LastAt: day(11, 12, 0)},
			{ManagerID: "gleb", Count: 1, Average: 70, Trend: 0, LastAt: day(7, 12, 0)},
			{ManagerID: "vera", Count: 1, Average: 70, Trend: 0, LastAt: day(5, 12, 0)},
			{ManagerID: "anna", Count: 5, Average: 58, Trend: 50 - 70, LastAt: day(12, 12, 0)},
		}},
		// A bounded period splits at its own middle, 9 Mar 00:00.
		{"two weeks", storage.ManagerQuery{From: day(2, 0, 0), To: day(16, 0, 0)}, []storage.ManagerSummary{
			{ManagerID: "boris", Count: 2, Average: 70, Trend: -60, LastAt: day(11, 12, 0)},
			{ManagerID: "gleb", Count: 1, Average: 70, Trend: 0, LastAt: day(7, 12, 0)},
			{ManagerID: "vera", Count: 1, Average: 70, Trend: 0, LastAt: day(5, 12, 0)},
			{ManagerID: "anna", Count: 5, Average: 58, Trend: 50 - 190.0/3, LastAt: day(12, 12, 0)},
		}},
		// Midpoint 12 Mar 12:00: a6 at exactly that instant is in the
		// newer half.
		{"second week", storage.ManagerQuery{From: day(9, 0, 0), To: day(16, 0, 0)}, []storage.ManagerSummary{
			{ManagerID: "anna", Count: 2, Average: 50, Trend: 30 - 70, LastAt: day(12, 12, 0)},
			{ManagerID: "boris", Count: 1, Average: 40, Trend: 0, LastAt: day(11, 12, 0)},
		}},
		// Other boards: each mode ranks its own calls; boris's Manager+
		// 100 and 40 do not lift his Client+ 20, anna's last call on a
		// board is her last call of that mode.
		{"Client+", storage.ManagerQuery{Mode: score.ModeClient}, []storage.ManagerSummary{
			{ManagerID: "anna", Count: 1, Average: 90, Trend: 0, LastAt: day(4, 9, 0)},
			{ManagerID: "boris", Count: 1, Average: 20, Trend: 0, LastAt: day(5, 12, 0)},
		}},
		{"Диалог", storage.ManagerQuery{Mode: score.ModeDialog}, []storage.ManagerSummary{
			{ManagerID: "anna", Count: 1, Average: 70, Trend: 0, LastAt: day(9, 0, 0)},
		}},
		{"Диалог, second week", storage.ManagerQuery{Mode: score.ModeDialog, From: day(9, 0, 0), To: day(16, 0, 0)}, []storage.ManagerSummary{
			{ManagerID: "anna", Count: 1, Average: 70, Trend: 0, LastAt: day(9, 0, 0)},
		}},
		{"Client+, second week", storage.ManagerQuery{Mode: score.ModeClient, From: day(9, 0, 0), To: day(16, 0, 0)}, []storage.ManagerSummary{}},
		{"nobody in the period", storage.ManagerQuery{From: day(20, 0, 0), To: day(27, 0, 0)}, []storage.ManagerSummary{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ml.Managers(ctx(t), tt.q)
			require.NoError(t, err)
			require.NotNil(t, got, "an empty slice, not nil")
			gotIDs := make([]string, len(got))
			for i, m := range got {
				gotIDs[i] = m.ManagerID
			}
			wantIDs := make([]string, len(tt.want))
			for i, m := range tt.want {
				wantIDs[i] = m.ManagerID
			}
			require.Equal(t, wantIDs, gotIDs, "order")
			for i, w := range tt.want {
				g := got[i]
				assert.Equal(t, w.Count, g.Count, "%s count", w.ManagerID)
				assert.InDelta(t, w.Average, g.Average, 1e-9, "%s average", w.ManagerID)
				assert.InDelta(t, w.Trend, g.Trend, 1e-9, "%s trend", w.ManagerID)
				assert.True(t, w.LastAt.Equal(g.LastAt), "%s last at %v, want %v", w.ManagerID, g.LastAt, w.LastAt)
			}
		})
	}
}

func testManagersBadRequests(t *testing.T, s storage.Store) {
	ml := managerLister(t, s)
	for _, tt := range []struct {
		name string
		q    storage.ManagerQuery
	}{
		{"unknown mode", storage.ManagerQuery{Mode: "Sales"}},
		{"mode spelled as a person would", storage.ManagerQuery{Mode: "client+"}},
		{"to before from", storage.ManagerQuery{From: day(9, 0, 0), To: day(2, 0, 0)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ml.Managers(ctx(t), tt.q)
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "error: %v", err)
		})
	}
}

func testManagersEmpty(t *testing.T, s storage.Store) {
	ml := managerLister(t, s)
	save(t, s, pending("q1", "anna", score.ModeManager, base, storage.StatusQueued))
	got, err := ml.Managers(ctx(t), storage.ManagerQuery{})
	require.NoError(t, err)
	assert.NotNil(t, got, "an empty slice, not nil")
	assert.Empty(t, got)
}
