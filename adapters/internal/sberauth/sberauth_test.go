package sberauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/sberauth"
	"github.com/callaudit/callaudit/adapters/internal/sberauth/sberauthtest"
	"github.com/callaudit/callaudit/adapters/internal/vendorhttp"
)

const key = "Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQtZm9yLXRlc3Rz"

var service = vendorhttp.Service{Name: "Test API", Setting: "AUDIT_TEST_KEY"}

func issuer(t *testing.T) (*sberauthtest.Issuer, string) {
	t.Helper()
	iss := sberauthtest.NewIssuer(key, sberauth.ScopeGigaChat)
	srv := httptest.NewServer(iss.Handler())
	t.Cleanup(srv.Close)
	return iss, srv.URL
}

func TestConcurrentCallersShareOneExchange(t *testing.T) {
	iss, url := issuer(t)
	src := sberauth.New(sberauth.Config{URL: url, AuthKey: key, Scope: sberauth.ScopeGigaChat}, http.DefaultClient, service)
	var wg sync.WaitGroup
	tokens := make([]string, 16)
	for i := range tokens {
		wg.Go(func() {
			tok, err := src.Token(context.Background())
			assert.NoError(t, err)
			tokens[i] = tok
		})
	}
	wg.Wait()
	assert.Equal(t, 1, iss.Exchanges())
	for _, tok := range tokens {
		assert.Equal(t, tokens[0], tok)
		assert.Equal(t, "ok", iss.Check("Bearer "+tok))
	}
}

func TestDoRetriesOnceOn401(t *testing.T) {
	iss, url := issuer(t)
	src := sberauth.New(sberauth.Config{URL: url, AuthKey: key, Scope: sberauth.ScopeGigaChat}, http.DefaultClient, service)
	rejected := service.StatusError("op", http.StatusUnauthorized, "Token has expired", 0)
	var seen []string
	err := src.Do(context.Background(), func(_ context.Context, token string) error {
		seen = append(seen, token)
		return rejected
	})
	require.Error(t, err, "a second 401 is returned, not retried again")
	assert.Len(t, seen, 2)
	assert.NotEqual(t, seen[0], seen[1], "the retry has a new token")
	assert.Equal(t, 2, iss.Exchanges())
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))

	calls := 0
	err = src.Do(context.Background(), func(context.Context, string) error {
		calls++
		return service.StatusError("op", http.StatusTooManyRequests, "slow down", 0)
	})
	assert.Equal(t, callaudit.KindRateLimited, callaudit.KindOf(err))
	assert.Equal(t, 1, calls, "only 401 renews the token")
}

func TestWrongKeyAndScope(t *testing.T) {
	_, url := issuer(t)
	const wrong = "d3JvbmctY2xpZW50Ondyb25nLXNlY3JldC1rZXk="
	_, err := sberauth.New(sberauth.Config{URL: url, AuthKey: wrong, Scope: sberauth.ScopeGigaChat}, http.DefaultClient, service).Token(context.Background())
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))
	assert.NotContains(t, err.Error(), wrong)
	assert.Contains(t, callaudit.MessageOf(err), "AUDIT_TEST_KEY")

	_, err = sberauth.New(sberauth.Config{URL: url, AuthKey: key, Scope: sberauth.ScopeSaluteSpeech}, http.DefaultClient, service).Token(context.Background())
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "a scope the key does not have")
	assert.Contains(t, callaudit.MessageOf(err), "scope from db not fully includes consumed scope")
}

func TestTokenWaitEndsWithTheContext(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) })
	src := sberauth.New(sberauth.Config{URL: srv.URL, AuthKey: key, Scope: sberauth.ScopeGigaChat}, http.DefaultClient, service)
	go func() { _, _ = src.Token(context.Background()) }() // holds the exchange
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := src.Token(ctx)
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err), "a caller waiting for the exchange gives up with its context")
}
