package checklist_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
)

// longCall repeats the turns of a dialog until it has at least words
// words: about 1,500 words is a ten-minute call.
func longCall(b *testing.B, path string, words int) transcribe.Transcript {
	base := dialog(b, path)
	var tr transcribe.Transcript
	tr.Language = base.Language
	for tr.Words() < words {
		tr.Segments = append(tr.Segments, base.Segments...)
	}
	return tr
}

// BenchmarkScore scores a ten-minute call (~1,500 words) in Manager+ mode.
// Target: at most 200 µs per call on one core.
func BenchmarkScore(b *testing.B) {
	s := checklist.New()
	for _, f := range []string{"testdata/en_good_discovery.txt", "testdata/ru_card_scam.txt", "testdata/ru_rude_support.txt"} {
		tr := longCall(b, f, 1500)
		b.Run(fmt.Sprintf("%s/%dwords", f[len("testdata/"):len(f)-len(".txt")], tr.Words()), func(b *testing.B) {
			req := score.Request{Transcript: tr, Mode: score.ModeManager}
			ctx := context.Background()
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := s.Score(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time per call: unlike ns/op it does not grow when other
			// processes take the core (the process is single-threaded
			// here apart from the GC, which -cpu 1 keeps small).
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
