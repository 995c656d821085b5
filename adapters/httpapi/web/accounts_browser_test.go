package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
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
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// addAdminWithCLI creates the first admin as an operator would: the
// callaudit command, the password on standard input.
func addAdminWithCLI(t *testing.T, db, login, password string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "callaudit")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/callaudit/callaudit/cmd/callaudit").CombinedOutput()
	require.NoError(t, err, "building callaudit: %s", out)
	cmd := exec.Command(bin, "user", "add", "--admin", login)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "AUDIT_DATABASE_URL="+db)
	cmd.Stdin = strings.NewReader(password + "\n")
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "callaudit user add: %s", out)
	require.Contains(t, string(out), "added admin "+login)
}

// signIn signs in on the sign-in page and waits for the analysis page
// the UI moves to.
func (tb *tab) signIn(t *testing.T, login, password string) {
	t.Helper()
	tb.waitJS(t, `document.getElementById("login-form")`)
	tb.paste(t, "#login-name", login)
	tb.paste(t, "#login-password", password)
	tb.do(t, chromedp.Click(chromedp.ID("login-submit")))
	tb.waitJS(t, `document.getElementById("who-name") && document.getElementById("who-name").textContent !== ""`)
	// Signed in, the page moves to the analysis page by itself; wait
	// for it, or it would move away from the next page the test opens.
	tb.waitJS(t, `location.hash === "#/" && document.getElementById("view").dataset.rendered === "#/"`)
}

func (tb *tab) signOut(t *testing.T) {
	t.Helper()
	tb.do(t, chromedp.Click(chromedp.ID("logout")))
	tb.waitJS(t, `document.getElementById("login-form") && !document.getElementById("logout")`)
}

// TestBrowserAccounts: the first admin, made with the CLI, signs in and
// creates a team, a lead and a manager; the manager sees only their calls
// and no admin or export; the lead sees the team's; signing out ends the
// session, so the old cookie is refused.
func TestBrowserAccounts(t *testing.T) {
	bctx := browser(t)
	db := filepath.Join(t.TempDir(), "calls.db")
	const adminPW, leadPW, managerPW = "root-Pa55word", "lead-Pa55word", "anna-Pa55word"
	addAdminWithCLI(t, db, "Root", adminPW)

	ctx := context.Background()
	st, err := sqlstore.Open(ctx, db)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	a, err := audit.New(checklist.New(), audit.WithStore(st), audit.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	dialog := transcribetest.Dialog(t, "ru_good_crm.txt")
	for _, c := range []struct{ id, manager string }{{"call-m1", "m1"}, {"call-m2", "m2"}, {"call-m3", "m3"}} {
		_, err := a.Audit(ctx, audit.Input{DialogText: dialog, CallID: c.id, ManagerID: c.manager})
		require.NoError(t, err)
	}
	svc, err := access.NewService(access.Config{Accounts: st})
	require.NoError(t, err)
	h, err := httpapi.New(httpapi.Config{Auditor: a, UI: web.Handler(), Version: "test", Logger: slog.New(slog.DiscardHandler),
		TempDir: t.TempDir(), Access: &httpapi.Access{Service: svc}})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	tb := openTab(t, bctx, srv.URL)
	signIn := func(login, password string) { t.Helper(); tb.signIn(t, login, password) }
	signOut := func() { t.Helper(); tb.signOut(t) }
	visibleNav := func() []string {
		return evalJS[[]string](t, tb, `[...document.querySelectorAll("#nav a")].filter(a => !a.hidden).map(a => a.getAttribute("href"))`)
	}
	historyIDs := func() []string {
		tb.goTo(t, "/#/history")
		tb.rendered(t, "history")
		return callIDs(t, tb)
	}

	tb.goTo(t, "/")
	assert.Equal(t, "Вход", text(t, tb, "h1"), "nobody is signed in: the sign-in page")
	assert.Equal(t, []string{"/docs"}, evalJS[[]string](t, tb, `[...document.querySelectorAll("#nav a")].filter(a => !a.hidden).map(a => a.getAttribute("href"))`), "signed out, the header offers only the API docs")
	tb.screenshot(t, "ui-login.png")
	signIn("ROOT", adminPW)
	assert.Equal(t, "Root", text(t, tb, "#who-name"))
	assert.Equal(t, "администратор", text(t, tb, "#who-role"))
	assert.Contains(t, visibleNav(), "#/admin")

	// The admin makes a team, a lead of it and a manager in it.
	tb.goTo(t, "/#/admin")
	tb.rendered(t, "admin")
	fillAndSubmit := func(form string, values map[string]string, button string) {
		t.Helper()
		for sel, v := range values {
			tb.paste(t, sel, v)
		}
		before := evalJS[int](t, tb, `document.querySelectorAll("#view tr").length`)
		tb.do(t, chromedp.Click(chromedp.ID(button)))
		tb.waitJS(t, fmt.Sprintf(`document.querySelectorAll("#view tr").length > %d || document.querySelector("#admin-error .alert")`, before))
		require.False(t, evalJS[bool](t, tb, `!!document.querySelector("#admin-error .alert")`), "%s: %s", form, text(t, tb, "#admin-error"))
		tb.rendered(t, "admin")
	}
	fillAndSubmit("team", map[string]string{"#t-name": "north", "#t-managers": "m1, m2"}, "team-save")
	fillAndSubmit("lead", map[string]string{"#u-login": "lead1", "#u-role": "lead", "#u-teams": "north", "#u-password": leadPW}, "user-add")
	fillAndSubmit("manager", map[string]string{"#u-login": "anna", "#u-name": "Анна", "#u-role": "manager", "#u-manager": "m1", "#u-password": managerPW}, "user-add")
	assert.Contains(t, texts(t, tb, "#users-table td"), "lead1")
	assert.Contains(t, texts(t, tb, "#users-table td"), "anna")
	tb.screenshot(t, "ui-admin.png") // a picture for people, in the temp folder

	// The session cookie is HttpOnly: the page cannot read it.
	assert.NotContains(t, evalJS[string](t, tb, `document.cookie`), httpapi.SessionCookie)
	got, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{})
	require.NoError(t, err)
	var adminCookie string
	for _, c := range got.Cookies {
		if c.Name == httpapi.SessionCookie {
			adminCookie = c.Value
			assert.True(t, c.HTTPOnly)
			assert.Equal(t, network.CookieSameSiteLax, c.SameSite)
		}
	}
	require.NotEmpty(t, adminCookie)
	signOut()

	// Signing out ended the session on the server: the old cookie is stale.
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/calls", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: adminCookie})
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a stale cookie is refused")

	// The manager sees their own calls only, and neither admin nor export.
	signIn("Anna", managerPW)
	assert.Equal(t, "менеджер", text(t, tb, "#who-role"))
	assert.NotContains(t, visibleNav(), "#/admin")
	assert.Equal(t, []string{"call-m1"}, historyIDs())
	tb.screenshot(t, "ui-history-manager.png")
	assert.False(t, evalJS[bool](t, tb, `!!document.getElementById("csv-link")`), "no export button for a manager")
	tb.goTo(t, "/#/calls/call-m3")
	tb.waitJS(t, `document.querySelector("#view .alert")`)
	signOut()

	// The lead sees the team's calls and may export them.
	signIn("lead1", leadPW)
	assert.Equal(t, "руководитель", text(t, tb, "#who-role"))
	assert.ElementsMatch(t, []string{"call-m1", "call-m2"}, historyIDs())
	assert.True(t, evalJS[bool](t, tb, `!!document.getElementById("csv-link")`))
	tb.goTo(t, "/#/admin")
	assert.Equal(t, "Эта страница недоступна вашей роли.", text(t, tb, "h1"))
	signOut()
}
