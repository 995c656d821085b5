package retry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
)

type sleeps []time.Duration

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	*s = append(*s, d)
	return ctx.Err()
}

func TestDoRetriesTransientErrors(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantKind  callaudit.Kind
	}{
		{"success first", []error{nil}, 1, ""},
		{"rate limited then ok", []error{callaudit.Errorf(callaudit.KindRateLimited, "slow down"), nil}, 2, ""},
		{"5xx twice then ok", []error{callaudit.Errorf(callaudit.KindUpstream, "500"), callaudit.Errorf(callaudit.KindUnavailable, "503"), nil}, 3, ""},
		{"permanent error not retried", []error{callaudit.Errorf(callaudit.KindInvalid, "bad"), nil}, 1, callaudit.KindInvalid},
		{"auth not retried", []error{callaudit.Errorf(callaudit.KindUnauthorized, "key"), nil}, 1, callaudit.KindUnauthorized},
		{"attempts exhausted", []error{
			callaudit.Errorf(callaudit.KindTimeout, "t"), callaudit.Errorf(callaudit.KindTimeout, "t"),
			callaudit.Errorf(callaudit.KindTimeout, "t"), callaudit.Errorf(callaudit.KindTimeout, "t"), nil,
		}, 4, callaudit.KindTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s sleeps
			calls := 0
			err := retry.Policy{Sleep: s.sleep}.Do(context.Background(), func(context.Context) error {
				err := tc.errs[calls]
				calls++
				return err
			})
			assert.Equal(t, tc.wantCalls, calls)
			assert.Len(t, s, calls-1, "one wait between tries")
			assert.Equal(t, tc.wantKind, callaudit.KindOf(err))
		})
	}
}

func TestDelayHonoursRetryAfterAndCaps(t *testing.T) {
	p := retry.Policy{Base: 100 * time.Millisecond, Max: 5 * time.Second}
	withRA := &callaudit.Error{Kind: callaudit.KindRateLimited, RetryAfter: 2 * time.Second}
	assert.Equal(t, 2*time.Second, p.Delay(1, withRA))
	huge := &callaudit.Error{Kind: callaudit.KindRateLimited, RetryAfter: time.Hour}
	assert.Equal(t, 5*time.Second, p.Delay(1, huge), "Retry-After is capped at Max")

	plain := callaudit.Errorf(callaudit.KindUnavailable, "x")
	for n := 1; n <= 40; n++ {
		d := p.Delay(n, plain)
		ceil := min(100*time.Millisecond<<min(n-1, 30), 5*time.Second)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, ceil, "attempt %d", n)
	}
}

func TestDelayBelowFirstRetryCountsAsFirst(t *testing.T) {
	p := retry.Policy{Base: 100 * time.Millisecond, Max: 5 * time.Second}
	for _, n := range []int{0, -1, -100} {
		var d time.Duration
		require.NotPanics(t, func() { d = p.Delay(n, errors.New("x")) }, "n=%d", n)
		assert.LessOrEqual(t, d, 100*time.Millisecond, "n=%d waits at most Base", n)
	}
}

func TestDelayIsJittered(t *testing.T) {
	p := retry.Policy{Base: time.Second}
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[p.Delay(3, errors.New("x"))] = true
	}
	assert.Greater(t, len(seen), 10, "full jitter spreads the waits")
}

func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := retry.Policy{Attempts: 10, Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}}.Do(ctx, func(context.Context) error {
		calls++
		return callaudit.Errorf(callaudit.KindUnavailable, "down")
	})
	assert.Equal(t, 1, calls)
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))
	assert.ErrorIs(t, err, context.Canceled)

	// The deadline passes during the wait after a failed attempt (the
	// wait says so, as timerSleep would): the timeout says what the
	// attempt ran into. A real 1 ms deadline could pass before the first
	// attempt on a loaded machine, and then there is nothing to say.
	calls = 0
	err = retry.Policy{Attempts: 10, Base: time.Hour, Sleep: func(context.Context, time.Duration) error {
		return context.DeadlineExceeded
	}}.Do(context.Background(), func(context.Context) error {
		calls++
		return callaudit.Errorf(callaudit.KindUnavailable, "down")
	})
	assert.Equal(t, 1, calls)
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, callaudit.MessageOf(err), "down")

	// A deadline already past: no attempt, a plain timeout.
	ctx, cancel2 := context.WithTimeout(context.Background(), -time.Second)
	defer cancel2()
	err = retry.Policy{Attempts: 10}.Do(ctx, func(context.Context) error {
		t.Error("attempted after the deadline")
		return nil
	})
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))
}

func TestOnRetryIsCalled(t *testing.T) {
	var attempts []int
	p := retry.Policy{Attempts: 3, Sleep: func(context.Context, time.Duration) error { return nil },
		OnRetry: func(n int, _ time.Duration, _ error) { attempts = append(attempts, n) }}
	_ = p.Do(context.Background(), func(context.Context) error { return callaudit.Errorf(callaudit.KindUpstream, "x") })
	assert.Equal(t, []int{1, 2}, attempts)
}

// The errors of a retry loop that ran out of time carry message codes, so
// that a server can answer them in the user's language.
func TestContextErrorCodes(t *testing.T) {
	transient := callaudit.Errorf(callaudit.KindUnavailable, "the service is down")
	tests := []struct {
		name    string
		ctx     func() context.Context
		sleep   func(context.Context, time.Duration) error
		code    callaudit.Code
		message string
	}{
		{"canceled before the first attempt", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, nil, callaudit.CodeCanceled, "the request was canceled"},
		{"timed out while retrying", context.Background, func(context.Context, time.Duration) error { return context.DeadlineExceeded },
			callaudit.CodeTimeoutRetrying, "the operation timed out while retrying: the service is down"},
		{"a sleep's own error keeps no code", context.Background, func(context.Context, time.Duration) error {
			return callaudit.Wrap(context.DeadlineExceeded, callaudit.KindTimeout, "sleep", "the clock stopped")
		}, "", "the clock stopped while retrying: the service is down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := retry.Policy{Attempts: 3, Sleep: tt.sleep}.Do(tt.ctx(), func(context.Context) error { return transient })
			require.Error(t, err)
			code, params := callaudit.CodeOf(err)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.message, callaudit.MessageOf(err))
			if code == callaudit.CodeTimeoutRetrying {
				assert.Equal(t, map[string]string{"detail": "the service is down"}, params)
			}
		})
	}
}
