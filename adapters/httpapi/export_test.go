package httpapi

import "sort"

// Patterns lists the mux patterns h serves, for tests that check every
// route.
func Patterns(h *Handler) []string {
	out := make([]string, 0, len(h.rules))
	for p := range h.rules {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
