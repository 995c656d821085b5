package retry_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/callaudit/callaudit/retry"
)

func ExampleParseAfter() {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, h := range []http.Header{
		{"Retry-After": {"7"}},
		{"Retry-After": {now.Add(2 * time.Minute).Format(http.TimeFormat)}},
		{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}},
		{"Retry-After": {"soon"}},
	} {
		fmt.Println(retry.ParseAfter(h, now))
	}
	// Output:
	// 7s
	// 2m0s
	// 250ms
	// 0s
}
