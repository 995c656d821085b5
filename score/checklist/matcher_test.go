package checklist

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
)

// matches reports whether the phrase is found anywhere in text.
func matches(t *testing.T, phrase, text string) bool {
	t.Helper()
	m, err := newMatcher([]signalDef{{sig: sigGreet, phrases: []string{phrase}}})
	require.NoError(t, err)
	tr := transcribe.Transcript{Segments: []transcribe.Segment{{Speaker: transcribe.RoleManager, Text: text}}}
	var d doc
	d.parse(&tr)
	var hits [numSignals][]hit
	m.scan(&d, hits[:], 0)
	return len(hits[sigGreet]) > 0
}

func TestPhraseMatching(t *testing.T) {
	tests := []struct {
		phrase, text string
		want         bool
	}{
		// Russian word forms match through stems.
		{"удобн*", "Вам удобно?", true},
		{"удобн*", "Какое время вам удобное?", true},
		{"удобн*", "Так будет удобнее", true},
		{"удобн*", "Сейчас неудобно", false}, // a stem matches from the start of a word only
		{"договор*", "Договорились!", true},
		{"договор*", "Тогда договоримся на четверг", true},
		{"договорились", "Договоримся позже", false},
		// Normalisation: case, ё→е, punctuation.
		{"бер* сегодня", "Если БЕРЁТЕ сегодня — скидка", true},
		{"берете", "берёте", true},
		{"до свидания", "До свидания!!!", true},
		{"не надо", "Не, надо", true}, // punctuation between words is stripped
		// Phrases are token sequences, not substrings.
		{"как дела", "как делали раньше", false},
		{"не надо", "надо не", false},
		{"да", "давайте", false},
		// .. allows a few words between.
		{"удобн* .. говор*", "Вам удобно сейчас говорить?", true},
		{"удобн* .. говор*", "удобно, если мы потом ещё раз поговорим", false},
		// # is a number.
		{"в # 00", "в 11:00", true},
		{"в #", "в одиннадцать", false},
		// English apostrophes survive, typographic or not.
		{"that's it", "That’s it, thanks", true},
		{"one-time code", "Read me the one time code", true},
		// Letters outside Latin and Cyrillic take the slower path, and
		// work the same.
		{"größe*", "Die GRÖSSE passt, die Größen auch", true},
		{"ελλην*", "Ελληνικά", true},
		{"x", "X", true},
		// A phrase does not match inside a word.
		{"hi", "this is it", false},
	}
	for _, tt := range tests {
		t.Run(tt.phrase+"/"+tt.text, func(t *testing.T) {
			assert.Equal(t, tt.want, matches(t, tt.phrase, tt.text))
		})
	}
}

func TestCompilePhraseRejectsBadPhrases(t *testing.T) {
	for _, src := range []string{"", "я*", ".. да", "да ..", "—"} {
		_, err := compilePhrase(sigGreet, src)
		assert.Error(t, err, "phrase %q", src)
	}
}

func TestSignalTablesCompile(t *testing.T) {
	m, err := newMatcher(signalDefs)
	require.NoError(t, err)
	// Every phrase is reachable through exactly one index.
	total, indexed := 0, len(m.numbers)
	for _, d := range signalDefs {
		total += len(d.phrases)
	}
	for _, ps := range m.table {
		indexed += len(ps)
	}
	for _, ps := range m.index {
		indexed += len(ps)
	}
	assert.Equal(t, total, indexed)
	// Built-in phrases start with Latin or Cyrillic letters, so the
	// package's compiled matcher finds all of them through the table (this
	// also fails if the letter tables are set up after the matcher).
	assert.Empty(t, compiled.index)
	assert.Len(t, compiled.numbers, len(m.numbers))
	seen := map[signal]bool{}
	for _, d := range signalDefs {
		assert.False(t, seen[d.sig], "signal %d defined twice", d.sig)
		seen[d.sig] = true
		assert.NotEmpty(t, d.phrases)
	}
	assert.Len(t, seen, int(numSignals), "every signal needs phrases")
}

func TestTokenizeKeepsOffsetsAndSentences(t *testing.T) {
	tr := transcribe.Transcript{Segments: []transcribe.Segment{
		{Speaker: transcribe.RoleManager, Text: "Ёлки, встреча в 11:00. Вам удобно?"},
	}}
	var d doc
	d.parse(&tr)
	var words, orig []string
	for i, tok := range d.toks {
		words = append(words, d.word(i))
		orig = append(orig, tr.Segments[0].Text[tok.start:tok.end])
	}
	assert.Equal(t, []string{"елки", "встреча", "в", "11", "00", "вам", "удобно"}, words)
	assert.Equal(t, []string{"Ёлки", "встреча", "в", "11", "00", "Вам", "удобно"}, orig)
	require.Len(t, d.sents, 2)
	assert.False(t, d.sents[0].question)
	assert.True(t, d.sents[1].question)
	assert.Equal(t, "Вам удобно?", tr.Segments[0].Text[d.sents[1].start:d.sents[1].end])
}

// TestFirstHitsBeyondFour asks for more quotes than firstHits keeps on the
// stack: it used to slice past its fixed array and panic.
func TestFirstHitsBeyondFour(t *testing.T) {
	m, err := newMatcher([]signalDef{{sig: sigGreet, phrases: []string{"hello"}}})
	require.NoError(t, err)
	tr := transcribe.Transcript{Segments: []transcribe.Segment{
		{Speaker: transcribe.RoleManager, Text: "Hello one. Hello two. Hello three."},
		{Speaker: transcribe.RoleManager, Text: "Hello four. Hello five. Hello six, hello again."},
	}}
	var d doc
	d.parse(&tr)
	a := new(analysis)
	a.reset(&d, "en", &options{})
	m.scan(&d, a.hits[:], 0)
	for _, tt := range []struct{ n, want int }{{1, 1}, {4, 4}, {5, 5}, {10, 6}} {
		var evs []string
		require.NotPanics(t, func() {
			for _, ev := range a.firstHits(tt.n, sigGreet) {
				evs = append(evs, ev.Quote)
			}
		}, "n=%d", tt.n)
		assert.Len(t, evs, tt.want, "n=%d: one quote per sentence: %q", tt.n, evs)
	}
}
