package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

func testRoundTrip(t *testing.T, s storage.Store) {
	tests := []struct {
		name string
		call storage.Call
	}{
		{"full call", FullCall("full-1", base.Add(90*time.Minute+123*time.Millisecond))},
		{"call without report", pending("queued-1", "boris", score.ModeClient, base.Add(time.Hour), storage.StatusQueued)},
		{"minimal call", storage.Call{ID: "minimal", Status: storage.StatusDone, CreatedAt: base}},
		{"created in another zone", scored("zoned", "vera", score.ModeDialog, time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("MSK", 3*3600)), 64, nil)},
		{"unicode id and manager", scored("звонок/№1 ?&", "менеджер Анна", score.ModeManager, base.Add(2*time.Hour), 50, nil)},
		{"null raw model output", func() storage.Call {
			c := FullCall("null-raw", base.Add(3*time.Hour))
			c.Report.RawModelOutput = nil
			return c
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.call
			save(t, s, want)
			got := get(t, s, want.ID)
			AssertCallEqual(t, want, got)
			assert.False(t, got.UpdatedAt.IsZero(), "UpdatedAt is set by Save")

			// The call reads the same through List.
			page, err := s.List(ctx(t), storage.Filter{Limit: storage.MaxLimit})
			require.NoError(t, err)
			var listed *storage.Call
			for i := range page.Calls {
				if page.Calls[i].ID == want.ID {
					listed = &page.Calls[i]
				}
			}
			require.NotNil(t, listed, "List does not return %q", want.ID)
			AssertCallEqual(t, want, *listed)
		})
	}
}

func testSaveWithoutCreatedAt(t *testing.T, s storage.Store) {
	c := scored("no-created-at", "anna", score.ModeManager, time.Time{}, 80, nil)
	before := time.Now()
	save(t, s, c)
	got := get(t, s, c.ID)
	assert.False(t, got.CreatedAt.IsZero(), "a zero CreatedAt becomes the store's now")
	assert.False(t, got.UpdatedAt.IsZero())
	assert.False(t, got.UpdatedAt.Before(got.CreatedAt), "UpdatedAt %v before CreatedAt %v", got.UpdatedAt, got.CreatedAt)
	// The store's clock may be injected, so only a sanity bound on a real
	// clock is checked: the value is not from the far past.
	assert.True(t, got.CreatedAt.After(before.AddDate(-50, 0, 0)), "CreatedAt %v", got.CreatedAt)
}

func testSaveReplaces(t *testing.T, s storage.Store) {
	first := scored("c1", "anna", score.ModeManager, base, 40, nil)
	other := scored("c2", "boris", score.ModeClient, base.Add(time.Minute), 55, nil)
	save(t, s, first, other)
	saved := get(t, s, "c1")

	tests := []struct {
		name      string
		createdAt time.Time
	}{
		// Re-auditing a call sends a new CreatedAt (or none); the first
		// one is kept either way.
		{"later CreatedAt", base.Add(48 * time.Hour)},
		{"zero CreatedAt", time.Time{}},
		{"earlier CreatedAt", base.Add(-48 * time.Hour)},
	}
	prevUpdated := saved.UpdatedAt
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			second := scored("c1", "vera", score.ModeDialog, tt.createdAt, 90-i, nil)
			second.Status = storage.StatusDone
			second.Source = storage.SourceAudio
			save(t, s, second)

			got := get(t, s, "c1")
			want := second
			want.CreatedAt = base
			AssertCallEqual(t, want, got)
			assert.True(t, got.CreatedAt.Equal(base), "CreatedAt %v, want the first %v", got.CreatedAt, base)
			assert.False(t, got.UpdatedAt.Before(prevUpdated), "UpdatedAt went back from %v to %v", prevUpdated, got.UpdatedAt)
			prevUpdated = got.UpdatedAt

			// One call, not two, and the other call is untouched.
			page, err := s.List(ctx(t), storage.Filter{})
			require.NoError(t, err)
			assert.ElementsMatch(t, []string{"c1", "c2"}, ids(page.Calls))
			AssertCallEqual(t, other, get(t, s, "c2"))

			// Filters and stats see the new values only.
			page, err = s.List(ctx(t), storage.Filter{ManagerID: "anna"})
			require.NoError(t, err)
			assert.Empty(t, page.Calls, "the call moved from anna to vera")
			st, err := s.Stats(ctx(t), storage.StatsQuery{ManagerID: "vera", Mode: score.ModeDialog})
			require.NoError(t, err)
			assert.Equal(t, 1, st.Count)
			assert.Equal(t, 90-i, st.Max)
			st, err = s.Stats(ctx(t), storage.StatsQuery{ManagerID: "anna", Mode: score.ModeManager})
			require.NoError(t, err)
			assert.Zero(t, st.Count, "the call moved from anna's Manager+ to vera's Диалог")
		})
	}

	t.Run("report removed", func(t *testing.T) {
		// A call saved again without its report (e.g. requeued) loses it.
		requeued := pending("c1", "vera", score.ModeDialog, time.Time{}, storage.StatusQueued)
		save(t, s, requeued)
		got := get(t, s, "c1")
		assert.Nil(t, got.Report)
		assert.Equal(t, storage.StatusQueued, got.Status)
		st, err := s.Stats(ctx(t), storage.StatsQuery{ManagerID: "vera", Mode: score.ModeDialog})
		require.NoError(t, err)
		assert.Zero(t, st.Count)
	})
}

func testSaveEmptyID(t *testing.T, s storage.Store) {
	c := scored("", "anna", score.ModeManager, base, 50, nil)
	err := s.Save(ctx(t), c)
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "error: %v", err)
	page, err := s.List(ctx(t), storage.Filter{})
	require.NoError(t, err)
	assert.Empty(t, page.Calls, "nothing is saved")
}

func testGetUnknown(t *testing.T, s storage.Store) {
	save(t, s, scored("known", "anna", score.ModeManager, base, 50, nil))
	for _, id := range []string{"unknown", "", "KNOWN", "known "} {
		_, err := s.Get(ctx(t), id)
		require.Error(t, err, "Get(%q)", id)
		assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "Get(%q): %v", id, err)
	}
}

// mutate changes every reference-typed part of a call, as a careless
// caller might after Save or on a returned value.
func mutate(c *storage.Call) {
	c.ManagerID = "mutated"
	r := c.Report
	r.TotalScore = 1
	r.Criteria["greeting"] = 1
	r.Criteria["injected"] = 1
	r.RawModelOutput[0] = ' '
	r.RecommendationList[0] = "mutated"
	r.Details[0].Score = 1
	r.Details[1].Evidence[0].Quote = "mutated"
	*r.Details[0].Evidence[0].Start = 99
	*r.Metrics.DurationSeconds = 99
	*r.Metrics.Interruptions = 99
	r.Meta.Usage.TotalTokens = 1
	r.Transcript.Segments[0].Text = "mutated"
	*r.Transcript.Segments[1].Start = 99
	*r.Transcript.Duration = 99
}

func testReturnsCopies(t *testing.T, s storage.Store) {
	t.Run("the saved value", func(t *testing.T) {
		c := FullCall("copy-1", base)
		save(t, s, c)
		mutate(&c)
		AssertCallEqual(t, FullCall("copy-1", base), get(t, s, "copy-1"))
	})
	t.Run("Get", func(t *testing.T) {
		save(t, s, FullCall("copy-2", base))
		got := get(t, s, "copy-2")
		mutate(&got)
		AssertCallEqual(t, FullCall("copy-2", base), get(t, s, "copy-2"))
	})
	t.Run("List", func(t *testing.T) {
		save(t, s, FullCall("copy-3", base.Add(time.Hour)))
		page, err := s.List(ctx(t), storage.Filter{Limit: 1})
		require.NoError(t, err)
		require.Len(t, page.Calls, 1)
		mutate(&page.Calls[0])
		AssertCallEqual(t, FullCall("copy-3", base.Add(time.Hour)), get(t, s, "copy-3"))
	})
	t.Run("Stats", func(t *testing.T) {
		st, err := s.Stats(ctx(t), storage.StatsQuery{ManagerID: "anna"})
		require.NoError(t, err)
		require.NotEmpty(t, st.Criteria)
		for k := range st.Criteria {
			st.Criteria[k] = -1
		}
		st.Trend = append(st.Trend[:0], storage.TrendPoint{Count: -1})
		again, err := s.Stats(ctx(t), storage.StatsQuery{ManagerID: "anna"})
		require.NoError(t, err)
		for k, v := range again.Criteria {
			assert.NotEqual(t, -1.0, v, "criterion %s", k)
		}
		for _, p := range again.Trend {
			assert.Positive(t, p.Count)
		}
	})
}

func testCanceledContext(t *testing.T, s storage.Store) {
	save(t, s, scored("c1", "anna", score.ModeManager, base, 50, nil))
	c, cancel := context.WithCancel(context.Background())
	cancel()
	calls := []struct {
		name string
		call func() error
	}{
		{"Save", func() error { return s.Save(c, scored("c2", "anna", score.ModeManager, base, 50, nil)) }},
		{"Get", func() error { _, err := s.Get(c, "c1"); return err }},
		{"List", func() error { _, err := s.List(c, storage.Filter{}); return err }},
		{"Stats", func() error { _, err := s.Stats(c, storage.StatsQuery{ManagerID: "anna"}); return err }},
	}
	if ml, ok := s.(storage.ManagerLister); ok {
		calls = append(calls, struct {
			name string
			call func() error
		}{"Managers", func() error { _, err := ml.Managers(c, storage.ManagerQuery{}); return err }})
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err), "error: %v", err)
		})
	}
}
