package pii_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/pii"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// benchCall builds a ten-minute call of about 1,500 words from the sample
// dialogs, with one line of personal data from the corpus every ten lines.
func benchCall(b *testing.B, name string) transcribe.Transcript {
	base := transcribe.ParseDialog(transcribetest.Dialog(b, name))
	g := gen{rand.New(rand.NewPCG(1, 1))}
	var t transcribe.Transcript
	t.Language = base.Language
	words := 0
	for i := 0; words < 1500; i++ {
		s := base.Segments[i%len(base.Segments)]
		if i%10 == 9 {
			s.Text = g.piiSample().line
		}
		t.Segments = append(t.Segments, s)
		words += len(strings.Fields(s.Text))
	}
	return t
}

func BenchmarkRedactTranscript(b *testing.B) {
	for _, name := range []string{"ru_good_crm.txt", "en_medium_demo.txt"} {
		t := benchCall(b, name)
		n := 0
		for _, s := range t.Segments {
			n += len(s.Text)
		}
		b.Run(strings.TrimSuffix(name, ".txt"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			for b.Loop() {
				r := pii.RedactTranscript(t)
				if r.Count() == 0 {
					b.Fatal("nothing redacted")
				}
			}
		})
	}
}
