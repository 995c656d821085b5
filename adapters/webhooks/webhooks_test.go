package webhooks_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/webhooks"
)

// The Standard Webhooks reference test vector (libraries/go/webhook_test.go
// of standard-webhooks/standard-webhooks, shared by its other libraries).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignReferenceVector(t *testing.T) {
	for _, secret := range []string{vectorSecret, strings.TrimPrefix(vectorSecret, webhooks.SecretPrefix)} {
		s, err := webhooks.NewSigner(secret)
		require.NoError(t, err)
		assert.Equal(t, vectorSignature, s.Sign(vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody)))
	}
}

func TestVerifyReferenceVector(t *testing.T) {
	at := time.Unix(vectorTimestamp, 0)
	v, err := webhooks.NewVerifier(vectorSecret, webhooks.WithClock(func() time.Time { return at.Add(time.Minute) }))
	require.NoError(t, err)
	h := http.Header{}
	h.Set("Webhook-Id", vectorID)
	h.Set("Webhook-Timestamp", strconv.Itoa(vectorTimestamp))
	h.Set("Webhook-Signature", vectorSignature)
	require.NoError(t, v.Verify(h, []byte(vectorBody)))
}

func TestParseSecret(t *testing.T) {
	long := base64.StdEncoding.EncodeToString(make([]byte, 65))
	short := base64.StdEncoding.EncodeToString([]byte("sixteen-bytes!!!"))
	tests := []struct {
		name    string
		secret  string
		bytes   int
		problem string // how the field message starts; empty: "is empty"
	}{
		{name: "prefixed", secret: vectorSecret, bytes: 24},
		{name: "bare base64", secret: strings.TrimPrefix(vectorSecret, "whsec_"), bytes: 24},
		{name: "generated", secret: webhooks.NewSecret(), bytes: 32},
		{name: "empty", secret: "  "},
		{name: "not base64", secret: "whsec_not*base64!secret-value-here", problem: "is not valid base64 after the whsec_ prefix"},
		{name: "no prefix", secret: "notasecret", problem: "must start with whsec_ followed by"},
		{name: "too short", secret: "whsec_" + short, problem: "is too short"},
		{name: "too long", secret: "whsec_" + long, problem: "is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := webhooks.ParseSecret(tt.secret)
			if tt.bytes > 0 {
				require.NoError(t, err)
				assert.Len(t, key, tt.bytes)
				return
			}
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			// Every message says what a valid secret is and how to make one.
			fields := callaudit.FieldsOf(err)
			require.Len(t, fields, 1)
			assert.Equal(t, "secret", fields[0].Field)
			assert.True(t, strings.HasPrefix(fields[0].Message, cmp.Or(tt.problem, "is empty")), fields[0].Message)
			assert.Contains(t, fields[0].Message, "whsec_ followed by the base64 of 24 to 64 random bytes (Standard Webhooks)")
			assert.Contains(t, fields[0].Message, `generate one with printf 'whsec_%s\n' "$(head -c 32 /dev/urandom | base64)"`)
			if s := strings.TrimSpace(strings.TrimPrefix(tt.secret, "whsec_")); s != "" {
				assert.NotContains(t, err.Error(), s, "the error must not repeat the secret")
				assert.NotContains(t, callaudit.MessageOf(err), s)
			}
		})
	}
}

func TestNewSecretIsRandom(t *testing.T) {
	assert.NotEqual(t, webhooks.NewSecret(), webhooks.NewSecret())
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func signed(t *testing.T, secret, id string, ts time.Time, body string) http.Header {
	t.Helper()
	s, err := webhooks.NewSigner(secret)
	require.NoError(t, err)
	h := http.Header{}
	s.SetHeaders(h, id, ts, []byte(body))
	return h
}

func TestVerify(t *testing.T) {
	secret, other := webhooks.NewSecret(), webhooks.NewSecret()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := `{"call_id":"c-1","manager_id":"m-1","recording_url":"https://example.com/a.mp3"}`
	tests := []struct {
		name    string
		header  func() http.Header
		body    string
		reason  error
		message string
	}{
		{name: "valid", header: func() http.Header { return signed(t, secret, "msg_1", now, body) }},
		{name: "valid at the edge of the window", header: func() http.Header { return signed(t, secret, "msg_1", now.Add(-5*time.Minute), body) }},
		{name: "wrong secret", header: func() http.Header { return signed(t, other, "msg_1", now, body) }, reason: webhooks.ErrNoMatch, message: "does not match"},
		{name: "body tampered", header: func() http.Header { return signed(t, secret, "msg_1", now, body) }, body: strings.Replace(body, "c-1", "c-2", 1), reason: webhooks.ErrNoMatch},
		{name: "id tampered", header: func() http.Header {
			h := signed(t, secret, "msg_1", now, body)
			h.Set(webhooks.HeaderID, "msg_2")
			return h
		}, reason: webhooks.ErrNoMatch},
		{name: "timestamp tampered", header: func() http.Header {
			h := signed(t, secret, "msg_1", now, body)
			h.Set(webhooks.HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10))
			return h
		}, reason: webhooks.ErrNoMatch},
		{name: "stale timestamp", header: func() http.Header { return signed(t, secret, "msg_1", now.Add(-5*time.Minute-time.Second), body) }, reason: webhooks.ErrStale, message: "old"},
		{name: "future timestamp", header: func() http.Header { return signed(t, secret, "msg_1", now.Add(5*time.Minute+time.Second), body) }, reason: webhooks.ErrFuture, message: "future"},
		{name: "several signatures, one valid", header: func() http.Header {
			h := signed(t, secret, "msg_1", now, body)
			wrong := signed(t, other, "msg_1", now, body).Get(webhooks.HeaderSignature)
			h.Set(webhooks.HeaderSignature, strings.Join([]string{wrong, "v1a,AAAA", "v2," + strings.TrimPrefix(wrong, "v1,"), h.Get(webhooks.HeaderSignature), "junk"}, " "))
			return h
		}},
		{name: "valid signature under another version", header: func() http.Header {
			h := signed(t, secret, "msg_1", now, body)
			h.Set(webhooks.HeaderSignature, "v2,"+strings.TrimPrefix(h.Get(webhooks.HeaderSignature), "v1,"))
			return h
		}, reason: webhooks.ErrNoMatch},
		{name: "missing id", header: func() http.Header {
			h := signed(t, secret, "msg_1", now, body)
			h.Del(webhooks.HeaderID)
			return h
		}, reason: webhooks.ErrMissingHeader, message: "missing webhook-id"},
		{name: "no headers", header: func() http.Header { return http.Header{} }, reason: webhooks.ErrMissingHeader, message: "webhook-id, webhook-timestamp, webhook-signature"},
		{name: "timestamp not a number", header: func() http.Header {
			h := signed(t, secret, "msg_1", now, body)
			h.Set(webhooks.HeaderTimestamp, "2026-03-01T12:00:00Z")
			return h
		}, reason: webhooks.ErrMalformed, message: "Unix time"},
		{name: "id with spaces", header: func() http.Header { return signed(t, secret, "msg 1", now, body) }, reason: webhooks.ErrMalformed},
		{name: "id too long", header: func() http.Header { return signed(t, secret, strings.Repeat("x", webhooks.MaxIDLength+1), now, body) }, reason: webhooks.ErrMalformed},
		{name: "signature without version", header: func() http.Header {
			h := signed(t, secret, "msg_1", now, body)
			h.Set(webhooks.HeaderSignature, strings.TrimPrefix(h.Get(webhooks.HeaderSignature), "v1,"))
			return h
		}, reason: webhooks.ErrNoMatch},
		{name: "signature not base64", header: func() http.Header {
			h := signed(t, secret, "msg_1", now, body)
			h.Set(webhooks.HeaderSignature, "v1,"+strings.Repeat("!", 44)+" v1,"+strings.Repeat("A", 4000))
			return h
		}, reason: webhooks.ErrNoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := webhooks.NewVerifier(secret, webhooks.WithClock(func() time.Time { return now }))
			require.NoError(t, err)
			b := body
			if tt.body != "" {
				b = tt.body
			}
			err = v.Verify(tt.header(), []byte(b))
			if tt.reason == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.reason)
			assert.Equal(t, callaudit.KindUnauthorized, callaudit.KindOf(err))
			assert.Contains(t, callaudit.MessageOf(err), tt.message)
			assert.NotContains(t, err.Error(), strings.TrimPrefix(secret, "whsec_"))
		})
	}
}

func TestVerifyTolerance(t *testing.T) {
	secret := webhooks.NewSecret()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v, err := webhooks.NewVerifier(secret, webhooks.WithClock(func() time.Time { return now }), webhooks.WithTolerance(30*time.Second))
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, v.Tolerance())
	require.NoError(t, v.Verify(signed(t, secret, "a", now.Add(-30*time.Second), "{}"), []byte("{}")))
	assert.ErrorIs(t, v.Verify(signed(t, secret, "b", now.Add(-31*time.Second), "{}"), []byte("{}")), webhooks.ErrStale)
	assert.ErrorIs(t, v.Verify(signed(t, secret, "c", now.Add(31*time.Second), "{}"), []byte("{}")), webhooks.ErrFuture)
}

func TestVerifyReplay(t *testing.T) {
	secret := webhooks.NewSecret()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	v, err := webhooks.NewVerifier(secret, webhooks.WithClock(c.now))
	require.NoError(t, err)
	body := []byte(`{"call_id":"c-1"}`)
	h := signed(t, secret, "msg_1", c.now(), string(body))

	require.NoError(t, v.Verify(h, body))
	err = v.Verify(h, body)
	require.ErrorIs(t, err, webhooks.ErrReplayed)
	assert.Equal(t, callaudit.KindUnauthorized, callaudit.KindOf(err))
	assert.Contains(t, callaudit.MessageOf(err), "already received")

	// A retry of the same id with a new timestamp is a replay too.
	c.add(time.Minute)
	assert.ErrorIs(t, v.Verify(signed(t, secret, "msg_1", c.now(), string(body)), body), webhooks.ErrReplayed)
	// Another id is not.
	require.NoError(t, v.Verify(signed(t, secret, "msg_2", c.now(), string(body)), body))

	// Once released, the id is accepted again.
	require.NoError(t, v.Release(context.Background(), "msg_1"))
	require.NoError(t, v.Verify(signed(t, secret, "msg_1", c.now(), string(body)), body))

	// A forged request with a used id does not reach the guard: it fails
	// on the signature, not as a replay.
	forged := signed(t, webhooks.NewSecret(), "msg_2", c.now(), string(body))
	assert.ErrorIs(t, v.Verify(forged, body), webhooks.ErrNoMatch)
}

func TestVerifyWithoutReplayGuard(t *testing.T) {
	secret := webhooks.NewSecret()
	now := time.Now()
	v, err := webhooks.NewVerifier(secret, webhooks.WithReplayGuard(nil))
	require.NoError(t, err)
	h := signed(t, secret, "msg_1", now, "{}")
	require.NoError(t, v.Verify(h, []byte("{}")))
	require.NoError(t, v.Verify(h, []byte("{}")))
}

func TestVerifySharedGuard(t *testing.T) {
	secret := webhooks.NewSecret()
	guard := webhooks.NewMemoryGuard(10, nil)
	a, err := webhooks.NewVerifier(secret, webhooks.WithReplayGuard(guard))
	require.NoError(t, err)
	b, err := webhooks.NewVerifier(secret, webhooks.WithReplayGuard(guard))
	require.NoError(t, err)
	h := signed(t, secret, "msg_1", time.Now(), "{}")
	require.NoError(t, a.Verify(h, []byte("{}")))
	assert.ErrorIs(t, b.Verify(h, []byte("{}")), webhooks.ErrReplayed, "a guard shared by two processes refuses the replay in the other")
}

func TestMemoryGuard(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	g := webhooks.NewMemoryGuard(3, c.now)
	claim := func(id string, ttl time.Duration) (bool, error) { return g.Claim(ctx, id, c.now().Add(ttl)) }

	for _, id := range []string{"a", "b", "c"} {
		fresh, err := claim(id, time.Duration(len(id))*time.Minute)
		require.NoError(t, err)
		assert.True(t, fresh, id)
	}
	fresh, err := claim("a", time.Minute)
	require.NoError(t, err)
	assert.False(t, fresh, "a is remembered")

	// Full of live ids: refuse rather than forget one.
	_, err = claim("d", time.Minute)
	require.Error(t, err)
	assert.Equal(t, callaudit.KindRateLimited, callaudit.KindOf(err))
	assert.Greater(t, callaudit.RetryAfterOf(err), time.Duration(0))
	assert.Equal(t, 3, g.Len())

	// Entries expire: after their time the ids are fresh again and the
	// memory is given back.
	c.add(time.Minute)
	fresh, err = claim("a", 5*time.Minute)
	require.NoError(t, err)
	assert.True(t, fresh, "a expired")
	c.add(10 * time.Minute)
	fresh, err = claim("b", time.Minute)
	require.NoError(t, err)
	assert.True(t, fresh)
	assert.Equal(t, 1, g.Len(), "expired entries are dropped")

	// Release then claim again in a loop stays within the capacity.
	for i := range 10 {
		require.NoError(t, g.Release(ctx, "b"), i)
		fresh, err = claim("b", time.Minute)
		if err != nil {
			assert.Equal(t, callaudit.KindRateLimited, callaudit.KindOf(err))
			break
		}
		assert.True(t, fresh)
	}
	assert.LessOrEqual(t, g.Len(), 3)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = g.Claim(canceled, "z", c.now().Add(time.Minute))
	assert.ErrorIs(t, err, context.Canceled)
}

func TestMemoryGuardConcurrentClaims(t *testing.T) {
	g := webhooks.NewMemoryGuard(0, nil)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fresh int
	)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := g.Claim(context.Background(), "same", time.Now().Add(time.Minute))
			assert.NoError(t, err)
			if ok {
				mu.Lock()
				fresh++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, fresh)
}
