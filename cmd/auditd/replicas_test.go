package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
)

// webhookRig is what a replica test runs its servers with: a fresh
// PostgreSQL database, the fake OpenAI answering after a delay, the
// recordings, the write-back receiver, and the servers' environment.
type webhookRig struct {
	dsn      string
	fake     *openaitest.Server
	receiver *writebacktest.Receiver
	rec      *recordings
	env      []string
}

func newWebhookRig(t *testing.T, delay time.Duration, extra ...string) *webhookRig {
	t.Helper()
	r := &webhookRig{dsn: freshPostgresDB(t), fake: openaitest.NewServer(openaitest.WithDelay(delay)), rec: newRecordings(t)}
	t.Cleanup(r.fake.Close)
	secret := webhooks.NewSecret()
	r.receiver = writebacktest.NewReceiver(secret)
	t.Cleanup(r.receiver.Close)
	r.env = webhookEnv(r.fake, r.receiver, secret, append([]string{"AUDIT_DATABASE_URL=" + r.dsn}, extra...)...)
	return r
}

// startPair starts two servers on the rig's database and sends n
// webhooks spread over both, each answered 202.
func (r *webhookRig) startPair(t *testing.T, prefix string, n int) (a, b *process, ids []string) {
	t.Helper()
	a = start(t, t.TempDir(), r.env...)
	b = start(t, t.TempDir(), r.env...)
	ids = webhookIDs(prefix, n)
	statuses := postWebhooks(t, []string{a.base, b.base}, r.rec, ids)
	require.Equal(t, map[int]int{http.StatusAccepted: n}, statuses)
	return a, b, ids
}

// TestWebhookReplicaKilled runs two servers on one PostgreSQL database,
// sends 500 webhooks spread over both and SIGKILLs one mid-run: the other
// finishes every call, the killed one's running jobs once the rescue
// interval has passed, with one stored result and one write-back (one
// webhook-id) per call.
func TestWebhookReplicaKilled(t *testing.T) {
	// Short timeouts so that the survivor rescues the killed replica's
	// running jobs within the test's time.
	r := newWebhookRig(t, 100*time.Millisecond, "AUDIT_JOB_TIMEOUT=10s", "AUDIT_JOB_RESCUE_AFTER=10s")
	dsn, receiver, rec := r.dsn, r.receiver, r.rec
	a, b, ids := r.startPair(t, "replica", 500)

	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	// River names the client of each attempt in attempted_by; a job's
	// last entry is the replica running it.
	runningOn := func() int {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(DISTINCT attempted_by[array_length(attempted_by, 1)]) FROM river_job WHERE state = 'running'`).Scan(&n))
		return n
	}
	// Kill b while both are working: a fifth of the calls delivered, and
	// jobs (analyses or deliveries) running on both replicas.
	require.Eventually(t, func() bool { return len(receiver.Calls()) >= 100 && runningOn() == 2 }, 60*time.Second, 10*time.Millisecond)
	require.NoError(t, b.cmd.Process.Kill())
	<-b.exited
	killed := time.Now()
	before := len(receiver.Calls())
	require.Less(t, before, len(ids), "killed mid-run")
	t.Logf("killed one replica after %d of %d calls were delivered", before, len(ids))

	waitDelivered(t, a.base, ids, 120*time.Second)
	t.Logf("the survivor finished the rest %s after the kill", time.Since(killed).Round(100*time.Millisecond))
	raw := checkOnce(t, a.base, ids, rec, receiver, false)
	assert.GreaterOrEqual(t, raw, len(ids))

	// The jobs the killed replica had running were run again by the
	// survivor: their attempts name two River clients, and the rescue
	// interval passed between the kill and their completion.
	// River records completions in batches, shortly after the work.
	notDone := func() string {
		var states string
		require.NoError(t, db.QueryRow(`SELECT coalesce(string_agg(kind || ' ' || state::text, ', '), '') FROM river_job WHERE state <> 'completed'`).Scan(&states))
		return states
	}
	require.Eventually(t, func() bool { return notDone() == "" }, 60*time.Second, 100*time.Millisecond, "every job (analysis and delivery) completed; left: %s", notDone)
	rows, err := db.Query(`SELECT kind, count(*), min(finalized_at) FROM river_job
		WHERE state = 'completed' AND (SELECT count(DISTINCT c) FROM unnest(attempted_by) c) = 2 GROUP BY kind`)
	require.NoError(t, err)
	defer rows.Close()
	rescued := 0
	for rows.Next() {
		var kind string
		var n int
		var first time.Time
		require.NoError(t, rows.Scan(&kind, &n, &first))
		rescued += n
		t.Logf("%d %s jobs of the killed replica finished by the survivor, the first %s after the kill", n, kind, first.Sub(killed).Round(100*time.Millisecond))
		assert.GreaterOrEqual(t, first.Sub(killed), 9*time.Second, "rescued only after AUDIT_JOB_RESCUE_AFTER (10s)")
	}
	require.NoError(t, rows.Err())
	assert.Positive(t, rescued, "the survivor ran jobs the killed replica had started")
	t.Logf("%d raw deliveries for %d calls", raw, len(ids))
	assert.Equal(t, 0, a.stop(t))
}

// TestWebhookReplicaThroughput is the replica harness: the same burst of
// webhooks against one server and against two on one PostgreSQL
// database, with the fake OpenAI answering after a delay; it reports the
// end-to-end throughput of each and their ratio. The normal run is a
// smoke test (40 webhooks, behaviour only); the figures in
// docs/benchmarks.md come from
//
//	AUDIT_REPLICA_BENCH=500 AUDIT_REPLICA_BENCH_DELAY=200ms go test ./cmd/auditd -run TestWebhookReplicaThroughput -v
//
// with AUDIT_TEST_POSTGRES_URL set, as scripts/test.sh does.
func TestWebhookReplicaThroughput(t *testing.T) {
	n, delay := 40, 50*time.Millisecond
	if v := os.Getenv("AUDIT_REPLICA_BENCH"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err, "AUDIT_REPLICA_BENCH must be a number")
	}
	if v := os.Getenv("AUDIT_REPLICA_BENCH_DELAY"); v != "" {
		var err error
		delay, err = time.ParseDuration(v)
		require.NoError(t, err, "AUDIT_REPLICA_BENCH_DELAY must be a duration")
	}
	rates := map[int]float64{}
	for _, replicas := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d replicas", replicas), func(t *testing.T) {
			r := newWebhookRig(t, delay)
			receiver, rec, env := r.receiver, r.rec, r.env
			var bases []string
			var procs []*process
			for range replicas {
				p := start(t, t.TempDir(), env...)
				procs = append(procs, p)
				bases = append(bases, p.base)
			}
			ids := webhookIDs(fmt.Sprintf("bench%d", replicas), n)
			begin := time.Now()
			statuses := postWebhooks(t, bases, rec, ids)
			assert.Equal(t, map[int]int{http.StatusAccepted: n}, statuses)
			waitDelivered(t, bases[0], ids, 5*time.Minute)
			took := time.Since(begin)
			checkOnce(t, bases[len(bases)-1], ids, rec, receiver, true)
			rates[replicas] = float64(n) / took.Seconds()
			t.Logf("%d replica(s), %d webhooks, upstream delay %s, 8 workers each: all delivered in %s, %.1f calls/s",
				replicas, n, delay, took.Round(time.Millisecond), rates[replicas])
			for _, p := range procs {
				assert.Equal(t, 0, p.stop(t))
			}
		})
	}
	if rates[1] > 0 && rates[2] > 0 {
		t.Logf("two replicas / one: %.2f× the throughput", rates[2]/rates[1])
	}
}

// TestWebhookReplicaDrains stops one of two replicas with SIGTERM
// mid-run: it finishes the jobs it is running and exits 0, so no job
// waits for the rescue interval (set far beyond the test's wait) and
// none runs twice.
func TestWebhookReplicaDrains(t *testing.T) {
	r := newWebhookRig(t, 100*time.Millisecond, "AUDIT_JOB_TIMEOUT=5m", "AUDIT_JOB_RESCUE_AFTER=10m")
	dsn, receiver, rec := r.dsn, r.receiver, r.rec
	a, b, ids := r.startPair(t, "drain", 200)

	require.Eventually(t, func() bool { return len(receiver.Calls()) >= 40 }, 60*time.Second, 10*time.Millisecond)
	assert.Equal(t, 0, b.stop(t), "a clean stop:\n%s", b.logs.String())
	require.Less(t, len(receiver.Calls()), len(ids), "stopped mid-run")

	// Far less than the 10 minutes a lost job would wait for.
	waitDelivered(t, a.base, ids, 90*time.Second)
	checkOnce(t, a.base, ids, rec, receiver, true)
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	var workers, twice int
	require.NoError(t, db.QueryRow(`SELECT count(DISTINCT attempted_by[1]),
		count(*) FILTER (WHERE array_length(attempted_by, 1) > 1) FROM river_job WHERE kind = 'callaudit_audit'`).Scan(&workers, &twice))
	assert.Equal(t, 2, workers, "both replicas ran jobs")
	assert.Zero(t, twice, "no job ran again after the drain")
	assert.Equal(t, 0, a.stop(t))
}

// signIn signs in on base and returns a client that carries the session
// cookie to any server (the cookie jar is not asked, so that the same
// session can be tried on another replica's address).
func signIn(t *testing.T, base, login, password string) *http.Client {
	t.Helper()
	resp, body := postJSON(t, base+"/login", `{"login":"`+login+`","password":"`+password+`"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	cookies := resp.Cookies()
	require.NotEmpty(t, cookies, "a session cookie")
	return &http.Client{Transport: cookieTransport(cookies)}
}

// cookieTransport adds the cookies to every request.
type cookieTransport []*http.Cookie

func (c cookieTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for _, ck := range c {
		r.AddCookie(ck)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestSessionAcrossReplicas: sessions live in the database, so a session
// made on one replica works on the other, and signing out on one ends it
// on both.
func TestSessionAcrossReplicas(t *testing.T) {
	const password = "replica-Admin-5"
	r := newWebhookRig(t, 0, "AUDIT_ADMIN_PASSWORD="+password)
	a := start(t, t.TempDir(), r.env...)
	b := start(t, t.TempDir(), r.env...)

	code, _ := getJSON(t, http.DefaultClient, b.base+"/calls")
	require.Equal(t, http.StatusUnauthorized, code, "accounts exist: no local mode")
	client := signIn(t, a.base, "admin", password)
	for _, base := range []string{a.base, b.base} {
		code, me := getJSON(t, client, base+"/me")
		require.Equal(t, http.StatusOK, code, base)
		assert.Equal(t, "admin", me["role"], base)
	}
	resp, err := client.Post(b.base+"/analyze_call", "application/json", strings.NewReader(analyzeBody("session-b")))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the session made on a analyses on b")
	code, call := getJSON(t, client, a.base+"/calls/session-b")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "session-b", call["call_id"])

	resp, err = client.Post(b.base+"/logout", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, "sign-out on b")
	code, _ = getJSON(t, client, a.base+"/me")
	assert.Equal(t, http.StatusUnauthorized, code, "signed out on b, so out on a too")
	assert.Equal(t, 0, a.stop(t))
	assert.Equal(t, 0, b.stop(t))
}
