// Package transcribetest is the conformance kit every transcribe.Transcriber
// runs, plus helpers for other packages' tests: Fake (a scripted
// Transcriber), WAV (a valid recording built in Go) and Dialog (the shared
// sample dialogs).
//
// An implementation proves it keeps the contract documented on
// transcribe.Transcriber by running the kit from its own tests, the way
// gocloud.dev drivers run blob/drivertest and Watermill pub/subs run
// pubsub/tests:
//
//	func TestConformance(t *testing.T) {
//		transcribetest.Run(t, transcribetest.Harness{
//			New:      func(t *testing.T) transcribe.Transcriber { return newMine(t) },
//			Features: transcribetest.Features{Timestamps: true, MaxSize: 25 << 20},
//		})
//	}
package transcribetest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
)

// Harness gives the kit the Transcriber under test and what it needs to
// exercise it.
type Harness struct {
	// New returns the Transcriber to test; required. It is called once
	// per subtest; register cleanups with t.Cleanup.
	New func(t *testing.T) transcribe.Transcriber
	// Audio returns a recording that New's Transcriber transcribes
	// successfully; nil means a one-second WAV tone ("sample.wav").
	Audio func(t *testing.T) transcribe.Audio
	// Slow, when set, returns a Transcriber and a recording whose call
	// lasts until its context ends (or at least several seconds), so the
	// kit can cancel a call in flight; nil skips that check.
	Slow func(t *testing.T) (transcribe.Transcriber, transcribe.Audio)
	// Options are passed to every call.
	Options  transcribe.Options
	Features Features
}

// Features says which optional behaviours the implementation has, as in
// Watermill's pubsub/tests.Features.
type Features struct {
	// Timestamps: every segment of a result has Start and End.
	Timestamps bool
	// MaxSize, when above zero, is the largest recording accepted; larger
	// ones must fail with KindTooLarge. Zero means the implementation takes
	// any size (it splits long recordings).
	MaxSize int64
	// SkipEmptyAudio skips the check that empty and unreadable audio is
	// refused, for harnesses that cannot send such input.
	SkipEmptyAudio bool
	// Concurrency is the number of simultaneous calls in the concurrency
	// check; zero means 8.
	Concurrency int
}

// cancelLiveness bounds how long a canceled call may take to return before
// the kit calls it hung. It is a deadlock guard, not a performance target.
const cancelLiveness = 10 * time.Second

// Run checks the Transcriber contract against the harness in subtests.
func Run(t *testing.T, h Harness) {
	t.Helper()
	require.NotNil(t, h.New, "Harness.New is required")
	if h.Audio == nil {
		h.Audio = func(*testing.T) transcribe.Audio { return transcribe.AudioFromBytes("sample.wav", WAV(1, 16000, 1)) }
	}
	k := &kit{h: h}
	t.Run("Transcribe", k.testTranscribe)
	t.Run("CanceledContext", k.testCanceled)
	t.Run("DeadlineExceeded", k.testDeadline)
	t.Run("CancelDuringCall", k.testCancelDuringCall)
	t.Run("EmptyAudio", k.testEmptyAudio)
	t.Run("UnreadableAudio", k.testUnreadableAudio)
	t.Run("TooLarge", k.testTooLarge)
	t.Run("Concurrent", k.testConcurrent)
	// Runs last so that reads made by calls that returned earlier have had
	// the other subtests' time to show up.
	t.Run("NoReadsAfterReturn", k.testNoReadsAfterReturn)
}

type kit struct {
	h Harness
	// lateReads counts reads of the audio after Transcribe returned.
	lateReads atomic.Int64
}

// call runs one transcription with the audio wrapped so that reads after
// the call returned are noticed.
func (k *kit) call(ctx context.Context, tr transcribe.Transcriber, audio transcribe.Audio) (transcribe.Transcript, error) {
	w := &watchedReader{r: audio.Data, late: &k.lateReads}
	audio.Data = w
	out, err := tr.Transcribe(ctx, audio, k.h.Options)
	w.done.Store(true)
	return out, err
}

func (k *kit) testTranscribe(t *testing.T) {
	tr := k.h.New(t)
	out, err := k.call(context.Background(), tr, k.h.Audio(t))
	require.NoError(t, err)
	checkTranscript(t, out, k.h.Features)
}

func (k *kit) testCanceled(t *testing.T) {
	tr := k.h.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, err := k.call(ctx, tr, k.h.Audio(t))
	checkContextError(t, out, err, context.Canceled)
}

func (k *kit) testDeadline(t *testing.T) {
	tr := k.h.New(t)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	out, err := k.call(ctx, tr, k.h.Audio(t))
	checkContextError(t, out, err, context.DeadlineExceeded)
}

func (k *kit) testCancelDuringCall(t *testing.T) {
	if k.h.Slow == nil {
		t.Skip("the harness has no slow call (Harness.Slow)")
	}
	tr, audio := k.h.Slow(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		out transcribe.Transcript
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := k.call(ctx, tr, audio)
		done <- result{out, err}
	}()
	// Give the call time to get going; whether it has started or not,
	// it must return promptly once canceled.
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case r := <-done:
		checkContextError(t, r.out, r.err, context.Canceled)
	case <-time.After(cancelLiveness):
		t.Fatalf("Transcribe did not return within %v of its context being canceled", cancelLiveness)
	}
}

func (k *kit) testEmptyAudio(t *testing.T) {
	if k.h.Features.SkipEmptyAudio {
		t.Skip("Features.SkipEmptyAudio")
	}
	tr := k.h.New(t)
	for _, audio := range []transcribe.Audio{
		transcribe.AudioFromBytes("empty.wav", nil),
		{Filename: "nothing.wav", ContentType: "audio/wav"},
	} {
		out, err := k.call(context.Background(), tr, audio)
		checkFailed(t, out, err, callaudit.KindInvalid, callaudit.KindUnsupported)
	}
}

func (k *kit) testUnreadableAudio(t *testing.T) {
	if k.h.Features.SkipEmptyAudio {
		t.Skip("Features.SkipEmptyAudio")
	}
	tr := k.h.New(t)
	audio := transcribe.Audio{Data: failingReader{}, Size: 4096, Filename: "broken.wav", ContentType: "audio/wav"}
	out, err := k.call(context.Background(), tr, audio)
	checkFailed(t, out, err, callaudit.KindInvalid, callaudit.KindUnsupported)
}

func (k *kit) testTooLarge(t *testing.T) {
	if k.h.Features.MaxSize <= 0 {
		t.Skip("no size limit (Features.MaxSize)")
	}
	tr := k.h.New(t)
	// A sparse recording: a real WAV header followed by silence, read on
	// demand, so the check needs no memory of the limit's size.
	audio := transcribe.Audio{Data: newLargeWAV(k.h.Features.MaxSize + 1), Size: k.h.Features.MaxSize + 1, Filename: "large.wav", ContentType: "audio/wav"}
	out, err := k.call(context.Background(), tr, audio)
	checkFailed(t, out, err, callaudit.KindTooLarge)
}

func (k *kit) testConcurrent(t *testing.T) {
	tr := k.h.New(t)
	n := k.h.Features.Concurrency
	if n <= 0 {
		n = 8
	}
	outs := make([]transcribe.Transcript, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		audio := k.h.Audio(t)
		wg.Go(func() {
			outs[i], errs[i] = k.call(context.Background(), tr, audio)
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "call %d", i)
		checkTranscript(t, outs[i], k.h.Features)
	}
}

func (k *kit) testNoReadsAfterReturn(t *testing.T) {
	assert.Zero(t, k.lateReads.Load(), "the audio was read after Transcribe returned (the contract forbids keeping it)")
}

// checkTranscript checks a successful result against the contract.
func checkTranscript(t *testing.T, out transcribe.Transcript, f Features) {
	t.Helper()
	require.NotEmpty(t, out.Segments, "a successful transcription has segments")
	last := -1.0
	for i, s := range out.Segments {
		assert.Contains(t, []transcribe.Role{transcribe.RoleManager, transcribe.RoleClient, transcribe.RoleUnknown}, s.Speaker, "segment %d role", i)
		if f.Timestamps {
			assert.True(t, s.Timed(), "segment %d has no start or end (Features.Timestamps)", i)
		}
		if s.Start != nil {
			assert.GreaterOrEqual(t, *s.Start, 0.0, "segment %d start", i)
			assert.GreaterOrEqual(t, *s.Start, last, "segment %d starts before the one before it", i)
			last = *s.Start
			if s.End != nil {
				assert.LessOrEqual(t, *s.Start, *s.End, "segment %d ends before it starts", i)
			}
		} else if s.End != nil {
			assert.GreaterOrEqual(t, *s.End, 0.0, "segment %d end", i)
		}
	}
	assert.Positive(t, out.Words(), "a successful transcription has text")
	if out.Duration != nil {
		assert.GreaterOrEqual(t, *out.Duration, 0.0, "duration")
	}
}

// checkFailed checks that err is one of the kinds and that no partial
// result came with it.
func checkFailed(t *testing.T, out transcribe.Transcript, err error, kinds ...callaudit.Kind) {
	t.Helper()
	require.Error(t, err)
	assert.Contains(t, kinds, callaudit.KindOf(err), "error kind of %v", err)
	assert.Empty(t, out.Segments, "a failed call returned segments")
}

// checkContextError checks the error of a call whose context ended.
func checkContextError(t *testing.T, out transcribe.Transcript, err, ctxErr error) {
	t.Helper()
	require.Error(t, err, "a call with an ended context must fail")
	kind := callaudit.KindOf(err)
	ok := kind == callaudit.KindCanceled || kind == callaudit.KindTimeout || errors.Is(err, ctxErr)
	assert.True(t, ok, "want KindCanceled or KindTimeout or an error wrapping %v, got kind %q: %v", ctxErr, kind, err)
	assert.Empty(t, out.Segments, "a failed call returned segments")
}

// watchedReader notes reads made after the call that was given it returned.
type watchedReader struct {
	r    io.ReaderAt
	done atomic.Bool
	late *atomic.Int64
}

func (w *watchedReader) ReadAt(p []byte, off int64) (int, error) {
	if w.done.Load() {
		w.late.Add(1)
		return 0, fmt.Errorf("transcribetest: audio read after Transcribe returned")
	}
	if w.r == nil {
		return 0, io.EOF
	}
	return w.r.ReadAt(p, off)
}

type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) {
	return 0, errors.New("transcribetest: unreadable audio")
}

// largeWAV is a WAV header followed by silence up to size bytes.
type largeWAV struct {
	header []byte
	size   int64
}

func newLargeWAV(size int64) largeWAV {
	h := WAV(1.0/16000, 16000, 1)[:44]
	h = append([]byte(nil), h...)
	data := uint32(min(size-44, 1<<32-1))
	binary.LittleEndian.PutUint32(h[40:], data)
	binary.LittleEndian.PutUint32(h[4:], data+36)
	return largeWAV{header: h, size: size}
}

func (l largeWAV) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= l.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), l.size-off))
	clear(p[:n])
	if off < int64(len(l.header)) {
		copy(p[:n], l.header[off:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
