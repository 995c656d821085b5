package zadarma_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
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

// TestSignatureReferenceVector: base64 of the hex HMAC-SHA1, as computed
// by `openssl sha1 -hmac secret-zd | base64` over NOTIFY_RECORD's string.
func TestSignatureReferenceVector(t *testing.T) {
	n := url.Values{"event": {"NOTIFY_RECORD"}, "pbx_call_id": {"in_0f1e2d3c4b5a"}, "call_id_with_rec": {"1583151600.1234567"}}
	s, ok := zadarma.SignedString(n)
	require.True(t, ok)
	assert.Equal(t, "YWVjMmZjMTg3NDU0NzAyNmFmNzNlYTQ1MjRiYzMzMTRjZGM4NzQ5Mw==", zadarma.Signature(s, "secret-zd"))
}

// zd is one test's Zadarma with the real pipeline behind the intake.
type zd struct {
	*zadarmatest.Fake
	env *intaketest.Env
}

func start(t *testing.T, perMinute float64, ours float64) zd {
	t.Helper()
	fake := zadarmatest.New(zadarmatest.Config{APIKey: "key-1", Secret: "secret-zd", PerMinute: perMinute, Burst: 2})
	t.Cleanup(fake.Close)
	env := intaketest.NewEnv(t, intaketest.EnvConfig{Vendor: func(files audit.Fetcher) (intake.Vendor, error) {
		return zadarma.New(zadarma.Config{APIKey: "key-1", Secret: "secret-zd", API: intake.API{BaseURL: fake.API.URL, PerSecond: ours},
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

func (z zd) count(t *testing.T, name string, labels map[string]string) float64 {
	labels["vendor"] = "zadarma"
	return z.env.Counter(t, name, labels)
}

// TestEndToEnd: NOTIFY_START, NOTIFY_END, NOTIFY_RECORD, then the record
// request, after two polls that find the file not saved yet: one stored,
// scored and written-back call for extension 100's manager.
func TestEndToEnd(t *testing.T) {
	z := start(t, 6000, 100)
	z.must(t, zadarmatest.Call{PBXCallID: "in_0f1e2d3c4b5a", RecordingID: "1583151600.1234567", Internal: "100", Number: "79001234567", Duration: 95 * time.Second, NotReady: 2})
	got := z.env.Wait(t, "zadarma-in_0f1e2d3c4b5a", storage.StatusDone)
	assert.Equal(t, "smirnova", got.ManagerID)
	require.NotNil(t, got.Report)
	assert.Equal(t, 1, z.env.Receiver.Count(got.ID))
	assert.Equal(t, 3, z.Recordings.Polls("1583151600.1234567"))
	assert.Equal(t, 1, z.Recordings.Downloads("1583151600.1234567"))
	assert.Equal(t, 2.0, z.count(t, "callaudit_intake_recording_polls_total", map[string]string{}))

	// Outbound, and an extension missing from the table: kept as
	// zadarma:<extension>.
	z.must(t, zadarmatest.Call{PBXCallID: "out_1", RecordingID: "rec-out-1", Outbound: true, Internal: "107", Number: "79007654321", Duration: time.Minute})
	out := z.env.Wait(t, "zadarma-out_1", storage.StatusDone)
	assert.Equal(t, "zadarma:107", out.ManagerID)
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

// TestRefusals: a wrong Signature is 401 and nothing is kept; the
// notifications of a call sent twice are dropped the second time; a call
// nobody answered is skipped once.
func TestRefusals(t *testing.T) {
	z := start(t, 6000, 100)
	ctx := context.Background()
	c := zadarmatest.Call{PBXCallID: "in_sig", RecordingID: "rec-sig", Internal: "100", Number: "79001110000", Duration: time.Minute}
	events := z.Events(c)
	for _, n := range events {
		a, err := z.PostSigned(ctx, n, "d3Jvbmc=")
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, a.Status, "%s: %s", n.Get("event"), a.Body)
	}
	assert.Empty(t, z.env.Calls(t))
	assert.Equal(t, float64(len(events)), z.count(t, "callaudit_intake_events_total", map[string]string{"outcome": "unauthorized"}))

	z.must(t, c)
	z.must(t, c) // replayed
	z.env.Wait(t, "zadarma-in_sig", storage.StatusDone)
	assert.Equal(t, 2.0, z.count(t, "callaudit_intake_events_total", map[string]string{"outcome": "dropped"}), "NOTIFY_END and NOTIFY_RECORD again")
	assert.Equal(t, 1, z.Recordings.Downloads("rec-sig"))

	missed := zadarmatest.Call{PBXCallID: "in_missed", Internal: "100", Number: "79001110001"}
	z.must(t, missed)
	z.must(t, missed)
	assert.Equal(t, 1.0, z.count(t, "callaudit_intake_skipped_total", map[string]string{"reason": "missed"}))
	_, err := z.env.Store.Get(ctx, "zadarma-in_missed")
	assert.Error(t, err, "no call for a missed one")
}

// TestBurst: 12 calls at once against an API allowing 300 requests a
// minute in bursts of 2; the intake paces itself to 5 a second (no 429)
// and every call is audited.
func TestBurst(t *testing.T) {
	z := start(t, 300, 5)
	var wg sync.WaitGroup
	const n = 12
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := strconv.Itoa(i)
			z.must(t, zadarmatest.Call{PBXCallID: "in_burst_" + id, RecordingID: "rec-burst-" + id, Internal: "100", Number: "7900000000" + id, Duration: time.Minute})
		}()
	}
	wg.Wait()
	for i := range n {
		z.env.Wait(t, "zadarma-in_burst_"+strconv.Itoa(i), storage.StatusDone)
	}
	assert.Zero(t, z.Limit.Refused(), "the limiter kept to the API's limit")
	assert.Len(t, z.env.Calls(t), n)
}
