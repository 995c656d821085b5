package bitrix24_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake/bitrix24/bitrix24test"
	"github.com/callaudit/callaudit/storage"
)

// TestReplayedAndReorderedEventsAuditOnce: Bitrix24 sends each event once
// («Bitrix24 will not resend anything», events/index.md) through a queue
// server that «does not call your handlers in real-time» and may call a
// handler once per change, so the intake must neither double a call that
// reaches it twice (a second handler bound to the same portal, a captured
// event posted again: another event_handler_id and ts, the same CALL_ID)
// nor lose one whose events come in another order. ONVOXIMPLANTCALLEND is
// the only event acted on and CALL_ID its key: copies are dropped and
// counted, init and start after the end change nothing.
func TestReplayedAndReorderedEventsAuditOnce(t *testing.T) {
	t.Run("the end event again, while queued and after done", func(t *testing.T) {
		e := newEnv(t, bitrix24test.DefaultLimit, keep{})
		c := answered("call.replayed", 31)
		c.ReadyAfter = 2
		e.finish(t, c)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				st, err := bitrix24test.Post(context.Background(), e.handler, e.portal.EndEvent(c.ID, e.portal.AppToken))
				assert.NoError(t, err)
				assert.Equal(t, []int{200}, st, "a copy is answered, so the queue server does not mark the handler failing")
			})
		}
		wg.Wait()
		e.Wait(t, "bitrix24-"+c.ID, storage.StatusDone)
		assert.Equal(t, []string{"contact-31"}, e.waitComments(t, 1))
		st, err := bitrix24test.Post(context.Background(), e.handler, e.portal.EndEvent(c.ID, e.portal.AppToken))
		require.NoError(t, err)
		assert.Equal(t, []int{200}, st)
		assert.Equal(t, float64(3), e.events(t, "dropped"), "three copies dropped")
		assert.Equal(t, float64(1), e.events(t, "accepted"))
		// Nothing was queued by the copies: the job's work is all there is.
		e.Completed(t, "bitrix24-"+c.ID)
		assert.Len(t, e.portal.Comments(), 1, "no second audit or comment")
		assert.Equal(t, 1, e.portal.Downloads(c.ID))
		assert.Len(t, e.Calls(t), 1)
	})

	t.Run("the end before the init and the start", func(t *testing.T) {
		e := newEnv(t, bitrix24test.DefaultLimit, keep{})
		c := answered("call.reordered", 32)
		e.portal.AddCall(c)
		events := e.portal.Events(c.ID)
		require.Len(t, events, 3)
		slices.Reverse(events) // end, start, init
		statuses, err := bitrix24test.Post(context.Background(), e.handler, events...)
		require.NoError(t, err)
		assert.Equal(t, []int{200, 200, 200}, statuses)
		call := e.Wait(t, "bitrix24-"+c.ID, storage.StatusDone)
		assert.Equal(t, "anna", call.ManagerID, "the end event's PORTAL_USER_ID, not lost to the start's USER_ID coming later")
		assert.Equal(t, []string{"contact-32"}, e.waitComments(t, 1))
		assert.Equal(t, float64(1), e.events(t, "accepted"))
		assert.Equal(t, float64(2), e.events(t, "check"), "init and start are answered and left")
		assert.Equal(t, 1, e.portal.Downloads(c.ID))
	})

	t.Run("a missed call's end again", func(t *testing.T) {
		e := newEnv(t, bitrix24test.DefaultLimit, keep{})
		c := bitrix24test.Call{ID: "call.missed.twice", Type: 2, Phone: "+79161234567", UserID: 1269, FailedCode: "304"}
		e.portal.AddCall(c)
		end := e.portal.EndEvent(c.ID, e.portal.AppToken)
		statuses, err := bitrix24test.Post(context.Background(), e.handler, end, end)
		require.NoError(t, err)
		assert.Equal(t, []int{200, 200}, statuses)
		assert.Equal(t, float64(1), e.skipped(t, "missed"), "counted once")
		assert.Equal(t, float64(1), e.events(t, "dropped"))
		e.missing(t, "bitrix24-"+c.ID)
	})
}
