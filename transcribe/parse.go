package transcribe

import "strings"

// ParseDialog splits a plain-text dialog into speaker turns.
// PLACEHOLDER: replaced by the full parser.
func ParseDialog(text string) Transcript {
	var t Transcript
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			t.Segments = append(t.Segments, Segment{Speaker: RoleUnknown, Text: line})
		}
	}
	t.Language = DetectLanguage(text)
	t.Source = "text"
	return t
}

// ComputeMetrics computes conversation metrics from a transcript.
// PLACEHOLDER: replaced by the full implementation.
func ComputeMetrics(t Transcript) Metrics {
	return Metrics{Segments: len(t.Segments)}
}
