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
	"github.com/callaudit/callaudit/storage"
)

// The storage.Scorecards contract, run by Harness.Run when the store
// implements it.

func scorecards(t *testing.T, s storage.Store) storage.Scorecards {
	t.Helper()
	sc, ok := s.(storage.Scorecards)
	require.True(t, ok, "the store does not implement storage.Scorecards")
	return sc
}

func card(id string, version int, team string) storage.SavedScorecard {
	return storage.SavedScorecard{ID: id, Version: version, Team: team, SavedBy: "u-" + team,
		Body: fmt.Sprintf("id: %s\nversion: %d\ntitle: {ru: Банк, en: Bank}\n# «кавычки» and ‘quotes’\n", id, version)}
}

func assertCard(t *testing.T, want, got storage.SavedScorecard, msgAndArgs ...any) {
	t.Helper()
	assert.False(t, got.SavedAt.IsZero(), "SavedAt is set")
	assert.Equal(t, time.UTC, got.SavedAt.Location(), "times in UTC")
	got.SavedAt, want.SavedAt = time.Time{}, time.Time{}
	assert.Equal(t, want, got, msgAndArgs...)
}

func testScorecardVersions(t *testing.T, s storage.Store) {
	sc := scorecards(t, s)
	c := ctx(t)
	list, err := sc.Scorecards(c)
	require.NoError(t, err)
	assert.Empty(t, list, "a fresh store has no scorecards")

	v1, err := sc.SaveScorecard(c, card("bank", 1, "north"))
	require.NoError(t, err)
	assertCard(t, card("bank", 1, "north"), v1)
	_, err = sc.SaveScorecard(c, card("retail", 1, ""))
	require.NoError(t, err)
	v2, err := sc.SaveScorecard(c, card("bank", 2, "south"))
	require.NoError(t, err)
	assert.False(t, v2.SavedAt.Before(v1.SavedAt))

	got, err := sc.Scorecard(c, "bank", 0)
	require.NoError(t, err)
	assertCard(t, card("bank", 2, "south"), got)
	got, err = sc.Scorecard(c, "bank", 1)
	require.NoError(t, err)
	assertCard(t, card("bank", 1, "north"), got, "an old version is kept as it was")

	vs, err := sc.ScorecardVersions(c, "bank")
	require.NoError(t, err)
	require.Len(t, vs, 2)
	assert.Equal(t, []int{1, 2}, []int{vs[0].Version, vs[1].Version})

	list, err = sc.Scorecards(c)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{"bank", "retail"}, []string{list[0].ID, list[1].ID})
	assert.Equal(t, 2, list[0].Version, "the latest version of each")
	assert.Equal(t, "south", list[0].Team)
}

func testScorecardBadRequests(t *testing.T, s storage.Store) {
	sc := scorecards(t, s)
	c := ctx(t)
	_, err := sc.SaveScorecard(c, card("bank", 1, ""))
	require.NoError(t, err)

	_, err = sc.SaveScorecard(c, card("bank", 1, ""))
	kindIs(t, callaudit.KindConflict, err, "saving a version again")
	_, err = sc.SaveScorecard(c, card("bank", 3, ""))
	require.NoError(t, err, "versions may skip")
	_, err = sc.SaveScorecard(c, card("bank", 2, ""))
	kindIs(t, callaudit.KindConflict, err, "a version below the latest")
	_, err = sc.SaveScorecard(c, card("other", 5, ""))
	require.NoError(t, err, "a new id may start above 1")
	for name, bad := range map[string]storage.SavedScorecard{
		"empty id":   {Version: 1, Body: "x"},
		"version 0":  {ID: "x", Body: "x"},
		"empty body": {ID: "x", Version: 1},
	} {
		_, err = sc.SaveScorecard(c, bad)
		kindIs(t, callaudit.KindInvalid, err, name)
	}
	_, err = sc.Scorecard(c, "nope", 0)
	kindIs(t, callaudit.KindNotFound, err, "unknown id")
	_, err = sc.Scorecard(c, "bank", 2)
	kindIs(t, callaudit.KindNotFound, err, "a skipped version")
	_, err = sc.Scorecard(c, "bank", 4)
	kindIs(t, callaudit.KindNotFound, err, "unknown version")
	_, err = sc.ScorecardVersions(c, "nope")
	kindIs(t, callaudit.KindNotFound, err, "versions of an unknown id")
	vs, err := sc.ScorecardVersions(c, "bank")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3}, []int{vs[0].Version, vs[len(vs)-1].Version}, "refused saves change nothing")
	assert.Len(t, vs, 2)

	done, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = sc.SaveScorecard(done, card("bank", 9, ""))
	kindIs(t, callaudit.KindCanceled, err, "SaveScorecard with a done context")
	_, err = sc.Scorecard(done, "bank", 0)
	kindIs(t, callaudit.KindCanceled, err, "Scorecard with a done context")
	_, err = sc.ScorecardVersions(done, "bank")
	kindIs(t, callaudit.KindCanceled, err, "ScorecardVersions with a done context")
	_, err = sc.Scorecards(done)
	kindIs(t, callaudit.KindCanceled, err, "Scorecards with a done context")
}

func (h Harness) testScorecardConcurrentSaves(t *testing.T, s storage.Store) {
	sc := scorecards(t, s)
	c := ctx(t)
	n := min(h.goroutines(), 16)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins []string
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			team := fmt.Sprint("t", i)
			_, err := sc.SaveScorecard(c, card("race", 1, team))
			if err == nil {
				mu.Lock()
				wins = append(wins, team)
				mu.Unlock()
				return
			}
			assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err), "a lost race is a conflict: %v", err)
		}()
	}
	wg.Wait()
	require.Len(t, wins, 1, "exactly one save of version 1 wins")
	got, err := sc.Scorecard(c, "race", 1)
	require.NoError(t, err)
	assert.Equal(t, wins[0], got.Team)
}
