// Package sberauthtest is a fake of Sber's OAuth endpoint (NGW) for the
// fakes of SaluteSpeech and GigaChat, after its reference
// (developers.sber.ru/docs/ru/gigachat/api/reference/rest/post-token):
// POST with "Authorization: Basic <authorization key>", a uuid4 RqUID
// header and the form field scope; it answers {"access_token",
// "expires_at" (Unix ms)} with a token that lives 30 minutes, and
// 401 {"code":6,"message":"credentials doesn't match db data"} for a
// wrong key and, as the reference's error page ("Описание ошибок",
// developers.sber.ru/docs/ru/gigachat/api/errors-description) lists,
// 400 for a missing or non-uuid4 RqUID, {"code":5,"message":"scope is
// empty"} and {"code":7,"message":"scope from db not fully includes
// consumed scope"} for a scope the key does not have.
package sberauthtest

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit/adapters/internal/vendortest"
)

// Path is where the fake serves the exchange, as the real endpoint does.
const Path = "/api/v2/oauth"

// TokenTTL is the documented lifetime of a token.
const TokenTTL = 30 * time.Minute

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Issuer issues and checks tokens. Mount Handler at Path.
type Issuer struct {
	// AuthKey and Scope are what the exchange accepts.
	AuthKey, Scope string
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	mu        sync.Mutex
	tokens    map[string]time.Time
	exchanges int
}

// NewIssuer accepts key for scope.
func NewIssuer(key, scope string) *Issuer {
	return &Issuer{AuthKey: key, Scope: scope, tokens: map[string]time.Time{}}
}

func (i *Issuer) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

// Exchanges is the number of tokens issued.
func (i *Issuer) Exchanges() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.exchanges
}

// ExpireAll makes every token issued so far expired, as if 30 minutes
// had passed (the clients still believe them valid).
func (i *Issuer) ExpireAll() {
	i.mu.Lock()
	defer i.mu.Unlock()
	for t := range i.tokens {
		i.tokens[t] = time.Time{}
	}
}

// Check reports whether the Authorization header carries a live token:
// "ok", "expired" or "missing" (no bearer token or one never issued).
func (i *Issuer) Check(authorization string) string {
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok || token == "" {
		return "missing"
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	exp, ok := i.tokens[token]
	switch {
	case !ok:
		return "missing"
	case !i.now().Before(exp):
		return "expired"
	}
	return "ok"
}

// Handler serves the exchange.
func (i *Issuer) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			vendortest.WriteJSON(w, http.StatusMethodNotAllowed, map[string]any{"code": 0, "message": "method not allowed"})
			return
		}
		if r.Header.Get("Authorization") != "Basic "+i.AuthKey {
			vendortest.WriteJSON(w, http.StatusUnauthorized, map[string]any{"code": 6, "message": "credentials doesn't match db data"})
			return
		}
		if !uuidPattern.MatchString(r.Header.Get("RqUID")) {
			vendortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"code": 4, "message": "RqUID header is missing or is not a uuid4"})
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("scope") == "" {
			vendortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"code": 5, "message": "scope is empty"})
			return
		}
		if r.PostForm.Get("scope") != i.Scope {
			vendortest.WriteJSON(w, http.StatusBadRequest, map[string]any{"code": 7, "message": "scope from db not fully includes consumed scope"})
			return
		}
		token := "eyJ" + vendortest.HexID(24)
		exp := i.now().Add(TokenTTL)
		i.mu.Lock()
		i.tokens[token] = exp
		i.exchanges++
		i.mu.Unlock()
		vendortest.WriteJSON(w, http.StatusOK, map[string]any{"access_token": token, "expires_at": exp.UnixMilli()})
	})
}
