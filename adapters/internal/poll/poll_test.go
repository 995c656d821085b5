package poll

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/vendorhttp"
)

var svc = vendorhttp.Service{Name: "Test API", Setting: "TEST_KEY"}

func TestUntilChecksUntilDone(t *testing.T) {
	n := 0
	err := Until(context.Background(), svc, "op", "the task", Backoff{Interval: time.Millisecond}, func(context.Context) (bool, error) {
		n++
		return n == 3, nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
}

func TestUntilReturnsTheCheckError(t *testing.T) {
	boom := errors.New("boom")
	err := Until(context.Background(), svc, "op", "the task", Backoff{Interval: time.Millisecond}, func(context.Context) (bool, error) { return false, boom })
	assert.Same(t, boom, err)
}

func TestUntilStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := Until(ctx, svc, "op", "the task", Backoff{Interval: time.Millisecond}, func(context.Context) (bool, error) {
		n++
		if n == 2 {
			cancel()
		}
		return false, nil
	})
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err), "%v", err)
	assert.Equal(t, 2, n)
}

func TestUntilGivesUpAfterTheLimit(t *testing.T) {
	err := Until(context.Background(), svc, "op", "the task 42", Backoff{Interval: time.Millisecond, Limit: 30 * time.Millisecond}, func(context.Context) (bool, error) { return false, nil })
	require.Error(t, err)
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))
	var e *callaudit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, callaudit.CodeUpstreamTimeout, e.Code)
	assert.Contains(t, callaudit.MessageOf(err), "Test API")
	assert.Contains(t, err.Error(), "the task 42 was still running after")
}

// A check cut short by the limit reports the limit, not its own timeout.
func TestUntilLimitDuringACheck(t *testing.T) {
	err := Until(context.Background(), svc, "op", "the task", Backoff{Interval: time.Millisecond, Limit: 20 * time.Millisecond}, func(ctx context.Context) (bool, error) {
		<-ctx.Done()
		return false, vendorhttp.ContextError("op", ctx.Err())
	})
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))
	assert.Contains(t, err.Error(), "still running after")
}

func TestWaitsGrowToTheCap(t *testing.T) {
	b := Backoff{Interval: 10 * time.Millisecond}
	var got []time.Duration
	for d := b.Interval; len(got) < 6; d = b.next(d) {
		got = append(got, d)
	}
	assert.Equal(t, []time.Duration{10e6, 15e6, 22.5e6, 33.75e6, 40e6, 40e6}, got, "half again each time, at most 4×Interval")
	b.Max = 12 * time.Millisecond
	assert.Equal(t, 12*time.Millisecond, b.next(10*time.Millisecond))
}

func TestUntilNeedsAnInterval(t *testing.T) {
	err := Until(context.Background(), svc, "op", "x", Backoff{}, func(context.Context) (bool, error) { return true, nil })
	assert.Equal(t, callaudit.KindInternal, callaudit.KindOf(err))
}
