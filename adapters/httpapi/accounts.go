package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/storage"
)

// LoginRequest is the body of POST /login.
type LoginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// Me is the JSON body of GET /me and POST /login: who the request acts as
// and what it may do, for a UI to show and hide what it offers.
type Me struct {
	// Kind is user, token or local (no accounts: local mode, or accounts
	// switched off).
	Kind        access.Kind         `json:"kind"`
	ID          string              `json:"id,omitempty"`
	Login       string              `json:"login,omitempty"`
	Name        string              `json:"name,omitempty"`
	Role        storage.Role        `json:"role,omitempty"`
	Scopes      []storage.Scope     `json:"scopes,omitempty"`
	ManagerID   string              `json:"manager_id,omitempty"`
	Managers    []string            `json:"managers,omitempty"`
	Permissions []access.Permission `json:"permissions"`
	// Sees is whose calls: every call, their teams', their own.
	Sees access.Visibility `json:"sees"`
	// LocalMode: the server has no accounts yet and serves this machine
	// only; Accounts: the server can keep accounts at all.
	LocalMode bool `json:"local_mode"`
	Accounts  bool `json:"accounts"`
}

func (h *Handler) me(p access.Principal) Me {
	m := Me{Kind: p.Kind, ID: p.ID, Login: p.Name, Name: p.DisplayName, Role: p.Role, Scopes: p.Scopes,
		ManagerID: p.ManagerID, Managers: p.Managers, Permissions: []access.Permission{}, Sees: p.Visibility(),
		Accounts: h.cfg.Access != nil}
	if p.Kind == access.KindToken {
		m.Login = ""
	}
	m.LocalMode = p.Kind == access.KindLocal && h.cfg.Access != nil
	for _, perm := range access.Permissions {
		if p.Can(perm) {
			m.Permissions = append(m.Permissions, perm)
		}
	}
	return m
}

func (h *Handler) getMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.me(PrincipalOf(r.Context())))
}

// needAccounts returns the access configuration or a not_configured error.
func (h *Handler) needAccounts() (*Access, error) {
	if h.cfg.Access == nil {
		return nil, callaudit.Coded(callaudit.KindNotConfigured, codeAccountsOff, "this server keeps no accounts (accounts are switched off)", nil)
	}
	return h.cfg.Access, nil
}

func retryAfter(d time.Duration) error {
	secs := strconv.Itoa(int((d + time.Second - 1) / time.Second))
	return &callaudit.Error{Kind: callaudit.KindRateLimited, RetryAfter: d, Code: codeSignInLimit, Params: map[string]string{"seconds": secs},
		Message: "too many failed sign-ins; wait " + secs + " s and try again"}
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req LoginRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	// A try counts before the password is checked, and is given back
	// unless it failed: concurrent guesses cannot slip past the limit.
	account, addr := storage.LoginKey(req.Login), clientAddr(r)
	byAccount, wait := h.guard.login.reserve(account)
	if wait > 0 {
		h.writeError(w, r, retryAfter(wait))
		return
	}
	byAddress, wait := h.guard.address.reserve(addr)
	if wait > 0 {
		byAccount.Cancel()
		h.writeError(w, r, retryAfter(wait))
		return
	}
	id, u, err := acc.Service.Login(r.Context(), req.Login, req.Password)
	if err == nil || !access.IsUnauthorized(err) {
		byAccount.Cancel()
		byAddress.Cancel()
	}
	if err != nil {
		if access.IsUnauthorized(err) {
			// Never the password; the login helps an admin see an attack.
			h.log.Info("httpapi: failed sign-in", "login", req.Login, "addr", addr)
		}
		h.writeError(w, r, err)
		return
	}
	p, err := acc.Service.UserPrincipal(r.Context(), u)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", MaxAge: int(acc.Service.MaxAge() / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: acc.SecureCookie})
	writeJSON(w, http.StatusOK, h.me(p))
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && h.cfg.Access != nil {
		if err := h.cfg.Access.Service.Logout(r.Context(), c.Value); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	h.clearCookie(w)
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// UserInfo is a user as the admin endpoints show it: never the password
// hash.
type UserInfo struct {
	ID        string       `json:"id"`
	Login     string       `json:"login"`
	Name      string       `json:"name,omitempty"`
	Role      storage.Role `json:"role"`
	ManagerID string       `json:"manager_id,omitempty"`
	Teams     []string     `json:"teams"`
	Disabled  bool         `json:"disabled"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

func userInfo(u storage.User) UserInfo {
	teams := u.Teams
	if teams == nil {
		teams = []string{}
	}
	return UserInfo{ID: u.ID, Login: u.Login, Name: u.Name, Role: u.Role, ManagerID: u.ManagerID, Teams: teams,
		Disabled: u.Disabled, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// NewUserRequest is the body of POST /admin/users.
type NewUserRequest struct {
	Login     string       `json:"login"`
	Name      string       `json:"name"`
	Role      storage.Role `json:"role"`
	ManagerID string       `json:"manager_id"`
	Teams     []string     `json:"teams"`
	Password  string       `json:"password"`
}

// UserChangeRequest is the body of PATCH /admin/users/{id}: absent fields
// stay as they are. A new password, or disabling, ends the user's sessions.
type UserChangeRequest struct {
	Name      *string       `json:"name"`
	Role      *storage.Role `json:"role"`
	ManagerID *string       `json:"manager_id"`
	Teams     *[]string     `json:"teams"`
	Disabled  *bool         `json:"disabled"`
	Password  *string       `json:"password"`
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	users, err := acc.Service.Accounts().Users(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]UserInfo, 0, len(users))
	for _, u := range users {
		out = append(out, userInfo(u))
	}
	writeJSON(w, http.StatusOK, map[string][]UserInfo{"users": out})
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req NewUserRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	create := acc.Service.CreateUser
	if PrincipalOf(r.Context()).Kind == access.KindLocal {
		create = acc.Service.CreateFirstUser // local mode: nobody has an account yet
	}
	u, err := create(r.Context(), access.NewUser{Login: req.Login, Name: req.Name, Role: req.Role,
		ManagerID: req.ManagerID, Teams: req.Teams, Password: req.Password})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.guard.users.Store(true) // local mode ends with the first account
	writeJSON(w, http.StatusCreated, userInfo(u))
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req UserChangeRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	u, err := acc.Service.UpdateUser(r.Context(), r.PathValue("id"), access.UserChange{Name: req.Name, Role: req.Role,
		ManagerID: req.ManagerID, Teams: req.Teams, Disabled: req.Disabled, Password: req.Password})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userInfo(u))
}

// TeamInfo is one team: a name and the managers it holds.
type TeamInfo struct {
	Name       string   `json:"name"`
	ManagerIDs []string `json:"manager_ids"`
}

func (h *Handler) listTeams(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	teams, err := acc.Service.Accounts().Teams(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]TeamInfo, 0, len(teams))
	for _, t := range teams {
		out = append(out, TeamInfo{Name: t.Name, ManagerIDs: orEmpty(t.ManagerIDs)})
	}
	writeJSON(w, http.StatusOK, map[string][]TeamInfo{"teams": out})
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (h *Handler) putTeam(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req struct {
		ManagerIDs []string `json:"manager_ids"`
	}
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	t := storage.Team{Name: r.PathValue("name"), ManagerIDs: slices.Compact(slices.Sorted(slices.Values(req.ManagerIDs)))}
	if err := acc.Service.Accounts().PutTeam(r.Context(), t); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, TeamInfo{Name: t.Name, ManagerIDs: orEmpty(t.ManagerIDs)})
}

func (h *Handler) deleteTeam(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := acc.Service.Accounts().DeleteTeam(r.Context(), r.PathValue("name")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// TokenInfo is an API token as the admin endpoints show it: never its
// secret, which only POST /admin/tokens answers, once.
type TokenInfo struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Scopes     []storage.Scope `json:"scopes"`
	CreatedBy  string          `json:"created_by,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	LastUsedAt *time.Time      `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time      `json:"revoked_at,omitempty"`
}

// NewToken is the answer to POST /admin/tokens: the token's secret, shown
// this once.
type NewToken struct {
	Token string `json:"token"`
	TokenInfo
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func tokenInfo(t storage.Token) TokenInfo {
	return TokenInfo{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt,
		LastUsedAt: timePtr(t.LastUsedAt), RevokedAt: timePtr(t.RevokedAt)}
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	tokens, err := acc.Service.Accounts().Tokens(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]TokenInfo, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, tokenInfo(t))
	}
	writeJSON(w, http.StatusOK, map[string][]TokenInfo{"tokens": out})
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req struct {
		Name   string          `json:"name"`
		Scopes []storage.Scope `json:"scopes"`
	}
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	secret, t, err := acc.Service.CreateToken(r.Context(), req.Name, req.Scopes, PrincipalOf(r.Context()).ID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, NewToken{Token: secret, TokenInfo: tokenInfo(t)})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := acc.Service.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// AccessLogEntry is one line of GET /admin/access-log.
type AccessLogEntry struct {
	At         time.Time            `json:"at"`
	Action     storage.AccessAction `json:"action"`
	CallID     string               `json:"call_id"`
	ManagerID  string               `json:"manager_id,omitempty"`
	ActorID    string               `json:"actor_id,omitempty"`
	Actor      string               `json:"actor"`
	ClientAddr string               `json:"client_addr,omitempty"`
}

func (h *Handler) accessLog(w http.ResponseWriter, r *http.Request) {
	acc, err := h.needAccounts()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := r.URL.Query()
	var errs queryErrors
	q := storage.AccessQuery{CallID: v.Get("call_id"), ActorID: v.Get("actor_id")}
	if l := intParam(v, "limit", 1, storage.MaxLimit, &errs); l != nil {
		q.Limit = *l
	}
	if b := v.Get("before"); b != "" {
		t, _, ok := parseTime(b)
		if !ok {
			errs.add("before", "must be an RFC 3339 time")
		}
		q.Before = t
	}
	if err := errs.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	events, err := acc.Service.Accounts().AccessLog(r.Context(), q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]AccessLogEntry, 0, len(events))
	for _, e := range events {
		out = append(out, AccessLogEntry(e))
	}
	writeJSON(w, http.StatusOK, map[string][]AccessLogEntry{"entries": out})
}
