package zadarma_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/adapters/intake/zadarma"
	"github.com/callaudit/callaudit/adapters/intake/zadarma/zadarmatest"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

const (
	apiKey = "key-1"
	secret = "secret-zd"
)

// TestSignatureReferenceVector: base64 of the hex HMAC-SHA1, as computed
// by `openssl sha1 -hmac secret-zd | base64` over NOTIFY_RECORD's string.
func TestSignatureReferenceVector(t *testing.T) {
	n := url.Values{"event": {"NOTIFY_RECORD"}, "pbx_call_id": {"in_0f1e2d3c4b5a"}, "call_id_with_rec": {"1583151600.1234567"}}
	s, ok := zadarma.SignedString(n)
	require.True(t, ok)
	assert.Equal(t, "YWVjMmZjMTg3NDU0NzAyNmFmNzNlYTQ1MjRiYzMzMTRjZGM4NzQ5Mw==", zadarma.Signature(s, secret))
}

// zd is one test's Zadarma with the real pipeline behind the intake.
type zd struct {
	*zadarmatest.Fake
	env *intaketest.Env
}

// start runs a fake Zadarma whose API allows perMinute requests (0: the
// 100 a minute taken as documented) against the real pipeline, the
// intake keeping ours a second (0: zadarma.DefaultPerSecond).
func start(t *testing.T, perMinute float64, ours float64) zd {
	t.Helper()
	return startOn(t, "", perMinute, ours)
}

// startOn is start on the database dsn (empty: a new SQLite file).
func startOn(t *testing.T, dsn string, perMinute float64, ours float64) zd {
	t.Helper()
	fake := zadarmatest.New(zadarmatest.Config{APIKey: apiKey, Secret: secret, PerMinute: perMinute, Burst: 2})
	t.Cleanup(fake.Close)
	env := intaketest.NewEnv(t, intaketest.EnvConfig{DSN: dsn, Vendor: func(files audit.Fetcher) (intake.Vendor, error) {
		return zadarma.New(zadarma.Config{APIKey: apiKey, Secret: secret, API: intake.API{BaseURL: fake.API.URL, PerSecond: ours},
			Common: intake.Common{Managers: map[string]string{"100": "smirnova"}, PollDelay: 40 * time.Millisecond}}, files)
	}})
	fake.Target = env.Target("zadarma")
	return zd{fake, env}
}

func (z zd) must(t *testing.T, c zadarmatest.Call) {
	t.Helper()
	answers, err := z.Send(context.Background(), c)
	require.NoError(t, err)
	for i, a := range answers {
		require.Equal(t, http.StatusOK, a.Status, "notification %d: %s", i, a.Body)
	}
}

// post sends one notification, signed as Zadarma signs, and wants 200.
func (z zd) post(t *testing.T, n url.Values) {
	t.Helper()
	a, err := z.Post(context.Background(), n)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, a.Status, "%s: %s", n.Get("event"), a.Body)
}

// TestEndToEnd: NOTIFY_START, NOTIFY_END, NOTIFY_RECORD, then the record
// request, after a poll that finds the file not saved yet: one stored,
// transcribed, scored and written-back call for extension 100's manager.
func TestEndToEnd(t *testing.T) {
	z := start(t, 6000, 100)
	z.must(t, zadarmatest.Call{PBXCallID: "in_0f1e2d3c4b5a", RecordingID: "1583151600.1234567", Internal: "100", Number: "79001234567", Duration: 95 * time.Second, NotReady: 1})
	z.env.WaitAudited(t, "zadarma-in_0f1e2d3c4b5a", "smirnova") // extension 100
	assert.Equal(t, 1, z.Recordings.Downloads("1583151600.1234567"))
	assert.Equal(t, 1.0, z.env.Events(t, "accepted"))
	assert.Equal(t, 1.0, z.env.Events(t, "kept"), "NOTIFY_END, joined by pbx_call_id")
	assert.Equal(t, 1.0, z.env.Events(t, "check"), "NOTIFY_START is answered and not used")

	// Outbound, and an extension missing from the table: kept as
	// zadarma:<extension>.
	z.must(t, zadarmatest.Call{PBXCallID: "out_1", RecordingID: "rec-out-1", Outbound: true, Internal: "107", Number: "79007654321", Duration: time.Minute})
	out := z.env.Wait(t, "zadarma-out_1", storage.StatusDone)
	assert.Equal(t, "zadarma:107", out.ManagerID)
	assert.Len(t, z.env.Calls(t), 2)
}

// TestURLCheck: Zadarma's GET ?zd_echo=X is answered X.
func TestURLCheck(t *testing.T) {
	z := start(t, 6000, 100)
	resp, err := http.Get(z.Target + "?zd_echo=abc123")
	require.NoError(t, err)
	defer resp.Body.Close()
	buf := make([]byte, 64)
	n, _ := resp.Body.Read(buf)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "abc123", string(buf[:n]))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
}

// TestWrongSignature: a notification whose Signature is garbage, missing,
// made with another secret, or made over other fields (a recording id
// swapped) is refused with 401 and leaves nothing; the same call signed
// as Zadarma signs is then audited: the refusals lost no call.
func TestWrongSignature(t *testing.T) {
	z := start(t, 6000, 100)
	ctx := context.Background()
	c := zadarmatest.Call{PBXCallID: "in_sig", RecordingID: "rec-sig", Internal: "100", Number: "79001110000", Duration: time.Minute}
	events := z.Events(c)
	refused := 0
	refuse := func(n url.Values, signature, why string) {
		t.Helper()
		a, err := z.PostSigned(ctx, n, signature)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, a.Status, "%s, %s: %s", n.Get("event"), why, a.Body)
		assert.NotContains(t, a.Body, secret)
		refused++
	}
	for _, n := range events {
		s, ok := zadarma.SignedString(n)
		require.True(t, ok)
		refuse(n, "d3Jvbmc=", "garbage")
		refuse(n, "", "missing")
		refuse(n, zadarma.Signature(s, "another-secret"), "another account's secret")
	}
	record := events[len(events)-1]
	require.Equal(t, "NOTIFY_RECORD", record.Get("event"))
	s, _ := zadarma.SignedString(record)
	swapped := url.Values{}
	for k, v := range record {
		swapped[k] = v
	}
	swapped.Set("call_id_with_rec", "rec-of-another-call")
	refuse(swapped, zadarma.Signature(s, secret), "signed over other fields")

	assert.Empty(t, z.env.Calls(t))
	assert.Equal(t, float64(refused), z.env.Events(t, "unauthorized"))
	assert.Zero(t, z.Recordings.Polls("rec-sig"), "nothing was asked of the API")

	z.must(t, c)
	got := z.env.Wait(t, "zadarma-in_sig", storage.StatusDone)
	assert.Equal(t, "smirnova", got.ManagerID)
	assert.Equal(t, 1, z.Recordings.Downloads("rec-sig"))
}

// TestReplayAndOutOfOrder: Zadarma numbers no notification, so the first of each is
// kept and the same one sent again is answered 200 and dropped; a
// NOTIFY_RECORD that overtakes its NOTIFY_END (the two are separate
// requests, in no documented order) waits for it, so the call still has
// its extension's manager. Each call is downloaded, audited and written
// back once.
func TestReplayAndOutOfOrder(t *testing.T) {
	z := start(t, 6000, 100)
	c := zadarmatest.Call{PBXCallID: "in_replay", RecordingID: "rec-replay", Internal: "100", Number: "79001110002", Duration: time.Minute}
	z.must(t, c)
	call := z.env.Wait(t, "zadarma-in_replay", storage.StatusDone)
	z.must(t, c) // every notification again
	assert.Equal(t, 2.0, z.env.Events(t, "dropped"), "NOTIFY_END and NOTIFY_RECORD again")
	assert.Equal(t, 1.0, z.env.Events(t, "accepted"))

	late := zadarmatest.Call{PBXCallID: "in_late_end", RecordingID: "rec-late-end", Internal: "100", Number: "79001110003", Duration: time.Minute}
	events := z.Events(late) // NOTIFY_START, NOTIFY_END, NOTIFY_RECORD
	require.Len(t, events, 3)
	z.post(t, events[0])
	z.post(t, events[2])
	z.post(t, events[2]) // and again, before the end
	z.post(t, events[1])
	z.post(t, events[1])
	lateCall := z.env.Wait(t, "zadarma-in_late_end", storage.StatusDone)
	assert.Equal(t, "smirnova", lateCall.ManagerID, "the NOTIFY_END that came last still names the extension")
	assert.Equal(t, 4.0, z.env.Events(t, "dropped"), "the second NOTIFY_RECORD and the second NOTIFY_END")
	assert.Equal(t, 2.0, z.env.Events(t, "accepted"))

	for id, rec := range map[string]string{call.ID: "rec-replay", lateCall.ID: "rec-late-end"} {
		assert.Equal(t, 1, z.env.Receiver.Count(id), "%s written back once", id)
		assert.Equal(t, 1, z.Recordings.Downloads(rec), "%s downloaded once", rec)
	}
	assert.Len(t, z.env.Calls(t), 2)
}

// TestMissedCall: NOTIFY_END with a disposition other than "answered"
// (no answer, busy, cancel) is skipped as missed, counted once however
// often it is sent, and makes no call; an answered call shorter than
// MinTalk is too_short, one with is_recorded 0 not_recorded; nothing is
// asked of the API for any of them.
func TestMissedCall(t *testing.T) {
	z := start(t, 6000, 100)
	for i, disposition := range []string{"no answer", "busy", "cancel"} {
		c := zadarmatest.Call{PBXCallID: "in_missed_" + strconv.Itoa(i), Internal: "100", Number: "79001110001", Disposition: disposition}
		z.must(t, c)
		z.must(t, c) // sent again
	}
	assert.Equal(t, 3.0, z.env.Skipped(t, "missed"))

	short := zadarmatest.Call{PBXCallID: "in_short", RecordingID: "rec-short", Internal: "100", Number: "79001110004", Duration: 3 * time.Second}
	z.must(t, short)
	assert.Equal(t, 1.0, z.env.Skipped(t, "too_short"), "3 s is under MinTalk")
	assert.Zero(t, z.Recordings.Polls("rec-short"), "nothing downloaded")

	z.must(t, zadarmatest.Call{PBXCallID: "in_unrecorded", Internal: "100", Number: "79001110005", Duration: time.Minute, NotRecorded: true})
	assert.Equal(t, 1.0, z.env.Skipped(t, "not_recorded"))
	assert.Empty(t, z.env.Calls(t), "no call for any of them")
}

// TestRecordingAfterThreePolls: the record request answers 404 ("Record
// not found") three times before the file is saved. Through the pipeline
// the job snoozes each time (the call stays queued, no attempt is spent,
// no error recorded) and the call is then audited once, on SQLite and on
// PostgreSQL; asked directly, the vendor's delay is Zadarma's advice, 40
// seconds.
func TestRecordingAfterThreePolls(t *testing.T) {
	intaketest.OnEachStore(t, os.Getenv, func(t *testing.T, dsn string) {
		z := startOn(t, dsn, 6000, 100)
		z.must(t, zadarmatest.Call{PBXCallID: "in_three", RecordingID: "rec-three", Internal: "100", Number: "79001112233", Duration: time.Minute, NotReady: 3})
		call := z.env.Wait(t, "zadarma-in_three", storage.StatusDone)
		assert.Equal(t, 4, z.Recordings.Polls("rec-three"), "three not saved yet, then the link")
		assert.Equal(t, 1, z.Recordings.Downloads("rec-three"))
		assert.Equal(t, 3.0, z.env.Polls(t))
		assert.Equal(t, 1, z.env.Receiver.Count(call.ID))
		job := z.env.Completed(t, call.ID)
		assert.Equal(t, [3]int{0, 1, 3}, [3]int{job.Errors, job.Attempt, job.Snoozes}, "no error, one attempt, three snoozes")

		// The vendor with its defaults: each not-ready answer asks for
		// DefaultPollDelay, Zadarma's 40 seconds, then the audio comes.
		v, err := zadarma.New(zadarma.Config{APIKey: apiKey, Secret: secret, API: intake.API{BaseURL: z.API.URL, PerSecond: 100}}, intaketest.Files(t))
		require.NoError(t, err)
		require.Equal(t, 40*time.Second, zadarma.DefaultPollDelay)
		z.Recordings.Add("rec-direct", 3)
		intaketest.PollsUntilReady(t, v, intake.Recording{ID: "rec-direct"}, 3, zadarma.DefaultPollDelay)
	})
}

// TestBurstAboveRateLimit: six calls at once against an API that allows
// 100 requests a minute in bursts of 2 (the fake answers 429 "Too many
// requests" above it). The intake's limiter at its default keeps to it
// (no 429); set too high, the 429s are waited for without spending an
// attempt; either way no call is lost.
func TestBurstAboveRateLimit(t *testing.T) {
	intaketest.RunBurst(t, 6, 0, 50, func(t *testing.T, ours float64) intaketest.BurstRig {
		z := start(t, 0, ours)
		return intaketest.BurstRig{Env: z.env, Side: z.Side, Send: func(i int) (string, string, error) {
			id := strconv.Itoa(i)
			c := zadarmatest.Call{PBXCallID: "in_burst_" + id, RecordingID: "rec-burst-" + id, Internal: "100", Number: "7900000000" + id, Duration: time.Minute}
			return "zadarma-" + c.PBXCallID, c.RecordingID, intaketest.AllOK(z.Send(context.Background(), c))
		}}
	})
}
