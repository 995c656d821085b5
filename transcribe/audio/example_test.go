package audio_test

import (
	"context"
	"fmt"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// A two-second WAV cut into pieces of at most 20,000 bytes: whole sample
// frames each, with the second each piece starts at.
func ExampleSplit() {
	a := transcribe.AudioFromBytes("call.wav", transcribetest.WAV(2, 16000, 1)) // 64,044 bytes
	chunks, err := audio.Split(a, 20_000)
	if err != nil {
		panic(err)
	}
	for _, c := range chunks {
		fmt.Printf("%d bytes from %.4fs\n", c.Audio.Size, c.Offset)
	}
	// Output:
	// 20000 bytes from 0.0000s
	// 20000 bytes from 0.6236s
	// 20000 bytes from 1.2472s
	// 4176 bytes from 1.8709s
}

// Chunked sends a long recording in pieces and shifts each piece's
// timestamps to where the piece starts.
func ExampleChunked() {
	stt := &transcribetest.Fake{Func: func(_ context.Context, a transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
		return transcribe.Transcript{Segments: []transcribe.Segment{
			{Speaker: transcribe.RoleUnknown, Text: fmt.Sprintf("%d bytes", a.Size), Start: transcribe.Seconds(0), End: transcribe.Seconds(0.5)},
		}}, nil
	}}
	a := transcribe.AudioFromBytes("call.wav", transcribetest.WAV(2, 16000, 1))
	tr, err := audio.Chunked(stt, 40_000, 4).Transcribe(context.Background(), a, transcribe.Options{})
	if err != nil {
		panic(err)
	}
	for _, s := range tr.Segments {
		fmt.Printf("%.3f %s\n", *s.Start, s.Text)
	}
	// Output:
	// 0.000 40000 bytes
	// 1.249 24088 bytes
}
