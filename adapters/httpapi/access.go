package httpapi

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/storage"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "callaudit_session"

// Access configures sign-in and authorization (see package access). A
// Handler without one serves every request as access.Local: no accounts,
// as a library user's own server or AUDIT_AUTH=off.
type Access struct {
	// Service checks sessions and tokens (required).
	Service *access.Service
	// LocalUntilUsers serves requests without credentials as access.Local
	// while no account exists: the local mode of a server on a loopback
	// address. Once the first account is created, sign-in is required.
	LocalUntilUsers bool
	// SecureCookie marks the session cookie Secure (the public URL is
	// https).
	SecureCookie bool
	// LoginBurstAccount and LoginBurstAddress are the failed sign-ins
	// allowed at once per login and per client address; one more is
	// allowed every LoginRefill. Zero values are 5, 20 and a minute.
	LoginBurstAccount, LoginBurstAddress int
	LoginRefill                          time.Duration
	// AnalyzePerMinute limits the analyse requests of one user or token
	// (AnalyzeBurst at once); 0 is no limit.
	AnalyzePerMinute, AnalyzeBurst int
}

// rule is a route's access rule.
type rule struct {
	// public routes need no sign-in (health, docs, the UI's files, sign-in).
	public bool
	// perm is what the principal needs; empty with !public means any
	// signed-in principal.
	perm access.Permission
	// signature: the route also accepts a request with no credentials
	// when WebhookAuth (a signature check) is configured.
	signature bool
}

var (
	public   = rule{public: true}
	signedIn = rule{}
)

func need(p access.Permission) rule { return rule{perm: p} }

type principalKey struct{}

// PrincipalOf returns who the request acts as; access.Local in a handler
// without Access.
func PrincipalOf(ctx context.Context) access.Principal {
	if p, ok := ctx.Value(principalKey{}).(access.Principal); ok {
		return p
	}
	return access.Principal{}
}

// guard is the Handler's authentication and authorization state.
type guard struct {
	cfg     *Access
	users   atomic.Bool  // true once an account exists
	checked atomic.Int64 // unix nanos of the last look for accounts
	login   *keyedLimiter
	address *keyedLimiter
	analyze *keyedLimiter
}

func newGuard(cfg *Access) *guard {
	g := &guard{cfg: cfg}
	if cfg == nil {
		return g
	}
	refill := cfg.LoginRefill
	if refill <= 0 {
		refill = time.Minute
	}
	g.login = newKeyedLimiter(rate.Every(refill), orDefault(cfg.LoginBurstAccount, 5))
	g.address = newKeyedLimiter(rate.Every(refill), orDefault(cfg.LoginBurstAddress, 20))
	if cfg.AnalyzePerMinute > 0 {
		g.analyze = newKeyedLimiter(rate.Limit(float64(cfg.AnalyzePerMinute)/60), orDefault(cfg.AnalyzeBurst, 10))
	}
	return g
}

func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// localMode reports whether requests without credentials are served as
// access.Local now: no Access at all, or local mode before the first
// account. The store is asked at most once a second until an account
// exists, so that one created by the CLI takes effect at once.
func (g *guard) localMode(ctx context.Context) bool {
	if g.cfg == nil {
		return true
	}
	if !g.cfg.LocalUntilUsers || g.users.Load() {
		return false
	}
	now := time.Now().UnixNano()
	if last := g.checked.Load(); now-last < int64(time.Second) && last != 0 {
		return true
	}
	g.checked.Store(now)
	has, err := g.cfg.Service.HasUsers(ctx)
	if err != nil || has {
		// A store that cannot answer does not open the server.
		g.users.Store(has)
		return false
	}
	return true
}

var errSignInNeeded = callaudit.Coded(callaudit.KindUnauthorized, codeSignInNeeded, "sign in first: send the session cookie (POST /login) or an API token (Authorization: Bearer ca_…)", nil)

// authenticate returns who r acts as. No credentials is the zero Principal (or access.Local in local
// mode); wrong credentials are an error.
func (g *guard) authenticate(r *http.Request) (access.Principal, error) {
	if g.cfg == nil {
		return access.Local, nil
	}
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return access.Principal{}, callaudit.Coded(callaudit.KindUnauthorized, codeAuthHeader, "the Authorization header must be: Bearer ca_…", nil)
		}
		return g.cfg.Service.TokenPrincipal(ctx, strings.TrimSpace(secret))
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return g.cfg.Service.SessionPrincipal(ctx, c.Value)
	}
	if g.localMode(ctx) {
		return access.Local, nil
	}
	return access.Principal{}, nil
}

// authorize authenticates r, checks the route's rule and, for writes not
// made with a token, the request's origin. It returns the request with
// the principal in its context, or the error to answer.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, ru rule) (*http.Request, error) {
	g := h.guard
	p, err := g.authenticate(r)
	if err != nil && !ru.public {
		if _, cerr := r.Cookie(SessionCookie); cerr == nil && access.IsUnauthorized(err) {
			h.clearCookie(w) // a stale cookie: the browser forgets it
		}
		return r, err
	}
	if err != nil {
		p = access.Principal{} // public routes ignore bad credentials
	}
	// Cross-site writes were refused before, by Guard (ServeHTTP), for
	// every principal but a token's.
	switch {
	case ru.public:
	case p.Anonymous() && ru.signature && h.cfg.WebhookAuth != nil:
		// The signature check wrapped around the route decides.
	case p.Anonymous():
		return r, errSignInNeeded
	case ru.perm != "" && !p.Can(ru.perm):
		return r, forbidden(p, ru.perm)
	}
	// Per user and per token; local mode is this machine's own use.
	if ru.perm == access.Analyze && g.analyze != nil && (p.Kind == access.KindUser || p.Kind == access.KindToken) {
		if wait := g.analyze.take(string(p.Kind) + ":" + p.ID); wait > 0 {
			return r, &callaudit.Error{Kind: callaudit.KindRateLimited, Code: codeAnalyzeLimit, Message: "too many analyse requests; wait and retry", RetryAfter: wait}
		}
	}
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), nil
}

// forbidden is the refusal of a permission the principal lacks.
func forbidden(p access.Principal, perm access.Permission) error {
	if p.Kind == access.KindToken {
		return callaudit.Coded(callaudit.KindForbidden, codeScopeForbidden, "this token may not "+string(perm)+" here: create a token with the scope this needs",
			map[string]string{"permission": string(perm)})
	}
	return callaudit.Coded(callaudit.KindForbidden, codeRoleForbidden, "the "+string(p.Role)+" role may not "+string(perm)+" here: ask an admin",
		map[string]string{"role": string(p.Role), "permission": string(perm)})
}

// clientAddr is the address the request came from (the proxy's when
// behind one).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// keyedLimiter is a token bucket per key (a login, an address, a user).
type keyedLimiter struct {
	mu    sync.Mutex
	r     rate.Limit
	burst int
	m     map[string]*rate.Limiter
}

// maxKeys bounds the buckets kept; full buckets are dropped past it.
const maxKeys = 10000

func newKeyedLimiter(r rate.Limit, burst int) *keyedLimiter {
	return &keyedLimiter{r: r, burst: burst, m: map[string]*rate.Limiter{}}
}

func (l *keyedLimiter) get(key string, now time.Time) *rate.Limiter {
	lim, ok := l.m[key]
	if !ok {
		if len(l.m) >= maxKeys {
			for k, v := range l.m {
				if v.TokensAt(now) >= float64(l.burst) {
					delete(l.m, k)
				}
			}
		}
		lim = rate.NewLimiter(l.r, l.burst)
		l.m[key] = lim
	}
	return lim
}

// reserve takes one try of key at once, so that concurrent tries cannot
// all pass a check made before any is counted. It returns the
// reservation, to give the try back (CancelAt) when it should not count,
// or how long to wait when none is left (and then takes nothing).
func (l *keyedLimiter) reserve(key string) (*rate.Reservation, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	res := l.get(key, now).ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return nil, d
	}
	return res, 0
}

// take uses one try of key, returning 0, or how long to wait when none is
// left (and then uses nothing).
func (l *keyedLimiter) take(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	res := l.get(key, now).ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// listVisible lists a page of f for the request's principal: none when
// it sees none of what f asks for (sees false, from Principal.Restrict),
// and only the calls it sees whatever the store returned.
func listVisible(r *http.Request, st storage.Store, f storage.Filter, sees bool) (storage.Page, error) {
	if !sees {
		return storage.Page{}, nil
	}
	page, err := st.List(r.Context(), f)
	if err != nil {
		return storage.Page{}, err
	}
	page.Calls = visible(PrincipalOf(r.Context()), page.Calls)
	return page, nil
}

// visible keeps the calls the request's principal sees.
func visible(p access.Principal, calls []storage.Call) []storage.Call {
	if p.Visibility() == access.SeesAll {
		return calls
	}
	out := calls[:0]
	for _, c := range calls {
		if p.Sees(c.ManagerID) {
			out = append(out, c)
		}
	}
	return out
}

// logAccess records who did what with the calls, when the store keeps an
// access log. A failure is logged, not answered: the data was already
// sent.
func (h *Handler) logAccess(r *http.Request, action storage.AccessAction, calls ...storage.Call) {
	if h.cfg.Access == nil || len(calls) == 0 {
		return
	}
	acct := h.cfg.Access.Service.Accounts()
	p := PrincipalOf(r.Context())
	now := time.Now()
	events := make([]storage.AccessEvent, len(calls))
	for i, c := range calls {
		events[i] = storage.AccessEvent{At: now, Action: action, CallID: c.ID, ManagerID: c.ManagerID,
			ActorID: p.ID, Actor: p.Label(), ClientAddr: clientAddr(r)}
	}
	// The request may be over; the log must still be written.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	if err := acct.LogAccess(ctx, events...); err != nil {
		h.log.Error("httpapi: cannot write the access log", "action", action, "calls", len(calls), "err", err)
	}
}

func (h *Handler) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.cfg.Access != nil && h.cfg.Access.SecureCookie})
}
