package transcribe_test

import (
	"context"
	"fmt"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// WithRetry sends the recording again after a transient failure; an
// error that another try cannot fix is returned at once.
func ExampleWithRetry() {
	audio := transcribe.AudioFromBytes("call.wav", transcribetest.WAV(0.1, 8000, 1))
	policy := retry.Policy{Attempts: 3, Base: 100 * time.Millisecond}

	upstream := &transcribetest.Fake{Errs: []error{callaudit.Errorf(callaudit.KindRateLimited, "slow down")}}
	tr, err := transcribe.WithRetry(upstream, policy).Transcribe(context.Background(), audio, transcribe.Options{})
	fmt.Println(len(tr.Segments), err, upstream.CallCount())

	broken := &transcribetest.Fake{Err: callaudit.Errorf(callaudit.KindInvalid, "not audio")}
	_, err = transcribe.WithRetry(broken, policy).Transcribe(context.Background(), audio, transcribe.Options{})
	fmt.Println(callaudit.KindOf(err), broken.CallCount())
	// Output:
	// 2 <nil> 2
	// invalid 1
}

// Limit bounds the calls in flight; a call that cannot get a slot before
// its context ends fails with the context's kind, without reaching the
// transcriber. An n below 1 counts as 1.
func ExampleLimit() {
	upstream := &transcribetest.Fake{Delay: time.Second}
	t := transcribe.Limit(upstream, 1)
	audio := transcribe.AudioFromBytes("call.wav", []byte{1})

	busy, stop := context.WithCancel(context.Background())
	go func() { _, _ = t.Transcribe(busy, audio, transcribe.Options{}) }() // holds the slot
	for upstream.CallCount() == 0 {
		time.Sleep(time.Millisecond)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := t.Transcribe(ctx, audio, transcribe.Options{})
	stop()
	fmt.Println(callaudit.KindOf(err), upstream.CallCount())
	fmt.Println(err)
	// Output:
	// timeout 1
	// transcribe.Limit: the operation timed out while waiting for a free slot: context deadline exceeded
}
