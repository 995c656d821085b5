// Package env reads the adapters' settings from environment variables, so
// that every ConfigFromEnv trims, parses and checks a value the same way
// and reports every variable at fault in one KindInvalid error: an
// operator then fixes the whole configuration in one go instead of one
// variable per restart.
//
// A Reader leaves a destination untouched when its variable is unset or
// empty, so the caller's defaults stand.
package env

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
)

// Reader reads variables through a getenv function and collects what is
// wrong with them. It is not safe for concurrent use.
type Reader struct {
	getenv func(string) string
	errs   []callaudit.FieldError
}

// New returns a Reader over getenv; nil means os.Getenv. Tests pass a map
// lookup instead of changing the process environment.
func New(getenv func(string) string) *Reader {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &Reader{getenv: getenv}
}

// String returns the variable without surrounding white space, which is
// never meant (a stray space or CR from a .env file would break a key or
// a URL).
func (r *Reader) String(name string) string {
	return strings.TrimSpace(r.getenv(name))
}

// List returns the non-empty items of a comma-separated variable.
func (r *Reader) List(name string) []string {
	var out []string
	for _, item := range strings.Split(r.getenv(name), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Bool sets *dst from a boolean (true/false, 1/0, as strconv.ParseBool).
func (r *Reader) Bool(name string, dst *bool) {
	v := r.String(name)
	if v == "" {
		return
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.Fail(name, "must be true or false")
		return
	}
	*dst = b
}

// Int sets *dst from a whole number of at least minimum.
func (r *Reader) Int(name string, dst *int, minimum int) {
	v := r.String(name)
	if v == "" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < minimum {
		r.Fail(name, fmt.Sprintf("must be a whole number of at least %d", minimum))
		return
	}
	*dst = n
}

// Bytes sets *dst from a positive number of bytes.
func (r *Reader) Bytes(name string, dst *int64) {
	v := r.String(name)
	if v == "" {
		return
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		r.Fail(name, "must be a positive number of bytes")
		return
	}
	*dst = n
}

// Duration sets *dst from a positive Go duration such as 30s or 15m: a
// zero or negative timeout would disable the limit it configures.
func (r *Reader) Duration(name string, dst *time.Duration) {
	v := r.String(name)
	if v == "" {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.Fail(name, "must be a positive duration such as 30s or 15m")
		return
	}
	*dst = d
}

// Fail records that the variable name is wrong, for checks the caller
// makes itself (URLs, enumerations, relations between settings).
func (r *Reader) Fail(name, message string) {
	r.errs = append(r.errs, callaudit.FieldError{Field: name, Message: message})
}

// Include adds the variables at fault in err, the error of another
// package's ConfigFromEnv, so that one error lists them all. An error
// that names no variable is kept under "environment" rather than lost.
func (r *Reader) Include(err error) {
	if err == nil {
		return
	}
	fields := callaudit.FieldsOf(err)
	if len(fields) == 0 {
		fields = []callaudit.FieldError{{Field: "environment", Message: callaudit.MessageOf(err)}}
	}
	r.errs = append(r.errs, fields...)
}

// Err returns nil when every variable read was valid, otherwise one
// KindInvalid error naming each variable at fault.
func (r *Reader) Err() error {
	if len(r.errs) == 0 {
		return nil
	}
	return callaudit.Invalid(r.errs...)
}
