package openai

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/transcribe"
)

func TestRedact(t *testing.T) {
	u := &upstream{apiKey: "my-local-token"}
	tests := []struct{ in, notWant string }{
		{"Incorrect API key provided: sk-pro**********3456.", "3456"},
		{"key sk-proj-abcdefABCDEF0123456789 leaked", "abcdef"},
		{"token my-local-token in text", "my-local-token"},
		{"Authorization: Bearer abc.def.ghi", "abc.def"},
		{"Incorrect API key provided: my-lo******oken. You can find", "oken"},
	}
	for _, tt := range tests {
		got := u.redact(tt.in)
		assert.NotContains(t, got, tt.notWant)
		assert.Contains(t, got, "[REDACTED]")
	}
	assert.LessOrEqual(t, len(u.redact(strings.Repeat("x", 2000))), 510)
}

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
			parts := splitTranscript(tr, tt.budget, tt.overlap)
			assert.Equal(t, 0, parts[0].from)
			assert.Equal(t, len(tr.Segments), parts[len(parts)-1].to)
			for i, p := range parts {
				assert.Less(t, p.from, p.to, "part %d is empty", i)
				if i > 0 {
					prev := parts[i-1]
					assert.Greater(t, p.from, prev.from, "parts advance")
					assert.LessOrEqual(t, p.from, prev.to, "no segment is skipped")
					assert.LessOrEqual(t, prev.to-p.from, tt.overlap, "overlap is bounded")
				}
			}
		})
	}
}
