package llmreport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/transcribe"
)

func TestSplitTranscript(t *testing.T) {
	var tr transcribe.Transcript
	for i := range 50 {
		tr.Segments = append(tr.Segments, transcribe.Segment{Speaker: transcribe.RoleManager, Text: strings.Repeat("word ", 10+i%7)})
	}
	tests := []struct {
		name            string
		budget, overlap int
	}{
		{"fits", 1 << 20, 3},
		{"small budget", 60, 2},
		{"overlap larger than a part", 40, 10},
		{"budget under one segment", 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := Split(tr, tt.budget, tt.overlap)
			assert.Equal(t, 0, parts[0].From)
			assert.Equal(t, len(tr.Segments), parts[len(parts)-1].To)
			for i, p := range parts {
				assert.Less(t, p.From, p.To, "part %d is empty", i)
				if i > 0 {
					prev := parts[i-1]
					assert.Greater(t, p.From, prev.From, "parts advance")
					assert.LessOrEqual(t, p.From, prev.To, "no segment is skipped")
					assert.LessOrEqual(t, prev.To-p.From, tt.overlap, "overlap is bounded")
				}
			}
		})
	}
}
