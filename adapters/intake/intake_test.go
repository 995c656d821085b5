package intake_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
)

const stubSecret = "stub-secret-never-shown"

// stub is a vendor of the tests' own: an event is the JSON of wire,
// signed by X-Stub-Signature (hex HMAC-SHA256 of the body); Fetch answers
// what fetch says.
type stub struct {
	intake.Common
	// forbidden answers a wrong signature as Bitrix24 does (403).
	forbidden bool
	mu        sync.Mutex
	fetches   int
	fetch     func(rec intake.Recording) (transcribe.Audio, func(), error)
}

type wire struct {
	Kind, CallKey string
	Seq           int64
	Facts         intake.Facts
	Recording     string
	Await         []string
}

func (s *stub) Name() string { return "stub" }

func sign(body []byte) string {
	m := hmac.New(sha256.New, []byte(stubSecret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *stub) Receive(r *http.Request, body []byte) (intake.Event, error) {
	if !intake.Equal(r.Header.Get("X-Stub-Signature"), sign(body)) {
		if s.forbidden {
			return intake.Event{}, callaudit.Errorf(callaudit.KindForbidden, "the stub token is wrong")
		}
		return intake.Event{}, intake.Unauthorized("the stub signature is wrong")
	}
	var w wire
	if err := json.Unmarshal(body, &w); err != nil {
		return intake.Event{}, intake.Malformed("not the stub's JSON")
	}
	return intake.Event{Kind: w.Kind, CallKey: w.CallKey, Seq: w.Seq, Facts: w.Facts, Recording: w.Recording, Await: w.Await}, nil
}

func (s *stub) Fetch(ctx context.Context, rec intake.Recording) (transcribe.Audio, func(), error) {
	s.mu.Lock()
	s.fetches++
	s.mu.Unlock()
	return s.fetch(rec)
}

func (s *stub) fetched() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

// queue is an intake.Queue in memory: a call id is accepted once.
type queue struct {
	mu       sync.Mutex
	accepted map[string]intake.Accepted
	asked    int
	fail     error
}

func (q *queue) AcceptCall(_ context.Context, a intake.Accepted) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.asked++
	if q.fail != nil {
		return false, q.fail
	}
	if _, ok := q.accepted[a.Recording.CallID]; ok {
		return false, nil
	}
	q.accepted[a.Recording.CallID] = a
	return true, nil
}

func (q *queue) get(id string) (intake.Accepted, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	a, ok := q.accepted[id]
	return a, ok
}

// rig is an Intake with the stub vendor over a memory event log.
type rig struct {
	in     *intake.Intake
	vendor *stub
	events *memory.Store
	queue  *queue
	reg    *prometheus.Registry
	srv    *httptest.Server
	logs   *bytes.Buffer
	now    time.Time
}

func newRig(t *testing.T, v *stub) *rig {
	t.Helper()
	r := &rig{vendor: v, events: memory.New(), queue: &queue{accepted: map[string]intake.Accepted{}}, reg: prometheus.NewRegistry(),
		logs: &bytes.Buffer{}, now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	var err error
	r.in, err = intake.New(intake.Config{Vendors: []intake.Vendor{v}, Events: r.events, Registerer: r.reg,
		Logger: slog.New(slog.NewTextHandler(r.logs, nil)), Now: func() time.Time { return r.now }})
	require.NoError(t, err)
	r.srv = httptest.NewServer(r.in.Handler(r.queue))
	t.Cleanup(r.srv.Close)
	return r
}

// send posts ev signed with signature ("" signs it as the stub does).
func (r *rig) send(t *testing.T, ev wire, signature string) intaketest.Answer {
	t.Helper()
	body, err := json.Marshal(ev)
	require.NoError(t, err)
	if signature == "" {
		signature = sign(body)
	}
	req, err := http.NewRequest(http.MethodPost, r.srv.URL+intake.Prefix+"stub", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Stub-Signature", signature)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return intaketest.Answer{Status: resp.StatusCode, Body: b.String()}
}

// ok sends ev signed and wants 200.
func (r *rig) ok(t *testing.T, ev wire) {
	t.Helper()
	a := r.send(t, ev, "")
	require.Equal(t, http.StatusOK, a.Status, a.Body)
}

func (r *rig) outcome(t *testing.T, outcome string) float64 {
	return intaketest.Counter(t, r.reg, "callaudit_intake_events_total", map[string]string{"vendor": "stub", "outcome": outcome})
}

func (r *rig) skipped(t *testing.T, reason string) float64 {
	return intaketest.Counter(t, r.reg, "callaudit_intake_skipped_total", map[string]string{"vendor": "stub", "reason": reason})
}

func (r *rig) kept(t *testing.T, callKey string) int {
	events, err := r.events.CallEvents(context.Background(), "stub", callKey)
	require.NoError(t, err)
	return len(events)
}

func answered(talk time.Duration, employee string) intake.Facts {
	return intake.Facts{Direction: intake.Inbound, Employee: employee, Phone: "79001234567", Talk: talk}
}

func TestEqual(t *testing.T) {
	assert.True(t, intake.Equal("c2lnbmF0dXJl", "c2lnbmF0dXJl"))
	assert.False(t, intake.Equal("c2lnbmF0dXJl", "c2lnbmF0dXJm"), "last byte differs")
	assert.False(t, intake.Equal("c2lnbmF0dXJ", "c2lnbmF0dXJl"), "a prefix of the signature")
	assert.False(t, intake.Equal("", "c2lnbmF0dXJl"), "missing")
	assert.False(t, intake.Equal("C2LNBMF0DXJL", "c2lnbmF0dXJl"), "case matters")
}

// TestWrongSignatureRefused: a request whose signature is wrong or
// missing is refused (401, or 403 for a vendor that documents it), is
// counted as unauthorized, keeps nothing, accepts nothing, and neither
// the answer nor the log holds the secret; the same event signed is then
// accepted.
func TestWrongSignatureRefused(t *testing.T) {
	r := newRig(t, &stub{})
	ev := wire{Kind: "end", CallKey: "c1", Facts: answered(time.Minute, "101"), Recording: "r1"}
	for _, sig := range []string{"00", "", string(bytes.Repeat([]byte("0"), 64)), sign([]byte(`{"Kind":"end"}`))} {
		a := r.send(t, ev, sig+"x")
		assert.Equal(t, http.StatusUnauthorized, a.Status, a.Body)
		assert.NotContains(t, a.Body, stubSecret)
	}
	assert.Equal(t, 4.0, r.outcome(t, "unauthorized"))
	assert.Zero(t, r.kept(t, "c1"), "nothing kept")
	assert.Zero(t, r.queue.asked, "nothing accepted")
	assert.Contains(t, r.logs.String(), "wrong signature")
	assert.NotContains(t, r.logs.String(), stubSecret)

	r.ok(t, ev)
	_, ok := r.queue.get("stub-c1")
	assert.True(t, ok, "the refusals lost no call")
	assert.Equal(t, 1.0, r.outcome(t, "accepted"))

	f := newRig(t, &stub{forbidden: true})
	a := f.send(t, ev, "wrong")
	assert.Equal(t, http.StatusForbidden, a.Status)
	assert.Equal(t, 1.0, f.outcome(t, "unauthorized"), "a 403 refusal counts as unauthorized")

	req, err := http.NewRequest(http.MethodPost, r.srv.URL+intake.Prefix+"stub", bytes.NewReader([]byte("not json")))
	require.NoError(t, err)
	req.Header.Set("X-Stub-Signature", sign([]byte("not json")))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "signed but unreadable")
	assert.Equal(t, 1.0, r.outcome(t, "malformed"))

	resp, err = http.Post(r.srv.URL+intake.Prefix+"other", "application/json", bytes.NewReader([]byte("{}")))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no vendor of that name")
}

// TestDedupe: an event with no Seq is kept once and its resends dropped;
// numbered ones keep only newer Seqs; a recording event sent again finds
// its call accepted and is dropped; a call whose acceptance failed is
// accepted when the vendor sends it again.
func TestDedupe(t *testing.T) {
	r := newRig(t, &stub{})
	r.ok(t, wire{Kind: "summary", CallKey: "c1", Facts: answered(time.Minute, "101")})
	r.ok(t, wire{Kind: "summary", CallKey: "c1", Facts: answered(time.Minute, "101")})
	assert.Equal(t, 1.0, r.outcome(t, "kept"))
	assert.Equal(t, 1.0, r.outcome(t, "dropped"), "the resend")

	for _, seq := range []int64{2, 1, 2, 3} {
		r.ok(t, wire{Kind: "recording:leg", CallKey: "c1", Seq: seq})
	}
	assert.Equal(t, 3.0, r.outcome(t, "kept"), "seq 2 and 3")
	assert.Equal(t, 3.0, r.outcome(t, "dropped"), "seq 1 after 2, and 2 again")
	events, err := r.events.CallEvents(context.Background(), "stub", "c1")
	require.NoError(t, err)
	require.Len(t, events, 2, "one per kind")
	assert.Equal(t, int64(3), events[1].Seq, "the newest kept")

	r.ok(t, wire{Kind: "stored", CallKey: "c1", Recording: "r1"})
	r.ok(t, wire{Kind: "stored", CallKey: "c1", Recording: "r1"})
	assert.Equal(t, 1.0, r.outcome(t, "accepted"))
	assert.Equal(t, 4.0, r.outcome(t, "dropped"), "the recording event again")
	assert.Len(t, r.queue.accepted, 1)

	r.queue.fail = callaudit.Errorf(callaudit.KindUnavailable, "the queue is down")
	a := r.send(t, wire{Kind: "stored", CallKey: "c2", Facts: answered(time.Minute, "101"), Recording: "r2"}, "")
	assert.Equal(t, http.StatusServiceUnavailable, a.Status, "the vendor should send it again")
	assert.Equal(t, 1.0, r.outcome(t, "error"))
	assert.Zero(t, r.kept(t, "c2"), "nothing kept that would drop the resend")
	r.queue.fail = nil
	r.ok(t, wire{Kind: "stored", CallKey: "c2", Facts: answered(time.Minute, "101"), Recording: "r2"})
	_, ok := r.queue.get("stub-c2")
	assert.True(t, ok, "accepted on the resend")
}

// TestAwait: a recording event that awaits the end accepts the call at
// once (a resend is dropped), so that no call hangs on an end that never
// comes; the job waits for the end before downloading and takes the
// manager from it; a late end that says nobody talked skips the call,
// counted once; with no end, the job downloads after AwaitWait.
func TestAwait(t *testing.T) {
	ctx := context.Background()
	v := &stub{Common: intake.Common{Managers: map[string]string{"101": "ivanov"}}}
	v.fetch = func(intake.Recording) (transcribe.Audio, func(), error) {
		return transcribe.Audio{Filename: "call.mp3"}, nil, nil
	}
	r := newRig(t, v)
	rec := wire{Kind: "record", CallKey: "c1", Recording: "r1", Await: []string{"end", "out_end"}}
	r.ok(t, rec)
	r.ok(t, rec)
	a, ok := r.queue.get("stub-c1")
	require.True(t, ok, "accepted before the end")
	assert.Equal(t, []string{"end", "out_end"}, a.Recording.Await)
	assert.Empty(t, a.ManagerID, "no employee known yet")
	assert.Equal(t, 1.0, r.outcome(t, "accepted"))
	assert.Equal(t, 1.0, r.outcome(t, "dropped"))

	_, _, err := r.in.FetchRecording(ctx, a.Recording)
	after, ok := intake.IsNotReady(err)
	require.True(t, ok, "the job waits for the end: %v", err)
	assert.Equal(t, intake.AwaitDelay, after)
	assert.Zero(t, v.fetched(), "not downloaded before the end")

	r.ok(t, wire{Kind: "out_end", CallKey: "c1", Facts: answered(time.Minute, "101")})
	r.ok(t, wire{Kind: "out_end", CallKey: "c1", Facts: answered(time.Minute, "101")})
	assert.Equal(t, 1.0, r.outcome(t, "kept"), "the end joins the accepted call")
	assert.Equal(t, 2.0, r.outcome(t, "dropped"), "and its resend is dropped")
	manager, err := r.in.Manager(ctx, a.Recording)
	require.NoError(t, err)
	assert.Equal(t, "ivanov", manager, "the end's employee through the table")
	got, _, err := r.in.FetchRecording(ctx, a.Recording)
	require.NoError(t, err)
	assert.Equal(t, "call.mp3", got.Filename)
	assert.Equal(t, 1, v.fetched())

	// In the usual order the recording event accepts with the manager.
	r.ok(t, wire{Kind: "end", CallKey: "c2", Facts: answered(time.Minute, "101")})
	r.ok(t, wire{Kind: "record", CallKey: "c2", Recording: "r2", Await: []string{"end", "out_end"}})
	a, ok = r.queue.get("stub-c2")
	require.True(t, ok)
	assert.Equal(t, "ivanov", a.ManagerID)
	assert.Empty(t, a.Recording.Await, "nothing left to wait for")

	// A late end that says nobody talked: skipped, counted once.
	r.ok(t, wire{Kind: "record", CallKey: "c3", Recording: "r3", Await: []string{"end"}})
	r.ok(t, wire{Kind: "end", CallKey: "c3", Facts: intake.Facts{Employee: "101", NoTalk: true}})
	a, ok = r.queue.get("stub-c3")
	require.True(t, ok)
	_, _, err = r.in.FetchRecording(ctx, a.Recording)
	reason, ok := intake.IsSkipped(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, intake.ReasonMissed, reason)
	assert.Equal(t, 1.0, r.skipped(t, "missed"), "counted once, by the event")
	assert.Equal(t, 1, v.fetched(), "not downloaded")

	// An end that never comes: downloaded after AwaitWait, no manager.
	r.ok(t, wire{Kind: "record", CallKey: "c4", Recording: "r4", Await: []string{"end"}})
	a, _ = r.queue.get("stub-c4")
	r.now = r.now.Add(intake.AwaitWait - time.Second)
	_, _, err = r.in.FetchRecording(ctx, a.Recording)
	_, ok = intake.IsNotReady(err)
	assert.True(t, ok, "still waiting just before AwaitWait: %v", err)
	r.now = r.now.Add(time.Second)
	_, _, err = r.in.FetchRecording(ctx, a.Recording)
	require.NoError(t, err, "the call is not lost to a missing end")
	assert.Equal(t, 2, v.fetched())
	manager, err = r.in.Manager(ctx, a.Recording)
	require.NoError(t, err)
	assert.Empty(t, manager)
}

// TestManagerTable: the employee of the joined facts is mapped through
// Common.Managers; one not in the table is "<vendor>:<employee>", no
// employee is no manager.
func TestManagerTable(t *testing.T) {
	table, err := intake.ParseManagers(" 101=ivanov, 102 = petrova ,,")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"101": "ivanov", "102": "petrova"}, table)
	for _, bad := range []string{"101", "101=", "=ivanov", "101=ivanov,102"} {
		_, err := intake.ParseManagers(bad)
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "%q", bad)
	}

	r := newRig(t, &stub{Common: intake.Common{Managers: table, Mode: "manager_plus", Language: "ru"}})
	for key, employee := range map[string]string{"a": "102", "b": "999", "c": ""} {
		r.ok(t, wire{Kind: "summary", CallKey: key, Facts: answered(time.Minute, employee)})
		r.ok(t, wire{Kind: "stored", CallKey: key, Recording: "r-" + key})
	}
	want := map[string]string{"stub-a": "petrova", "stub-b": "stub:999", "stub-c": ""}
	for id, manager := range want {
		a, ok := r.queue.get(id)
		require.True(t, ok, id)
		assert.Equal(t, manager, a.ManagerID, id)
		assert.Equal(t, "manager_plus", a.Mode)
		assert.Equal(t, "ru", a.Language)
	}
	// A later event's employee replaces an earlier one's.
	r.ok(t, wire{Kind: "summary", CallKey: "d", Facts: answered(time.Minute, "999")})
	r.ok(t, wire{Kind: "stored", CallKey: "d", Facts: intake.Facts{Employee: "101"}, Recording: "r-d"})
	a, _ := r.queue.get("stub-d")
	assert.Equal(t, "ivanov", a.ManagerID)
}

// TestSkipReasons: a call with nothing to audit is counted once under
// its reason, however many of its events say so, and never accepted.
func TestSkipReasons(t *testing.T) {
	r := newRig(t, &stub{})
	r.ok(t, wire{Kind: "summary", CallKey: "missed", Facts: intake.Facts{Employee: "101", NoTalk: true}})
	r.ok(t, wire{Kind: "recording:leg", CallKey: "missed", Seq: 1})
	r.ok(t, wire{Kind: "stored", CallKey: "missed", Recording: "r"})
	assert.Equal(t, 1.0, r.skipped(t, "missed"), "counted by the first event, once")
	assert.Equal(t, 3.0, r.outcome(t, "skipped"))

	r.ok(t, wire{Kind: "stored", CallKey: "short", Facts: answered(4*time.Second, "101"), Recording: "r"})
	assert.Equal(t, 1.0, r.skipped(t, "too_short"), "under DefaultMinTalk")
	r.ok(t, wire{Kind: "stored", CallKey: "unrecorded", Facts: intake.Facts{Talk: time.Minute, Skip: intake.ReasonNotRecorded}, Recording: "r"})
	assert.Equal(t, 1.0, r.skipped(t, "not_recorded"), "the vendor's reason")
	r.ok(t, wire{Kind: "stored", CallKey: "long", Facts: answered(intake.DefaultMinTalk, "101"), Recording: "r"})
	assert.Len(t, r.queue.accepted, 1, "only the call as long as MinTalk")
	_, ok := r.queue.get("stub-long")
	assert.True(t, ok)

	m := newRig(t, &stub{Common: intake.Common{MinTalk: 10 * time.Second}})
	m.ok(t, wire{Kind: "stored", CallKey: "c", Facts: answered(8*time.Second, "101"), Recording: "r"})
	assert.Equal(t, 1.0, m.skipped(t, "too_short"), "under the configured MinTalk")
	assert.Empty(t, m.queue.accepted)
}

// TestFetchOutcomes: FetchRecording turns the vendor's answers into what
// the job does: not ready is a snooze for the vendor's delay (or
// PollDelay), past MaxWait a failure counted never_ready; a rate limit a
// snooze for its Retry-After; a permanent error fails as it is; a call
// the kept events or the vendor say has nothing to audit is skipped.
func TestFetchOutcomes(t *testing.T) {
	ctx := context.Background()
	v := &stub{}
	r := newRig(t, v)
	rec := intake.Recording{Vendor: "stub", CallKey: "c1", ID: "r1", CallID: "stub-c1", AcceptedAt: r.now}
	polls := func() float64 {
		return intaketest.Counter(t, r.reg, "callaudit_intake_recording_polls_total", map[string]string{"vendor": "stub"})
	}

	v.fetch = func(intake.Recording) (transcribe.Audio, func(), error) {
		return transcribe.Audio{}, nil, intake.NotReady(40*time.Second, "no file yet")
	}
	_, _, err := r.in.FetchRecording(ctx, rec)
	after, ok := intake.IsNotReady(err)
	require.True(t, ok, "not ready: a snooze, not a failure: %v", err)
	assert.Equal(t, 40*time.Second, after, "the vendor's documented delay")
	assert.Equal(t, 1.0, polls())

	r.now = r.now.Add(intake.DefaultMaxWait)
	_, _, err = r.in.FetchRecording(ctx, rec)
	_, ok = intake.IsNotReady(err)
	assert.False(t, ok)
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "past MaxWait the call fails")
	assert.Equal(t, 1.0, r.skipped(t, "never_ready"))
	assert.Equal(t, 1.0, polls())

	limited := &callaudit.Error{Kind: callaudit.KindRateLimited, Message: "429", RetryAfter: 3 * time.Second}
	v.fetch = func(intake.Recording) (transcribe.Audio, func(), error) { return transcribe.Audio{}, nil, limited }
	_, _, err = r.in.FetchRecording(ctx, intake.Recording{Vendor: "stub", CallKey: "c2", AcceptedAt: r.now})
	after, ok = intake.IsNotReady(err)
	require.True(t, ok, "a rate limit snoozes: %v", err)
	assert.Equal(t, 3*time.Second, after, "for the Retry-After")
	assert.Equal(t, 1.0, intaketest.Counter(t, r.reg, "callaudit_intake_throttled_total", map[string]string{"vendor": "stub"}))

	permanent := callaudit.Errorf(callaudit.KindUpstream, "the vendor answered 400")
	v.fetch = func(intake.Recording) (transcribe.Audio, func(), error) { return transcribe.Audio{}, nil, permanent }
	_, _, err = r.in.FetchRecording(ctx, intake.Recording{Vendor: "stub", CallKey: "c3", AcceptedAt: r.now})
	assert.True(t, errors.Is(err, permanent), "a permanent failure is the vendor's error: %v", err)
	_, ok = intake.IsNotReady(err)
	assert.False(t, ok)
	_, ok = intake.IsSkipped(err)
	assert.False(t, ok)

	v.fetch = func(intake.Recording) (transcribe.Audio, func(), error) {
		return transcribe.Audio{}, nil, intake.Skipped(intake.ReasonMissed)
	}
	_, _, err = r.in.FetchRecording(ctx, intake.Recording{Vendor: "stub", CallKey: "c4", AcceptedAt: r.now})
	reason, ok := intake.IsSkipped(err)
	require.True(t, ok)
	assert.Equal(t, intake.ReasonMissed, reason)
	assert.Equal(t, 1.0, r.skipped(t, "missed"), "the vendor's late skip is counted")

	// An event kept after the call was accepted says nobody talked: the
	// vendor is not asked.
	r.ok(t, wire{Kind: "summary", CallKey: "c5", Facts: intake.Facts{NoTalk: true}})
	asked := v.fetched()
	_, _, err = r.in.FetchRecording(ctx, intake.Recording{Vendor: "stub", CallKey: "c5", AcceptedAt: r.now})
	reason, ok = intake.IsSkipped(err)
	require.True(t, ok)
	assert.Equal(t, intake.ReasonMissed, reason)
	assert.Equal(t, asked, v.fetched(), "no download")
	assert.Equal(t, 2.0, r.skipped(t, "missed"), "c4 and c5, each counted once")

	audio := transcribe.Audio{Filename: "call.wav"}
	v.fetch = func(intake.Recording) (transcribe.Audio, func(), error) { return audio, nil, nil }
	got, _, err := r.in.FetchRecording(ctx, intake.Recording{Vendor: "stub", CallKey: "c6", AcceptedAt: r.now})
	require.NoError(t, err)
	assert.Equal(t, "call.wav", got.Filename)

	_, _, err = r.in.FetchRecording(ctx, intake.Recording{Vendor: "gone", CallKey: "c7"})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "a vendor no longer enabled")
}

// TestPollDelayOverrides: Common.PollDelay, when set, replaces the
// vendor's documented delay.
func TestPollDelayOverrides(t *testing.T) {
	v := &stub{Common: intake.Common{PollDelay: 5 * time.Second}}
	v.fetch = func(intake.Recording) (transcribe.Audio, func(), error) {
		return transcribe.Audio{}, nil, intake.NotReady(40*time.Second, "no file yet")
	}
	r := newRig(t, v)
	_, _, err := r.in.FetchRecording(context.Background(), intake.Recording{Vendor: "stub", CallKey: "c", AcceptedAt: r.now})
	after, ok := intake.IsNotReady(err)
	require.True(t, ok)
	assert.Equal(t, 5*time.Second, after)
}

func TestNewRefusesBadVendors(t *testing.T) {
	_, err := intake.New(intake.Config{Vendors: []intake.Vendor{&stub{}}})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "no event log")
	_, err = intake.New(intake.Config{Vendors: []intake.Vendor{&stub{}, &stub{}}, Events: memory.New()})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "two vendors of one name")
}
