package storagetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// RunEventLog checks newLog's stores against the storage.EventLog
// contract: duplicates and older events are refused, concurrent notes of
// one event record it once, calls and vendors are apart, and old events
// are purged.
func RunEventLog(t *testing.T, newLog func(t *testing.T) storage.EventLog) {
	t.Helper()
	type k = kit[storage.EventLog]
	runEach(t, newLog, k{"NoteAndRead", testEventNoteAndRead}, k{"DuplicatesAndOutOfOrder", testEventOrder},
		k{"BadRequests", testEventBadRequests}, k{"ConcurrentNotes", testEventConcurrent}, k{"DeleteBefore", testEventDeleteBefore})
}

var eventT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testEventNoteAndRead(t *testing.T, l storage.EventLog) {
	c := ctx(t)
	for i, e := range []storage.IntakeEvent{
		{Vendor: "mango", CallKey: "e1", Kind: "summary", Data: []byte(`{"talk":60}`), At: eventT0.Add(2 * time.Second)},
		{Vendor: "mango", CallKey: "e1", Kind: "record/added", Data: []byte(`{"rec":"r1"}`), At: eventT0.Add(3 * time.Second)},
		{Vendor: "mango", CallKey: "e1", Kind: "recording:c1", Seq: 2, Data: []byte(`{}`), At: eventT0.Add(time.Second)},
		{Vendor: "mango", CallKey: "e2", Kind: "summary", Data: []byte(`{"talk":0}`), At: eventT0},
		{Vendor: "zadarma", CallKey: "e1", Kind: "summary", Data: []byte(`{}`), At: eventT0},
	} {
		ok, err := l.NoteEvent(c, e)
		require.NoError(t, err, "event %d", i)
		require.True(t, ok, "event %d is new", i)
	}
	got, err := l.CallEvents(c, "mango", "e1")
	require.NoError(t, err)
	require.Len(t, got, 3, "the call's own events only")
	assert.Equal(t, []string{"recording:c1", "summary", "record/added"}, []string{got[0].Kind, got[1].Kind, got[2].Kind}, "oldest first")
	assert.Equal(t, int64(2), got[0].Seq)
	assert.JSONEq(t, `{"talk":60}`, string(got[1].Data))
	assert.True(t, got[1].At.Equal(eventT0.Add(2*time.Second)), "At kept: %v", got[1].At)
	none, err := l.CallEvents(c, "mango", "unknown")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func testEventOrder(t *testing.T, l storage.EventLog) {
	c := ctx(t)
	note := func(seq int64, data string) bool {
		ok, err := l.NoteEvent(c, storage.IntakeEvent{Vendor: "mango", CallKey: "e1", Kind: "recording:c1", Seq: seq, Data: []byte(data), At: eventT0.Add(time.Duration(seq) * time.Second)})
		require.NoError(t, err)
		return ok
	}
	assert.True(t, note(2, `{"state":"Started"}`))
	assert.False(t, note(2, `{"state":"Started again"}`), "the same seq again is a duplicate")
	assert.False(t, note(1, `{"state":"older"}`), "a lower seq arrived late")
	assert.True(t, note(5, `{"state":"Completed"}`), "a higher seq replaces")
	got, err := l.CallEvents(c, "mango", "e1")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, int64(5), got[0].Seq)
	assert.JSONEq(t, `{"state":"Completed"}`, string(got[0].Data))
	// Without a seq the first one stays.
	first := storage.IntakeEvent{Vendor: "mango", CallKey: "e1", Kind: "summary", Data: []byte(`{"n":1}`)}
	ok, err := l.NoteEvent(c, first)
	require.NoError(t, err)
	assert.True(t, ok)
	first.Data = []byte(`{"n":2}`)
	ok, err = l.NoteEvent(c, first)
	require.NoError(t, err)
	assert.False(t, ok, "a replay of an event without seq")
}

func testEventBadRequests(t *testing.T, l storage.EventLog) {
	for _, e := range []storage.IntakeEvent{
		{CallKey: "e1", Kind: "k"}, {Vendor: "v", Kind: "k"}, {Vendor: "v", CallKey: "e1"},
	} {
		_, err := l.NoteEvent(ctx(t), e)
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "%+v: %v", e, err)
	}
}

func testEventConcurrent(t *testing.T, l storage.EventLog) {
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := l.NoteEvent(ctx(t), storage.IntakeEvent{Vendor: "zadarma", CallKey: "p1", Kind: "NOTIFY_RECORD", Data: []byte(`{}`)})
			if assert.NoError(t, err) && ok {
				fresh.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), fresh.Load(), "one of the concurrent notes records the event")
}

func testEventDeleteBefore(t *testing.T, l storage.EventLog) {
	c := ctx(t)
	for i, key := range []string{"old1", "old2", "new"} {
		at := eventT0.Add(time.Duration(i) * time.Hour)
		_, err := l.NoteEvent(c, storage.IntakeEvent{Vendor: "mango", CallKey: key, Kind: "summary", Data: []byte(`{}`), At: at})
		require.NoError(t, err)
	}
	n, err := l.DeleteEventsBefore(c, eventT0.Add(90*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	for key, want := range map[string]int{"old1": 0, "old2": 0, "new": 1} {
		got, err := l.CallEvents(c, "mango", key)
		require.NoError(t, err)
		assert.Len(t, got, want, key)
	}
}
