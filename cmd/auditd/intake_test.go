package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake/mango/mangotest"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/storage"
)

// TestIntakeSurvivesSIGKILL is issue 15's crash acceptance: Mango Office
// sends a call's events to the real server, whose job asks for the
// recording once (not stored yet) and snoozes; the server is killed with
// SIGKILL before the download. Restarted on the same database, it
// downloads the recording once, and the call is audited and written back
// exactly once.
func TestIntakeSurvivesSIGKILL(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	secret := webhooks.NewSecret()
	receiver := writebacktest.NewReceiver(secret)
	defer receiver.Close()
	mango := mangotest.New(mangotest.Config{APIKey: "vpbx-key", Salt: "vpbx-salt"})
	defer mango.Close()
	env := []string{
		"OPENAI_API_KEY=" + fake.APIKey, "OPENAI_BASE_URL=" + fake.URL,
		"AUDIT_FETCH_ALLOW_HOSTS=127.0.0.1",
		"AUDIT_CALLBACK_URL=" + receiver.URL, "AUDIT_CALLBACK_SECRET=" + secret,
		"AUDIT_INTAKE_MANGO=true", "AUDIT_INTAKE_MANGO_API_KEY=vpbx-key", "AUDIT_INTAKE_MANGO_API_SALT=vpbx-salt",
		"AUDIT_INTAKE_MANGO_BASE_URL=" + mango.BaseURL(), "AUDIT_INTAKE_MANGO_MANAGERS=123=ivanov",
		// Long enough that the kill comes before the second ask.
		"AUDIT_INTAKE_MANGO_POLL_DELAY=3s",
		// A job the kill left marked running (River records the snooze
		// after the attempt) is rescued within the test's time.
		"AUDIT_JOB_TIMEOUT=10s", "AUDIT_JOB_RESCUE_AFTER=10s",
	}
	dir := t.TempDir()
	p := start(t, dir, env...)
	mango.Target = p.base + "/intake/mango"
	answers, err := mango.Send(context.Background(), mangotest.Call{EntryID: "kill-1", RecordingID: "rec-kill-1", Inbound: true, Extension: "123", Number: "79001234567", Talk: time.Minute, NotReady: 1})
	require.NoError(t, err)
	for _, a := range answers {
		require.Equal(t, http.StatusOK, a.Status, a.Body)
	}
	require.Eventually(t, func() bool { return mango.Recordings.Polls("rec-kill-1") == 1 }, 20*time.Second, 10*time.Millisecond,
		"the job asked for the recording:\n%s", p.logs.String())
	require.NoError(t, p.cmd.Process.Kill())
	<-p.exited
	require.Zero(t, mango.Recordings.Downloads("rec-kill-1"), "killed between the event and the download")

	p = start(t, dir, env...)
	var call storage.Call
	require.Eventually(t, func() bool {
		for _, c := range calls(t, p.base) {
			if c.ID == "mango-kill-1" {
				call = storage.Call{ID: c.ID, Status: c.Status, StatusReason: c.StatusReason, ManagerID: c.ManagerID}
			}
		}
		return call.Status == storage.StatusDone && call.StatusReason == "delivered"
	}, 60*time.Second, 100*time.Millisecond, "the call reads %s %q:\n%s", call.Status, call.StatusReason, p.logs.String())
	assert.Equal(t, "ivanov", call.ManagerID)
	assert.Equal(t, 1, mango.Recordings.Downloads("rec-kill-1"), "downloaded once")
	assert.Equal(t, 2, mango.Recordings.Polls("rec-kill-1"), "asked before the kill and once after")
	assert.Equal(t, 1, receiver.Count("mango-kill-1"), "written back once")
	transcriptions := 0
	for _, r := range fake.Requests() {
		if r.Audio != nil {
			transcriptions++
		}
	}
	assert.Equal(t, 1, transcriptions, "transcribed once")
	assert.Len(t, calls(t, p.base), 1)
	assert.True(t, strings.Contains(p.logs.String(), "telephony intake enabled"))
	assert.Equal(t, 0, p.stop(t))
}
