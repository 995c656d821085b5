package checklist

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score/scorecard"
)

// TestDeductionTables checks the forbid rows of the default scorecard
// as compiled: points to take, a cap no smaller than one occurrence, a
// label in both languages that shows the measure where there is one and
// its count changes the points,
// signals where the fact counts them, and quotes only of facts that have
// any.
func TestDeductionTables(t *testing.T) {
	n := 0
	for _, id := range defaultCard.ids {
		for i, d := range defaultCard.defs[id].rules.deductions {
			n++
			assert.Positive(t, d.each, "%s[%d]", id, i)
			assert.GreaterOrEqual(t, d.most, d.each, "%s[%d]", id, i)
			assert.NotEmpty(t, d.label.ru, "%s[%d]", id, i)
			assert.NotEmpty(t, d.label.en, "%s[%d]", id, i)
			measured := d.fact != factNone && d.fact != factFewTurns && d.fact != factNoQuestions && d.fact != factClosedOnly &&
				d.fact != factOnce && d.fact != factFound
			if !measured || d.most > d.each {
				assert.Equal(t, measured, strings.Contains(d.label.ru, "%s"), "%s[%d] ru", id, i)
				assert.Equal(t, measured, strings.Contains(d.label.en, "%s"), "%s[%d] en", id, i)
			}
			switch d.fact {
			case factSentences, factNone, factHits, factFound:
				assert.NotEmpty(t, d.sigs, "%s[%d]", id, i)
			case factMonologue, factManagerShare, factClientShare, factInterruptions, factAnyMonologue, factFewTurns, factNoQuestions, factClosedOnly, factAllInterruptions:
				assert.Zero(t, d.quotes, "%s[%d]: the fact has nothing to quote", id, i)
			}
		}
	}
	assert.Equal(t, 35, n, "conduct, tone, understanding, flow and resolution rows")
}

// TestAwardTables checks the require rows of the default scorecard:
// points that add up to 100 per summed table, a comment for the missing
// cue in both languages, and a window for the early cues.
func TestAwardTables(t *testing.T) {
	tables := 0
	for _, id := range defaultCard.ids {
		r := defaultCard.defs[id].rules
		if len(r.awards) == 0 || r.first {
			continue
		}
		tables++
		sum := 0
		for i, w := range r.awards {
			sum += w.points
			assert.Positive(t, w.points, "%s[%d]", id, i)
			assert.NotEmpty(t, w.miss.ru, "%s[%d]", id, i)
			assert.NotEmpty(t, w.miss.en, "%s[%d]", id, i)
			if w.cue != cueAny {
				assert.Positive(t, w.within, "%s[%d]: an early cue needs a window", id, i)
			}
		}
		assert.Equal(t, 100, sum, id)
	}
	assert.Equal(t, 2, tables, "greeting and rapport")
}

// TestVocabulary checks that the checklist knows every name of the
// scorecard vocabulary and no other: signals (with their speakers),
// measures, conditions, quote facts and cues; and that an evaluator
// names a criterion of the default scorecard.
func TestVocabulary(t *testing.T) {
	require.Len(t, scorecard.Signals, int(numSignals))
	for i, s := range scorecard.Signals {
		assert.Equal(t, signalNames[i], s.Name)
		who := "any"
		for _, d := range signalDefs {
			if int(d.sig) == i && d.role != "" {
				who = string(d.role)
			}
		}
		assert.Equal(t, who, s.Who, s.Name)
	}
	same := func(what string, vocab map[string]string, have []string) {
		var names []string
		for n := range vocab {
			names = append(names, n)
		}
		assert.ElementsMatch(t, names, have, what)
	}
	var ms, cs, es, qs []string
	for n := range measures {
		if n != "" {
			ms = append(ms, n)
		}
	}
	for n := range conditions {
		cs = append(cs, n)
	}
	// An evaluator stands for a default criterion's rules.
	for n := range scorecard.Evaluators {
		c, ok := scorecard.Default().Criterion(n)
		if assert.True(t, ok, n) && assert.NotNil(t, c.Rules, n) {
			es = append(es, n)
		}
	}
	for n := range cues {
		if n != "" {
			qs = append(qs, n)
		}
	}
	same("measures", scorecard.Measures, ms)
	same("conditions", scorecard.Conditions, cs)
	same("evaluators", scorecard.Evaluators, es)
	var fs, ics []string
	for n := range quoteFacts {
		fs = append(fs, n)
	}
	for n := range itemConditions {
		ics = append(ics, n)
	}
	same("quote facts", scorecard.QuoteFacts, fs)
	same("item conditions", scorecard.ItemConditions, ics)
	same("cues", scorecard.Cues, qs)
}
