package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/auditfx"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// routeRule is what each route needs, written here independently of the
// handler: a new route the handler serves and this table lacks fails
// TestEveryRouteHasItsRule. "" is any signed-in principal; "public" none.
var routeRule = map[string]access.Permission{
	"POST /analyze_call":                             access.Analyze,
	"POST /analyze_audio_call":                       access.Analyze,
	"POST /analyze_audio_by_url":                     access.Analyze,
	"POST /webhook/new_call_recording":               access.Webhook,
	"GET /calls":                                     access.Read,
	"GET /calls/{id}":                                access.Read,
	"GET /calls/{id}/reports":                        access.Read,
	"POST /calls/{id}/swap_roles":                    access.Scorecards,
	"DELETE /calls/{id}":                             access.Delete,
	"GET /calls/{id}/review":                         access.Read,
	"PUT /calls/{id}/review":                         access.Review,
	"POST /calls/{id}/disputes":                      access.Dispute,
	"POST /calls/{id}/disputes/{dispute}/resolution": access.Review,
	"GET /agreement":                                 access.Read,
	"POST /erasure":                                  access.Delete,
	"GET /managers":                                  access.Read,
	"GET /managers/{id}/stats":                       access.Read,
	"GET /scorecards":                                access.Scorecards,
	"GET /scorecards/{id}":                           access.Scorecards,
	"PUT /scorecards/{id}":                           access.Scorecards,
	"POST /scorecards/preview":                       access.Scorecards,
	"GET /scorecard.schema.json":                     "public",
	"POST /rescore":                                  access.Admin,
	"GET /rescore/{id}":                              access.Admin,
	"GET /rubric":                                    "",
	"GET /config":                                    "",
	"POST /login":                                    "public",
	"POST /logout":                                   "",
	"GET /me":                                        "",
	"GET /admin/users":                               access.Admin,
	"POST /admin/users":                              access.Admin,
	"PATCH /admin/users/{id}":                        access.Admin,
	"GET /admin/teams":                               access.Admin,
	"PUT /admin/teams/{name}":                        access.Admin,
	"DELETE /admin/teams/{name}":                     access.Admin,
	"GET /admin/tokens":                              access.Admin,
	"POST /admin/tokens":                             access.Admin,
	"DELETE /admin/tokens/{id}":                      access.Admin,
	"GET /admin/access-log":                          access.Admin,
	"GET /healthz":                                   "public",
	"GET /readyz":                                    "public",
	"GET /metrics":                                   "public",
	"GET /openapi.json":                              "public",
	"GET /docs":                                      "public",
	"GET /docs/{$}":                                  "public",
	"GET /docs/assets/":                              "public",
	"GET /{$}":                                       "public",
	"GET /static/":                                   "public",
}

// world is a handler with accounts: an admin, a manager m1, a lead of the
// team with m1 and m2, a lead of another team (m3), a token per scope,
// and calls of m1 and m3.
type world struct {
	*env
	svc    *access.Service
	acct   *memory.Store
	ids    map[string]string // principal name → user id
	tokens map[string]string // scope → secret
}

const pw = "correct-horse-battery"

func newWorld(t *testing.T, mod func(*httpapi.Access)) *world {
	t.Helper()
	st := memory.New()
	svc, err := access.NewService(access.Config{Accounts: st})
	require.NoError(t, err)
	acc := &httpapi.Access{Service: svc}
	if mod != nil {
		mod(acc)
	}
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ui")) })
	book, err := audit.NewScorecards(context.Background(), audit.ScorecardsConfig{Store: st, Teams: st.Teams, Check: checklist.Check, Scorer: auditfx.ChecklistFor})
	require.NoError(t, err)
	e := newEnv(t, envOpts{store: st, scorer: book.Scorer(checklist.New()), auditOpts: []audit.Option{audit.WithRubricFunc(book.Rubric)},
		cfg: httpapi.Config{Access: acc, UI: ui, Eraser: &audit.Eraser{Store: st}, Scorecards: book}})
	w := &world{env: e, svc: svc, acct: st, ids: map[string]string{}, tokens: map[string]string{}}
	ctx := context.Background()
	require.NoError(t, st.PutTeam(ctx, storage.Team{Name: "north", ManagerIDs: []string{"m1", "m2"}}))
	require.NoError(t, st.PutTeam(ctx, storage.Team{Name: "south", ManagerIDs: []string{"m3"}}))
	for name, u := range map[string]access.NewUser{
		"admin":      {Login: "Admin", Role: storage.RoleAdmin},
		"manager":    {Login: "Manager1", Role: storage.RoleManager, ManagerID: "m1"},
		"lead team":  {Login: "LeadNorth", Role: storage.RoleLead, Teams: []string{"north"}},
		"lead other": {Login: "LeadSouth", Role: storage.RoleLead, Teams: []string{"south"}},
	} {
		u.Password = pw
		created, err := svc.CreateUser(ctx, u)
		require.NoError(t, err)
		w.ids[name] = created.ID
	}
	for _, sc := range access.Scopes {
		secret, _, err := svc.CreateToken(ctx, "tok-"+string(sc), []storage.Scope{sc}, w.ids["admin"])
		require.NoError(t, err)
		w.tokens[string(sc)] = secret
	}
	at := time.Now().Add(-time.Hour)
	for _, c := range []struct{ id, manager string }{{"c1", "m1"}, {"c2", "m2"}, {"c3", "m3"}} {
		call := storagetest.FullCall(c.id, at)
		call.ManagerID = c.manager
		require.NoError(t, st.Save(ctx, call))
	}
	return w
}

// session signs the user in without a password check (fast), as a real
// sign-in would leave it: a stored session whose id is the cookie.
func (w *world) session(name string) string {
	w.t.Helper()
	id := access.NewSessionID()
	now := time.Now()
	require.NoError(w.t, w.acct.CreateSession(context.Background(), storage.Session{IDHash: access.HashSecret(id), UserID: w.ids[name],
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}))
	return id
}

// as returns req sent as the principal: "anonymous", a user's name, or
// "token:SCOPE".
func (w *world) as(req *http.Request, who string) *http.Request {
	switch {
	case who == "anonymous":
	case strings.HasPrefix(who, "token:"):
		req.Header.Set("Authorization", "Bearer "+w.tokens[strings.TrimPrefix(who, "token:")])
	default:
		req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: w.session(who)})
	}
	return req
}

var principals = []string{"anonymous", "manager", "lead other", "lead team", "admin",
	"token:analyze", "token:webhook", "token:read", "token:admin"}

// principalOf is what the access table says the principal is.
func (w *world) principalOf(who string) access.Principal {
	switch {
	case who == "anonymous":
		return access.Principal{}
	case strings.HasPrefix(who, "token:"):
		return access.Principal{Kind: access.KindToken, Scopes: []storage.Scope{storage.Scope(strings.TrimPrefix(who, "token:"))}}
	}
	u, err := w.acct.User(context.Background(), w.ids[who])
	require.NoError(w.t, err)
	p, err := w.svc.UserPrincipal(context.Background(), u)
	require.NoError(w.t, err)
	return p
}

// request builds a concrete request for a mux pattern.
func (w *world) request(pattern string) *http.Request {
	method, path, _ := strings.Cut(pattern, " ")
	// A token of its own to revoke, so that the principals' stay.
	_, scratch, err := w.svc.CreateToken(context.Background(), "scratch", []storage.Scope{storage.ScopeRead}, "")
	require.NoError(w.t, err)
	tokID := scratch.ID
	if pattern == "DELETE /calls/{id}" {
		// A call of its own to delete, so that the principals' stay.
		scratchCall := storagetest.FullCall("scratch-call", time.Now())
		scratchCall.ManagerID = "m1"
		require.NoError(w.t, w.acct.Save(context.Background(), scratchCall))
		path = "/calls/scratch-call"
	}
	path = strings.NewReplacer("{$}", "", "/calls/{id}", "/calls/c1", "/managers/{id}", "/managers/m1",
		"/users/{id}", "/users/"+w.ids["manager"], "{name}", "scratch", "/tokens/{id}", "/tokens/"+tokID, "{dispute}", "1").Replace(path)
	switch path {
	case "/static/":
		path = "/static/app.js"
	case "/docs/assets/":
		path = "/docs/assets/init.js"
	}
	body := "{}"
	switch pattern {
	case "POST /analyze_call":
		body = `{"dialog_text": "Менеджер: Здравствуйте! Клиент: Добрый день."}`
	case "POST /login":
		body = `{"login": "nobody", "password": "wrong"}`
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// notAnOperation tells the routes the OpenAPI document leaves out: the UI
// and the documentation page's own files, and the redirect of /docs/ to
// /docs (the linter's recommended rules refuse a path with a trailing
// slash).
func notAnOperation(pattern string) bool {
	return strings.HasPrefix(pattern, "GET /docs/assets") || pattern == "GET /static/" || pattern == "GET /{$}" || pattern == "GET /docs/{$}"
}

// TestEveryRouteHasItsRule enumerates the routes the handler serves (its
// mux patterns) and checks each for every kind of principal: denied with
// 401 (no credentials) or 403 where the access table says so, never where
// it allows; calls and statistics outside what a role sees are refused.
func TestEveryRouteHasItsRule(t *testing.T) {
	w := newWorld(t, func(a *httpapi.Access) { a.LoginBurstAccount, a.LoginBurstAddress = 1000, 1000 })
	patterns := httpapi.Patterns(w.h)
	require.NotEmpty(t, patterns)
	for _, pattern := range patterns {
		perm, ok := routeRule[pattern]
		require.True(t, ok, "route %s has no access rule in this test: decide who may use it, then add it to routeRule", pattern)
		for _, who := range principals {
			t.Run(pattern+"/"+who, func(t *testing.T) {
				p := w.principalOf(who)
				if pattern == "DELETE /admin/teams/{name}" {
					require.NoError(t, w.acct.PutTeam(context.Background(), storage.Team{Name: "scratch"}))
				}
				req := w.as(w.request(pattern), who)
				rec := httptest.NewRecorder()
				w.h.ServeHTTP(rec, req)
				if !notAnOperation(pattern) && pattern != "GET /docs" {
					validateResponse(t, w.doc, w.router, req, rec)
				}
				allowed := perm == "public" || (!p.Anonymous() && (perm == "" || p.Can(perm)))
				switch {
				case pattern == "POST /login":
					assert.Equal(t, http.StatusUnauthorized, rec.Code, "a wrong password: %s", rec.Body)
				case !allowed && p.Anonymous():
					assert.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
				case !allowed:
					assert.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
				case (pattern == "GET /calls/{id}" || strings.HasPrefix(pattern, "GET /calls/{id}/") || strings.HasPrefix(pattern, "PUT /calls/{id}/") ||
					strings.HasPrefix(pattern, "POST /calls/{id}/")) && !p.Sees("m1"):
					assert.Equal(t, http.StatusNotFound, rec.Code, "a call outside what %s sees: %s", who, rec.Body)
				case pattern == "GET /managers/{id}/stats" && !p.Sees("m1"):
					assert.Equal(t, http.StatusForbidden, rec.Code, "stats outside what %s sees: %s", who, rec.Body)
				default:
					assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, rec.Code, "%s may %s: %s", who, pattern, rec.Body)
				}
			})
		}
	}
	// The document and the mux agree: every operation is served, every
	// API route documented.
	documented := map[string]bool{}
	for path, item := range w.doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, pattern := range patterns {
		if notAnOperation(pattern) {
			continue
		}
		assert.True(t, documented[pattern], "%s is served but not in the OpenAPI document", pattern)
		delete(documented, pattern)
	}
	assert.Empty(t, documented, "operations the handler does not serve")
}

// TestOpenAPISecurity: every operation that is not public declares both
// security schemes (the document's default) and answers 401 and 403; the
// public ones opt out; every operation has a 4xx answer and the document a
// servers entry.
func TestOpenAPISecurity(t *testing.T) {
	doc, err := httpapi.OpenAPI("test")
	require.NoError(t, err)
	require.NotEmpty(t, doc.Servers)
	// A linter's rule: nullable needs a type beside it.
	var walk func(name string, s *openapi3.SchemaRef)
	seen := map[*openapi3.Schema]bool{}
	walk = func(name string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		seen[s.Value] = true
		if s.Value.Nullable {
			assert.NotNil(t, s.Value.Type, "%s is nullable without a type", name)
		}
		for k, p := range s.Value.Properties {
			walk(name+"."+k, p)
		}
		walk(name+"[]", s.Value.Items)
		for _, sub := range s.Value.AllOf {
			walk(name, sub)
		}
	}
	for name, sc := range doc.Components.Schemas {
		walk(name, sc)
	}
	require.Contains(t, doc.Components.SecuritySchemes, "bearer")
	require.Contains(t, doc.Components.SecuritySchemes, "cookie")
	require.Len(t, doc.Security, 2)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			four := false
			for code := range op.Responses.Map() {
				four = four || strings.HasPrefix(code, "4")
			}
			assert.True(t, four, "%s has no 4xx answer", name)
			if routeRule[name] == "public" {
				require.NotNil(t, op.Security, "%s is public: security: []", name)
				assert.Empty(t, *op.Security, name)
				continue
			}
			assert.Nil(t, op.Security, "%s keeps the default security", name)
			assert.NotNil(t, op.Responses.Value("401"), "%s documents 401", name)
			assert.NotNil(t, op.Responses.Value("403"), "%s documents 403", name)
		}
	}
}

// TestListsAreFiltered: a manager sees their own calls, a lead their
// team's, an admin and a read token every call; the leaderboard and the
// CSV the same.
func TestListsAreFiltered(t *testing.T) {
	w := newWorld(t, nil)
	for _, tt := range []struct {
		who  string
		want []string
	}{
		{"manager", []string{"c1"}},
		{"lead team", []string{"c1", "c2"}},
		{"lead other", []string{"c3"}},
		{"admin", []string{"c1", "c2", "c3"}},
		{"token:read", []string{"c1", "c2", "c3"}},
	} {
		t.Run(tt.who, func(t *testing.T) {
			rec := w.do(w.as(httptest.NewRequest(http.MethodGet, "/calls", nil), tt.who))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var got []string
			for _, c := range decode[httpapi.CallList](t, rec).Calls {
				got = append(got, c.ID)
			}
			assert.ElementsMatch(t, tt.want, got)

			// Asking for another manager's calls shows none of them.
			rec = w.do(w.as(httptest.NewRequest(http.MethodGet, "/calls?manager_id=m3", nil), tt.who))
			require.Equal(t, http.StatusOK, rec.Code)
			n := len(decode[httpapi.CallList](t, rec).Calls)
			if w.principalOf(tt.who).Sees("m3") {
				assert.Equal(t, 1, n)
			} else {
				assert.Zero(t, n)
			}

			rec = w.do(w.as(httptest.NewRequest(http.MethodGet, "/managers?mode=Manager%2B", nil), tt.who))
			require.Equal(t, http.StatusOK, rec.Code)
			var managers []string
			for _, m := range decode[httpapi.ManagerList](t, rec).Managers {
				managers = append(managers, m.ManagerID)
			}
			for _, m := range managers {
				assert.True(t, w.principalOf(tt.who).Sees(m), "%s sees manager %s on the leaderboard", tt.who, m)
			}
		})
	}
	rec := w.do(w.as(httptest.NewRequest(http.MethodGet, "/calls?format=csv", nil), "lead team"))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "c1")
	assert.Contains(t, rec.Body.String(), "c2")
	assert.NotContains(t, rec.Body.String(), "c3")
	rec = w.do(w.as(httptest.NewRequest(http.MethodGet, "/calls?format=csv", nil), "manager"))
	assert.Equal(t, http.StatusForbidden, rec.Code, "a manager may not export")
}

// TestAccessLog: viewing a call and exporting calls leave a line each, with
// who and from where; only admins list the log.
func TestAccessLog(t *testing.T) {
	w := newWorld(t, nil)
	req := w.as(httptest.NewRequest(http.MethodGet, "/calls/c1", nil), "manager")
	req.RemoteAddr = "198.51.100.7:5555"
	require.Equal(t, http.StatusOK, w.do(req).Code)
	require.Equal(t, http.StatusOK, w.do(w.as(httptest.NewRequest(http.MethodGet, "/calls?format=csv", nil), "lead team")).Code)
	require.Equal(t, http.StatusNotFound, w.do(w.as(httptest.NewRequest(http.MethodGet, "/calls/c1", nil), "lead other")).Code)

	rec := w.do(w.as(httptest.NewRequest(http.MethodGet, "/admin/access-log", nil), "admin"))
	require.Equal(t, http.StatusOK, rec.Code)
	entries := decode[map[string][]httpapi.AccessLogEntry](t, rec)["entries"]
	var lines []string
	for _, e := range entries {
		lines = append(lines, fmt.Sprintf("%s %s %s", e.Actor, e.Action, e.CallID))
	}
	assert.ElementsMatch(t, []string{"Manager1 view c1", "LeadNorth export c1", "LeadNorth export c2"}, lines, "a refused view is not logged")

	// Deleting is logged too, with the call's manager; a manager may not.
	assert.Equal(t, http.StatusForbidden, w.do(w.as(httptest.NewRequest(http.MethodDelete, "/calls/c3", nil), "manager")).Code)
	require.Equal(t, http.StatusOK, w.do(w.as(httptest.NewRequest(http.MethodDelete, "/calls/c3", nil), "token:admin")).Code)
	rec = w.do(w.as(httptest.NewRequest(http.MethodGet, "/admin/access-log?call_id=c3", nil), "admin"))
	del := decode[map[string][]httpapi.AccessLogEntry](t, rec)["entries"]
	require.Len(t, del, 1)
	assert.Equal(t, storage.AccessDelete, del[0].Action)
	assert.Equal(t, "token:tok-admin", del[0].Actor)
	assert.Equal(t, "m3", del[0].ManagerID)
	for _, e := range entries {
		if e.Action == storage.AccessView {
			assert.Equal(t, "198.51.100.7", e.ClientAddr)
			assert.Equal(t, "m1", e.ManagerID)
		}
	}
	rec = w.do(w.as(httptest.NewRequest(http.MethodGet, "/admin/access-log?call_id=c2", nil), "admin"))
	assert.Len(t, decode[map[string][]httpapi.AccessLogEntry](t, rec)["entries"], 1)
}

// TestCrossOrigin: a write with the session cookie from another site's
// page is refused; the same write with a token, or from the server's own
// page, is not.
func TestCrossOrigin(t *testing.T) {
	w := newWorld(t, nil)
	body := `{"dialog_text": "Менеджер: Здравствуйте! Клиент: Добрый день."}`
	send := func(who, origin, site string) *httptest.ResponseRecorder {
		req := w.as(jsonReq(http.MethodPost, "http://example.com/analyze_call", body), who)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		return w.do(req)
	}
	rec := send("manager", "https://evil.example", "cross-site")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Contains(t, rec.Body.String(), "cross-origin")
	assert.Equal(t, http.StatusForbidden, send("admin", "https://evil.example", "").Code, "Origin alone is enough")
	assert.Equal(t, http.StatusOK, send("token:analyze", "https://evil.example", "cross-site").Code, "a token request is not a browser's")
	assert.Equal(t, http.StatusOK, send("manager", "http://example.com", "same-origin").Code, "the server's own page")
	assert.Equal(t, http.StatusOK, send("manager", "", "").Code, "no browser headers: not a browser")

	// Sign-in from another site is refused too (login CSRF).
	req := jsonReq(http.MethodPost, "http://example.com/login", `{"login":"admin","password":"`+pw+`"}`)
	req.Header.Set("Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, w.do(req).Code)
}

// TestSessions: sign-in sets a cookie that works; logout ends it on the
// server, so the same cookie (stale) is refused and told to go; a new
// password ends every session.
func TestSessions(t *testing.T) {
	w := newWorld(t, func(a *httpapi.Access) { a.SecureCookie = true })
	rec := w.do(jsonReq(http.MethodPost, "/login", `{"login":"MANAGER1","password":"`+pw+`"}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	me := decode[httpapi.Me](t, rec)
	assert.Equal(t, storage.RoleManager, me.Role)
	assert.Equal(t, "m1", me.ManagerID)
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	assert.Equal(t, httpapi.SessionCookie, c.Name)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.NotContains(t, rec.Body.String(), c.Value, "the session id is only in the cookie")

	withCookie := func(method, target string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, nil)
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		return w.do(req)
	}
	require.Equal(t, http.StatusOK, withCookie(http.MethodGet, "/me").Code)
	require.Equal(t, http.StatusOK, withCookie(http.MethodPost, "/logout").Code)
	rec = withCookie(http.MethodGet, "/calls")
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "a stale cookie is refused")
	cleared := rec.Result().Cookies()
	require.Len(t, cleared, 1, "and the browser is told to forget it")
	assert.Negative(t, cleared[0].MaxAge)

	id := w.session("lead team")
	pwNew := "a-new-password-1"
	req := w.as(jsonReq(http.MethodPatch, "/admin/users/"+w.ids["lead team"], `{"password":"`+pwNew+`"}`), "admin")
	require.Equal(t, http.StatusOK, w.do(req).Code)
	req = httptest.NewRequest(http.MethodGet, "/me", nil)
	req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: id})
	assert.Equal(t, http.StatusUnauthorized, w.do(req).Code, "a new password ends the sessions")
}

// TestLoginRateLimit: failed sign-ins of one login, then of one address,
// are refused with 429 and Retry-After, even with the right password.
func TestLoginRateLimit(t *testing.T) {
	w := newWorld(t, func(a *httpapi.Access) { a.LoginBurstAccount, a.LoginBurstAddress, a.LoginRefill = 3, 5, time.Hour })
	try := func(login, password, addr string) *httptest.ResponseRecorder {
		req := jsonReq(http.MethodPost, "/login", `{"login":"`+login+`","password":"`+password+`"}`)
		req.RemoteAddr = addr + ":1234"
		return w.do(req)
	}
	for range 3 {
		require.Equal(t, http.StatusUnauthorized, try("admin", "wrong", "192.0.2.1").Code)
	}
	rec := try("ADMIN", pw, "192.0.2.9")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the account is locked for a while, from any address")
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	assert.Equal(t, http.StatusOK, try("manager1", pw, "192.0.2.1").Code, "another account from that address may still sign in")

	for i := range 5 {
		require.Equal(t, http.StatusUnauthorized, try(fmt.Sprintf("nobody%d", i), "wrong", "203.0.113.5").Code)
	}
	rec = try("leadnorth", pw, "203.0.113.5")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the address is limited across logins")
	assert.Equal(t, http.StatusOK, try("leadnorth", pw, "203.0.113.6").Code)
}

// TestLoginRateLimitConcurrent: guesses sent at once are counted as they
// arrive: no more than the burst get a password check.
func TestLoginRateLimitConcurrent(t *testing.T) {
	w := newWorld(t, func(a *httpapi.Access) { a.LoginBurstAccount, a.LoginBurstAddress, a.LoginRefill = 4, 100, time.Hour })
	const n = 16
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req := jsonReq(http.MethodPost, "/login", `{"login":"admin","password":"guess-guess"}`)
			rec := httptest.NewRecorder()
			w.h.ServeHTTP(rec, req)
			codes <- rec.Code
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	assert.Equal(t, map[int]int{http.StatusUnauthorized: 4, http.StatusTooManyRequests: n - 4}, count)
}

// TestAnalyzeRateLimit: analyses per user or token are limited; another
// token has its own budget.
func TestAnalyzeRateLimit(t *testing.T) {
	w := newWorld(t, func(a *httpapi.Access) { a.AnalyzePerMinute, a.AnalyzeBurst = 1, 2 })
	body := `{"dialog_text": "Менеджер: Здравствуйте! Клиент: Добрый день."}`
	send := func(who string) *httptest.ResponseRecorder {
		return w.do(w.as(jsonReq(http.MethodPost, "/analyze_call", body), who))
	}
	require.Equal(t, http.StatusOK, send("token:analyze").Code)
	require.Equal(t, http.StatusOK, send("token:analyze").Code)
	rec := send("token:analyze")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	assert.Equal(t, http.StatusOK, send("manager").Code, "a user has a budget of their own")
}

// TestAnalyzeKeepsToOwnCalls: a manager's analysis is saved under their
// manager id; one naming another manager, or reusing another team's
// call_id, is refused.
func TestAnalyzeKeepsToOwnCalls(t *testing.T) {
	w := newWorld(t, nil)
	send := func(who, extra string) *httptest.ResponseRecorder {
		return w.do(w.as(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text": "Менеджер: Здравствуйте! Клиент: Добрый день."`+extra+`}`), who))
	}
	rec := send("manager", `, "call_id": "new-1"`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	c, err := w.acct.Get(context.Background(), "new-1")
	require.NoError(t, err)
	assert.Equal(t, "m1", c.ManagerID)
	assert.Equal(t, http.StatusForbidden, send("manager", `, "manager_id": "m2"`).Code)
	assert.Equal(t, http.StatusForbidden, send("lead team", `, "call_id": "c3"`).Code, "c3 is the other team's")
	assert.Equal(t, http.StatusOK, send("lead team", `, "call_id": "c2", "manager_id": "m2", "replace": true`).Code, "their own team's call")
	assert.Equal(t, http.StatusOK, send("admin", `, "call_id": "c3", "manager_id": "m3", "replace": true`).Code)
}

// TestLocalMode: with no accounts and LocalUntilUsers every request may do
// everything; the first account ends it.
func TestLocalMode(t *testing.T) {
	st := memory.New()
	svc, err := access.NewService(access.Config{Accounts: st})
	require.NoError(t, err)
	e := newEnv(t, envOpts{store: st, cfg: httpapi.Config{Access: &httpapi.Access{Service: svc, LocalUntilUsers: true}}})
	rec := e.do(httptest.NewRequest(http.MethodGet, "/me", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	me := decode[httpapi.Me](t, rec)
	assert.True(t, me.LocalMode)
	assert.Equal(t, access.KindLocal, me.Kind)
	assert.Equal(t, http.StatusOK, e.do(httptest.NewRequest(http.MethodGet, "/calls", nil)).Code)
	rec = e.do(jsonReq(http.MethodPost, "/admin/users", `{"login":"first","role":"admin","password":"`+pw+`"}`))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.NotContains(t, rec.Body.String(), pw)
	assert.NotContains(t, rec.Body.String(), "argon2")
	assert.Equal(t, http.StatusUnauthorized, e.do(httptest.NewRequest(http.MethodGet, "/calls", nil)).Code, "an account exists: sign in")
}

// TestWebhookCredentials: without a signature check configured, an
// anonymous webhook is refused once accounts exist; a webhook token is
// accepted (here: 503, no queue, past the check).
func TestWebhookCredentials(t *testing.T) {
	w := newWorld(t, nil)
	body := `{"call_id":"w1","recording_url":"https://example.com/r.wav"}`
	assert.Equal(t, http.StatusUnauthorized, w.do(jsonReq(http.MethodPost, "/webhook/new_call_recording", body)).Code)
	rec := w.do(w.as(jsonReq(http.MethodPost, "/webhook/new_call_recording", body), "token:webhook"))
	assert.NotContains(t, []int{401, 403}, rec.Code, rec.Body.String())
	assert.Equal(t, http.StatusForbidden, w.do(w.as(jsonReq(http.MethodPost, "/webhook/new_call_recording", body), "token:read")).Code)
}

// TestSecretsNeverShown: passwords, tokens and session ids appear in no
// answer, no log line and nothing the store holds.
func TestSecretsNeverShown(t *testing.T) {
	w := newWorld(t, nil)
	var answers strings.Builder
	keep := func(rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		answers.WriteString(rec.Body.String())
		for k, v := range rec.Header() {
			if k != "Set-Cookie" {
				answers.WriteString(k + ": " + strings.Join(v, ",") + "\n")
			}
		}
		return rec
	}
	// The one answer that shows a token: its creation (not kept).
	rec := w.do(w.as(jsonReq(http.MethodPost, "/admin/tokens", `{"name":"crm","scopes":["read"]}`), "admin"))
	require.Equal(t, http.StatusCreated, rec.Code)
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	fresh := decode[httpapi.NewToken](t, rec).Token
	require.True(t, strings.HasPrefix(fresh, "ca_"))
	keep(w.do(jsonReq(http.MethodPost, "/login", `{"login":"admin","password":"`+pw+`x"}`)))
	login := keep(w.do(jsonReq(http.MethodPost, "/login", `{"login":"admin","password":"`+pw+`"}`)))
	sessionID := login.Result().Cookies()[0].Value
	keep(w.do(w.as(jsonReq(http.MethodPost, "/admin/users", `{"login":"x","role":"admin","password":"short"}`), "admin")))
	keep(w.do(w.as(httptest.NewRequest(http.MethodGet, "/admin/users", nil), "admin")))
	keep(w.do(w.as(httptest.NewRequest(http.MethodGet, "/admin/tokens", nil), "admin")))
	bad := httptest.NewRequest(http.MethodGet, "/calls", nil)
	bad.Header.Set("Authorization", "Bearer "+fresh+"x")
	keep(w.do(bad))
	tokens, err := w.acct.Tokens(context.Background())
	require.NoError(t, err)
	users, err := w.acct.Users(context.Background())
	require.NoError(t, err)
	held := fmt.Sprintf("%+v %+v", tokens, users)

	secrets := []string{pw, "short", fresh, fresh[3:], sessionID}
	for _, sc := range access.Scopes {
		secrets = append(secrets, w.tokens[string(sc)])
	}
	for _, s := range secrets {
		assert.NotContains(t, answers.String(), s, "an answer shows a secret")
		assert.NotContains(t, w.logs.String(), s, "the log shows a secret")
		assert.NotContains(t, held, s, "the store holds a secret in clear")
	}
	assert.NotContains(t, answers.String(), "argon2id", "no answer shows a password hash")
}

// TestAccessMessagesInRussian: the refusals speak the UI's language.
func TestAccessMessagesInRussian(t *testing.T) {
	w := newWorld(t, nil)
	ru := func(req *http.Request) string {
		req.Header.Set("Accept-Language", "ru")
		rec := w.do(req)
		return decode[errBody](t, rec).Error.Message
	}
	assert.Equal(t, "неверный логин или пароль", ru(jsonReq(http.MethodPost, "/login", `{"login":"admin","password":"nope-nope"}`)))
	assert.Contains(t, ru(httptest.NewRequest(http.MethodGet, "/calls", nil)), "сначала войдите")
	assert.Contains(t, ru(w.as(httptest.NewRequest(http.MethodGet, "/admin/users", nil), "manager")), "роли manager это недоступно (admin)")
	assert.Contains(t, ru(w.as(httptest.NewRequest(http.MethodGet, "/calls?format=csv", nil), "token:analyze")), "этому токену это недоступно")
	assert.Equal(t, "эта статистика вам недоступна", ru(w.as(httptest.NewRequest(http.MethodGet, "/managers/m3/stats", nil), "lead team")))
	req := w.as(jsonReq(http.MethodPost, "/admin/users", `{"login":"x","role":"admin","password":"short"}`), "admin")
	assert.Contains(t, ru(req), "не короче 8 символов")
}

// TestWebhookTokenSkipsSignature: with a signature check configured, a
// webhook-scope token is enough, and an unsigned anonymous request meets
// the check (here one that refuses everything).
func TestWebhookTokenSkipsSignature(t *testing.T) {
	st := memory.New()
	svc, err := access.NewService(access.Config{Accounts: st})
	require.NoError(t, err)
	refuse := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteError(w, callaudit.Errorf(callaudit.KindUnauthorized, "signature check: unsigned"))
		})
	}
	e := newEnv(t, envOpts{store: st, cfg: httpapi.Config{Access: &httpapi.Access{Service: svc}, WebhookAuth: refuse}})
	secret, _, err := svc.CreateToken(context.Background(), "pbx", []storage.Scope{storage.ScopeWebhook}, "")
	require.NoError(t, err)
	body := `{"call_id":"w1","recording_url":"https://example.com/r.wav"}`
	rec := e.do(jsonReq(http.MethodPost, "/webhook/new_call_recording", body))
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Contains(t, rec.Body.String(), "signature check", "anonymous requests meet the signature check")
	req := jsonReq(http.MethodPost, "/webhook/new_call_recording", body)
	req.Header.Set("Authorization", "Bearer "+secret)
	rec = e.do(req)
	assert.NotContains(t, []int{401, 403}, rec.Code, "the token is the credential: %s", rec.Body)
}
