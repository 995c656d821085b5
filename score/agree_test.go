package score_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// The tests below run the same scenario through score's and transcribe's
// Limit and WithRetry and check that both behave alike: one meaning of n,
// one error for a context that ends while waiting, one retry rule.

// call is one decorated call; ok reports a non-zero result.
type call func(ctx context.Context) (ok bool, err error)

// subject wraps fn, the work of the inner scorer or transcriber, in one
// package's decorators.
type subject struct {
	pkg   string
	limit func(fn func(context.Context) error, n int) call
	retry func(fn func(context.Context) error, p retry.Policy) call
}

// scoreFunc is a Scorer doing fn.
type scoreFunc func(context.Context) error

func (f scoreFunc) Score(ctx context.Context, _ score.Request) (*score.Report, error) {
	if err := f(ctx); err != nil {
		return nil, err
	}
	return &score.Report{TotalScore: 50}, nil
}

func scoreCall(s score.Scorer) call {
	return func(ctx context.Context) (bool, error) {
		rep, err := s.Score(ctx, sample())
		return rep != nil, err
	}
}

func transcriber(fn func(context.Context) error) transcribe.Transcriber {
	return transcribe.TranscriberFunc(func(ctx context.Context, _ transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
		if err := fn(ctx); err != nil {
			return transcribe.Transcript{}, err
		}
		return transcribe.Transcript{Segments: []transcribe.Segment{{Text: "hello"}}}, nil
	})
}

func transcribeCall(t transcribe.Transcriber) call {
	return func(ctx context.Context) (bool, error) {
		tr, err := t.Transcribe(ctx, transcribe.AudioFromBytes("a.wav", []byte{1}), transcribe.Options{})
		return len(tr.Segments) > 0, err
	}
}

var subjects = []subject{
	{
		pkg:   "score",
		limit: func(fn func(context.Context) error, n int) call { return scoreCall(score.Limit(scoreFunc(fn), n)) },
		retry: func(fn func(context.Context) error, p retry.Policy) call {
			return scoreCall(score.WithRetry(scoreFunc(fn), p))
		},
	},
	{
		pkg: "transcribe",
		limit: func(fn func(context.Context) error, n int) call {
			return transcribeCall(transcribe.Limit(transcriber(fn), n))
		},
		retry: func(fn func(context.Context) error, p retry.Policy) call {
			return transcribeCall(transcribe.WithRetry(transcriber(fn), p))
		},
	},
}

func TestLimitAgreesOnN(t *testing.T) {
	const callers = 4
	for _, tt := range []struct{ n, want int }{{-1, 1}, {0, 1}, {1, 1}, {3, 3}} {
		for _, sub := range subjects {
			t.Run(fmt.Sprintf("%s/n=%d", sub.pkg, tt.n), func(t *testing.T) {
				var active, peak atomic.Int32
				entered := make(chan struct{}, callers)
				release := make(chan struct{})
				c := sub.limit(func(context.Context) error {
					cur := active.Add(1)
					defer active.Add(-1)
					for {
						old := peak.Load()
						if cur <= old || peak.CompareAndSwap(old, cur) {
							break
						}
					}
					entered <- struct{}{}
					<-release
					return nil
				}, tt.n)
				var wg sync.WaitGroup
				for range callers {
					wg.Go(func() {
						ok, err := c(context.Background())
						assert.NoError(t, err)
						assert.True(t, ok)
					})
				}
				for range tt.want {
					<-entered // as many as the limit get in; the rest wait
				}
				assert.Never(t, func() bool { return len(entered) > 0 }, 20*time.Millisecond, time.Millisecond,
					"more than %d calls got in", tt.want)
				for i := range callers {
					if i >= tt.want {
						<-entered
					}
					release <- struct{}{}
				}
				wg.Wait()
				assert.Equal(t, int32(tt.want), peak.Load(), "calls running at once")
			})
		}
	}
}

// outcome is what a caller can observe of a failed call.
type outcome struct {
	Kind    callaudit.Kind
	Op      string
	Message string
	IsCtx   bool // errors.Is(err, ctx.Err())
	Result  bool // a non-zero result came back
	Calls   int32
}

func TestLimitAgreesOnContextWhileWaiting(t *testing.T) {
	for _, tt := range []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		kind    callaudit.Kind
		message string
	}{
		{"canceled before", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, callaudit.KindCanceled, "the request was canceled while waiting for a free slot"},
		{"canceled while waiting", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(10*time.Millisecond, cancel)
			return ctx, cancel
		}, callaudit.KindCanceled, "the request was canceled while waiting for a free slot"},
		{"deadline while waiting", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 10*time.Millisecond)
		}, callaudit.KindTimeout, "the operation timed out while waiting for a free slot"},
	} {
		got := map[string]outcome{}
		for _, sub := range subjects {
			t.Run(tt.name+"/"+sub.pkg, func(t *testing.T) {
				var calls atomic.Int32
				entered, release := make(chan struct{}), make(chan struct{})
				c := sub.limit(func(context.Context) error {
					if calls.Add(1) == 1 {
						close(entered)
						<-release // holds the only slot
					}
					return nil
				}, 1)
				first := make(chan error, 1)
				go func() { _, err := c(context.Background()); first <- err }()
				<-entered

				ctx, cancel := tt.ctx()
				defer cancel()
				ok, err := c(ctx)
				require.Error(t, err)
				var ce *callaudit.Error
				require.ErrorAs(t, err, &ce)
				o := outcome{Kind: callaudit.KindOf(err), Op: ce.Op, Message: callaudit.MessageOf(err),
					IsCtx: errors.Is(err, ctx.Err()), Result: ok, Calls: calls.Load()}
				close(release)
				require.NoError(t, <-first)

				assert.Equal(t, outcome{Kind: tt.kind, Op: sub.pkg + ".Limit", Message: tt.message, IsCtx: true, Calls: 1}, o,
					"the waiting call fails with the context's kind, wraps ctx.Err() and never reaches the inner call")
				o.Op = "" // the only difference allowed: which package says it
				got[sub.pkg] = o
			})
		}
		assert.Equal(t, got["score"], got["transcribe"], tt.name)
	}
}

func TestWithRetryAgrees(t *testing.T) {
	busy := callaudit.Errorf(callaudit.KindUnavailable, "busy")
	slow := &callaudit.Error{Kind: callaudit.KindRateLimited, Message: "slow down", RetryAfter: time.Second}
	flaky := callaudit.Errorf(callaudit.KindUpstream, "bad gateway")
	bad := callaudit.Errorf(callaudit.KindInvalid, "bad input")
	unset := callaudit.Errorf(callaudit.KindNotConfigured, "no key")
	internal := errors.New("boom")
	for _, tt := range []struct {
		name      string
		errs      []error // per call; past the end, success
		cancel    bool    // the caller goes away during the first wait
		wantErr   error
		wantKind  callaudit.Kind
		wantCalls int
	}{
		{"success first time", nil, false, nil, "", 1},
		{"transient errors are retried", []error{busy, slow}, false, nil, "", 3},
		{"attempts used up", []error{flaky, flaky, flaky}, false, flaky, callaudit.KindUpstream, 3},
		{"invalid input is not retried", []error{bad}, false, bad, callaudit.KindInvalid, 1},
		{"missing configuration is not retried", []error{unset}, false, unset, callaudit.KindNotConfigured, 1},
		{"internal errors are not retried", []error{internal}, false, internal, callaudit.KindInternal, 1},
		{"context ends while waiting", []error{busy, busy}, true, context.Canceled, callaudit.KindCanceled, 1},
	} {
		for _, sub := range subjects {
			t.Run(tt.name+"/"+sub.pkg, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var waits []time.Duration
				p := retry.Policy{Attempts: 3, Sleep: func(ctx context.Context, d time.Duration) error {
					waits = append(waits, d)
					if tt.cancel {
						cancel()
					}
					return ctx.Err()
				}}
				var calls int
				c := sub.retry(func(context.Context) error {
					calls++
					if calls <= len(tt.errs) {
						return tt.errs[calls-1]
					}
					return nil
				}, p)
				ok, err := c(ctx)
				assert.Equal(t, tt.wantCalls, calls)
				if tt.wantErr == nil {
					require.NoError(t, err)
					assert.True(t, ok)
					assert.Len(t, waits, tt.wantCalls-1)
					if len(tt.errs) > 1 {
						assert.Equal(t, time.Second, waits[1], "the wait the upstream asked for")
					}
					return
				}
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, tt.wantKind, callaudit.KindOf(err))
				assert.False(t, ok, "no result with an error")
			})
		}
	}
}
