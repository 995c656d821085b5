// Package storagetest is the conformance kit every storage.Store runs: one
// call checks the whole contract written in storage/storage.go, so that the
// in-memory store, the SQL stores and a user's own store behave alike.
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store { return mystore.New(...) })
//	}
//
// Where storage.go leaves room, the kit pins the behaviour down, so that
// callers can rely on it with any store:
//   - a Page with a NextCursor is full, and the page after it is not
//     empty (fetch Limit+1 rows to know);
//   - a negative Limit, an unknown Bucket or Mode (anything but a
//     canonical score.Mode) and To before From are KindInvalid; an empty
//     ManagerID in Stats covers every manager;
//   - statistics and the leaderboard cover one mode, the query's or
//     Manager+ when it is empty, and never mix modes (each has its own
//     rubric); Stats.Mode states it;
//   - a call saved again without a report loses it (and leaves the stats);
//   - every method with a done context fails with KindCanceled (map the
//     driver's context errors, do not wrap them as KindInternal);
//   - the leaderboard skips calls without a ManagerID, breaks ties on the
//     average by count then id, splits the trend at
//     storage.ManagerQuery.Midpoint, and returns an empty, non-nil slice
//     when nobody has calls.
//
// It also generates realistic calls (Generator, GenerateCalls) and runs
// benchmarks over any store (Benchmark), for comparing stores at scale.
//
// The kit is modelled on gocloud.dev blob/drivertest (a Harness that makes a
// fresh store per subtest) and Watermill's pubsub/tests (a Features struct
// for optional behaviour).
package storagetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/storage"
)

// Features says which optional behaviours the store under test has.
type Features struct {
	// ManagerLister: the store implements storage.ManagerLister and the
	// leaderboard is checked. Run sets it by type-asserting a store.
	ManagerLister bool
	// Creator and Updater: the store implements storage.Creator or
	// storage.Updater and their contracts are checked. Run sets them by
	// type-asserting a store.
	Creator, Updater bool
	// Deleter: the store implements storage.Deleter and its contract is
	// checked. Run sets it by type-asserting a store.
	Deleter bool
	// ReportVersions: the store implements storage.ReportVersions and its
	// contract is checked. Run sets it by type-asserting a store.
	ReportVersions bool
	// Scorecards: the store implements storage.Scorecards and its
	// contract is checked. Run sets it by type-asserting a store.
	Scorecards bool
	// Concurrency is the number of goroutines of the concurrency tests;
	// 0 means 32. Lower it for a store with a small connection pool only
	// if its documentation says so.
	Concurrency int
}

// Harness makes stores for the kit.
type Harness struct {
	// NewStore returns a fresh, empty store. It is called once per
	// subtest; register clean-up with t.Cleanup.
	NewStore func(t *testing.T) storage.Store
	Features Features
}

// Run checks newStore's stores against the storage.Store contract, and the
// storage.ManagerLister, storage.Creator, storage.Updater and
// storage.Deleter, storage.ReportVersions and storage.Scorecards contracts
// when the stores implement them.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
	var f Features
	t.Run("DetectFeatures", func(t *testing.T) {
		s := newStore(t)
		_, f.ManagerLister = s.(storage.ManagerLister)
		_, f.Creator = s.(storage.Creator)
		_, f.Updater = s.(storage.Updater)
		_, f.Deleter = s.(storage.Deleter)
		_, f.ReportVersions = s.(storage.ReportVersions)
		_, f.Scorecards = s.(storage.Scorecards)
	})
	Harness{NewStore: newStore, Features: f}.Run(t)
}

// Run runs every conformance test, each in its own subtest with a fresh
// store.
func (h Harness) Run(t *testing.T) {
	t.Helper()
	require.NotNil(t, h.NewStore, "storagetest: Harness.NewStore is required")
	type test struct {
		name string
		run  func(t *testing.T, s storage.Store)
	}
	tests := []test{
		{"SaveGetRoundTrip", testRoundTrip},
		{"SaveWithoutCreatedAt", testSaveWithoutCreatedAt},
		{"SaveReplaces", testSaveReplaces},
		{"SaveEmptyID", testSaveEmptyID},
		{"GetUnknown", testGetUnknown},
		{"ReturnsCopies", testReturnsCopies},
		{"ListOrder", testListOrder},
		{"ListFilters", testListFilters},
		{"ListPaging", testListPaging},
		{"ListPagingWhileInserting", testListPagingWhileInserting},
		{"ListDefaultLimit", testListDefaultLimit},
		{"ListBadRequests", testListBadRequests},
		{"StatsArithmetic", testStatsArithmetic},
		{"StatsModesApart", testStatsModesApart},
		{"StatsTrend", testStatsTrend},
		{"StatsFilters", testStatsFilters},
		{"StatsEmpty", testStatsEmpty},
		{"StatsBadRequests", testStatsBadRequests},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentSaves", h.testConcurrentSaves},
		{"ConcurrentReadsAndWrites", h.testConcurrentReadsAndWrites},
	}
	if h.Features.ManagerLister {
		tests = append(tests, test{"Managers", testManagers}, test{"ManagersEmpty", testManagersEmpty},
			test{"ManagersBadRequests", testManagersBadRequests})
	}
	if h.Features.Creator {
		tests = append(tests, test{"CreateNew", testCreateNew}, test{"CreateExisting", testCreateExisting},
			test{"CreateConcurrent", h.testCreateConcurrent}, test{"CreateBadRequests", testCreateBadRequests})
	}
	if h.Features.Updater {
		tests = append(tests, test{"Update", testUpdate}, test{"UpdateDeclined", testUpdateDeclined},
			test{"UpdateBadRequests", testUpdateBadRequests}, test{"UpdateConcurrent", h.testUpdateConcurrent})
	}
	if h.Features.Deleter {
		tests = append(tests, test{"Delete", testDelete}, test{"DeleteBefore", testDeleteBefore},
			test{"DeleteBadRequests", testDeleteBadRequests})
	}
	if h.Features.ReportVersions {
		tests = append(tests, test{"ReplaceReport", testReplaceReport}, test{"ReplaceReportWithoutReport", testReplaceReportWithoutReport},
			test{"ReplaceReportBadRequests", testReplaceReportBadRequests}, test{"ReportVersionsCopies", testReportVersionsCopies},
			test{"ReportVersionsDeleted", testReportVersionsDeleted}, test{"ReplaceReportConcurrent", h.testReplaceReportConcurrent})
	}
	if h.Features.Scorecards {
		tests = append(tests, test{"ScorecardVersions", testScorecardVersions}, test{"ScorecardBadRequests", testScorecardBadRequests},
			test{"ScorecardConcurrentSaves", h.testScorecardConcurrentSaves})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.NewStore(t)
			require.NotNil(t, s, "NewStore returned nil")
			tt.run(t, s)
		})
	}
}

// ctx returns a context that ends with the test, bounded so that a store
// that hangs fails instead of blocking the test binary.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func save(t *testing.T, s storage.Store, calls ...storage.Call) {
	t.Helper()
	for _, c := range calls {
		require.NoError(t, s.Save(ctx(t), c), "Save(%q)", c.ID)
	}
}

func get(t *testing.T, s storage.Store, id string) storage.Call {
	t.Helper()
	c, err := s.Get(ctx(t), id)
	require.NoError(t, err, "Get(%q)", id)
	return c
}

// AssertCallEqual fails the test unless got is the call want as a store
// returns it: every field equal, times compared as instants, the report's
// raw model output compared as JSON (a database may reformat it), and
// UpdatedAt ignored (the store sets it).
func AssertCallEqual(t assert.TestingT, want, got storage.Call, msgAndArgs ...any) bool {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	w, g := normalize(want), normalize(got)
	ok := true
	if want.Report != nil && got.Report != nil {
		wr, gr := want.Report.RawModelOutput, got.Report.RawModelOutput
		switch {
		case isJSONNull(wr) || isJSONNull(gr):
			ok = assert.Equal(t, isJSONNull(wr), isJSONNull(gr), "raw_model_output null-ness") && ok
		default:
			ok = assert.JSONEq(t, string(wr), string(gr), "raw_model_output") && ok
		}
		w.Report.RawModelOutput, g.Report.RawModelOutput = nil, nil
	}
	return assert.Equal(t, w, g, msgAndArgs...) && ok
}

func isJSONNull(m json.RawMessage) bool {
	return len(m) == 0 || string(m) == "null"
}

// normalize returns a copy of c in a canonical form for comparison. It
// copies the report and transcript it changes so that c is left alone.
func normalize(c storage.Call) storage.Call {
	c.CreatedAt = c.CreatedAt.UTC()
	c.UpdatedAt = time.Time{}
	if c.Report != nil {
		r := *c.Report
		r.Meta.CreatedAt = r.Meta.CreatedAt.UTC()
		c.Report = &r
	}
	return c
}

func ids(calls []storage.Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.ID
	}
	return out
}
