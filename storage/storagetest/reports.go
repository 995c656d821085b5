package storagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// The storage.ReportVersions contract, run by Harness.Run when the store
// implements it.

func versions(t *testing.T, s storage.Store) storage.ReportVersions {
	t.Helper()
	rv, ok := s.(storage.ReportVersions)
	require.True(t, ok, "the store does not implement storage.ReportVersions")
	return rv
}

// rescored returns c's report scored again: other totals and criteria, and
// the scorecard named.
func rescored(c storage.Call, total int, scorecard string, version int, at time.Time) *score.Report {
	r := scored(c.ID, c.ManagerID, c.Mode, at, total, map[string]int{"disclaimer": total, "consent": total}).Report
	r.Meta.Scorecard, r.Meta.ScorecardVersion = scorecard, version
	return r
}

func reportVersionNumbers(vs []storage.ReportVersion) []int {
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = v.Version
	}
	return out
}

func testReplaceReport(t *testing.T, s storage.Store) {
	rv := versions(t, s)
	c := ctx(t)
	first := scored("r1", "anna", score.ModeManager, base, 40, nil)
	first.Report.Meta.Scorecard, first.Report.Meta.ScorecardVersion = "default", 1
	save(t, s, first, scored("r2", "anna", score.ModeManager, base.Add(time.Hour), 60, nil))

	second := rescored(first, 80, "bank", 2, base.Add(24*time.Hour))
	stored, err := rv.ReplaceReport(c, "r1", second, storage.ReportChange{Reason: storage.ReasonRescore, By: "job:7"})
	require.NoError(t, err)
	want := first
	want.Report = second
	AssertCallEqual(t, want, stored, "ReplaceReport returns the call as stored")
	AssertCallEqual(t, want, get(t, s, "r1"), "Get sees the new report, every other field kept")

	// Statistics follow the current report: (80 + 60) / 2.
	st, err := s.Stats(c, storage.StatsQuery{ManagerID: "anna"})
	require.NoError(t, err)
	assert.Equal(t, 70.0, st.Average)
	assert.Equal(t, 80.0, st.Criteria["disclaimer"], "the new report's criteria count")
	assert.Equal(t, 60.0, st.Criteria["overall"], "the old report's criteria are gone from r1")

	third := rescored(first, 90, "bank", 3, base.Add(48*time.Hour))
	_, err = rv.ReplaceReport(c, "r1", third, storage.ReportChange{Reason: storage.ReasonRoles, By: "u-lead"})
	require.NoError(t, err)

	vs, err := rv.Reports(c, "r1")
	require.NoError(t, err)
	require.Equal(t, []int{1, 2, 3}, reportVersionNumbers(vs))
	v1, v2, v3 := vs[0], vs[1], vs[2]
	assert.Equal(t, 40, v1.Report.TotalScore, "the first report stays readable")
	assert.Equal(t, "default", v1.Report.Meta.Scorecard)
	assert.Equal(t, 1, v1.Report.Meta.ScorecardVersion)
	assert.Equal(t, []bool{false, false, true}, []bool{v1.Current, v2.Current, v3.Current})
	assert.Equal(t, []string{"", storage.ReasonRescore, storage.ReasonRoles}, []string{v1.Reason, v2.Reason, v3.Reason})
	assert.Equal(t, []string{"", "job:7", "u-lead"}, []string{v1.By, v2.By, v3.By})
	assert.Equal(t, 80, v2.Report.TotalScore)
	assert.Equal(t, "bank", v2.Report.Meta.Scorecard)
	assert.Equal(t, 2, v2.Report.Meta.ScorecardVersion)
	assert.Equal(t, 90, v3.Report.TotalScore)
	for _, v := range vs {
		assert.Equal(t, "r1", v.CallID)
		assert.Equal(t, time.UTC, v.At.Location(), "version %d: times in UTC", v.Version)
	}
	assert.True(t, v1.At.Equal(base), "the first version's At is its Meta.CreatedAt, got %v", v1.At)
	assert.False(t, v1.ReplacedAt.IsZero())
	assert.True(t, v2.At.Equal(v1.ReplacedAt), "a version starts when the one before it was replaced")
	assert.True(t, v3.At.Equal(v2.ReplacedAt))
	assert.False(t, v2.ReplacedAt.Before(v1.ReplacedAt), "replacements in order")
	assert.True(t, v3.ReplacedAt.IsZero(), "the current report is not replaced")
	AssertCallEqual(t, storage.Call{ID: "x", Report: third}, storage.Call{ID: "x", Report: &v3.Report}, "the current version is the call's report")

	// The other call is untouched.
	vs, err = rv.Reports(c, "r2")
	require.NoError(t, err)
	require.Len(t, vs, 1)
	assert.True(t, vs[0].Current)
	assert.Equal(t, 60, vs[0].Report.TotalScore)
}

func testReplaceReportWithoutReport(t *testing.T, s storage.Store) {
	rv := versions(t, s)
	c := ctx(t)
	q := pending("p1", "anna", score.ModeManager, base, storage.StatusQueued)
	save(t, s, q)
	vs, err := rv.Reports(c, "p1")
	require.NoError(t, err)
	assert.Empty(t, vs, "a call without a report has no versions")

	rep := rescored(q, 70, "default", 1, base.Add(time.Minute))
	_, err = rv.ReplaceReport(c, "p1", rep, storage.ReportChange{Reason: storage.ReasonRescore})
	require.NoError(t, err)
	vs, err = rv.Reports(c, "p1")
	require.NoError(t, err)
	require.Len(t, vs, 1, "nothing to keep: the call had no report")
	assert.Equal(t, 1, vs[0].Version)
	assert.True(t, vs[0].Current)
	assert.Equal(t, 70, vs[0].Report.TotalScore)
	assert.Equal(t, storage.StatusQueued, get(t, s, "p1").Status, "ReplaceReport changes the report only")
}

func testReplaceReportBadRequests(t *testing.T, s storage.Store) {
	rv := versions(t, s)
	c := ctx(t)
	call := scored("b1", "anna", score.ModeManager, base, 50, nil)
	save(t, s, call)
	rep := rescored(call, 60, "default", 1, base)
	ok := storage.ReportChange{Reason: storage.ReasonRescore}

	_, err := rv.ReplaceReport(c, "nope", rep, ok)
	kindIs(t, callaudit.KindNotFound, err, "unknown call")
	_, err = rv.Reports(c, "nope")
	kindIs(t, callaudit.KindNotFound, err, "Reports of an unknown call")
	_, err = rv.ReplaceReport(c, "", rep, ok)
	kindIs(t, callaudit.KindInvalid, err, "empty id")
	_, err = rv.ReplaceReport(c, "b1", nil, ok)
	kindIs(t, callaudit.KindInvalid, err, "nil report")
	_, err = rv.ReplaceReport(c, "b1", rep, storage.ReportChange{By: "u1"})
	kindIs(t, callaudit.KindInvalid, err, "empty reason")

	vs, err := rv.Reports(c, "b1")
	require.NoError(t, err)
	require.Len(t, vs, 1, "refused replacements keep nothing")
	assert.Equal(t, 50, vs[0].Report.TotalScore)

	done, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = rv.ReplaceReport(done, "b1", rep, ok)
	kindIs(t, callaudit.KindCanceled, err, "ReplaceReport with a done context")
	_, err = rv.Reports(done, "b1")
	kindIs(t, callaudit.KindCanceled, err, "Reports with a done context")
}

func testReportVersionsCopies(t *testing.T, s storage.Store) {
	rv := versions(t, s)
	c := ctx(t)
	call := scored("k1", "anna", score.ModeManager, base, 50, nil)
	save(t, s, call)
	rep := rescored(call, 60, "default", 1, base)
	_, err := rv.ReplaceReport(c, "k1", rep, storage.ReportChange{Reason: storage.ReasonRescore})
	require.NoError(t, err)
	rep.TotalScore, rep.Criteria["disclaimer"] = 1, 1 // the caller's copy
	vs, err := rv.Reports(c, "k1")
	require.NoError(t, err)
	require.Len(t, vs, 2)
	vs[0].Report.Criteria["overall"], vs[0].Report.Details[0].Score = 2, 2
	again, err := rv.Reports(c, "k1")
	require.NoError(t, err)
	assert.Equal(t, 50, again[0].Report.Criteria["overall"])
	assert.Equal(t, 50, again[0].Report.Details[0].Score)
	assert.Equal(t, 60, again[1].Report.TotalScore)
	assert.Equal(t, 60, again[1].Report.Criteria["disclaimer"])
}

func testReportVersionsDeleted(t *testing.T, s storage.Store) {
	rv := versions(t, s)
	d, ok := s.(storage.Deleter)
	if !ok {
		t.Skip("the store is not a storage.Deleter")
	}
	c := ctx(t)
	call := scored("d1", "anna", score.ModeManager, base, 50, nil)
	save(t, s, call)
	_, err := rv.ReplaceReport(c, "d1", rescored(call, 60, "default", 1, base), storage.ReportChange{Reason: storage.ReasonRescore})
	require.NoError(t, err)
	require.NoError(t, d.Delete(c, "d1"))
	_, err = rv.Reports(c, "d1")
	kindIs(t, callaudit.KindNotFound, err, "a deleted call has no versions")
	// A new call with the same id starts its own history.
	save(t, s, scored("d1", "anna", score.ModeManager, base, 30, nil))
	vs, err := rv.Reports(c, "d1")
	require.NoError(t, err)
	require.Len(t, vs, 1, "Delete removed the earlier reports")
	assert.Equal(t, 30, vs[0].Report.TotalScore)
}

func (h Harness) testReplaceReportConcurrent(t *testing.T, s storage.Store) {
	rv := versions(t, s)
	c := ctx(t)
	call := scored("cc", "anna", score.ModeManager, base, 50, nil)
	save(t, s, call)
	n := min(h.goroutines(), 16)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = rv.ReplaceReport(c, "cc", rescored(call, i, "default", i+1, base), storage.ReportChange{Reason: storage.ReasonRescore, By: fmt.Sprint("w", i)})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "replacement %d", i)
	}
	vs, err := rv.Reports(c, "cc")
	require.NoError(t, err)
	require.Len(t, vs, n+1, "every replacement kept the report before it")
	seen := map[int]bool{}
	for i, v := range vs {
		assert.Equal(t, i+1, v.Version, "versions numbered once each")
		if i > 0 {
			seen[v.Report.TotalScore] = true
		}
	}
	assert.Len(t, seen, n, "each replacement's report is one version")
	assert.Equal(t, 50, vs[0].Report.TotalScore)
	cur := get(t, s, "cc")
	assert.Equal(t, vs[n].Report.TotalScore, cur.Report.TotalScore, "the last version is the call's report")
}
