package transcribe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// benchDialog builds a ~1,500-word, ten-minute call by repeating the
// sample dialogs line by line, each line stamped "[mm:ss]" in proportion
// to the words before it.
func benchDialog(b *testing.B) string {
	var lines []string
	for _, name := range []string{"ru_good_crm.txt", "en_medium_demo.txt", "ru_bad_pushy.txt", "ru_inline_one_line.txt"} {
		for l := range strings.SplitSeq(transcribetest.Dialog(b, name), "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
	}
	const targetWords, seconds = 1500, 600
	var picked []string
	words := 0
	for i := 0; words < targetWords; i++ {
		l := lines[i%len(lines)]
		picked = append(picked, l)
		words += len(strings.Fields(l))
	}
	var sb strings.Builder
	done := 0
	for _, l := range picked {
		at := done * seconds / words
		fmt.Fprintf(&sb, "[%02d:%02d] %s\n", at/60, at%60, l)
		done += len(strings.Fields(l))
	}
	return sb.String()
}

func BenchmarkParseDialog(b *testing.B) {
	text := benchDialog(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		transcribe.ParseDialog(text)
	}
}

func BenchmarkComputeMetrics(b *testing.B) {
	tr := transcribe.ParseDialog(benchDialog(b))
	// Time every turn by its words (the inline sample's turns carry no
	// stamps), so that the time-based figures are computed too.
	total, done := float64(tr.Words()), 0.0
	for i := range tr.Segments {
		s := &tr.Segments[i]
		s.Start = transcribe.Seconds(done / total * 600)
		done += float64(len(strings.Fields(s.Text)))
		s.End = transcribe.Seconds(done / total * 600)
	}
	if m := transcribe.ComputeMetrics(tr); m.Interruptions == nil {
		b.Fatal("the benchmark transcript is not fully timed")
	}
	b.ReportAllocs()
	for b.Loop() {
		transcribe.ComputeMetrics(tr)
	}
}

// BenchmarkParseDialogAdversarial parses 64 KiB inputs shaped to defeat a
// naive parser (long turns, label-like noise, unclosed brackets); ns/op
// should stay within a small factor of BenchmarkParseDialog per byte.
func BenchmarkParseDialogAdversarial(b *testing.B) {
	const size = 64 << 10
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	cases := []struct{ name, text string }{
		{"continuation lines", "Менеджер: начало\n" + fill("ещё одна строка продолжения\n")},
		{"single-letter labels", fill("К: М: ")},
		{"role words without separator", fill("Менеджер Клиент ")},
		{"unclosed brackets", fill("[ (")},
		{"spaces before a colon", "Менеджер" + fill(" ") + ":"},
		{"stamp-like digits", fill("12:34:56:78 ")},
		{"one long word", fill("а")},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for b.Loop() {
				transcribe.ParseDialog(tc.text)
			}
		})
	}
}
