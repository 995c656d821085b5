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

func deleter(t *testing.T, s storage.Store) storage.Deleter {
	t.Helper()
	d, ok := s.(storage.Deleter)
	require.True(t, ok, "the store does not implement storage.Deleter")
	return d
}

// A deleted call is gone from Get, List and Stats (its criterion scores
// too); the others stay.
func testDelete(t *testing.T, s storage.Store) {
	d := deleter(t, s)
	save(t, s, scored("keep", "anna", score.ModeManager, base, 80, map[string]int{"greeting": 80}))
	save(t, s, scored("gone", "anna", score.ModeManager, base.Add(time.Hour), 20, map[string]int{"greeting": 20}))
	require.NoError(t, d.Delete(ctx(t), "gone"))

	_, err := s.Get(ctx(t), "gone")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err))
	get(t, s, "keep")
	assert.Equal(t, []string{"keep"}, walk(t, s, storage.Filter{}))
	st, err := s.Stats(ctx(t), storage.StatsQuery{ManagerID: "anna", Mode: score.ModeManager})
	require.NoError(t, err)
	assert.Equal(t, 1, st.Count)
	assert.InDelta(t, 80, st.Criteria["greeting"], 0.001, "the deleted call's criterion scores are gone")

	err = d.Delete(ctx(t), "gone")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "deleting twice")
	// The id is free again.
	save(t, s, scored("gone", "boris", score.ModeManager, base, 50, nil))
	assert.Equal(t, "boris", get(t, s, "gone").ManagerID)
}

// DeleteBefore removes the oldest calls first, in batches of at most
// limit, and only calls created before the time.
func testDeleteBefore(t *testing.T, s storage.Store) {
	d := deleter(t, s)
	for i := range 7 {
		save(t, s, scored("old-"+string(rune('a'+i)), "anna", score.ModeManager, base.Add(time.Duration(i)*time.Hour), 50, map[string]int{"greeting": 50}))
	}
	save(t, s, scored("new", "anna", score.ModeManager, base.Add(30*24*time.Hour), 90, map[string]int{"greeting": 90}))
	cut := base.Add(10 * 24 * time.Hour)

	ids, err := d.DeleteBefore(ctx(t), cut, 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"old-a", "old-b", "old-c"}, ids, "oldest first, at most limit")
	var all []string
	for {
		ids, err := d.DeleteBefore(ctx(t), cut, 3)
		require.NoError(t, err)
		all = append(all, ids...)
		if len(ids) < 3 {
			break
		}
	}
	assert.Equal(t, []string{"old-d", "old-e", "old-f", "old-g"}, all)
	assert.Equal(t, []string{"new"}, walk(t, s, storage.Filter{}))
	st, err := s.Stats(ctx(t), storage.StatsQuery{ManagerID: "anna", Mode: score.ModeManager})
	require.NoError(t, err)
	assert.Equal(t, 1, st.Count)
	assert.InDelta(t, 90, st.Criteria["greeting"], 0.001)

	ids, err = d.DeleteBefore(ctx(t), base.Add(30*24*time.Hour), 10)
	require.NoError(t, err)
	assert.Empty(t, ids, "a call created at the time itself stays")
}

func testDeleteBadRequests(t *testing.T, s storage.Store) {
	d := deleter(t, s)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(d.Delete(ctx(t), "")))
	_, err := d.DeleteBefore(ctx(t), base, 0)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	err = d.Delete(ctx(t), "never-saved")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err))
}
