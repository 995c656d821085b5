package retry_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/retry"
)

func TestParseAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"none", nil, 0},
		{"empty", map[string]string{"Retry-After": ""}, 0},
		{"seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second},
		{"seconds with spaces", map[string]string{"Retry-After": " 10 "}, 10 * time.Second},
		{"zero seconds", map[string]string{"Retry-After": "0"}, 0},
		{"fraction", map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond},
		{"negative", map[string]string{"Retry-After": "-4"}, 0},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0},
		{"not a number", map[string]string{"Retry-After": "NaN"}, 0},
		{"infinite", map[string]string{"Retry-After": "Inf"}, 0},
		{"huge seconds capped", map[string]string{"Retry-After": "99999999999999999999"}, retry.MaxAfter},
		{"http date", map[string]string{"Retry-After": date(90 * time.Second)}, 90 * time.Second},
		{"rfc 850 date", map[string]string{"Retry-After": now.Add(time.Minute).Format(time.RFC850)}, time.Minute},
		{"date in the past", map[string]string{"Retry-After": date(-time.Minute)}, 0},
		{"date far ahead capped", map[string]string{"Retry-After": date(48 * time.Hour)}, retry.MaxAfter},
		{"milliseconds", map[string]string{"Retry-After-Ms": "250"}, 250 * time.Millisecond},
		{"milliseconds first", map[string]string{"Retry-After-Ms": "250", "Retry-After": "3"}, 250 * time.Millisecond},
		{"lower-case milliseconds", map[string]string{"retry-after-ms": "1500.5"}, 1500500 * time.Microsecond},
		{"zero milliseconds falls back", map[string]string{"Retry-After-Ms": "0", "Retry-After": "2"}, 2 * time.Second},
		{"garbage milliseconds falls back", map[string]string{"Retry-After-Ms": "x", "Retry-After": "2"}, 2 * time.Second},
		{"huge milliseconds capped", map[string]string{"Retry-After-Ms": "1e300"}, retry.MaxAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			assert.Equal(t, tt.want, retry.ParseAfter(h, now))
		})
	}
}
