package amocrmtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake/amocrm/amocrmtest"
)

// TestTheAccountKeepsTheDocumentedLimit: «not more than 7 requests per
// second» (Kommo, limitations): a burst takes 7, then the account answers
// 429 (the status is not documented; 429 is the fake's choice). However
// long the burst took, what passed is at least 7 and at most 7 and what a
// second's worth of 7 refilled meanwhile.
func TestTheAccountKeepsTheDocumentedLimit(t *testing.T) {
	a := amocrmtest.New("tok")
	t.Cleanup(a.Close)
	a.Add(amocrmtest.Note{ID: 1, EntityID: 2, Duration: 10})
	start := time.Now()
	passed, status := 0, 0
	for range 500 {
		req, err := http.NewRequest(http.MethodGet, a.URL+"/api/v4/leads/2/notes/1", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		if status = resp.StatusCode; status != http.StatusOK {
			assert.Equal(t, "1", resp.Header.Get("Retry-After"))
			break
		}
		passed++
	}
	elapsed := time.Since(start)
	require.Equal(t, http.StatusTooManyRequests, status)
	assert.GreaterOrEqual(t, passed, amocrmtest.RequestsPerSecond)
	assert.LessOrEqual(t, float64(passed), amocrmtest.RequestsPerSecond*(1+elapsed.Seconds())+1)
	assert.Equal(t, 1, a.Refused())
}
