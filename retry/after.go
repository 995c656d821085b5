package retry

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxAfter caps what ParseAfter returns. A server asking for more than an
// hour is misconfigured or hostile (a huge value would also overflow a
// Duration); no request or queued job should sit that out, and a Policy
// caps the wait lower still.
const MaxAfter = time.Hour

// ParseAfter returns the wait an HTTP answer asks for: OpenAI's
// retry-after-ms (milliseconds) when it is positive, otherwise Retry-After
// as delta-seconds (fractions accepted, as some OpenAI-compatible servers
// send them) or as an HTTP date relative to now. It returns 0 when the
// headers are absent, unparsable, negative or in the past, so that the
// caller falls back to its own backoff, and at most MaxAfter.
func ParseAfter(h http.Header, now time.Time) time.Duration {
	if d := parseNumber(h.Get("Retry-After-Ms"), time.Millisecond); d > 0 {
		return d
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return parseNumber(v, time.Second)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), MaxAfter)
	}
	return 0
}

// parseNumber reads v as a positive count of unit, capped at MaxAfter
// before the conversion so that a huge value cannot overflow. NaN and Inf,
// which ParseFloat accepts, are no numbers of seconds.
func parseNumber(v string, unit time.Duration) time.Duration {
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n <= 0 {
		return 0
	}
	if n >= float64(MaxAfter)/float64(unit) {
		return MaxAfter
	}
	return time.Duration(n * float64(unit))
}
