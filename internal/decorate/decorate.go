// Package decorate is the one mechanism behind the Limit and WithRetry
// decorators of package score (scorers) and package transcribe
// (transcribers): a concurrency limit and a retry loop over a call that
// returns a value, so that both packages' decorators take their arguments
// in the same meaning and fail in the same way.
package decorate

import (
	"context"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
)

// Limiter lets at most a fixed number of calls run at once. It is safe for
// concurrent use.
type Limiter struct {
	slots chan struct{}
	op    string
}

// NewLimiter returns a Limiter of n slots. An n below 1 counts as 1: a
// zero or negative setting never lifts the limit (to run without one,
// leave the call undecorated). op names the decorator in its errors
// ("score.Limit").
func NewLimiter(n int, op string) *Limiter {
	return &Limiter{slots: make(chan struct{}, max(n, 1)), op: op}
}

// Limit runs call once l has a free slot and frees it when call returns.
// When ctx is done before a slot is free, or already done on entry (even
// with a slot free), call is not run and the error is a *callaudit.Error
// from l's op with kind KindCanceled or KindTimeout that wraps ctx.Err().
func Limit[T any](ctx context.Context, l *Limiter, call func(context.Context) (T, error)) (T, error) {
	var zero T
	// Checked first: select picks at random among ready cases, and a done
	// context must never win a slot.
	if err := ctx.Err(); err != nil {
		return zero, l.waitError(err)
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return zero, l.waitError(ctx.Err())
	}
	defer func() { <-l.slots }()
	return call(ctx)
}

func (l *Limiter) waitError(err error) error {
	return callaudit.Wrap(err, callaudit.KindOf(err), l.op, callaudit.MessageOf(err)+" while waiting for a free slot")
}

// Retry runs call under p (retry.Policy.Do): again while it fails with an
// error p finds retryable (by default callaudit.IsTransient: rate limited,
// unavailable, upstream, timeout) and attempts are left; at once with any
// other error. It returns call's result, or the zero T and the last error,
// or a KindCanceled/KindTimeout error wrapping ctx.Err() when ctx ends
// while waiting to retry.
func Retry[T any](ctx context.Context, p retry.Policy, call func(context.Context) (T, error)) (T, error) {
	var v T
	err := p.Do(ctx, func(ctx context.Context) error {
		var err error
		v, err = call(ctx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}
