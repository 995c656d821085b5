package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/adapters/intake/mango/mangotest"
	"github.com/callaudit/callaudit/adapters/intake/zadarma/zadarmatest"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/storage"
)

// killCase is one vendor of TestIntakeSurvivesSIGKILL: its fake's side,
// the server's variables for it, and a sender of the call (its recording
// not stored at the first ask).
type killCase struct {
	name, callID, recordingID, manager string
	side                               *intaketest.Side
	env                                []string
	send                               func() ([]intaketest.Answer, error)
}

func killCases(t *testing.T) []killCase {
	ctx := context.Background()
	m := mangotest.New(mangotest.Config{APIKey: "vpbx-key", Salt: "vpbx-salt"})
	t.Cleanup(m.Close)
	z := zadarmatest.New(zadarmatest.Config{APIKey: "zd-key", Secret: "zd-secret"})
	t.Cleanup(z.Close)
	return []killCase{{
		name: "mango", callID: "mango-kill-1", recordingID: "rec-kill-1", manager: "ivanov", side: m.Side,
		env: []string{"AUDIT_INTAKE_MANGO=true", "AUDIT_INTAKE_MANGO_API_KEY=vpbx-key", "AUDIT_INTAKE_MANGO_API_SALT=vpbx-salt",
			"AUDIT_INTAKE_MANGO_BASE_URL=" + m.BaseURL(), "AUDIT_INTAKE_MANGO_MANAGERS=123=ivanov",
			// Long enough that the kill comes before the second ask.
			"AUDIT_INTAKE_MANGO_POLL_DELAY=3s"},
		send: func() ([]intaketest.Answer, error) {
			return m.Send(ctx, mangotest.Call{EntryID: "kill-1", RecordingID: "rec-kill-1", Inbound: true, Extension: "123", Number: "79001234567", Talk: time.Minute, NotReady: 1})
		},
	}, {
		name: "zadarma", callID: "zadarma-in_kill_1", recordingID: "1583151600.9999", manager: "smirnova", side: z.Side,
		env: []string{"AUDIT_INTAKE_ZADARMA=true", "AUDIT_INTAKE_ZADARMA_API_KEY=zd-key", "AUDIT_INTAKE_ZADARMA_API_SECRET=zd-secret",
			"AUDIT_INTAKE_ZADARMA_BASE_URL=" + z.API.URL, "AUDIT_INTAKE_ZADARMA_MANAGERS=100=smirnova",
			"AUDIT_INTAKE_ZADARMA_POLL_DELAY=3s"},
		send: func() ([]intaketest.Answer, error) {
			return z.Send(ctx, zadarmatest.Call{PBXCallID: "in_kill_1", RecordingID: "1583151600.9999", Internal: "100", Number: "79001234567", Duration: time.Minute, NotReady: 1})
		},
	}}
}

// TestIntakeSurvivesSIGKILL is issue 15's crash acceptance, for Mango
// Office and for Zadarma: the vendor sends a call's events to the real
// server, whose job asks for the recording once (not stored yet) and
// snoozes; the server is killed with SIGKILL before the download.
// Restarted on the same database, it downloads the recording once, and
// the call is audited and written back exactly once.
func TestIntakeSurvivesSIGKILL(t *testing.T) {
	for _, vc := range killCases(t) {
		t.Run(vc.name, func(t *testing.T) { survivesSIGKILL(t, vc) })
	}
}

func survivesSIGKILL(t *testing.T, vc killCase) {
	fake := openaitest.NewServer()
	defer fake.Close()
	secret := webhooks.NewSecret()
	receiver := writebacktest.NewReceiver(secret)
	defer receiver.Close()
	env := append([]string{
		"OPENAI_API_KEY=" + fake.APIKey, "OPENAI_BASE_URL=" + fake.URL,
		"AUDIT_FETCH_ALLOW_HOSTS=127.0.0.1",
		"AUDIT_CALLBACK_URL=" + receiver.URL, "AUDIT_CALLBACK_SECRET=" + secret,
		// A job the kill left marked running (River records the snooze
		// after the attempt) is rescued within the test's time.
		"AUDIT_JOB_TIMEOUT=10s", "AUDIT_JOB_RESCUE_AFTER=10s",
	}, vc.env...)
	dir := t.TempDir()
	p := start(t, dir, env...)
	vc.side.Target = p.base + "/intake/" + vc.name
	answers, err := vc.send()
	require.NoError(t, intaketest.AllOK(answers, err))
	recs := vc.side.Recordings
	require.Eventually(t, func() bool { return recs.Polls(vc.recordingID) == 1 }, 20*time.Second, 10*time.Millisecond,
		"the job asked for the recording:\n%s", p.logs.String())
	require.NoError(t, p.cmd.Process.Kill())
	<-p.exited
	require.Zero(t, recs.Downloads(vc.recordingID), "killed between the event and the download")

	p = start(t, dir, env...)
	var call storage.Call
	require.Eventually(t, func() bool {
		for _, c := range calls(t, p.base) {
			if c.ID == vc.callID {
				call = storage.Call{ID: c.ID, Status: c.Status, StatusReason: c.StatusReason, ManagerID: c.ManagerID}
			}
		}
		return call.Status == storage.StatusDone && call.StatusReason == "delivered"
	}, 60*time.Second, 100*time.Millisecond, "the call reads %s %q:\n%s", call.Status, call.StatusReason, p.logs.String())
	assert.Equal(t, vc.manager, call.ManagerID)
	assert.Equal(t, 1, recs.Downloads(vc.recordingID), "downloaded once")
	assert.Equal(t, 2, recs.Polls(vc.recordingID), "asked before the kill and once after")
	assert.Equal(t, 1, receiver.Count(vc.callID), "written back once")
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
