package bitrix24test_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake/bitrix24/bitrix24test"
)

// TestThePortalKeepsTheDocumentedLimit: limits.md's bucket for
// non-Enterprise plans holds 50 requests and drains 2 a second; a burst
// takes the 50 and then meets the system error table's 503
// QUERY_LIMIT_EXCEEDED «Too many requests». However long the burst took,
// what passed is at least the bucket and at most the bucket and what it
// drained meanwhile.
func TestThePortalKeepsTheDocumentedLimit(t *testing.T) {
	p := bitrix24test.New()
	t.Cleanup(p.Close)
	p.AddCall(bitrix24test.Call{ID: "call.1", FailedCode: "200", Duration: 10})
	limit := bitrix24test.DefaultLimit
	start := time.Now()
	passed, status := 0, 0
	var last []byte
	for range 500 {
		resp, err := http.Post(p.WebhookURL()+"voximplant.statistic.get.json", "application/json", strings.NewReader(`{"FILTER":{"CALL_ID":"call.1"}}`))
		require.NoError(t, err)
		last, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if status = resp.StatusCode; status != http.StatusOK {
			break
		}
		passed++
	}
	elapsed := time.Since(start)
	require.Equal(t, http.StatusServiceUnavailable, status)
	var answer map[string]string
	require.NoError(t, json.Unmarshal(last, &answer))
	assert.Equal(t, "QUERY_LIMIT_EXCEEDED", answer["error"])
	assert.GreaterOrEqual(t, passed, limit.Depth)
	assert.LessOrEqual(t, float64(passed), float64(limit.Depth)+limit.Drain*elapsed.Seconds()+1)
	assert.Equal(t, 1, p.Limited())
}
