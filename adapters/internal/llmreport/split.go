package llmreport

import (
	"github.com/callaudit/callaudit/adapters/internal/tokens"
	"github.com/callaudit/callaudit/transcribe"
)

// Split cuts a transcript into parts whose rendered lines fit
// budget tokens (estimated), on segment (turn) boundaries, consecutive
// parts sharing overlap segments. A transcript that fits is one part.
// Nothing is ever dropped: a single segment larger than the budget
// becomes a part of its own.
func Split(t transcribe.Transcript, budget, overlap int) []Part {
	n := len(t.Segments)
	cost := make([]int, n)
	total := 0
	for i := range t.Segments {
		cost[i] = tokens.Estimate(SegmentLine(t, i)) + 1
		total += cost[i]
	}
	if total <= budget {
		return []Part{{0, n}}
	}
	var parts []Part
	from := 0
	for from < n {
		to, used := from, 0
		for to < n && (to == from || used+cost[to] <= budget) {
			used += cost[to]
			to++
		}
		parts = append(parts, Part{from, to})
		if to == n {
			break
		}
		// Step back by the overlap, but always make progress.
		from = max(from+1, to-overlap)
	}
	return parts
}
