package send

import (
	"strings"
	"time"

	"github.com/callaudit/callaudit"
)

// Duration reads a duration setting such as "30s" from getenv; empty
// means def. A value that does not parse is KindInvalid naming the
// variable.
func Duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, callaudit.Invalid(callaudit.FieldError{Field: name, Message: "must be a positive duration such as 30s"})
	}
	return d, nil
}
