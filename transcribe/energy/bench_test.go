package energy_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/callaudit/callaudit/transcribe/energy"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// benchCall is a ten-minute 8 kHz stereo recording: each side speaks
// (a 300 Hz tone standing in for a voice) in turns of 3 s with a second
// of silence, over line noise.
func benchCall() []byte {
	const rate, secs = 8000, 600
	left, right := make([]int16, rate*secs), make([]int16, rate*secs)
	rng := uint32(7)
	for i := range left {
		rng ^= rng << 13
		rng ^= rng >> 17
		rng ^= rng << 5
		noise := int16(rng%121) - 60
		tone := int16(6000 * math.Sin(2*math.Pi*300*float64(i)/rate))
		left[i], right[i] = noise, noise
		if t := i / rate % 8; t < 3 {
			left[i] += tone
		} else if t >= 4 && t < 7 {
			right[i] += tone
		}
	}
	return transcribetest.PCMWAV(rate, left, right)
}

// BenchmarkAnalyze measures a ten-minute call; audio-s/s is seconds of
// recording measured per second of one core.
func BenchmarkAnalyze(b *testing.B) {
	wav := benchCall()
	b.SetBytes(int64(len(wav)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := energy.Analyze(bytes.NewReader(wav), int64(len(wav)), energy.Config{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(600*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}
