package webhooks

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
)

// DefaultTolerance is how far a webhook-timestamp may lie from the
// receiver's clock, either way: the standard's reference libraries use five
// minutes.
const DefaultTolerance = 5 * time.Minute

// MaxIDLength bounds webhook-id so that a replay guard's memory per entry
// is bounded too; senders use short ids ("msg_" + a KSUID, a UUID).
const MaxIDLength = 256

// Reasons a request fails verification. Verify returns them wrapped in a
// KindUnauthorized *callaudit.Error, so callers can tell them apart with
// errors.Is (a handler may, say, count replays separately).
var (
	ErrMissingHeader = errors.New("webhooks: missing header")
	ErrMalformed     = errors.New("webhooks: malformed header")
	ErrStale         = errors.New("webhooks: timestamp too old")
	ErrFuture        = errors.New("webhooks: timestamp too new")
	ErrNoMatch       = errors.New("webhooks: no matching signature")
	ErrReplayed      = errors.New("webhooks: id already received")
)

// Verifier checks signed inbound webhooks. It is safe for concurrent use.
type Verifier struct {
	key       []byte
	tolerance time.Duration
	now       func() time.Time
	guard     ReplayGuard
	guardSet  bool
}

// Option configures a Verifier.
type Option func(*Verifier)

// WithTolerance sets how far the webhook-timestamp may be from now, into
// the past or the future; d <= 0 keeps DefaultTolerance.
func WithTolerance(d time.Duration) Option {
	return func(v *Verifier) {
		if d > 0 {
			v.tolerance = d
		}
	}
}

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option {
	return func(v *Verifier) {
		if now != nil {
			v.now = now
		}
	}
}

// WithReplayGuard sets where seen webhook ids are remembered. Without this
// option each Verifier has its own MemoryGuard, which protects one process
// only: deployments with several server processes should pass one shared
// guard (a table or a cache all of them reach). Passing nil turns replay
// protection off; the timestamp tolerance still limits replays to its
// window, and a queue that is idempotent per call id still processes each
// call once.
func WithReplayGuard(g ReplayGuard) Option {
	return func(v *Verifier) {
		v.guard = g
		v.guardSet = true
	}
}

// NewVerifier returns a Verifier for a whsec_ secret (see ParseSecret).
func NewVerifier(secret string, opts ...Option) (*Verifier, error) {
	key, err := ParseSecret(secret)
	if err != nil {
		return nil, err
	}
	v := &Verifier{key: key, tolerance: DefaultTolerance, now: time.Now}
	for _, opt := range opts {
		opt(v)
	}
	if !v.guardSet {
		v.guard = NewMemoryGuard(DefaultGuardCapacity, v.now)
	}
	return v, nil
}

// Tolerance returns the accepted clock difference.
func (v *Verifier) Tolerance() time.Duration { return v.tolerance }

// Verify is VerifyContext with a background context.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	return v.VerifyContext(context.Background(), header, body)
}

// VerifyContext checks a request's Standard Webhooks headers against its
// exact body bytes: all three headers present, the timestamp within the
// tolerance of now, one of the space-separated v1 signatures matching (so
// a sender rotating its secret may send an old and a new one), and the id
// not seen before. The id is recorded only once the signature is valid, so
// unsigned requests cannot fill the guard.
//
// Every failure is a KindUnauthorized error whose message says what is
// wrong and wraps one of the Err… reasons; a guard that fails or is full
// returns its own error (KindUnavailable, KindRateLimited).
func (v *Verifier) VerifyContext(ctx context.Context, header http.Header, body []byte) error {
	id, ts, sigs, err := v.parse(header)
	if err != nil {
		return err
	}
	now := v.now()
	switch {
	case now.Sub(ts) > v.tolerance:
		return unauthorized(ErrStale, fmt.Sprintf("%s is more than %s old; check the sender's clock or resend the webhook", HeaderTimestamp, v.tolerance))
	case ts.Sub(now) > v.tolerance:
		return unauthorized(ErrFuture, fmt.Sprintf("%s is more than %s in the future; check the sender's clock", HeaderTimestamp, v.tolerance))
	}
	if !v.matches(id, ts.Unix(), body, sigs) {
		return unauthorized(ErrNoMatch, fmt.Sprintf("%s does not match the body; check that sender and receiver use the same webhook secret and that the body is sent unchanged", HeaderSignature))
	}
	if v.guard == nil {
		return nil
	}
	// A replay is only accepted while its timestamp is in the window, so
	// the id must be remembered until the timestamp leaves it.
	fresh, err := v.guard.Claim(ctx, id, ts.Add(v.tolerance))
	if err != nil {
		return err
	}
	if !fresh {
		return unauthorized(ErrReplayed, fmt.Sprintf("%s %q was already received; a new delivery needs a new id", HeaderID, id))
	}
	return nil
}

// Release forgets a webhook id recorded by VerifyContext, so that the
// sender's retry of a delivery the receiver failed to process (it answered
// 5xx, say) is accepted rather than refused as a replay. RequireSignature
// calls it for every non-2xx answer.
func (v *Verifier) Release(ctx context.Context, id string) error {
	if v.guard == nil {
		return nil
	}
	return v.guard.Release(ctx, id)
}

func (v *Verifier) parse(header http.Header) (id string, ts time.Time, sigs string, err error) {
	id = strings.TrimSpace(header.Get(HeaderID))
	tsText := strings.TrimSpace(header.Get(HeaderTimestamp))
	sigs = strings.TrimSpace(header.Get(HeaderSignature))
	var missing []string
	for _, h := range [...]struct{ name, value string }{{HeaderID, id}, {HeaderTimestamp, tsText}, {HeaderSignature, sigs}} {
		if h.value == "" {
			missing = append(missing, h.name)
		}
	}
	if len(missing) > 0 {
		return "", time.Time{}, "", unauthorized(ErrMissingHeader, "the request is not signed: missing "+strings.Join(missing, ", ")+" (Standard Webhooks headers)")
	}
	if len(id) > MaxIDLength || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return "", time.Time{}, "", unauthorized(ErrMalformed, fmt.Sprintf("%s must be at most %d printable ASCII characters without spaces", HeaderID, MaxIDLength))
	}
	unix, perr := strconv.ParseInt(tsText, 10, 64)
	if perr != nil {
		return "", time.Time{}, "", unauthorized(ErrMalformed, HeaderTimestamp+" must be a Unix time in whole seconds")
	}
	return id, time.Unix(unix, 0), sigs, nil
}

// matches reports whether any v1 signature in the header equals the HMAC
// of the message. Other versions (v1a, asymmetric) are skipped, as the
// standard asks, and comparison is constant-time.
func (v *Verifier) matches(id string, unix int64, body []byte, sigs string) bool {
	want := mac(v.key, id, unix, body)
	encLen := base64.StdEncoding.EncodedLen(len(want))
	got := make([]byte, base64.StdEncoding.DecodedLen(encLen))
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		// A length check first: Decode writes as much as the input holds.
		if !ok || version != signatureVersion || len(sig) != encLen {
			continue
		}
		n, err := base64.StdEncoding.Decode(got, []byte(sig))
		if err == nil && hmac.Equal(got[:n], want) {
			return true
		}
	}
	return false
}

func unauthorized(reason error, msg string) error {
	return &callaudit.Error{Kind: callaudit.KindUnauthorized, Op: "webhooks.Verify", Message: msg, Err: reason}
}
