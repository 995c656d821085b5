package amocrm_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake/amocrm/amocrmtest"
	"github.com/callaudit/callaudit/storage"
)

func itoa(n int) string { return strconv.Itoa(n) }

// TestReplayedHooksAuditOnce: amoCRM signs no hook and numbers none; it
// posts a hook again when the answer is late (seen by integrators, not
// documented), so the same note can arrive twice, at once or after its
// call is done, and a later note's hook can come before an earlier one's.
// The note id is the call's key: a copy is answered 200 and dropped, a
// note never seen is taken whatever its place, and no note is audited or
// written back twice.
func TestReplayedHooksAuditOnce(t *testing.T) {
	e := newEnv(t, amocrmtest.RequestsPerSecond, 0, testPoll)
	first, second := talked(8101, 810), talked(8102, 820)
	first.MissingFor = 2 // still queued when the copies come
	e.account.Add(first)
	e.account.Add(second)

	// The later note's hook first, then the earlier one's, twice at once.
	st, err := e.account.Send(context.Background(), e.hook, second.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, st)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			st, err := e.account.Send(context.Background(), e.hook, first.ID)
			assert.NoError(t, err)
			assert.Equal(t, http.StatusOK, st, "a copy is answered, so amoCRM does not post it again")
		})
	}
	wg.Wait()
	e.Wait(t, "lead-810:amocrm-8101", storage.StatusDone)
	e.Wait(t, "lead-820:amocrm-8102", storage.StatusDone)
	assert.ElementsMatch(t, []string{"leads/810", "leads/820"}, e.waitWritten(t, 2))

	// Both again in one hook, after they are done.
	st, err = e.account.Send(context.Background(), e.hook, first.ID, second.ID)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, st)
	for _, id := range []string{"lead-810:amocrm-8101", "lead-820:amocrm-8102"} {
		e.Completed(t, id)
	}
	assert.Equal(t, float64(2), e.count(t, "callaudit_intake_events_total", "outcome", "accepted"))
	assert.Equal(t, float64(3), e.count(t, "callaudit_intake_events_total", "outcome", "dropped"), "three copies dropped")
	assert.Len(t, e.account.Written(), 2, "no second audit or note")
	assert.Equal(t, 1, e.account.NoteGets(second.ID))
	assert.Equal(t, 3, e.account.Fetches(first.ID), "two 404s and the download, once")
	assert.Len(t, e.Calls(t), 2)
}
