package web_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

// uncertainDialog has anonymous speakers and a client who introduces
// their own company first: the roles come out right, but with little
// confidence.
const uncertainDialog = "Speaker 1: Hi, this is Dana from Brightside Bakery. I need to change our delivery schedule, we're closing on Mondays from next month.\n" +
	"Speaker 2: Hi Dana, thanks for letting us know. Which days would you like the deliveries instead?\n" +
	"Speaker 1: Tuesday and Friday, ideally before seven in the morning.\n" +
	"Speaker 2: Tuesday before seven is fine. I'll email the new schedule today. Anything else I can help with?\n" +
	"Speaker 1: No, that's it. Thanks!"

// TestBrowserSwapRoles: a call whose roles were inferred with little
// confidence says so on its page (ru and en); swapping the roles there
// scores the call again, shows the new report, and keeps the earlier
// report in the call's history.
func TestBrowserSwapRoles(t *testing.T) {
	bctx := browser(t)
	e := newEnv(t, false)
	ctx := context.Background()
	first, err := e.auditor.Audit(ctx, audit.Input{DialogText: uncertainDialog, CallID: "roles-1", ManagerID: "mike"})
	require.NoError(t, err)
	require.NotNil(t, first.Transcript)
	conf := first.Transcript.RoleConfidence
	require.Greater(t, conf, 0.0)
	require.Less(t, conf, 0.7, "the dialog is meant to be uncertain")
	firstRoles := make([]string, len(first.Transcript.Segments))
	for i, s := range first.Transcript.Segments {
		firstRoles[i] = "seg seg-" + string(s.Speaker)
	}

	tb := openTab(t, bctx, e.URL)
	tb.goTo(t, "/#/calls/roles-1")
	tb.rendered(t, "#/calls/roles-1")
	pct := strconv.Itoa(int(conf*100+0.5)) + " %"
	assert.Contains(t, text(t, tb, "#roles-notice"), "Проверьте роли")
	assert.Contains(t, text(t, tb, "#roles-notice"), pct)
	assert.Contains(t, evalJS[string](t, tb, `document.querySelector(".report .meta").textContent`), "определены по тексту")
	assert.Equal(t, firstRoles, evalJS[[]string](t, tb, `[...document.querySelectorAll(".segments li")].map(e => e.className)`))
	assert.Equal(t, []string{"Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2", "Speaker 1"}, texts(t, tb, ".segments .seg-label"))
	shown, err := strconv.Atoi(text(t, tb, "#score-value"))
	require.NoError(t, err)
	assert.Equal(t, first.TotalScore, shown)

	// The same in English.
	tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
	tb.waitJS(t, `document.documentElement.lang === "en"`)
	tb.rendered(t, "#/calls/roles-1")
	assert.Contains(t, text(t, tb, "#roles-notice"), "Check the roles")
	assert.Equal(t, "Swap roles", text(t, tb, "#swap-roles"))
	tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
	tb.waitJS(t, `document.documentElement.lang === "ru"`)
	tb.rendered(t, "#/calls/roles-1")
	assert.Equal(t, "Поменять роли местами", text(t, tb, "#swap-roles"))

	tb.do(t, chromedp.Click(chromedp.ID("swap-roles")))
	tb.waitJS(t, `document.querySelector("#roles-swapped")`)
	tb.rendered(t, "#/calls/roles-1")
	assert.Equal(t, "Роли поменяны, звонок оценён заново.", text(t, tb, "#roles-swapped"))

	call, err := e.store.Get(ctx, "roles-1")
	require.NoError(t, err)
	rep := call.Report
	require.NotNil(t, rep)
	require.NotNil(t, rep.Transcript)
	assert.Equal(t, 1.0, rep.Transcript.RoleConfidence)
	swapped := evalJS[[]string](t, tb, `[...document.querySelectorAll(".segments li")].map(e => e.className)`)
	require.Len(t, swapped, len(firstRoles))
	for i := range swapped {
		assert.NotEqual(t, firstRoles[i], swapped[i], "turn %d shows the swapped role", i)
		assert.Equal(t, "seg seg-"+string(rep.Transcript.Segments[i].Speaker), swapped[i])
	}
	shown, err = strconv.Atoi(text(t, tb, "#score-value"))
	require.NoError(t, err)
	assert.Equal(t, rep.TotalScore, shown, "the page shows the new report")
	assert.NotEqual(t, first.TotalScore, rep.TotalScore, "scored again with the other speaker as the manager")
	assert.Zero(t, evalJS[int](t, tb, `document.querySelectorAll("#roles-notice").length`), "the roles are now certain")
	assert.Contains(t, evalJS[string](t, tb, `document.querySelector(".report .meta").textContent`), "указаны в записи")

	versions, err := e.store.(storage.ReportVersions).Reports(ctx, "roles-1")
	require.NoError(t, err)
	require.Len(t, versions, 2, "the earlier report stays in the history")
	assert.Equal(t, first.TotalScore, versions[0].Report.TotalScore)
	assert.Equal(t, first.Transcript.Segments[0].Speaker, versions[0].Report.Transcript.Segments[0].Speaker, "as it was")
	assert.Equal(t, storage.ReasonRoles, versions[1].Reason)
	assert.True(t, versions[1].Current)

	// The call page lists the earlier report (GET /calls/{id}/reports).
	tb.waitJS(t, `document.querySelector("#report-versions") && !document.querySelector("#report-versions").hidden`)
	rows := texts(t, tb, "#report-versions tbody tr")
	require.Len(t, rows, 2)
	assert.Contains(t, rows[0], "смена ролей", "the current version says why it was made")
	assert.Contains(t, rows[0], strconv.Itoa(rep.TotalScore))
	assert.Contains(t, rows[1], strconv.Itoa(first.TotalScore), "the earlier report with its score")
	assert.Contains(t, text(t, tb, "#report-versions details.version summary"), strconv.Itoa(first.TotalScore))
	tb.screenshot(t, "ui-roles-swapped.png")
}
