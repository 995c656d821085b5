package transcribe_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/transcribe"
)

func TestTranscriptClone(t *testing.T) {
	tests := []struct {
		name string
		tr   transcribe.Transcript
	}{
		{"zero", transcribe.Transcript{}},
		{"untimed", transcribe.ParseDialog("Менеджер: Добрый день! Клиент: Здравствуйте.")},
		{"timed", transcribe.Transcript{Language: "en", Source: "fake", Duration: transcribe.Seconds(9),
			Segments: []transcribe.Segment{
				{Speaker: transcribe.RoleManager, Text: "Hi", Start: transcribe.Seconds(0), End: transcribe.Seconds(1.5)},
				{Speaker: transcribe.RoleClient, Text: "Hello", Start: transcribe.Seconds(2)},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.tr.Clone()
			assert.Equal(t, tt.tr, c)
			// Change everything the clone points to; the original must
			// not see it.
			for i := range c.Segments {
				c.Segments[i].Text = "changed"
				if c.Segments[i].Start != nil {
					*c.Segments[i].Start = -1
				}
				if c.Segments[i].End != nil {
					*c.Segments[i].End = -1
				}
			}
			if c.Duration != nil {
				*c.Duration = -1
			}
			for i, s := range tt.tr.Segments {
				assert.NotEqual(t, "changed", s.Text, "segment %d", i)
				if s.Start != nil {
					assert.NotEqual(t, -1.0, *s.Start, "segment %d start", i)
				}
				if s.End != nil {
					assert.NotEqual(t, -1.0, *s.End, "segment %d end", i)
				}
			}
			if tt.tr.Duration != nil {
				assert.NotEqual(t, -1.0, *tt.tr.Duration)
			}
		})
	}
}
