package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// recordings serves a short WAV for every path and counts the downloads
// of each: one download per call means the call was analysed once.
type recordings struct {
	*httptest.Server
	mu    sync.Mutex
	gets  map[string]int
	audio []byte
}

func newRecordings(t *testing.T) *recordings {
	r := &recordings{gets: map[string]int{}, audio: transcribetest.WAV(0.5, 8000, 1)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.gets[req.URL.Path]++
		r.mu.Unlock()
		w.Header().Set("Content-Type", "audio/wav")
		_, _ = w.Write(r.audio)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recordings) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.gets))
	for k, v := range r.gets {
		out[k] = v
	}
	return out
}

// webhookEnv is the environment of a server that analyses webhooks with a
// fake OpenAI, fetches recordings from loopback and calls back receiver.
func webhookEnv(fake *openaitest.Server, receiver *writebacktest.Receiver, secret string, extra ...string) []string {
	return append([]string{
		"OPENAI_API_KEY=" + fake.APIKey,
		"OPENAI_BASE_URL=" + fake.URL,
		"AUDIT_FETCH_ALLOW_HOSTS=127.0.0.1",
		"AUDIT_CALLBACK_URL=" + receiver.URL,
		"AUDIT_CALLBACK_SECRET=" + secret,
		"AUDIT_QUEUE_WORKERS=8",
	}, extra...)
}

// postWebhooks sends one webhook per id from a few goroutines, spread
// over the servers, and returns the statuses answered.
func postWebhooks(t *testing.T, bases []string, rec *recordings, ids []string) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	work := make(chan int)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				body, _ := json.Marshal(map[string]string{"call_id": ids[i], "manager_id": "m" + fmt.Sprint(i%7), "recording_url": rec.URL + "/rec/" + ids[i] + ".wav"})
				resp, err := http.Post(bases[i%len(bases)]+"/webhook/new_call_recording", "application/json", strings.NewReader(string(body)))
				if !assert.NoError(t, err) {
					continue
				}
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	for i := range ids {
		work <- i
	}
	close(work)
	wg.Wait()
	return statuses
}

// calls lists every call the server has (up to 1000).
func calls(t *testing.T, base string) []httpapi.Call {
	t.Helper()
	resp, err := http.Get(base + "/calls?limit=1000")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var page struct {
		Calls []httpapi.Call `json:"calls"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	return page.Calls
}

// waitDelivered waits until every id is done and delivered.
func waitDelivered(t *testing.T, base string, ids []string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n := 0
		var other []string
		for _, c := range calls(t, base) {
			if c.Status == storage.StatusDone && c.StatusReason == "delivered" {
				n++
			} else if len(other) < 5 {
				other = append(other, c.ID+" "+string(c.Status)+" "+c.StatusReason)
			}
		}
		if n == len(ids) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d calls delivered after %s; e.g. %v", n, len(ids), within, other)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkOnce asserts one stored result, one download and one write-back
// (one webhook-id at the receiver) per call, and returns the number of
// raw deliveries.
func checkOnce(t *testing.T, base string, ids []string, rec *recordings, receiver *writebacktest.Receiver, exactDownloads bool) int {
	t.Helper()
	stored := map[string]int{}
	for _, c := range calls(t, base) {
		stored[c.ID]++
		assert.Equal(t, storage.SourceWebhook, c.Source)
	}
	assert.Len(t, stored, len(ids), "one stored call per call_id")
	byCall := map[string]map[string]bool{}
	deliveries := receiver.Deliveries()
	for _, d := range deliveries {
		if byCall[d.Payload.Data.CallID] == nil {
			byCall[d.Payload.Data.CallID] = map[string]bool{}
		}
		byCall[d.Payload.Data.CallID][d.ID] = true
	}
	gets := rec.counts()
	for _, id := range ids {
		assert.Equal(t, 1, stored[id], "stored results of %s", id)
		assert.Len(t, byCall[id], 1, "write-backs (distinct webhook-ids) of %s", id)
		if exactDownloads {
			assert.Equal(t, 1, gets["/rec/"+id+".wav"], "analyses of %s", id)
		} else {
			assert.GreaterOrEqual(t, gets["/rec/"+id+".wav"], 1, "analyses of %s", id)
		}
	}
	assert.Empty(t, receiver.Problems())
	return len(deliveries)
}

func webhookIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return ids
}

// TestWebhookCrash queues 200 webhooks on a slow model, kills the server
// with SIGKILL mid-way and starts it again: every call ends done, with one
// stored result and one write-back each.
func TestWebhookCrash(t *testing.T) {
	fake := openaitest.NewServer(openaitest.WithDelay(300 * time.Millisecond))
	defer fake.Close()
	secret := webhooks.NewSecret()
	receiver := writebacktest.NewReceiver(secret)
	defer receiver.Close()
	rec := newRecordings(t)
	// A short job timeout lets the restarted server rescue the jobs the
	// killed one left running within the test's time.
	env := webhookEnv(fake, receiver, secret, "AUDIT_JOB_TIMEOUT=10s", "AUDIT_JOB_RESCUE_AFTER=10s")
	dir := t.TempDir()
	ids := webhookIDs("crash", 200)

	p := start(t, dir, env...)
	statuses := postWebhooks(t, []string{p.base}, rec, ids)
	assert.Equal(t, map[int]int{http.StatusAccepted: len(ids)}, statuses)

	require.Eventually(t, func() bool { return len(receiver.Calls()) >= 30 }, 60*time.Second, 20*time.Millisecond)
	require.NoError(t, p.cmd.Process.Kill())
	<-p.exited
	before := len(receiver.Calls())
	require.Less(t, before, len(ids), "killed mid-way")
	t.Logf("killed after %d of %d calls were delivered", before, len(ids))

	p = start(t, dir, env...)
	start := time.Now()
	waitDelivered(t, p.base, ids, 90*time.Second)
	t.Logf("the restarted server finished the rest in %s", time.Since(start).Round(100*time.Millisecond))

	// Resends after the fact change nothing.
	transcriptions := len(fake.Requests())
	statuses = postWebhooks(t, []string{p.base}, rec, ids[:20])
	assert.Equal(t, map[int]int{http.StatusOK: 20}, statuses)
	raw := checkOnce(t, p.base, ids, rec, receiver, false)
	assert.Equal(t, transcriptions, len(fake.Requests()), "resends run nothing")
	reruns := 0
	for _, n := range rec.counts() {
		reruns += n - 1
	}
	t.Logf("raw deliveries at the receiver: %d for %d calls; analyses re-run after the kill: %d", raw, len(ids), reruns)
	assert.GreaterOrEqual(t, raw, len(ids))
	assert.Equal(t, 0, p.stop(t))
}

// TestWebhookTwoServersShareQueue runs two servers on one PostgreSQL
// database: 500 webhooks sent to both are each analysed once.
func TestWebhookTwoServersShareQueue(t *testing.T) {
	dsn := freshPostgresDB(t)
	fake := openaitest.NewServer(openaitest.WithDelay(20 * time.Millisecond))
	defer fake.Close()
	secret := webhooks.NewSecret()
	receiver := writebacktest.NewReceiver(secret)
	defer receiver.Close()
	rec := newRecordings(t)
	env := webhookEnv(fake, receiver, secret, "AUDIT_DATABASE_URL="+dsn)
	// Started one after the other: the first creates the tables.
	a := start(t, t.TempDir(), env...)
	b := start(t, t.TempDir(), env...)
	ids := webhookIDs("pg", 500)

	statuses := postWebhooks(t, []string{a.base, b.base}, rec, ids)
	assert.Equal(t, map[int]int{http.StatusAccepted: len(ids)}, statuses)
	// A resend to the other server knows the call too.
	statuses = postWebhooks(t, []string{b.base, a.base}, rec, ids[:50])
	assert.Zero(t, statuses[http.StatusAccepted])
	assert.Equal(t, 50, statuses[http.StatusOK])

	waitDelivered(t, a.base, ids, 90*time.Second)
	raw := checkOnce(t, b.base, ids, rec, receiver, true)
	assert.Equal(t, len(ids), raw, "no delivery was repeated")
	n := 0
	for _, r := range fake.Requests() {
		if r.Audio != nil {
			n++
		}
	}
	assert.Equal(t, len(ids), n, "one transcription per call")

	// Both processes took jobs from the one queue: River records which
	// client ran each attempt.
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	var workers, runs int
	require.NoError(t, db.QueryRow(`SELECT count(DISTINCT attempted_by[1]), count(*) FROM river_job WHERE kind = 'callaudit_audit'`).Scan(&workers, &runs))
	assert.Equal(t, 2, workers, "processes that ran analyses")
	assert.Equal(t, len(ids), runs)
	assert.Equal(t, 0, a.stop(t))
	assert.Equal(t, 0, b.stop(t))
}

// freshPostgresDB creates an empty database on the test server and
// returns its URL; it is dropped after the test.
func freshPostgresDB(t *testing.T) string {
	return storagetest.PostgresDatabase(t, os.Getenv, "auditd_test_")
}

// TestWebhookFailures runs the real fetcher against a recording server
// that answers 404 for one call and 503 (Retry-After: 1) once for
// another, with inbound signatures required.
func TestWebhookFailures(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	secret := webhooks.NewSecret()
	receiver := writebacktest.NewReceiver(secret)
	defer receiver.Close()
	var mu sync.Mutex
	gets := map[string]int{}
	recs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gets[r.URL.Path]++
		n := gets[r.URL.Path]
		mu.Unlock()
		switch {
		case r.URL.Path == "/missing.wav":
			http.NotFound(w, r)
		case r.URL.Path == "/busy.wav" && n == 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "audio/wav")
			_, _ = w.Write(transcribetest.WAV(0.5, 8000, 1))
		}
	}))
	defer recs.Close()
	inbound := webhooks.NewSecret()
	p := start(t, t.TempDir(), webhookEnv(fake, receiver, secret, "AUDIT_WEBHOOK_SECRET="+inbound)...)

	signer, err := webhooks.NewSigner(inbound)
	require.NoError(t, err)
	send := func(id, file string, sign bool) int {
		body := fmt.Sprintf(`{"call_id":%q,"recording_url":%q}`, id, recs.URL+"/"+file)
		req, err := http.NewRequest(http.MethodPost, p.base+"/webhook/new_call_recording", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if sign {
			signer.SetHeaders(req.Header, "msg_"+id+file, time.Now(), []byte(body))
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, send("unsigned", "ok.wav", false))
	assert.Equal(t, http.StatusAccepted, send("missing", "missing.wav", true))
	assert.Equal(t, http.StatusAccepted, send("busy", "busy.wav", true))

	get := func(id string) httpapi.Call {
		resp, err := http.Get(p.base + "/calls/" + id)
		require.NoError(t, err)
		defer resp.Body.Close()
		var c httpapi.Call
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&c))
		return c
	}
	require.Eventually(t, func() bool { return get("missing").Status == storage.StatusFailed }, 30*time.Second, 50*time.Millisecond)
	assert.Contains(t, get("missing").StatusReason, "404")
	require.Eventually(t, func() bool { return get("busy").StatusReason == "delivered" }, 30*time.Second, 50*time.Millisecond)
	assert.Equal(t, storage.StatusDone, get("busy").Status)

	mu.Lock()
	assert.Equal(t, 1, gets["/missing.wav"], "a 404 is not retried")
	assert.Equal(t, 2, gets["/busy.wav"], "a 503 is retried once it passes")
	mu.Unlock()
	_, err = http.Get(p.base + "/calls/unsigned")
	require.NoError(t, err)
	assert.Equal(t, 1, receiver.Count("busy"))
	// The failure is written back too (a call.failed event), once.
	require.Eventually(t, func() bool { return strings.HasSuffix(get("missing").StatusReason, " | delivered") }, 30*time.Second, 50*time.Millisecond)
	assert.Equal(t, 1, receiver.Count("missing"))
	assert.NotContains(t, p.logs.String(), inbound, "the webhook secret is never logged")
	assert.Equal(t, 0, p.stop(t))
}

// TestKillDuringScoringAfterTranscription is issue 18's acceptance for
// crashes: auditd is SIGKILLed while the model scores a webhook call
// whose recording has been transcribed. Restarted with only
// AUDIT_JOB_TIMEOUT set, it rescues the job once the derived
// AUDIT_JOB_RESCUE_AFTER (the timeout + 1m) has passed, not after the
// old 35 minutes, and scores the checkpointed transcript: the fake
// OpenAI server counts one transcription request in all.
func TestKillDuringScoringAfterTranscription(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	// The first scoring request hangs until its client is gone.
	fake.Fail(openaitest.Fault{Path: "/chat/completions", Delay: 10 * time.Minute})
	rec := newRecordings(t)
	const jobTimeout = 5 * time.Second
	env := []string{
		"OPENAI_API_KEY=" + fake.APIKey, "OPENAI_BASE_URL=" + fake.URL,
		"AUDIT_FETCH_ALLOW_HOSTS=127.0.0.1", "AUDIT_JOB_TIMEOUT=" + jobTimeout.String(),
	}
	transcriptions := func() int {
		n := 0
		for _, r := range fake.Requests() {
			if strings.HasSuffix(r.Path, "/audio/transcriptions") {
				n++
			}
		}
		return n
	}
	dir := t.TempDir()
	p := start(t, dir, env...)
	resp, body := postJSON(t, p.base+"/webhook/new_call_recording",
		`{"call_id":"kill-1","manager_id":"m1","recording_url":"`+rec.URL+`/rec/kill-1.wav"}`)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, "%s", body)
	require.Eventually(t, func() bool { return transcriptions() == 1 && fake.InFlight() == 1 },
		jobTimeout, 10*time.Millisecond, "the call was transcribed and its scoring request is held:\n%s", p.logs.String())
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	<-p.exited
	killed := time.Now()
	require.Equal(t, 1, transcriptions())

	p = start(t, dir, env...)
	var call httpapi.Call
	require.Eventually(t, func() bool {
		r, err := http.Get(p.base + "/calls/kill-1")
		if err != nil {
			return false
		}
		defer r.Body.Close()
		call = httpapi.Call{}
		return json.NewDecoder(r.Body).Decode(&call) == nil && call.Status == storage.StatusDone
	}, 3*time.Minute, 200*time.Millisecond, "the rescued call never finished:\n%s", p.logs.String())
	took := time.Since(killed)
	t.Logf("the restarted server finished the killed call %s after the kill", took.Round(100*time.Millisecond))
	assert.Equal(t, 1, transcriptions(), "the rescued attempt scored the checkpointed transcript")
	assert.Equal(t, 1, rec.counts()["/rec/kill-1.wav"], "nor was the recording downloaded again")
	require.NotNil(t, call.Report)
	assert.NotEmpty(t, call.Report.Transcript.Segments)
	// Rescue after timeout + 1m, River's rescuer every 30 s, the killed
	// leader's term (15 s) and the retry's backoff (at most 10 s).
	assert.Less(t, took, jobTimeout+time.Minute+90*time.Second, "rescued by the derived default")
	assert.Equal(t, 0, p.stop(t))
}
