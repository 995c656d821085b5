package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// The storage.Creator and storage.Updater checks, run when the store
// implements them (Features.Creator, Features.Updater).

func creator(t *testing.T, s storage.Store) storage.Creator {
	c, ok := s.(storage.Creator)
	require.True(t, ok, "Features.Creator is set but %T is not a storage.Creator", s)
	return c
}

func updater(t *testing.T, s storage.Store) storage.Updater {
	u, ok := s.(storage.Updater)
	require.True(t, ok, "Features.Updater is set but %T is not a storage.Updater", s)
	return u
}

// testCreateNew creates a full call: it is stored as Save would store it,
// statistics included.
func testCreateNew(t *testing.T, s storage.Store) {
	want := FullCall("c1", base.Add(time.Hour))
	stored, created, err := creator(t, s).Create(ctx(t), want)
	require.NoError(t, err)
	assert.True(t, created)
	AssertCallEqual(t, want, stored)
	assert.False(t, stored.UpdatedAt.IsZero(), "UpdatedAt is set")
	AssertCallEqual(t, want, get(t, s, "c1"))

	st := stats(t, s, storage.StatsQuery{ManagerID: want.ManagerID})
	assert.Equal(t, 1, st.Count)
	for id, v := range want.Report.Criteria {
		assert.InDelta(t, float64(v), st.Criteria[id], 1e-9, "criterion %s counts", id)
	}
}

// testCreateExisting creates a call whose id is taken: nothing changes.
func testCreateExisting(t *testing.T, s storage.Store) {
	first := scored("c1", "anna", score.ModeManager, base, 70, nil)
	save(t, s, first)
	before := get(t, s, "c1")

	other := pending("c1", "boris", score.ModeClient, base.Add(time.Hour), storage.StatusQueued)
	stored, created, err := creator(t, s).Create(ctx(t), other)
	require.NoError(t, err)
	assert.False(t, created)
	AssertCallEqual(t, first, stored, "the existing call is returned")
	after := get(t, s, "c1")
	AssertCallEqual(t, first, after, "the store is unchanged")
	assert.True(t, before.UpdatedAt.Equal(after.UpdatedAt), "UpdatedAt is unchanged")
	assert.Equal(t, 1, stats(t, s, storage.StatsQuery{ManagerID: "anna"}).Count)
	assert.Zero(t, stats(t, s, storage.StatsQuery{ManagerID: "boris"}).Count)
}

// testCreateConcurrent creates one id from many goroutines at once, each
// with its own manager: exactly one wins, and every one sees the winner.
func (h Harness) testCreateConcurrent(t *testing.T, s storage.Store) {
	cr := creator(t, s)
	n := h.goroutines()
	type result struct {
		call    storage.Call
		created bool
		err     error
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			c := pending("same", fmt.Sprintf("m%02d", i), score.ModeManager, base, storage.StatusQueued)
			results[i].call, results[i].created, results[i].err = cr.Create(ctx(t), c)
		})
	}
	close(start)
	wg.Wait()
	winners := 0
	stored := get(t, s, "same")
	for i, r := range results {
		require.NoError(t, r.err, "goroutine %d", i)
		if r.created {
			winners++
			assert.Equal(t, fmt.Sprintf("m%02d", i), stored.ManagerID, "the stored call is the winner's")
		}
		AssertCallEqual(t, stored, r.call, "goroutine %d sees the stored call", i)
	}
	assert.Equal(t, 1, winners, "exactly one Create creates")
}

func testCreateBadRequests(t *testing.T, s storage.Store) {
	cr := creator(t, s)
	_, _, err := cr.Create(ctx(t), storage.Call{Status: storage.StatusQueued})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "empty id: %v", err)

	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = cr.Create(c, pending("c1", "anna", score.ModeManager, base, storage.StatusQueued))
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err), "done context: %v", err)
	_, err = s.Get(ctx(t), "c1")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "nothing is created with a done context")
}

// testUpdate changes a call through Update: the change is stored as Save
// would store it, CreatedAt kept.
func testUpdate(t *testing.T, s storage.Store) {
	orig := pending("c1", "anna", score.ModeManager, base, storage.StatusProcessing)
	save(t, s, orig)
	before := get(t, s, "c1")

	done := scored("c1", "anna", score.ModeManager, base, 80, map[string]int{"greeting": 90, "close": 70})
	var seen storage.Call
	stored, err := updater(t, s).Update(ctx(t), "c1", func(c *storage.Call) error {
		seen = *c
		c.Status, c.StatusReason, c.Report = storage.StatusDone, "", done.Report
		c.CreatedAt = base.Add(48 * time.Hour) // ignored: the first CreatedAt stays
		return nil
	})
	require.NoError(t, err)
	AssertCallEqual(t, before, seen, "fn gets the stored call")
	want := orig
	want.Status, want.StatusReason, want.Report = storage.StatusDone, "", done.Report
	AssertCallEqual(t, want, stored)
	AssertCallEqual(t, want, get(t, s, "c1"))
	assert.False(t, stored.UpdatedAt.Before(before.UpdatedAt), "UpdatedAt moves on")
	st := stats(t, s, storage.StatsQuery{ManagerID: "anna"})
	assert.Equal(t, 1, st.Count)
	assert.Equal(t, map[string]float64{"greeting": 90, "close": 70}, st.Criteria)

	// Back to failed without a report: the call leaves the statistics.
	_, err = updater(t, s).Update(ctx(t), "c1", func(c *storage.Call) error {
		c.Status, c.Report = storage.StatusFailed, nil
		return nil
	})
	require.NoError(t, err)
	st = stats(t, s, storage.StatsQuery{ManagerID: "anna"})
	assert.Zero(t, st.Count)
	assert.Empty(t, st.Criteria)
}

// errDeclined is the kit's own error for fn to return.
var errDeclined = errors.New("storagetest: declined")

// testUpdateDeclined returns an error from fn after changing the call:
// the store is unchanged and the error comes back as it is.
func testUpdateDeclined(t *testing.T, s storage.Store) {
	save(t, s, scored("c1", "anna", score.ModeManager, base, 70, nil))
	before := get(t, s, "c1")
	_, err := updater(t, s).Update(ctx(t), "c1", func(c *storage.Call) error {
		c.Status, c.Report = storage.StatusQueued, nil
		c.Report = nil
		return fmt.Errorf("wrapped: %w", errDeclined)
	})
	require.ErrorIs(t, err, errDeclined)
	after := get(t, s, "c1")
	AssertCallEqual(t, before, after)
	assert.True(t, before.UpdatedAt.Equal(after.UpdatedAt), "UpdatedAt is unchanged")
}

func testUpdateBadRequests(t *testing.T, s storage.Store) {
	u := updater(t, s)
	save(t, s, pending("c1", "anna", score.ModeManager, base, storage.StatusQueued))
	before := get(t, s, "c1")

	called := false
	_, err := u.Update(ctx(t), "nope", func(*storage.Call) error { called = true; return nil })
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "unknown id: %v", err)
	assert.False(t, called, "fn is not called for an unknown id")

	_, err = u.Update(ctx(t), "c1", func(c *storage.Call) error { c.ID = "c2"; c.Status = storage.StatusFailed; return nil })
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "changed id: %v", err)
	_, err = s.Get(ctx(t), "c2")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "no call under the new id")

	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = u.Update(c, "c1", func(c *storage.Call) error { c.Status = storage.StatusFailed; return nil })
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err), "done context: %v", err)
	AssertCallEqual(t, before, get(t, s, "c1"), "the store is unchanged")
}

// testUpdateConcurrent counts in StatusReason from many goroutines at
// once: no update is lost.
func (h Harness) testUpdateConcurrent(t *testing.T, s storage.Store) {
	u := updater(t, s)
	save(t, s, pending("c1", "anna", score.ModeManager, base, storage.StatusProcessing))
	save(t, s, pending("c2", "anna", score.ModeManager, base, storage.StatusProcessing))
	n := h.goroutines()
	errs := make(chan error, 2*n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			_, err := u.Update(ctx(t), "c1", func(c *storage.Call) error {
				k, _ := strconv.Atoi(c.StatusReason) // "waiting" counts as 0
				c.StatusReason = strconv.Itoa(k + 1)
				return nil
			})
			errs <- err
			// A plain Save of another call between updates must not
			// disturb them.
			errs <- s.Save(ctx(t), pending("c2", "anna", score.ModeManager, base, storage.StatusQueued))
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, strconv.Itoa(n), get(t, s, "c1").StatusReason, "every increment is kept")
}
