package web_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// TestBrowserReportVersions: a call scored again shows its earlier report
// on its page, with the scorecard and the reason, in both languages.
func TestBrowserReportVersions(t *testing.T) {
	bctx := browser(t)
	e := newEnv(t, false)
	ctx := context.Background()
	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	c := storagetest.FullCall("rescored-1", at)
	c.Report.Meta.Scorecard, c.Report.Meta.ScorecardVersion = "default", 1
	require.NoError(t, e.store.Save(ctx, c))
	again := storagetest.FullCall("rescored-1", at.Add(time.Minute)).Report
	again.Details[0].Score = 5
	again.Recompute()
	again.Meta.Scorecard, again.Meta.ScorecardVersion = "bank", 2
	_, err := e.store.(storage.ReportVersions).ReplaceReport(ctx, "rescored-1", again, storage.ReportChange{Reason: storage.ReasonRescore, By: "job:1"})
	require.NoError(t, err)

	tb := openTab(t, bctx, e.URL)
	tb.goTo(t, "/#/calls/rescored-1")
	tb.waitJS(t, `document.querySelector("#report-versions") && !document.querySelector("#report-versions").hidden`)
	assert.Equal(t, "Предыдущие отчёты", text(t, tb, "#report-versions h2"))
	rows := texts(t, tb, "#versions-table tbody tr")
	require.Len(t, rows, 2)
	assert.Contains(t, rows[0], "v2 · текущая")
	assert.Contains(t, rows[0], "bank v2")
	assert.Contains(t, rows[0], "переоценка (job:1)")
	assert.Contains(t, rows[1], "default v1")
	assert.Contains(t, rows[1], "первая оценка")
	assert.Equal(t, []string{"1"}, evalJS[[]string](t, tb, `[...document.querySelectorAll("#report-versions details.version")].map(d => d.dataset.version)`))
	assert.Contains(t, text(t, tb, "#report-versions details.version summary"), "default v1")
	assert.Contains(t, text(t, tb, "#score-value"), strconv.Itoa(again.TotalScore), "the page's report is the current one")

	tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
	tb.waitJS(t, `document.querySelector("#report-versions h2") && document.querySelector("#report-versions h2").textContent === "Earlier reports"`)
	assert.Contains(t, texts(t, tb, "#versions-table tbody tr")[0], "rescore (job:1)")
}
