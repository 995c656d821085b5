package storagetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// newestFirst is the order of storage.Page.
func newestFirst(a, b storage.Call) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// saveShuffled saves calls in a fixed pseudo-random order, so that a store
// cannot pass the order tests by returning insertion order.
func saveShuffled(t *testing.T, s storage.Store, calls []storage.Call) {
	t.Helper()
	shuffled := slices.Clone(calls)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	save(t, s, shuffled...)
}

// expect returns the ids of the calls matching f, newest first.
func expect(calls []storage.Call, f storage.Filter) []string {
	sorted := slices.Clone(calls)
	slices.SortFunc(sorted, newestFirst)
	out := []string{}
	for _, c := range sorted {
		if matches(f, c) {
			out = append(out, c.ID)
		}
	}
	return out
}

// walk lists every page of f and returns the ids in order, checking the
// shape of each page on the way.
func walk(t *testing.T, s storage.Store, f storage.Filter) []string {
	t.Helper()
	limit := f.Limit
	if limit == 0 {
		limit = storage.DefaultLimit
	}
	got := []string{}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "paging does not end")
		page, err := s.List(ctx(t), f)
		require.NoError(t, err, "page %d", pages)
		require.LessOrEqual(t, len(page.Calls), limit, "page %d is larger than the limit", pages)
		for _, c := range page.Calls {
			got = append(got, c.ID)
		}
		if page.NextCursor == "" {
			return got
		}
		// A cursor promises more calls: a full page now, and a
		// non-empty page next.
		require.Len(t, page.Calls, limit, "page %d has a next cursor but is not full", pages)
		f.Cursor = page.NextCursor
	}
}

func testListOrder(t *testing.T, s storage.Store) {
	calls := listFixture()
	saveShuffled(t, s, calls)
	page, err := s.List(ctx(t), storage.Filter{Limit: storage.MaxLimit})
	require.NoError(t, err)
	assert.Empty(t, page.NextCursor, "everything fits on one page")
	assert.Equal(t, expect(calls, storage.Filter{}), ids(page.Calls))

	// The ties, spelled out: same CreatedAt, larger ID first.
	got := ids(page.Calls)
	pos := func(id string) int { return slices.Index(got, id) }
	assert.Less(t, pos("call-11"), pos("call-10"))
	assert.Less(t, pos("call-22"), pos("call-21"))
	assert.Less(t, pos("call-21"), pos("call-20"))
	assert.Equal(t, "call-29", got[0], "the newest call first")
	assert.Equal(t, "call-00", got[len(got)-1], "the oldest call last")

	for i := 1; i < len(page.Calls); i++ {
		assert.False(t, page.Calls[i].CreatedAt.After(page.Calls[i-1].CreatedAt), "call %d is newer than call %d", i, i-1)
	}
}

func listFilters() []struct {
	name string
	f    storage.Filter
} {
	at := func(i int) time.Time { return base.Add(time.Duration(i) * 17 * time.Hour) }
	msk := time.FixedZone("MSK", 3*3600)
	return []struct {
		name string
		f    storage.Filter
	}{
		{"no filter", storage.Filter{}},
		{"manager", storage.Filter{ManagerID: "anna"}},
		{"unknown manager", storage.Filter{ManagerID: "nobody"}},
		{"manager set", storage.Filter{ManagerIDs: []string{"anna", "vera"}}},
		{"manager set with an unknown one", storage.Filter{ManagerIDs: []string{"nobody", "boris"}}},
		{"manager and manager set", storage.Filter{ManagerID: "anna", ManagerIDs: []string{"anna", "boris"}}},
		{"manager outside the manager set", storage.Filter{ManagerID: "vera", ManagerIDs: []string{"anna", "boris"}}},
		{"from is inclusive", storage.Filter{From: at(10)}},
		{"to is exclusive", storage.Filter{To: at(20)}},
		{"from and to", storage.Filter{From: at(10), To: at(20)}},
		{"bounds in another zone", storage.Filter{From: at(5).In(msk), To: at(15).In(msk)}},
		{"bounds between calls", storage.Filter{From: at(3).Add(time.Second), To: at(8).Add(-time.Second)}},
		{"empty period", storage.Filter{From: at(10), To: at(10)}},
		{"min score", storage.Filter{MinScore: ptr(50)}},
		{"max score", storage.Filter{MaxScore: ptr(30)}},
		{"min score 0 drops calls without a report", storage.Filter{MinScore: ptr(0)}},
		{"max score 100 drops calls without a report", storage.Filter{MaxScore: ptr(100)}},
		{"score bounds are inclusive", storage.Filter{MinScore: ptr(37), MaxScore: ptr(74)}},
		{"mode", storage.Filter{Mode: score.ModeClient}},
		{"status queued", storage.Filter{Status: storage.StatusQueued}},
		{"status done", storage.Filter{Status: storage.StatusDone}},
		{"manager and mode", storage.Filter{ManagerID: "boris", Mode: score.ModeDialog}},
		{"manager, score and period", storage.Filter{ManagerID: "vera", MinScore: ptr(20), From: at(4), To: at(28)}},
		{"everything", storage.Filter{ManagerID: "anna", Mode: score.ModeManager, Status: storage.StatusDone, MinScore: ptr(10), MaxScore: ptr(90), From: at(1), To: at(29)}},
	}
}

func testListFilters(t *testing.T, s storage.Store) {
	calls := listFixture()
	saveShuffled(t, s, calls)

	// The oracle's reading of a few filters, spelled out, so that the
	// oracle itself is checked against the fixture's design.
	require.Equal(t, []string{"call-27", "call-24", "call-21", "call-18", "call-15", "call-12", "call-09", "call-06", "call-03", "call-00"},
		expect(calls, storage.Filter{ManagerID: "anna"}), "oracle: every third call is anna's")
	require.Equal(t, []string{"call-27", "call-12"},
		expect(calls, storage.Filter{ManagerID: "anna", Status: storage.StatusFailed}), "oracle: call-27 and call-12 failed")
	require.Subset(t, expect(calls, storage.Filter{MinScore: ptr(37), MaxScore: ptr(74)}), []string{"call-01", "call-04"}, "oracle: call-01 scores 37, call-04 47")
	require.NotContains(t, expect(calls, storage.Filter{MinScore: ptr(0)}), "call-02", "oracle: call-02 has no report")

	for _, tt := range listFilters() {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.Limit = storage.MaxLimit
			page, err := s.List(ctx(t), f)
			require.NoError(t, err)
			assert.Equal(t, expect(calls, tt.f), ids(page.Calls))
			assert.Empty(t, page.NextCursor)
		})
	}
}

func testListPaging(t *testing.T, s storage.Store) {
	calls := listFixture()
	saveShuffled(t, s, calls)
	filters := listFilters()
	for _, limit := range []int{1, 2, 3, 4, 7, 9, 29, 30, 31, storage.MaxLimit} {
		for _, tt := range filters {
			t.Run(fmt.Sprintf("%s/limit %d", tt.name, limit), func(t *testing.T) {
				f := tt.f
				f.Limit = limit
				assert.Equal(t, expect(calls, tt.f), walk(t, s, f))
			})
		}
	}
}

func testListPagingWhileInserting(t *testing.T, s storage.Store) {
	calls := listFixture()
	saveShuffled(t, s, calls)
	f := storage.Filter{MinScore: ptr(10), Limit: 4}
	first, err := s.List(ctx(t), f)
	require.NoError(t, err)
	require.NotEmpty(t, first.NextCursor)
	seen := ids(first.Calls)

	// While a client pages, new calls arrive (newer than every page, so
	// not in the rest of this listing), a late-imported old call appears
	// (older than the cursor, so in the rest), and a seen call is
	// re-audited (it keeps its place, so it is not seen twice).
	newer := scored("late-new", "anna", score.ModeManager, base.Add(60*24*time.Hour), 99, nil)
	older := scored("late-old", "anna", score.ModeManager, base.Add(-24*time.Hour), 77, nil)
	reaudited := get(t, s, seen[1])
	reaudited.Report = scored(reaudited.ID, reaudited.ManagerID, reaudited.Mode, time.Time{}, 66, nil).Report
	save(t, s, newer, older, reaudited)

	f.Cursor = first.NextCursor
	rest := walk(t, s, f)
	all := append(slices.Clone(calls), older)
	want := expect(all, storage.Filter{MinScore: ptr(10)})[len(seen):]
	assert.Equal(t, want, rest)
	assert.NotContains(t, rest, "late-new")
	for _, id := range seen {
		assert.NotContains(t, rest, id, "seen on the first page")
	}
}

func testListDefaultLimit(t *testing.T, s storage.Store) {
	n := storage.DefaultLimit + 10
	calls := make([]storage.Call, n)
	for i := range calls {
		calls[i] = scored(fmt.Sprintf("c%03d", i), "anna", score.ModeManager, base.Add(time.Duration(i)*time.Minute), i%101, nil)
	}
	saveShuffled(t, s, calls)
	page, err := s.List(ctx(t), storage.Filter{})
	require.NoError(t, err)
	assert.Len(t, page.Calls, storage.DefaultLimit)
	require.NotEmpty(t, page.NextCursor)
	next, err := s.List(ctx(t), storage.Filter{Cursor: page.NextCursor})
	require.NoError(t, err)
	assert.Len(t, next.Calls, n-storage.DefaultLimit)
	assert.Empty(t, next.NextCursor)
	assert.Equal(t, expect(calls, storage.Filter{}), append(ids(page.Calls), ids(next.Calls)...))
}

func testListBadRequests(t *testing.T, s storage.Store) {
	save(t, s, scored("c1", "anna", score.ModeManager, base, 50, nil))
	tests := []struct {
		name string
		f    storage.Filter
	}{
		{"limit over the maximum", storage.Filter{Limit: storage.MaxLimit + 1}},
		{"negative limit", storage.Filter{Limit: -1}},
		{"garbage cursor", storage.Filter{Cursor: "garbage"}},
		{"not base64", storage.Filter{Cursor: "%%%"}},
		{"base64 of nonsense", storage.Filter{Cursor: "bm9uc2Vuc2U"}},
		{"truncated cursor", storage.Filter{Cursor: storage.EncodeCursor(storage.Cursor{CreatedAt: base, ID: "c1"})[:6]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.List(ctx(t), tt.f)
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "error: %v", err)
		})
	}
	t.Run("limit at the maximum", func(t *testing.T) {
		page, err := s.List(ctx(t), storage.Filter{Limit: storage.MaxLimit})
		require.NoError(t, err)
		assert.Len(t, page.Calls, 1)
	})
}
