package transcribetest

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
)

// Fake is a scripted Transcriber for other packages' tests. It keeps the
// Transcriber contract itself (empty, unreadable or too large audio and
// ended contexts are errors of the documented kinds), records every call
// made with a live context (so Errs and Calls count attempts), and is safe
// for concurrent use. Set its fields before the first call.
type Fake struct {
	// Transcript is what a successful call returns (a copy of it); the
	// zero value means SampleTranscript.
	Transcript transcribe.Transcript
	// Func, when set, makes the result instead of Transcript.
	Func func(ctx context.Context, audio transcribe.Audio, opts transcribe.Options) (transcribe.Transcript, error)
	// Errs scripts failures: call i (from 0) fails with Errs[i] when it is
	// not nil. Calls after the script succeed unless Err is set.
	Errs []error
	// Err, when set, fails every call after the script.
	Err error
	// Delay makes each call take this long, or until its context ends.
	Delay time.Duration
	// MaxSize, when above zero, refuses larger audio with KindTooLarge.
	MaxSize int64

	mu    sync.Mutex
	calls []Call
}

var _ transcribe.Transcriber = (*Fake)(nil)

// Call is one recorded call: what the Fake was given, copied, so a test
// can check that uploads arrive intact without keeping the audio open.
type Call struct {
	Filename    string
	ContentType string
	Size        int64
	// Data holds the audio bytes; nil when the audio was empty, too large
	// or unreadable.
	Data    []byte
	Options transcribe.Options
}

// SampleTranscript is the transcript a Fake returns by default: a short
// timed Russian exchange between a manager and a client.
func SampleTranscript() transcribe.Transcript {
	return transcribe.Transcript{
		Language: "ru",
		Segments: []transcribe.Segment{
			{Speaker: transcribe.RoleManager, Text: "Добрый день! Чем могу помочь?", Start: transcribe.Seconds(0), End: transcribe.Seconds(2.5)},
			{Speaker: transcribe.RoleClient, Text: "Хочу узнать про доставку.", Start: transcribe.Seconds(2.5), End: transcribe.Seconds(4)},
		},
		Duration: transcribe.Seconds(4),
		Source:   "fake",
	}
}

// Transcribe records the call and answers as scripted.
func (f *Fake) Transcribe(ctx context.Context, audio transcribe.Audio, opts transcribe.Options) (transcribe.Transcript, error) {
	const op = "transcribetest.Fake"
	if err := ctx.Err(); err != nil {
		return transcribe.Transcript{}, contextError(op, err)
	}
	call := Call{Filename: audio.Filename, ContentType: audio.ContentType, Size: audio.Size, Options: opts}
	var verr error
	switch {
	case audio.Data == nil || audio.Size <= 0:
		verr = callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "the recording is empty", Code: callaudit.CodeRecordingEmpty})
	case f.MaxSize > 0 && audio.Size > f.MaxSize:
		verr = callaudit.Errorf(callaudit.KindTooLarge, "the recording is larger than %d bytes", f.MaxSize)
	default:
		data, err := io.ReadAll(audio.Reader())
		if err != nil {
			verr = callaudit.Wrap(err, callaudit.KindInvalid, op, "the recording cannot be read")
		} else {
			call.Data = data
		}
	}
	f.mu.Lock()
	n := len(f.calls)
	f.calls = append(f.calls, call)
	f.mu.Unlock()
	if verr != nil {
		return transcribe.Transcript{}, verr
	}
	if n < len(f.Errs) && f.Errs[n] != nil {
		return transcribe.Transcript{}, f.Errs[n]
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return transcribe.Transcript{}, contextError(op, ctx.Err())
		case <-t.C:
		}
	}
	if f.Err != nil {
		return transcribe.Transcript{}, f.Err
	}
	if f.Func != nil {
		tr, err := f.Func(ctx, audio, opts)
		if err != nil {
			return transcribe.Transcript{}, err
		}
		return tr, nil
	}
	if f.Transcript.Segments == nil {
		return SampleTranscript(), nil
	}
	return f.Transcript.Clone(), nil
}

// Calls returns a copy of the calls made so far, in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// CallCount returns the number of calls made so far.
func (f *Fake) CallCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func contextError(op string, err error) error {
	return callaudit.Wrap(err, callaudit.KindOf(err), op, callaudit.MessageOf(err))
}
