// Package sberauth is the OAuth token exchange that Sber's APIs share
// (SaluteSpeech, GigaChat), as their references describe it
// (developers.sber.ru/docs/ru/gigachat/api/reference/rest/post-token,
// "Получить токен доступа"; the SaluteSpeech page of the same name):
//
//	POST https://ngw.devices.sberbank.ru:9443/api/v2/oauth
//	Authorization: Basic <authorization key>   (base64 of Client ID:Client Secret)
//	RqUID: <uuid4>                             (required; the request's id for Sber's logs)
//	Content-Type: application/x-www-form-urlencoded
//
//	scope=SALUTE_SPEECH_PERS | GIGACHAT_API_PERS | …
//
// answers {"access_token": "…", "expires_at": <Unix milliseconds>}; the
// token lives 30 minutes. Source keeps the token, fetches a new one a
// minute before it expires, and Do retries a call once with a new token
// when the API answers 401 (a token revoked or expired early), as the
// vendor's own SDK (ai-forever/gigachat) does.
package sberauth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/vendorhttp"
)

// DefaultURL is the OAuth endpoint of Sber's NGW.
const DefaultURL = "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"

// The scopes of the personal (PERS) plans; B2B and CORP plans have their own.
const (
	ScopeSaluteSpeech = "SALUTE_SPEECH_PERS"
	ScopeGigaChat     = "GIGACHAT_API_PERS"
)

// DefaultMargin is how long before its expiry a token is replaced.
const DefaultMargin = time.Minute

// Config configures a Source.
type Config struct {
	// URL of the OAuth endpoint; empty is DefaultURL.
	URL string
	// AuthKey is the authorization key: base64 of "Client ID:Client
	// Secret", as the developer console shows it. Never printed.
	AuthKey string
	// Scope is the API's scope (ScopeSaluteSpeech, ScopeGigaChat, …).
	Scope string
	// Margin before expiry at which a token is replaced; 0 is DefaultMargin.
	Margin time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Source hands out access tokens. It is safe for concurrent use: one
// exchange runs at a time and its token serves every caller.
type Source struct {
	cfg    Config
	client *vendorhttp.Client
	// exchange is held by the one exchange under way (a channel, so
	// that waiting for it ends with the context).
	exchange chan struct{}
	mu       sync.Mutex
	token    string
	expiry   time.Time
	// Exchanges counts token exchanges made, for tests and metrics.
	exchanges int
}

// New returns a Source that exchanges the key through hc, naming service
// in its errors.
func New(cfg Config, hc *http.Client, service vendorhttp.Service) *Source {
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	if cfg.Margin <= 0 {
		cfg.Margin = DefaultMargin
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Source{cfg: cfg, exchange: make(chan struct{}, 1)}
	s.client = &vendorhttp.Client{HTTP: hc, Service: service, Message: oauthMessage, Secrets: s.secrets}
	return s
}

// secrets are the key and the current token.
func (s *Source) secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []string{s.cfg.AuthKey, s.token}
}

// Secrets returns the key and the current token, to keep out of errors.
func (s *Source) Secrets() []string { return s.secrets() }

// Exchanges reports how many tokens were fetched.
func (s *Source) Exchanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchanges
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresAt   int64  `json:"expires_at"`
}

// Token returns a token valid for at least the margin, exchanging the
// key when the one held is missing or about to expire.
func (s *Source) Token(ctx context.Context) (string, error) {
	const op = "sberauth.Token"
	select {
	case s.exchange <- struct{}{}:
		defer func() { <-s.exchange }()
	case <-ctx.Done():
		return "", vendorhttp.ContextError(op, ctx.Err())
	}
	s.mu.Lock()
	token, expiry := s.token, s.expiry
	s.mu.Unlock()
	if token != "" && s.cfg.Now().Add(s.cfg.Margin).Before(expiry) {
		return token, nil
	}
	form := url.Values{"scope": {s.cfg.Scope}}.Encode()
	header := http.Header{
		"Authorization": {"Basic " + s.cfg.AuthKey},
		"Rquid":         {newUUID()},
		"Content-Type":  {"application/x-www-form-urlencoded"},
		"Accept":        {"application/json"},
	}
	var ans tokenAnswer
	err := s.client.Do(ctx, op, vendorhttp.Request{
		Method: http.MethodPost, URL: s.cfg.URL, Header: header,
		Body: func() (io.Reader, error) { return strings.NewReader(form), nil },
	}, &ans)
	if vendorhttp.StatusOf(err) == http.StatusBadRequest {
		// A scope the key lacks: the server's configuration, like a wrong key.
		var se *vendorhttp.StatusError
		errors.As(err, &se)
		return "", s.client.Service.Coded(callaudit.KindNotConfigured, callaudit.CodeUpstreamRefused, op, se.Message, err)
	}
	if err != nil {
		return "", err
	}
	if ans.AccessToken == "" || ans.ExpiresAt <= 0 {
		return "", s.client.Service.Coded(callaudit.KindUpstream, callaudit.CodeUpstreamFailed, op, "", fmt.Errorf("the token answer has no access_token or expires_at"))
	}
	s.mu.Lock()
	s.token, s.expiry = ans.AccessToken, time.UnixMilli(ans.ExpiresAt)
	s.exchanges++
	s.mu.Unlock()
	return ans.AccessToken, nil
}

// invalidate drops token if it is still the one held.
func (s *Source) invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == token {
		s.token = ""
	}
}

// Do runs call with a token; when the API answers 401, the token is
// dropped and call runs once more with a new one.
func (s *Source) Do(ctx context.Context, call func(ctx context.Context, token string) error) error {
	token, err := s.Token(ctx)
	if err != nil {
		return err
	}
	err = call(ctx, token)
	if vendorhttp.StatusOf(err) != http.StatusUnauthorized {
		return err
	}
	s.invalidate(token)
	if token, err = s.Token(ctx); err != nil {
		return err
	}
	return call(ctx, token)
}

// oauthMessage is the text of an OAuth error answer:
// {"code": 6, "message": "credentials doesn't match db data"}.
func oauthMessage(body []byte) string { return vendorhttp.JSONMessage(body, "message") }

// newUUID returns a random (version 4) UUID for RqUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
