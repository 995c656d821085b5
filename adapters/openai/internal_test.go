package openai

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
