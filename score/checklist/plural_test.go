package checklist

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPluralRU(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "вопросов"}, {1, "вопрос"}, {2, "вопроса"}, {4, "вопроса"}, {5, "вопросов"},
		{11, "вопросов"}, {12, "вопросов"}, {14, "вопросов"}, {21, "вопрос"}, {22, "вопроса"},
		{25, "вопросов"}, {101, "вопрос"}, {111, "вопросов"}, {112, "вопросов"}, {122, "вопроса"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, pluralRU(tt.n, "вопрос", "вопроса", "вопросов"), "n=%d", tt.n)
	}
}

func TestCountAgreesInBothLanguages(t *testing.T) {
	ru, en := &analysis{lang: "ru"}, &analysis{lang: "en"}
	tests := []struct {
		n      int
		ru, en string
	}{
		{1, "1 слово", "1 word"},
		{3, "3 слова", "3 words"},
		{121, "121 слово", "121 words"},
		{0, "0 слов", "0 words"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.ru, ru.count(tt.n, "слово", "слова", "слов", "word", "words"))
		assert.Equal(t, tt.en, en.count(tt.n, "слово", "слова", "слов", "word", "words"))
	}
}

// TestPackedStems: the tokenizer packs a word's stem exactly as packStem
// does, and packed stems are equal exactly when the stems are.
func TestPackedStems(t *testing.T) {
	words := []string{"спальне", "спальня", "Спальня", "ёлками", "елками", "reporting", "reports", "дом", "12345", "67890", "naïve", "don't"}
	var d doc
	for _, w := range words {
		d.buf, d.toks, d.sents = d.buf[:0], d.toks[:0], d.sents[:0]
		d.tokenizeSegment(0, w)
		d.norm = string(d.buf)
		if !assert.Len(t, d.toks, 1, w) {
			continue
		}
		norm := d.word(0)
		assert.Equal(t, packStem(norm), d.toks[0].stem, w)
	}
	for _, a := range words {
		for _, b := range words {
			na, nb := normalize(a), normalize(b)
			pa, pb := packStem(na), packStem(nb)
			if pa <= stemOther || pb <= stemOther {
				continue
			}
			sa, _ := rawStem(na)
			sb, _ := rawStem(nb)
			assert.Equal(t, sa == sb, pa == pb, "%s / %s", a, b)
		}
	}
	assert.Equal(t, uint32(stemShort), packStem("дом"))
	assert.Equal(t, uint32(stemOther), packStem("12345"), "digits share a code")
}
