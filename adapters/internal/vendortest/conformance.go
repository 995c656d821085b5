package vendortest

import (
	"testing"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// RunTranscriber runs transcribetest.Run on a transcriber and its fake:
// slow is the fake's option that keeps recognitions running (for the
// cancellation tests), features what the adapter promises.
func RunTranscriber[S interface{ Close() }, O, C any, A transcribe.Transcriber](t *testing.T, f Fixture[S, O, C, A], slow O, features transcribetest.Features) {
	transcribetest.Run(t, transcribetest.Harness{
		New: func(t *testing.T) transcribe.Transcriber { a, _ := f.Adapter(t); return a },
		Slow: func(t *testing.T) (transcribe.Transcriber, transcribe.Audio) {
			a, _ := f.Adapter(t, slow)
			return a, transcribe.AudioFromBytes("slow.wav", transcribetest.WAV(1, 8000, 1))
		},
		Features: features,
	})
}
