package tokens

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEstimate(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		min, max int
	}{
		{"empty", "", 0, 0},
		{"one symbol", "!", 1, 1},
		{"space only", "   ", 1, 1},
		// Nine words and a period: one to two tokens a word.
		{"english sentence", "The manager greeted the client and asked about needs.", 10, 19},
		// Six Russian words and a period: Russian splits into more pieces.
		{"russian sentence", "Менеджер поздоровался и выяснил потребности клиента.", 7, 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := Estimate(tt.text)
			assert.GreaterOrEqual(t, n, tt.min)
			assert.LessOrEqual(t, n, tt.max)
		})
	}
	// Estimates add up over concatenation, so budgets can be summed per line.
	a, b := strings.Repeat("слово ", 300), strings.Repeat("word ", 300)
	assert.InDelta(t, Estimate(a)+Estimate(b), Estimate(a+b), 1)
}
