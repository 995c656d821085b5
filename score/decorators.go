package score

import (
	"context"
	"errors"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/internal/decorate"
	"github.com/callaudit/callaudit/retry"
)

// The decorators below wrap a Scorer and are Scorers themselves, so they
// compose: Fallback(WithRetry(Limit(openai, 4), policy), checklist.New()).
// When the wrapped scorer is a RubricScorer, so is the decorator (for
// Fallback: when both scorers are), so callers that type-assert for
// rubric support still find it. Every decorator is a Namer with the
// wrapped scorer's name (Fallback: the primary's), so that a server
// names the scorer it runs, not the wrapper.

// WithRetry returns a Scorer that retries s under p when it fails for a
// transient reason (rate limited, unavailable, upstream, timeout; see
// callaudit.IsTransient, or p.Retryable). Other errors are returned at
// once. It returns the last error when the attempts are used up, and a
// KindCanceled/KindTimeout error wrapping ctx.Err() when ctx ends while
// waiting to retry. transcribe.WithRetry is the same for transcribers.
func WithRetry(s Scorer, p retry.Policy) Scorer {
	return keepRubrics(retrying{s: s, p: p}, s)
}

type retrying struct {
	s Scorer
	p retry.Policy
}

func (r retrying) Score(ctx context.Context, req Request) (*Report, error) {
	return decorate.Retry(ctx, r.p, func(ctx context.Context) (*Report, error) { return r.s.Score(ctx, req) })
}

// Limit returns a Scorer that runs at most n calls of s at a time, e.g. to
// stay under a model's rate limit. An n below 1 counts as 1: a zero or
// negative setting never lifts the limit. A call waits for a free slot
// until ctx ends and then fails, without reaching s, with a
// *callaudit.Error of kind KindCanceled or KindTimeout (op "score.Limit")
// that wraps ctx.Err(). transcribe.Limit is the same for transcribers.
func Limit(s Scorer, n int) Scorer {
	return keepRubrics(limited{s: s, l: decorate.NewLimiter(n, "score.Limit")}, s)
}

type limited struct {
	s Scorer
	l *decorate.Limiter
}

func (l limited) Score(ctx context.Context, req Request) (*Report, error) {
	return decorate.Limit(ctx, l.l, func(ctx context.Context) (*Report, error) { return l.s.Score(ctx, req) })
}

// Fallback returns a Scorer that scores with primary and, when primary
// fails with a transient error (callaudit.IsTransient) or is not
// configured (KindNotConfigured), with secondary instead: a model scorer
// backed by the offline checklist keeps the service answering when the
// model is down. The report's Meta.Scorer names the scorer that produced
// it. Other errors are returned as they are; once ctx is done the error is
// KindCanceled or KindTimeout. When both fail, the error has secondary's kind and message and
// wraps both errors.
func Fallback(primary, secondary Scorer) Scorer {
	f := fallback{primary: primary, secondary: secondary}
	if _, ok := secondary.(RubricScorer); ok {
		return keepRubrics(f, primary)
	}
	return f
}

type fallback struct {
	primary, secondary Scorer
}

func (f fallback) Score(ctx context.Context, req Request) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindOf(err), "score.Fallback", callaudit.MessageOf(err))
	}
	rep, err := f.primary.Score(ctx, req)
	if err == nil {
		return rep, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		// The caller went away: no fallback work, and the error says so
		// whatever primary made of it.
		return nil, callaudit.Wrap(errors.Join(cerr, err), callaudit.KindOf(cerr), "score.Fallback", callaudit.MessageOf(cerr))
	}
	if !callaudit.IsTransient(err) && callaudit.KindOf(err) != callaudit.KindNotConfigured {
		return nil, err
	}
	rep, err2 := f.secondary.Score(ctx, req)
	if err2 != nil {
		return nil, callaudit.Wrap(errors.Join(err, err2), callaudit.KindOf(err2), "score.Fallback", callaudit.MessageOf(err2))
	}
	return rep, nil
}

// keepRubrics makes d a RubricScorer when inner is one, with inner's
// default rubrics.
func keepRubrics(d, inner Scorer) Scorer {
	if rs, ok := inner.(RubricScorer); ok {
		return rubricDecorator{Scorer: d, rubrics: rs}
	}
	return d
}

type rubricDecorator struct {
	Scorer
	rubrics RubricScorer
}

func (r rubricDecorator) DefaultRubric(mode Mode) Rubric { return r.rubrics.DefaultRubric(mode) }

// Name is needed here too: an embedded interface promotes only its own
// methods, not those of the value inside it.
func (r rubricDecorator) Name() string { return nameOf(r.Scorer) }

func (r retrying) Name() string { return nameOf(r.s) }
func (l limited) Name() string  { return nameOf(l.s) }
func (f fallback) Name() string { return nameOf(f.primary) }

// nameOf returns s's name, or "" when it has none.
func nameOf(s Scorer) string {
	if n, ok := s.(Namer); ok {
		return n.Name()
	}
	return ""
}
