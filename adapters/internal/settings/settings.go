// Package settings fills the defaults of the vendor adapters'
// configurations (adapters/yandex, adapters/salute, adapters/gigachat),
// so that each New says only which default a field takes.
package settings

import (
	"cmp"
	"strings"
)

// Positive returns v, or def when v is zero or negative.
func Positive[T ~int | ~int64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// URL returns v, or def when v is empty, without trailing slashes.
func URL(v, def string) string { return strings.TrimRight(cmp.Or(v, def), "/") }

// Redacted shows whether a secret is set, never any of its characters:
// "(unset)" or "[REDACTED]".
func Redacted(secret string) string {
	if secret == "" {
		return "(unset)"
	}
	return "[REDACTED]"
}
