package energy_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe/energy"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// FuzzAnalyze feeds Analyze what an upload may hold: it never panics, a
// refusal is KindUnsupported, and a measure is consistent (shares in
// [0, 1], talk times within the recording, utterances in order and inside
// it, interruptions by side adding up).
func FuzzAnalyze(f *testing.F) {
	tone := make([]int16, 4000)
	for i := range tone {
		tone[i] = int16(9000 * math.Sin(float64(i)/3))
	}
	f.Add(transcribetest.PCMWAV(8000, tone, make([]int16, len(tone))))
	f.Add(transcribetest.PCMWAV(8000, tone[:160], tone[80:240]))
	f.Add(transcribetest.WAV(0.1, 8000, 1))
	f.Add(transcribetest.WAV(0.05, 8000, 2))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x07\x00\x02\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x08\x00data\x04\x00\x00\x00\xff\x7f\x00\x80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := energy.Analyze(bytes.NewReader(b), int64(len(b)), energy.Config{})
		if err != nil {
			if k := callaudit.KindOf(err); k != callaudit.KindUnsupported {
				t.Fatalf("refused as %s, not unsupported: %v", k, err)
			}
			return
		}
		m := res.Metrics
		const eps = 1e-9
		if m.ManagerTalkShareByTime < 0 || m.ManagerTalkShareByTime > 1 {
			t.Fatalf("share %v", m.ManagerTalkShareByTime)
		}
		if m.ManagerTalkSeconds > m.DurationSeconds+eps || m.ClientTalkSeconds > m.DurationSeconds+eps {
			t.Fatalf("talk %v/%v over %v", m.ManagerTalkSeconds, m.ClientTalkSeconds, m.DurationSeconds)
		}
		if m.ManagerInterruptions+m.ClientInterruptions != m.Interruptions || m.ClientInterruptions < 0 {
			t.Fatalf("interruptions %+v", m)
		}
		prev := 0.0
		for _, s := range res.Segments {
			if *s.Start < prev || *s.End < *s.Start || *s.End > m.DurationSeconds+eps {
				t.Fatalf("segment %v–%v after %v in %v", *s.Start, *s.End, prev, m.DurationSeconds)
			}
			prev = *s.Start
		}
	})
}
