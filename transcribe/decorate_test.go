package transcribe_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func TestWithRetry(t *testing.T) {
	busy := callaudit.Errorf(callaudit.KindUnavailable, "busy")
	limited := &callaudit.Error{Kind: callaudit.KindRateLimited, Message: "slow down", RetryAfter: time.Second}
	bad := callaudit.Errorf(callaudit.KindInvalid, "bad audio")
	cases := []struct {
		name      string
		errs      []error
		err       error
		attempts  int
		wantErr   error
		wantCalls int
		wantWaits []time.Duration // only checked where deterministic (Retry-After)
	}{
		{"success first time", nil, nil, 4, nil, 1, nil},
		{"transient errors then success", []error{busy, limited}, nil, 4, nil, 3, nil},
		{"not transient: no retry", []error{bad}, nil, 4, bad, 1, nil},
		{"attempts used up", nil, limited, 3, limited, 3, []time.Duration{time.Second, time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &transcribetest.Fake{Errs: tc.errs, Err: tc.err}
			var waits []time.Duration
			p := retry.Policy{
				Attempts: tc.attempts,
				Sleep: func(_ context.Context, d time.Duration) error {
					waits = append(waits, d)
					return nil
				},
			}
			data := transcribetest.WAV(0.1, 8000, 1)
			got, err := transcribe.WithRetry(fake, p).Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", data), transcribe.Options{})
			calls := fake.Calls()
			require.Len(t, calls, tc.wantCalls)
			assert.Len(t, waits, tc.wantCalls-1)
			if tc.wantWaits != nil {
				assert.Equal(t, tc.wantWaits, waits)
			}
			for i, c := range calls {
				assert.Equal(t, data, c.Data, "attempt %d sent the whole recording", i)
			}
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Empty(t, got.Segments)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, transcribetest.SampleTranscript(), got)
		})
	}
}

func TestWithRetryStopsWhenContextEnds(t *testing.T) {
	fake := &transcribetest.Fake{Err: callaudit.Errorf(callaudit.KindUnavailable, "busy")}
	ctx, cancel := context.WithCancel(context.Background())
	p := retry.Policy{Attempts: 10, Sleep: func(ctx context.Context, _ time.Duration) error {
		cancel() // the caller gives up during the first wait
		return ctx.Err()
	}}
	_, err := transcribe.WithRetry(fake, p).Transcribe(ctx, transcribe.AudioFromBytes("a.wav", []byte{1}), transcribe.Options{})
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))
	assert.Equal(t, 1, fake.CallCount())
}

// TestLimitBoundsConcurrency starts more calls than slots with every call
// blocked until released, and checks that no more than n ran at once; an
// n below 1 counts as 1 rather than lifting the limit.
func TestLimitBoundsConcurrency(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{-1, 1}, {0, 1}, {1, 1}, {3, 3}} {
		n := tt.n
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			var active, peak atomic.Int32
			entered := make(chan struct{}, 16)
			release := make(chan struct{})
			fake := &transcribetest.Fake{Func: func(ctx context.Context, _ transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
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
				return transcribetest.SampleTranscript(), nil
			}}
			lim := transcribe.Limit(fake, n)
			const calls = 10
			var wg sync.WaitGroup
			errs := make([]error, calls)
			for i := range calls {
				wg.Go(func() {
					_, errs[i] = lim.Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", []byte{1}), transcribe.Options{})
				})
			}
			for range tt.want {
				<-entered // the limit's worth of calls are in; the rest must wait
			}
			assert.Never(t, func() bool { return len(entered) > 0 }, 20*time.Millisecond, time.Millisecond,
				"more than %d calls got in", tt.want)
			close(release)
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, int32(tt.want), peak.Load())
			assert.Equal(t, calls, fake.CallCount())
		})
	}
}

// TestLimitWaitHonoursContext holds the only slot and checks that a second
// call gives up when its context ends, without reaching the Transcriber.
func TestLimitWaitHonoursContext(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	fake := &transcribetest.Fake{Func: func(context.Context, transcribe.Audio, transcribe.Options) (transcribe.Transcript, error) {
		close(entered)
		<-release
		return transcribetest.SampleTranscript(), nil
	}}
	lim := transcribe.Limit(fake, 1)
	audio := transcribe.AudioFromBytes("a.wav", []byte{1})
	first := make(chan error, 1)
	go func() {
		_, err := lim.Transcribe(context.Background(), audio, transcribe.Options{})
		first <- err
	}()
	<-entered

	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want callaudit.Kind
	}{
		{"canceled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(10*time.Millisecond, cancel)
			return ctx, cancel
		}, callaudit.KindCanceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 10*time.Millisecond)
		}, callaudit.KindTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			got, err := lim.Transcribe(ctx, audio, transcribe.Options{})
			assert.Equal(t, tc.want, callaudit.KindOf(err))
			assert.Empty(t, got.Segments)
		})
	}
	assert.Equal(t, 1, fake.CallCount(), "a call waiting for a slot reached the Transcriber")
	close(release)
	require.NoError(t, <-first)
}
