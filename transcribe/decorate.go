package transcribe

import (
	"context"

	"github.com/callaudit/callaudit/internal/decorate"
	"github.com/callaudit/callaudit/retry"
)

// WithRetry returns a Transcriber that retries t under p when it fails for
// a transient reason (rate limited, unavailable, upstream, timeout; see
// callaudit.IsTransient, or p.Retryable). Other errors are returned at
// once. It returns the last error when the attempts are used up, and a
// KindCanceled/KindTimeout error wrapping ctx.Err() when ctx ends while
// waiting to retry. Audio is read through io.ReaderAt, so every attempt
// sends the whole recording again. score.WithRetry is the same for
// scorers.
func WithRetry(t Transcriber, p retry.Policy) Transcriber {
	return TranscriberFunc(func(ctx context.Context, audio Audio, opts Options) (Transcript, error) {
		return decorate.Retry(ctx, p, func(ctx context.Context) (Transcript, error) { return t.Transcribe(ctx, audio, opts) })
	})
}

// Limit returns a Transcriber that runs at most n calls of t at a time,
// e.g. to stay under an upstream's concurrency limit. An n below 1 counts
// as 1: a zero or negative setting never lifts the limit. A call waits for
// a free slot until ctx ends and then fails, without reaching t, with a
// *callaudit.Error of kind KindCanceled or KindTimeout (op
// "transcribe.Limit") that wraps ctx.Err(). score.Limit is the same for
// scorers.
func Limit(t Transcriber, n int) Transcriber {
	l := decorate.NewLimiter(n, "transcribe.Limit")
	return TranscriberFunc(func(ctx context.Context, audio Audio, opts Options) (Transcript, error) {
		return decorate.Limit(ctx, l, func(ctx context.Context) (Transcript, error) { return t.Transcribe(ctx, audio, opts) })
	})
}
