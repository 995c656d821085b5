package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
)

// TestWebhookBurst is the webhook load harness: a burst of webhooks from
// many senders at once against the real server, on SQLite and on
// PostgreSQL, with a fake OpenAI and a fake callback receiver. It reports
// the latency of the accepting answer (202) and the end-to-end throughput
// (first webhook sent to last result delivered).
//
// The normal test run sends a small burst as a smoke test; the figures in
// docs/benchmarks.md come from
//
//	AUDIT_WEBHOOK_BURST=1000 go test ./cmd/auditd -run TestWebhookBurst -v
//
// (50 concurrent senders; AUDIT_WEBHOOK_SENDERS changes that)
// (with AUDIT_TEST_POSTGRES_URL set, as scripts/test.sh does). It asserts
// behaviour only (every webhook accepted, analysed and delivered once),
// never timings.
func TestWebhookBurst(t *testing.T) {
	n, senders := 30, 10
	if v := os.Getenv("AUDIT_WEBHOOK_BURST"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err, "AUDIT_WEBHOOK_BURST must be a number")
		senders = 50
	}
	if v := os.Getenv("AUDIT_WEBHOOK_SENDERS"); v != "" {
		var err error
		senders, err = strconv.Atoi(v)
		require.NoError(t, err, "AUDIT_WEBHOOK_SENDERS must be a number")
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			dsn := filepath.Join(dir, "callaudit.db")
			if backend == "postgres" {
				dsn = freshPostgresDB(t)
			}
			fake := openaitest.NewServer()
			defer fake.Close()
			secret := webhooks.NewSecret()
			receiver := writebacktest.NewReceiver(secret)
			defer receiver.Close()
			rec := newRecordings(t)
			p := start(t, dir, webhookEnv(fake, receiver, secret, "AUDIT_DATABASE_URL="+dsn)...)
			ids := webhookIDs("burst", n)

			lat := make([]time.Duration, n)
			var wg sync.WaitGroup
			work := make(chan int)
			begin := time.Now()
			for range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					client := &http.Client{}
					for i := range work {
						body, _ := json.Marshal(map[string]string{"call_id": ids[i], "manager_id": "anna", "recording_url": rec.URL + "/rec/" + ids[i] + ".wav"})
						t0 := time.Now()
						resp, err := client.Post(p.base+"/webhook/new_call_recording", "application/json", strings.NewReader(string(body)))
						lat[i] = time.Since(t0)
						if assert.NoError(t, err) {
							assert.Equal(t, http.StatusAccepted, resp.StatusCode)
							resp.Body.Close()
						}
					}
				}()
			}
			for i := range ids {
				work <- i
			}
			close(work)
			wg.Wait()
			accepted := time.Since(begin)
			waitDelivered(t, p.base, ids, 5*time.Minute)
			total := time.Since(begin)
			checkOnce(t, p.base, ids, rec, receiver, true)

			slices.Sort(lat)
			pct := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
			t.Logf("%s: %d webhooks from %d senders accepted in %s (%.0f/s); accept latency p50 %s p95 %s p99 %s max %s; all analysed and delivered in %s: %.1f calls/s end to end",
				backend, n, senders, accepted.Round(time.Millisecond), float64(n)/accepted.Seconds(),
				pct(0.50).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond),
				total.Round(time.Millisecond), float64(n)/total.Seconds())
			assert.Equal(t, 0, p.stop(t))
		})
	}
}
