package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// TestCallReports: a call scored again lists its earlier report first,
// readable as it was, and the current one last with the reason.
func TestCallReports(t *testing.T) {
	st := memory.New()
	e := newEnv(t, envOpts{store: st})
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := storagetest.FullCall("v1", at)
	c.Report.Meta.Scorecard, c.Report.Meta.ScorecardVersion = "default", 1
	require.NoError(t, st.Save(context.Background(), c))
	again := storagetest.FullCall("v1", at.Add(time.Hour)).Report
	again.Details[0].Score = 10
	again.Recompute()
	again.Meta.Scorecard, again.Meta.ScorecardVersion = "bank", 3
	_, err := st.ReplaceReport(context.Background(), "v1", again, storage.ReportChange{Reason: storage.ReasonRescore, By: "job:42"})
	require.NoError(t, err)

	rec := e.do(httptest.NewRequest(http.MethodGet, "/calls/v1/reports", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got := decode[httpapi.ReportList](t, rec)
	assert.Equal(t, "v1", got.CallID)
	require.Len(t, got.Reports, 2)
	first, cur := got.Reports[0], got.Reports[1]
	assert.Equal(t, 1, first.Version)
	assert.False(t, first.Current)
	assert.Equal(t, c.Report.TotalScore, first.TotalScore, "the earlier report as it was")
	assert.Equal(t, "default", first.Scorecard)
	assert.Equal(t, 1, first.ScorecardVersion)
	require.NotNil(t, first.ReplacedAt)
	assert.Equal(t, 2, cur.Version)
	assert.True(t, cur.Current)
	assert.Equal(t, again.TotalScore, cur.TotalScore)
	assert.NotEqual(t, first.TotalScore, cur.TotalScore)
	assert.Equal(t, "rescore", cur.Reason)
	assert.Equal(t, "job:42", cur.By)
	assert.Equal(t, "bank", cur.Scorecard)
	assert.Equal(t, 3, cur.ScorecardVersion)
	assert.Nil(t, cur.ReplacedAt)

	requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/calls/nope/reports", nil)), http.StatusNotFound, callaudit.KindNotFound)
}

// TestCallReportsWithoutVersions: a store that keeps no earlier reports
// lists the current one.
func TestCallReportsWithoutVersions(t *testing.T) {
	st := memory.New()
	e := newEnv(t, envOpts{store: storeOnly{st}})
	require.NoError(t, st.Save(context.Background(), storagetest.FullCall("v1", time.Now())))
	rec := e.do(httptest.NewRequest(http.MethodGet, "/calls/v1/reports", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got := decode[httpapi.ReportList](t, rec)
	require.Len(t, got.Reports, 1)
	assert.True(t, got.Reports[0].Current)
}
