package checklist

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDeductionTables checks the rows of the deduction tables are well
// formed: points to take, a cap no smaller than one occurrence, a label
// in both languages that shows the measure where there is one, signals
// where the fact counts them, and quotes only of facts that have any.
func TestDeductionTables(t *testing.T) {
	for name, rows := range map[string][]deduction{"conduct": conductRules, "tone": toneRules, "understanding": understandingRules, "flow": flowRules} {
		for i, d := range rows {
			assert.Positive(t, d.each, "%s[%d]", name, i)
			assert.GreaterOrEqual(t, d.most, d.each, "%s[%d]", name, i)
			assert.NotEmpty(t, d.label.ru, "%s[%d]", name, i)
			assert.NotEmpty(t, d.label.en, "%s[%d]", name, i)
			measured := d.fact != factNone && d.fact != factFewTurns && d.fact != factNoQuestions && d.fact != factClosedOnly
			assert.Equal(t, measured, strings.Contains(d.label.ru, "%s"), "%s[%d] ru", name, i)
			assert.Equal(t, measured, strings.Contains(d.label.en, "%s"), "%s[%d] en", name, i)
			switch d.fact {
			case factSentences, factNone, factHits:
				assert.NotEmpty(t, d.sigs, "%s[%d]", name, i)
			case factMonologue, factManagerShare, factClientShare, factInterruptions, factAnyMonologue, factFewTurns, factNoQuestions, factClosedOnly, factAllInterruptions:
				assert.Zero(t, d.quotes, "%s[%d]: the fact has nothing to quote", name, i)
			}
		}
	}
}

// TestAwardTables checks the rows of the award tables: points that add
// up to 100 per table, a comment for the missing cue in both languages,
// and a window for the early cues.
func TestAwardTables(t *testing.T) {
	for name, rows := range map[string][]award{"greeting": greetingRules, "rapport": rapportRules} {
		sum := 0
		for i, w := range rows {
			sum += w.points
			assert.Positive(t, w.points, "%s[%d]", name, i)
			assert.NotEmpty(t, w.miss.ru, "%s[%d]", name, i)
			assert.NotEmpty(t, w.miss.en, "%s[%d]", name, i)
			if w.cue != cueAny {
				assert.Positive(t, w.within, "%s[%d]: an early cue needs a window", name, i)
			}
		}
		assert.Equal(t, 100, sum, name)
	}
}
