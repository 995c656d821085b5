package score_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scoretest"
)

// scripted fails with the errors in order, then delegates to next.
type scripted struct {
	mu    sync.Mutex
	errs  []error
	calls int
	next  score.Scorer
}

func (s *scripted) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	s.mu.Lock()
	s.calls++
	var err error
	if len(s.errs) > 0 {
		err, s.errs = s.errs[0], s.errs[1:]
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return s.next.Score(ctx, req)
}

func (s *scripted) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// failing always fails with err.
type failing struct{ err error }

func (f failing) Score(context.Context, score.Request) (*score.Report, error) { return nil, f.err }

// plain hides the RubricScorer methods of a scorer.
type plain struct{ s score.Scorer }

func (p plain) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	return p.s.Score(ctx, req)
}

func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func sample() score.Request {
	return score.Request{Transcript: scoretest.Samples()[0], Mode: score.ModeManager}
}

func kindErr(k callaudit.Kind) error { return callaudit.Errorf(k, "scripted %s", k) }

func TestDecoratorsConform(t *testing.T) {
	policy := retry.Policy{Attempts: 3, Sleep: noWait}
	for name, mk := range map[string]func() score.Scorer{
		"WithRetry": func() score.Scorer { return score.WithRetry(checklist.New(), policy) },
		"Limit":     func() score.Scorer { return score.Limit(checklist.New(), 2) },
		"Fallback": func() score.Scorer {
			return score.Fallback(failing{kindErr(callaudit.KindUnavailable)}, checklist.New())
		},
		"Redacting": func() score.Scorer { return score.Redacting(checklist.New()) },
		"Stacked": func() score.Scorer {
			return score.Fallback(score.WithRetry(score.Limit(failing{kindErr(callaudit.KindRateLimited)}, 1), policy), checklist.New())
		},
	} {
		t.Run(name, func(t *testing.T) {
			scoretest.Run(t, scoretest.Harness{
				NewScorer: func(*testing.T) score.Scorer { return mk() },
				Features:  scoretest.Features{Deterministic: true},
			})
		})
	}
}

func TestWithRetry(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		attempts  int
		wantCalls int
		wantKind  callaudit.Kind // "" for success
	}{
		{"succeeds first time", nil, 3, 1, ""},
		{"retries transient errors", []error{kindErr(callaudit.KindUnavailable), kindErr(callaudit.KindRateLimited)}, 3, 3, ""},
		{"gives up after the attempts", []error{kindErr(callaudit.KindUpstream), kindErr(callaudit.KindUpstream), kindErr(callaudit.KindUpstream)}, 3, 3, callaudit.KindUpstream},
		{"does not retry invalid input", []error{kindErr(callaudit.KindInvalid)}, 3, 1, callaudit.KindInvalid},
		{"does not retry missing configuration", []error{kindErr(callaudit.KindNotConfigured)}, 3, 1, callaudit.KindNotConfigured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := &scripted{errs: tt.errs, next: checklist.New()}
			s := score.WithRetry(inner, retry.Policy{Attempts: tt.attempts, Sleep: noWait})
			rep, err := s.Score(context.Background(), sample())
			assert.Equal(t, tt.wantCalls, inner.Calls())
			if tt.wantKind == "" {
				require.NoError(t, err)
				assert.Equal(t, checklist.Name, rep.Meta.Scorer)
				return
			}
			assert.Nil(t, rep)
			assert.Equal(t, tt.wantKind, callaudit.KindOf(err))
		})
	}
}

func TestWithRetryStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	inner := &scripted{errs: []error{kindErr(callaudit.KindUnavailable), kindErr(callaudit.KindUnavailable)}, next: checklist.New()}
	s := score.WithRetry(inner, retry.Policy{Attempts: 5, Sleep: func(ctx context.Context, _ time.Duration) error {
		cancel() // the caller goes away during the first wait
		return ctx.Err()
	}})
	_, err := s.Score(ctx, sample())
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))
	assert.Equal(t, 1, inner.Calls())
}

// gate holds every Score call until released and records how many run at
// once.
type gate struct {
	release         chan struct{}
	entered         chan struct{}
	running, maxRun atomic.Int32
}

func (g *gate) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	n := g.running.Add(1)
	for {
		m := g.maxRun.Load()
		if n <= m || g.maxRun.CompareAndSwap(m, n) {
			break
		}
	}
	g.entered <- struct{}{}
	<-g.release
	g.running.Add(-1)
	return checklist.New().Score(ctx, req)
}

func TestLimit(t *testing.T) {
	const limit, callers = 2, 6
	g := &gate{release: make(chan struct{}), entered: make(chan struct{}, callers)}
	s := score.Limit(g, limit)

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Score(context.Background(), sample())
			errs <- err
		}()
	}
	// Two calls get in; while they are held, a caller whose context is
	// done is refused instead of waiting.
	<-g.entered
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Score(ctx, sample())
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))
	dl, cancelDL := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancelDL()
	_, err = s.Score(dl, sample())
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))

	// Release everyone, one at a time.
	for i := range callers {
		if i >= limit {
			<-g.entered
		}
		g.release <- struct{}{}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, int32(limit), g.maxRun.Load(), "at most %d calls may run at once", limit)
}

func TestLimitBelowOneMeansOne(t *testing.T) {
	g := &gate{release: make(chan struct{}), entered: make(chan struct{}, 2)}
	s := score.Limit(g, 0)
	done := make(chan error, 2)
	for range 2 {
		go func() { _, err := s.Score(context.Background(), sample()); done <- err }()
	}
	<-g.entered
	g.release <- struct{}{}
	<-g.entered
	g.release <- struct{}{}
	require.NoError(t, <-done)
	require.NoError(t, <-done)
	assert.Equal(t, int32(1), g.maxRun.Load())
}

// named reports a fixed scorer name, to tell which scorer answered.
type named struct{ name string }

func (n named) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	rep, err := checklist.New().Score(ctx, req)
	if err != nil {
		return nil, err
	}
	rep.Meta.Scorer = n.name
	return rep, nil
}

func TestFallback(t *testing.T) {
	tests := []struct {
		name           string
		primaryErr     error
		secondaryErr   error
		wantScorer     string
		wantKind       callaudit.Kind
		secondaryCalls int
	}{
		{"primary works", nil, nil, "primary", "", 0},
		{"primary unavailable", kindErr(callaudit.KindUnavailable), nil, "secondary", "", 1},
		{"primary rate limited", kindErr(callaudit.KindRateLimited), nil, "secondary", "", 1},
		{"primary timed out", kindErr(callaudit.KindTimeout), nil, "secondary", "", 1},
		{"primary not configured", kindErr(callaudit.KindNotConfigured), nil, "secondary", "", 1},
		{"invalid input is not retried elsewhere", kindErr(callaudit.KindInvalid), nil, "", callaudit.KindInvalid, 0},
		{"internal error is returned", errors.New("boom"), nil, "", callaudit.KindInternal, 0},
		{"both fail", kindErr(callaudit.KindUnavailable), kindErr(callaudit.KindUpstream), "", callaudit.KindUpstream, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pErrs, sErrs []error
			if tt.primaryErr != nil {
				pErrs = []error{tt.primaryErr}
			}
			if tt.secondaryErr != nil {
				sErrs = []error{tt.secondaryErr}
			}
			primary := &scripted{errs: pErrs, next: named{"primary"}}
			secondary := &scripted{errs: sErrs, next: named{"secondary"}}
			rep, err := score.Fallback(primary, secondary).Score(context.Background(), sample())
			assert.Equal(t, 1, primary.Calls())
			assert.Equal(t, tt.secondaryCalls, secondary.Calls())
			if tt.wantKind != "" {
				require.Error(t, err)
				assert.Nil(t, rep)
				assert.Equal(t, tt.wantKind, callaudit.KindOf(err))
				if tt.secondaryErr != nil {
					assert.ErrorIs(t, err, tt.primaryErr, "both causes are kept for logs")
					assert.ErrorIs(t, err, tt.secondaryErr)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantScorer, rep.Meta.Scorer, "the report names the scorer that produced it")
		})
	}
}

func TestFallbackNotAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	primary := failingAfterCancel{cancel}
	secondary := &scripted{next: checklist.New()}
	_, err := score.Fallback(primary, secondary).Score(ctx, sample())
	require.Error(t, err)
	assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, secondary.Calls(), "a caller that went away gets no fallback work")
}

// failingAfterCancel cancels the caller's context and reports a timeout,
// as a model client does when its request is aborted.
type failingAfterCancel struct{ cancel context.CancelFunc }

func (f failingAfterCancel) Score(context.Context, score.Request) (*score.Report, error) {
	f.cancel()
	return nil, kindErr(callaudit.KindTimeout)
}

func TestDecoratorsKeepRubricSupport(t *testing.T) {
	rich := checklist.New()
	poor := plain{rich}
	for _, tt := range []struct {
		name string
		s    score.Scorer
		want bool
	}{
		{"WithRetry rubric", score.WithRetry(rich, retry.Policy{}), true},
		{"WithRetry plain", score.WithRetry(poor, retry.Policy{}), false},
		{"Limit rubric", score.Limit(rich, 1), true},
		{"Limit plain", score.Limit(poor, 1), false},
		{"Fallback both", score.Fallback(rich, rich), true},
		{"Fallback plain secondary", score.Fallback(rich, poor), false},
		{"Fallback plain primary", score.Fallback(poor, rich), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rs, ok := tt.s.(score.RubricScorer)
			assert.Equal(t, tt.want, ok)
			if ok {
				assert.Equal(t, rich.DefaultRubric(score.ModeClient), rs.DefaultRubric(score.ModeClient))
			}
		})
	}
	scoretest.Run(t, scoretest.Harness{
		NewScorer: func(*testing.T) score.Scorer { return score.Limit(score.WithRetry(checklist.New(), retry.Policy{}), 4) },
		Features:  scoretest.Features{Deterministic: true, Rubrics: true},
	})
}

func TestDecoratorsKeepName(t *testing.T) {
	named := checklist.New()
	for _, tt := range []struct {
		name string
		s    score.Scorer
		want string
	}{
		{"WithRetry", score.WithRetry(named, retry.Policy{}), checklist.Name},
		{"WithRetry plain", score.WithRetry(plain{named}, retry.Policy{}), ""},
		{"Limit", score.Limit(named, 1), checklist.Name},
		{"Limit plain", score.Limit(plain{named}, 1), ""},
		{"Fallback names the primary", score.Fallback(named, plain{named}), checklist.Name},
		{"Fallback plain primary", score.Fallback(plain{named}, named), ""},
		{"nested", score.Fallback(score.Limit(score.WithRetry(named, retry.Policy{}), 2), named), checklist.Name},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := tt.s.(score.Namer)
			require.True(t, ok, "%T is not a score.Namer", tt.s)
			assert.Equal(t, tt.want, n.Name())
		})
	}
}
