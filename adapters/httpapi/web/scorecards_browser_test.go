package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/httpapi/web"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

// cardEnv is a server with accounts and a scorecard book over an
// in-memory store: team north (manager m1) is scored with
// testdata/bank.yaml, saved as version 1 of bank-retail.
type cardEnv struct {
	URL   string
	store *memory.Store
	svc   *access.Service
}

func newCardEnv(t *testing.T) *cardEnv {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	require.NoError(t, st.PutTeam(ctx, storage.Team{Name: "north", ManagerIDs: []string{"m1"}}))
	book, err := audit.NewScorecards(ctx, audit.ScorecardsConfig{Store: st, Teams: st.Teams, Check: checklist.Check, Scorer: auditfx.ChecklistFor})
	require.NoError(t, err)
	bankFile, err := os.ReadFile("testdata/bank.yaml")
	require.NoError(t, err)
	bank, err := scorecard.Parse("bank.yaml", bankFile)
	require.NoError(t, err)
	_, err = book.Save(ctx, bank, "north", 0, "setup")
	require.NoError(t, err)
	svc, err := access.NewService(access.Config{Accounts: st})
	require.NoError(t, err)
	a, err := audit.New(book.Scorer(checklist.New()), audit.WithStore(st), audit.WithRubricFunc(book.Rubric), audit.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	h, err := httpapi.New(httpapi.Config{Auditor: a, UI: web.Handler(), Version: "test", Logger: slog.New(slog.DiscardHandler),
		TempDir: t.TempDir(), Access: &httpapi.Access{Service: svc}, Scorecards: book})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &cardEnv{URL: srv.URL, store: st, svc: svc}
}

// TestBrowserScorecardEditor: a lead opens their team's scorecard, edits
// a criterion, previews it on a pasted dialog (the score shows the
// change), saves, and the new version is listed.
func TestBrowserScorecardEditor(t *testing.T) {
	bctx := browser(t)
	ctx := context.Background()
	e := newCardEnv(t)
	st := e.store
	const pw = "lead-Pa55word"
	_, err := e.svc.CreateUser(ctx, access.NewUser{Login: "lead", Role: storage.RoleLead, Teams: []string{"north"}, Password: pw})
	require.NoError(t, err)
	dialog, err := os.ReadFile("testdata/ru_bank_card_offer.txt")
	require.NoError(t, err)

	tb := openTab(t, bctx, e.URL)
	tb.goTo(t, "/")
	tb.waitJS(t, `document.getElementById("login-form")`)
	tb.paste(t, "#login-name", "lead")
	tb.paste(t, "#login-password", pw)
	tb.do(t, chromedp.Click(chromedp.ID("login-submit")))
	tb.waitJS(t, `location.hash === "#/" && document.getElementById("view").dataset.rendered === "#/"`)
	tb.waitJS(t, `document.getElementById("nav-scorecards")`)

	tb.goTo(t, "/#/scorecards")
	tb.waitJS(t, `document.getElementById("scorecards-table")`)
	rows := texts(t, tb, "#scorecards-table tbody tr")
	require.Len(t, rows, 2)
	assert.Contains(t, rows[0], "по умолчанию")
	assert.Contains(t, rows[1], "bank-retail")

	tb.goTo(t, "/#/scorecards/bank-retail")
	tb.waitJS(t, `document.getElementById("scorecard-body") && document.getElementById("scorecard-body").value.includes("bank-retail")`)
	tb.paste(t, "#scorecard-dialog", string(dialog))
	tb.do(t, chromedp.Click(chromedp.ID("scorecard-preview")))
	tb.waitJS(t, `document.getElementById("preview-score")`)
	before := text(t, tb, "#preview-score")

	// A malformed edit: the error names the field and its line.
	body := evalJS[string](t, tb, `document.getElementById("scorecard-body").value`)
	tb.paste(t, "#scorecard-body", strings.Replace(body, "weight: 25", "weight: -1", 1))
	tb.do(t, chromedp.Click(chromedp.ID("scorecard-save")))
	tb.waitJS(t, `document.querySelector("#scorecard-errors li[data-line]")`)
	assert.NotEmpty(t, evalJS[string](t, tb, `document.querySelector("#scorecard-errors li").dataset.line`))
	assert.Contains(t, text(t, tb, "#scorecard-errors li"), "weight")

	// The criterion edited: a disclaimer the dialog does not say.
	edited := strings.Replace(body, "разговор записыва*", "ведётся видеозапись", 1)
	require.NotEqual(t, body, edited)
	tb.paste(t, "#scorecard-body", edited)
	tb.do(t, chromedp.Click(chromedp.ID("scorecard-preview")))
	tb.waitJS(t, `document.getElementById("preview-score") && document.getElementById("preview-score").textContent !== `+jsString(before))
	after := text(t, tb, "#preview-score")
	assert.NotEqual(t, before, after, "the preview scores the draft")
	vs, err := st.ScorecardVersions(ctx, "bank-retail")
	require.NoError(t, err)
	assert.Len(t, vs, 1, "the preview saved nothing")

	tb.do(t, chromedp.Click(chromedp.ID("scorecard-save")))
	tb.waitJS(t, `document.getElementById("scorecard-saved")`)
	assert.Equal(t, []string{"1", "2"}, evalJS[[]string](t, tb, `[...document.querySelectorAll("#scorecard-versions li")].map(li => li.dataset.version)`))
	vs, err = st.ScorecardVersions(ctx, "bank-retail")
	require.NoError(t, err)
	require.Len(t, vs, 2)
	assert.Contains(t, vs[1].Body, "ведётся видеозапись")
	assert.Equal(t, "north", vs[1].Team)
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
