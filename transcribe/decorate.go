package transcribe

import (
	"context"
	"fmt"

	"github.com/callaudit/callaudit/retry"
)

// WithRetry returns a Transcriber that retries t under p when it fails for
// a transient reason (rate limit, unavailable upstream, timeout). Audio is
// read through io.ReaderAt, so every attempt sends the whole recording
// again. Errors that are not transient are returned at once.
func WithRetry(t Transcriber, p retry.Policy) Transcriber {
	return TranscriberFunc(func(ctx context.Context, audio Audio, opts Options) (Transcript, error) {
		var tr Transcript
		err := p.Do(ctx, func(ctx context.Context) error {
			var err error
			tr, err = t.Transcribe(ctx, audio, opts)
			return err
		})
		if err != nil {
			return Transcript{}, err
		}
		return tr, nil
	})
}

// Limit returns a Transcriber that lets at most n calls of t run at once,
// e.g. to stay under an upstream's concurrency limit. A call waits for a
// free slot until its context ends, and then fails with an error wrapping
// ctx.Err() (callaudit.KindOf reports KindCanceled or KindTimeout).
// n <= 0 means no limit and returns t itself.
func Limit(t Transcriber, n int) Transcriber {
	if n <= 0 {
		return t
	}
	slots := make(chan struct{}, n)
	return TranscriberFunc(func(ctx context.Context, audio Audio, opts Options) (Transcript, error) {
		// Checked first so that a finished context never wins the race
		// against a free slot.
		if err := ctx.Err(); err != nil {
			return Transcript{}, fmt.Errorf("transcribe: waiting for a transcription slot: %w", err)
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return Transcript{}, fmt.Errorf("transcribe: waiting for a transcription slot: %w", ctx.Err())
		}
		defer func() { <-slots }()
		return t.Transcribe(ctx, audio, opts)
	})
}
