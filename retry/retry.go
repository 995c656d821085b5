// Package retry retries operations that failed for transient reasons (rate
// limits, unavailable upstreams, timeouts) with exponential backoff and full
// jitter, honouring the wait an upstream asked for (Retry-After), with a
// bounded number of attempts, and stops as soon as the context ends.
//
// Errors are classified with callaudit.IsTransient and
// callaudit.RetryAfterOf, so adapters only have to translate their native
// errors into the project's error kinds; ParseAfter reads the wait an HTTP
// answer asks for, for the adapters to put in callaudit.Error.RetryAfter.
package retry

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/callaudit/callaudit"
)

// Defaults of a zero Policy.
const (
	DefaultAttempts = 4
	DefaultBase     = 500 * time.Millisecond
	DefaultMax      = 30 * time.Second
)

// Policy says how often and how long to retry. The zero value is usable.
type Policy struct {
	// Attempts is the total number of tries, the first included;
	// 0 means DefaultAttempts, 1 means no retry.
	Attempts int
	// Base is the backoff before the first retry; it doubles each retry.
	Base time.Duration
	// Max caps a single wait, Retry-After included.
	Max time.Duration
	// Retryable decides whether an error is worth another try;
	// nil means callaudit.IsTransient.
	Retryable func(error) bool
	// Sleep waits for d or until ctx ends; nil uses a timer. Tests inject
	// one to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told about every retry before its wait.
	OnRetry func(attempt int, wait time.Duration, err error)
}

func (p Policy) attempts() int {
	if p.Attempts <= 0 {
		return DefaultAttempts
	}
	return p.Attempts
}

// Delay returns the wait before retry number n (1-based) after err: the
// Retry-After that err carries when there is one, otherwise a random
// duration in [0, Base·2^(n-1)] (full jitter), both capped at Max. An n
// below 1 counts as 1: a negative shift would panic.
func (p Policy) Delay(n int, err error) time.Duration {
	base, maxWait := p.Base, p.Max
	if base <= 0 {
		base = DefaultBase
	}
	if maxWait <= 0 {
		maxWait = DefaultMax
	}
	if ra := callaudit.RetryAfterOf(err); ra > 0 {
		return min(ra, maxWait)
	}
	ceil := base << min(max(n, 1)-1, 30)
	if ceil <= 0 || ceil > maxWait {
		ceil = maxWait
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// Do calls op until it succeeds, fails with an error that is not
// retryable, the attempts are used up, or ctx ends. It returns op's last
// error, or a KindCanceled/KindTimeout error wrapping ctx.Err() when the
// context ended while waiting.
func (p Policy) Do(ctx context.Context, op func(ctx context.Context) error) error {
	retryable := p.Retryable
	if retryable == nil {
		retryable = callaudit.IsTransient
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = timerSleep
	}
	var err error
	for attempt := 1; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil {
			return contextError(cerr, err)
		}
		err = op(ctx)
		if err == nil || !retryable(err) || attempt >= p.attempts() {
			return err
		}
		wait := p.Delay(attempt, err)
		if p.OnRetry != nil {
			p.OnRetry(attempt, wait, err)
		}
		if serr := sleep(ctx, wait); serr != nil {
			return contextError(serr, err)
		}
	}
}

func timerSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// contextError is ctxErr with its kind and message from the callaudit
// helpers; a timeout also says what the last attempt ran into.
func contextError(ctxErr, last error) error {
	kind, msg := callaudit.KindOf(ctxErr), callaudit.MessageOf(ctxErr)
	e := callaudit.Wrap(ctxErr, kind, "retry", msg)
	e.Code, e.Params = callaudit.CodeOf(ctxErr) // a server translates by it
	if kind == callaudit.KindTimeout && last != nil {
		detail := callaudit.MessageOf(last)
		e.Message += " while retrying: " + detail
		if e.Code == callaudit.CodeTimeout {
			e.Code, e.Params = callaudit.CodeTimeoutRetrying, map[string]string{"detail": detail}
		} else {
			e.Code, e.Params = "", nil // the message is no longer the code's alone
		}
	}
	return e
}
