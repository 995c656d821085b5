package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/httpapi/web"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/agreement"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// ruNum formats v as the page does in Russian (Intl.NumberFormat ru-RU,
// at most digits decimals): a decimal comma, no trailing zeros.
func ruNum(v float64, digits int) string {
	p := math.Pow(10, float64(digits))
	s := strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
	return strings.Replace(s, ".", ",", 1)
}

// TestBrowserReview: a manager disputes a criterion of their call; the
// lead reviews the call (two criteria and the total) and accepts the
// dispute with a new score; the history filters by review state; the
// agreement page shows the figures of these reviews, checked against
// the API and against score/agreement computed from the model's and the
// lead's scores.
func TestBrowserReview(t *testing.T) {
	bctx := browser(t)
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "calls.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	a, err := audit.New(checklist.New(), audit.WithStore(st), audit.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	for _, c := range []struct{ id, dialog string }{{"call-r1", "ru_good_crm.txt"}, {"call-r2", "ru_good_crm.txt"}} {
		_, err := a.Audit(ctx, audit.Input{DialogText: transcribetest.Dialog(t, c.dialog), CallID: c.id, ManagerID: "m1"})
		require.NoError(t, err)
	}
	svc, err := access.NewService(access.Config{Accounts: st})
	require.NoError(t, err)
	const leadPW, managerPW = "lead-Pa55word", "anna-Pa55word"
	require.NoError(t, st.PutTeam(ctx, storage.Team{Name: "north", ManagerIDs: []string{"m1"}}))
	_, err = svc.CreateUser(ctx, access.NewUser{Login: "admin", Role: storage.RoleAdmin, Password: "admin-Pa55word"})
	require.NoError(t, err)
	_, err = svc.CreateUser(ctx, access.NewUser{Login: "lead1", Name: "Ольга", Role: storage.RoleLead, Teams: []string{"north"}, Password: leadPW})
	require.NoError(t, err)
	_, err = svc.CreateUser(ctx, access.NewUser{Login: "anna", Name: "Анна", Role: storage.RoleManager, ManagerID: "m1", Password: managerPW})
	require.NoError(t, err)
	h, err := httpapi.New(httpapi.Config{Auditor: a, UI: web.Handler(), Version: "test", Logger: slog.New(slog.DiscardHandler),
		TempDir: t.TempDir(), Access: &httpapi.Access{Service: svc}})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	call, err := st.Get(ctx, "call-r1")
	require.NoError(t, err)
	det := call.Report.Details
	require.GreaterOrEqual(t, len(det), 3)
	c0, c1, c2 := det[0], det[1], det[2]
	// The lead's scores: c0 as the model, c1 40 points off, the total 10
	// lower; the dispute of c2 accepted with 100 − the model's score.
	h0, h1, h2 := c0.Score, (c1.Score+40)%101, 100-c2.Score
	humanTotal := max(0, call.Report.TotalScore-10)

	tb := openTab(t, bctx, srv.URL)
	openReview := func() {
		t.Helper()
		tb.goTo(t, "/#/calls/call-r1")
		tb.rendered(t, "calls")
		tb.waitJS(t, `document.getElementById("review-panel") && document.getElementById("review-panel").getAttribute("aria-busy") === "false"`)
	}
	revision := func() int {
		return evalJS[int](t, tb, `Number(document.getElementById("review-panel").dataset.revision)`)
	}

	// The manager disputes c2.
	tb.goTo(t, "/")
	tb.signIn(t, "anna", managerPW)
	openReview()
	assert.False(t, evalJS[bool](t, tb, `!!document.getElementById("rv-save")`), "a manager has no review form")
	assert.Equal(t, strconv.Itoa(c2.Score), text(t, tb, fmt.Sprintf(`tr[data-criterion=%q] td .chip`, c2.ID)), "the model's score")
	tb.do(t, chromedp.Click(chromedp.ID("dispute-btn-"+c2.ID)))
	tb.paste(t, "#dispute-comment-"+c2.ID, "Я назначил встречу, это следующий шаг")
	tb.do(t, chromedp.Click(chromedp.ID("dispute-send-"+c2.ID)))
	tb.waitJS(t, `document.querySelector("#dispute-item-1[data-status=open]")`)
	assert.Contains(t, text(t, tb, "#dispute-item-1"), "Я назначил встречу")
	assert.Equal(t, 1, revision())
	tb.screenshot(t, "ui-review-dispute.png")
	tb.signOut(t)

	// The lead reviews: two criteria and the total, then accepts the dispute.
	tb.signIn(t, "lead1", leadPW)
	tb.goTo(t, "/#/history?review=disputed")
	tb.rendered(t, "history")
	assert.Equal(t, []string{"call-r1"}, callIDs(t, tb))
	openReview()
	assert.False(t, evalJS[bool](t, tb, `!!document.getElementById("dispute-btn-`+c0.ID+`")`), "a lead does not dispute")
	tb.paste(t, "#rv-score-"+c0.ID, strconv.Itoa(h0))
	tb.paste(t, "#rv-score-"+c1.ID, strconv.Itoa(h1))
	tb.paste(t, "#rv-comment-"+c1.ID, "вопросы были закрытые")
	tb.paste(t, "#rv-total", strconv.Itoa(humanTotal))
	tb.do(t, chromedp.Click(chromedp.ID("rv-save")))
	tb.waitJS(t, `document.getElementById("review-saved") && document.getElementById("review-panel").dataset.revision === "2"`)
	assert.Contains(t, text(t, tb, "#review-status"), "Проверил lead1")
	// An invalid new score is refused with the server's Russian message.
	tb.paste(t, "#resolve-score-1", "150")
	tb.do(t, chromedp.Click(chromedp.ID("resolve-accept-1")))
	tb.waitJS(t, `document.querySelector("#review-error .alert")`)
	assert.Contains(t, text(t, tb, "#review-error"), "от 0 до 100")
	tb.paste(t, "#resolve-score-1", strconv.Itoa(h2))
	tb.paste(t, "#resolve-reason-1", "да, встреча назначена")
	tb.do(t, chromedp.Click(chromedp.ID("resolve-accept-1")))
	tb.waitJS(t, `document.querySelector("#dispute-item-1[data-status=accepted]")`)
	assert.Equal(t, 3, revision())
	assert.Equal(t, strconv.Itoa(h2), evalJS[string](t, tb, `document.getElementById("rv-score-`+c2.ID+`").value`))
	assert.Equal(t, strconv.Itoa(c2.Score), text(t, tb, fmt.Sprintf(`tr[data-criterion=%q] td .chip`, c2.ID)), "the model's score stays")
	tb.screenshot(t, "ui-review-lead.png")

	// The history's review filter.
	for state, want := range map[string][]string{"resolved": {"call-r1"}, "reviewed": {"call-r1"}, "unreviewed": {"call-r2"}, "disputed": {}} {
		tb.goTo(t, "/#/history?review="+state)
		tb.rendered(t, "history")
		assert.Equal(t, want, callIDs(t, tb), state)
	}
	tb.goTo(t, "/#/history")
	tb.rendered(t, "history")
	assert.Equal(t, []string{"", "проверен, спор решён"}, texts(t, tb, "#view td.review-states"), "the history's review column, newest first")

	// The agreement page against the API and against the figures of the
	// three pairs computed here.
	want := agreement.Compute([]agreement.Pair{{Model: c0.Score, Human: h0}, {Model: c1.Score, Human: h1}, {Model: c2.Score, Human: h2}})
	cookies, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/agreement", nil)
	require.NoError(t, err)
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var api httpapi.AgreementList
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&api))
	require.Len(t, api.Groups, 1)
	got := api.Groups[0]
	assert.Equal(t, 1, got.Calls)
	assert.Equal(t, want, got.Overall, "the API's overall figures are those of the three pairs")
	assert.Equal(t, call.Report.Meta.Scorecard, got.Scorecard, "grouped by the report's scorecard")

	tb.goTo(t, "/#/agreement")
	tb.rendered(t, "agreement")
	assert.Equal(t, ruNum(*want.Exact*100, 1)+" %", text(t, tb, "#ag-exact-0"))
	assert.Equal(t, ruNum(*want.MAD, 1), text(t, tb, "#ag-mad-0"))
	if want.Kappa != nil {
		assert.Equal(t, ruNum(*want.Kappa, 2), text(t, tb, "#ag-kappa-0"))
	} else {
		assert.Equal(t, "не определена", text(t, tb, "#ag-kappa-0"))
	}
	// One bar per reviewed criterion, its length the exact agreement.
	bars := evalJS[map[string]string](t, tb, `Object.fromEntries([...document.querySelectorAll(".agreement-chart rect[data-criterion]")].map(r => [r.dataset.criterion, r.dataset.value]))`)
	require.Len(t, bars, 3)
	for _, c := range []struct {
		id          string
		model, want int
	}{{c0.ID, c0.Score, h0}, {c1.ID, c1.Score, h1}, {c2.ID, c2.Score, h2}} {
		exact := "0"
		if agreement.Bin(c.model) == agreement.Bin(c.want) {
			exact = "1"
		}
		assert.Equal(t, exact, bars[c.id], "criterion %s", c.id)
	}
	assert.Equal(t, strconv.Itoa(want.N), text(t, tb, `#ag-table-0 tr[data-row=overall] td`))
	assert.Contains(t, text(t, tb, "#published"), "74,65 %")
	tb.screenshot(t, "ui-agreement.png")

	// The same page in English.
	tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
	tb.waitJS(t, `document.querySelector("#view h1").textContent === "How the model agrees with reviewers" && document.getElementById("ag-exact-0")`)
	assert.Contains(t, text(t, tb, "#published"), "74.65 %")
	assert.Equal(t, strings.Replace(ruNum(*want.Exact*100, 1), ",", ".", 1)+" %", text(t, tb, "#ag-exact-0"))
}
