package decorate_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/internal/decorate"
	"github.com/callaudit/callaudit/retry"
)

func TestLimitFreesTheSlot(t *testing.T) {
	boom := errors.New("boom")
	for _, tt := range []struct {
		name string
		call func(context.Context) (int, error)
		want int
		err  error
	}{
		{"after success", func(context.Context) (int, error) { return 7, nil }, 7, nil},
		{"after an error", func(context.Context) (int, error) { return 0, boom }, 0, boom},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := decorate.NewLimiter(1, "test.Limit")
			for range 3 { // would block on the second call if the slot were kept
				got, err := decorate.Limit(context.Background(), l, tt.call)
				assert.Equal(t, tt.want, got)
				assert.Equal(t, tt.err, err)
			}
		})
	}
}

func TestLimitPassesTheContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	got, err := decorate.Limit(ctx, decorate.NewLimiter(2, "test.Limit"), func(ctx context.Context) (any, error) {
		return ctx.Value(key{}), nil
	})
	require.NoError(t, err)
	assert.Equal(t, "v", got)
}

func TestLimitWaitError(t *testing.T) {
	l := decorate.NewLimiter(-5, "test.Limit") // one slot
	hold, release := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = decorate.Limit(context.Background(), l, func(context.Context) (int, error) {
			close(hold)
			<-release
			return 1, nil
		})
	}()
	<-hold
	defer close(release)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	got, err := decorate.Limit(ctx, l, func(context.Context) (int, error) { return 2, nil })
	assert.Zero(t, got)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))
	assert.EqualError(t, err, "test.Limit: the operation timed out while waiting for a free slot: context deadline exceeded")
}

func TestRetryReturnsNoPartialResult(t *testing.T) {
	partial := callaudit.Errorf(callaudit.KindInvalid, "half done")
	got, err := decorate.Retry(context.Background(), retry.Policy{Attempts: 3}, func(context.Context) ([]string, error) {
		return []string{"half"}, partial
	})
	assert.ErrorIs(t, err, partial)
	assert.Nil(t, got, "a failed call's value is not handed out")

	calls := 0
	got, err = decorate.Retry(context.Background(), retry.Policy{Attempts: 3, Sleep: func(context.Context, time.Duration) error { return nil }},
		func(context.Context) ([]string, error) {
			if calls++; calls == 1 {
				return []string{"stale"}, callaudit.Errorf(callaudit.KindUnavailable, "busy")
			}
			return []string{"fresh"}, nil
		})
	require.NoError(t, err)
	assert.Equal(t, []string{"fresh"}, got)
	assert.Equal(t, 2, calls)
}
