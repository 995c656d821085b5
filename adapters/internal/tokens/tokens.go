// Package tokens estimates OpenAI token counts without a tokenizer
// vocabulary. The adapter uses it to decide whether a transcript fits one
// request, the fake server to report usage.
package tokens

import "unicode"

// Estimate approximates how many tokens OpenAI's o200k_base tokenizer (the
// gpt-4o and later families) makes of s. The rates are averages for
// ordinary prose: about 4 Latin letters or digits per token, about 3
// Cyrillic letters per token (Russian words split into more pieces), one
// token per punctuation mark or other symbol, and spaces folded into the
// following word. Expect ±15 % on conversational text.
func Estimate(s string) int {
	var n float64
	for _, r := range s {
		n += Weight(r)
	}
	t := int(n + 0.5)
	if t == 0 && s != "" {
		t = 1
	}
	return t
}

// Weight is the estimated share of a token that r takes.
func Weight(r rune) float64 {
	switch {
	case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		return 0.25
	case unicode.Is(unicode.Cyrillic, r):
		return 1.0 / 3
	case unicode.IsSpace(r):
		return 0
	}
	return 1
}
