// Package poll waits for a vendor's asynchronous operation (Yandex
// SpeechKit's operation, SaluteSpeech's task) to finish: it checks at
// once, then after waits that grow from Backoff.Interval by half each
// time up to Backoff.Max, stops as soon as the context ends, and gives up
// after Backoff.Limit with a KindTimeout error that says how long it
// waited.
package poll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/vendorhttp"
)

// DefaultLimit bounds a wait when Backoff.Limit is zero: four hours, the
// longest recording SpeechKit's asynchronous recognition takes ("Quotas
// and limits"), which no vendor here needs longer than to recognise.
const DefaultLimit = 4 * time.Hour

// Backoff says how often to check and for how long.
type Backoff struct {
	// Interval is the wait after the first check (required, > 0).
	Interval time.Duration
	// Max caps one wait; zero (or less than Interval) is 4×Interval.
	Max time.Duration
	// Limit bounds the whole wait; zero is DefaultLimit.
	Limit time.Duration
}

// next is the wait after one of d.
func (b Backoff) next(d time.Duration) time.Duration {
	ceil := b.Max
	if ceil < b.Interval {
		ceil = 4 * b.Interval
	}
	return min(d+d/2, ceil)
}

// Check looks at the operation once: done when it has finished; an error
// ends the wait with that error.
type Check func(ctx context.Context) (done bool, err error)

// Until calls check until it reports done or fails. It returns nil when
// done, check's error, vendorhttp.ContextError when ctx ends, or, when
// Limit passes first, service's KindTimeout error
// (callaudit.CodeUpstreamTimeout) whose cause names what was awaited
// and for how long.
func Until(ctx context.Context, service vendorhttp.Service, op, what string, b Backoff, check Check) error {
	if b.Interval <= 0 {
		return callaudit.Errorf(callaudit.KindInternal, "poll.Until needs a positive interval")
	}
	limit := b.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	start := time.Now()
	lctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	expired := func() error {
		return service.Coded(callaudit.KindTimeout, callaudit.CodeUpstreamTimeout, op, "", fmt.Errorf("%s was still running after %s", what, time.Since(start).Round(time.Millisecond)))
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	wait := b.Interval
	for first := true; ; first = false {
		select {
		case <-lctx.Done():
			if ctx.Err() != nil {
				return vendorhttp.ContextError(op, ctx.Err())
			}
			return expired()
		case <-timer.C:
		}
		done, err := check(lctx)
		if err != nil {
			if ctx.Err() == nil && errors.Is(lctx.Err(), context.DeadlineExceeded) {
				return expired()
			}
			return err
		}
		if done {
			return nil
		}
		if !first {
			wait = b.next(wait)
		}
		timer.Reset(wait)
	}
}
