package openaitest

import "github.com/callaudit/callaudit/adapters/internal/tokens"

// EstimateTokens approximates how many tokens OpenAI's o200k_base
// tokenizer makes of s (about 4 Latin or 3 Cyrillic letters per token, one
// per punctuation mark; ±15 % on conversational text). The fake reports
// usage with it.
func EstimateTokens(s string) int { return tokens.Estimate(s) }

// Per-message overhead of the chat format (role and separators), as in
// OpenAI's token counting guide.
const (
	tokensPerMessage = 3
	tokensPerReply   = 3
)

// Prompt caching works on exact prefixes of at least 1024 tokens, in
// steps of 128 tokens.
const (
	CacheMinTokens  = 1024
	CacheStepTokens = 128
)

// cacheBoundaries returns the byte offsets in text where the estimated
// token count reaches 1024, 1152, 1280, … tokens, with those counts.
func cacheBoundaries(text string) (offsets, counts []int) {
	var n float64
	next := CacheMinTokens
	for i, r := range text {
		n += tokens.Weight(r)
		if int(n) >= next {
			offsets = append(offsets, i+len(string(r)))
			counts = append(counts, next)
			next += CacheStepTokens
		}
	}
	return offsets, counts
}
