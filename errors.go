// Package callaudit holds what every part of the module shares: the error
// vocabulary. The work itself lives in the sub-packages: transcribe (audio and
// text to speaker turns), score (turns to a report), storage (history),
// audit (the pipeline), adapters (OpenAI, SQL, HTTP, fx) and cmd (servers).
//
// Errors follow one vocabulary (after benbjohnson/wtf): every package returns
// or wraps an *Error with a Kind, and a server maps kinds to statuses with
// one table. Kind and Message are safe to show to users; the wrapped error
// may carry detail that is only for logs.
package callaudit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies an error for callers and for the HTTP status table.
type Kind string

// The error kinds. A server maps each to one HTTP status (see adapters/httpapi).
const (
	KindInvalid       Kind = "invalid"        // input fails validation (422)
	KindMalformed     Kind = "malformed"      // input cannot be parsed at all (400)
	KindUnauthorized  Kind = "unauthorized"   // missing or wrong credentials (401)
	KindForbidden     Kind = "forbidden"      // credentials fine, action refused (403)
	KindNotFound      Kind = "not_found"      // no such thing (404)
	KindConflict      Kind = "conflict"       // state does not allow it (409)
	KindTooLarge      Kind = "too_large"      // input over a documented limit (413)
	KindUnsupported   Kind = "unsupported"    // media type or format not handled (415)
	KindRateLimited   Kind = "rate_limited"   // we or upstream are rate limited (429)
	KindUpstream      Kind = "upstream"       // upstream answered with an error (502)
	KindUnavailable   Kind = "unavailable"    // upstream unreachable or overloaded (503)
	KindNotConfigured Kind = "not_configured" // a component needed for this is not set up (503)
	KindTimeout       Kind = "timeout"        // a deadline passed (504)
	KindCanceled      Kind = "canceled"       // the caller went away (499)
	KindInternal      Kind = "internal"       // a bug or an unexpected failure (500)
)

// FieldError names one invalid input field and says what is wrong with it.
// Field is a Go field path ("DialogText", "Webhook.URL") when the input is
// a Go value; a server renames it to its own field names. Code and Params,
// when set, name Message in a catalogue (see Code).
type FieldError struct {
	Field   string            `json:"field"`
	Message string            `json:"message"`
	Code    Code              `json:"code,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
}

// Error is the project's error type. Message is written for a person and
// never holds secrets or internal detail; Err holds the cause for logs.
type Error struct {
	Kind    Kind
	Op      string // the operation that failed, e.g. "openai.Score"; for logs
	Message string // safe to show to users, in English
	// Code and Params, when set, name Message in a message catalogue, so
	// that a server can say it in the user's language (see Code).
	Code   Code
	Params map[string]string
	Fields []FieldError
	// RetryAfter is how long upstream asked us to wait (0 when unknown).
	RetryAfter time.Duration
	Err        error
}

// Error returns the message, the op and the cause, for logs.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Message != "" {
		b.WriteString(e.Message)
	} else {
		b.WriteString(string(e.Kind))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Coded returns an *Error of the kind whose English message is code's,
// filled in from params (see Code).
func Coded(kind Kind, code Code, message string, params map[string]string) *Error {
	return &Error{Kind: kind, Code: code, Message: message, Params: params}
}

// CodeOf returns the code and params of err's user-facing message: those
// of the *Error whose Message MessageOf returns, or of a deeper *Error
// with the same message (decorators that re-wrap an error keep its
// message but not its code), and for MessageOf's generic texts
// CodeCanceled, CodeTimeout or CodeInternal. It returns "" for nil and
// when the message has no code.
func CodeOf(err error) (Code, map[string]string) {
	if err == nil {
		return "", nil
	}
	msg := firstMessage(err)
	if msg == "" {
		switch KindOf(err) {
		case KindCanceled:
			return CodeCanceled, nil
		case KindTimeout:
			return CodeTimeout, nil
		}
		return CodeInternal, nil
	}
	var found *Error
	walk(err, func(e *Error) bool {
		if e.Message == msg && e.Code != "" {
			found = e
			return true
		}
		return false
	})
	if found == nil {
		return "", nil
	}
	return found.Code, found.Params
}

// walk visits the *Error values in err's tree depth first until visit
// returns true.
func walk(err error, visit func(*Error) bool) bool {
	if err == nil {
		return false
	}
	if e, ok := err.(*Error); ok && visit(e) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return walk(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, inner := range u.Unwrap() {
			if walk(inner, visit) {
				return true
			}
		}
	}
	return false
}

// Errorf returns an *Error of the kind with a formatted user-facing message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of the kind that keeps err as its cause.
// The message is shown to users; err is not.
func Wrap(err error, kind Kind, op, message string) *Error {
	return &Error{Kind: kind, Op: op, Message: message, Err: err}
}

// Invalid returns a KindInvalid error listing the fields at fault.
func Invalid(fields ...FieldError) *Error {
	msgs := make([]string, 0, len(fields))
	for _, f := range fields {
		msgs = append(msgs, f.Field+": "+f.Message)
	}
	return &Error{Kind: KindInvalid, Message: strings.Join(msgs, "; "), Fields: fields}
}

// KindOf returns the kind of the first *Error in err's chain. Context errors
// map to KindCanceled and KindTimeout; nil maps to ""; anything else is
// KindInternal.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Kind != "" {
		return e.Kind
	}
	switch {
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	}
	return KindInternal
}

// MessageOf returns the user-facing message of err: the Message of the first
// *Error that has one, or a generic text for other errors, so internal detail
// never reaches users. It searches the error tree in the order errors.As
// does (joined errors and several %w included), so that it agrees with
// KindOf.
func MessageOf(err error) string {
	if err == nil {
		return ""
	}
	if m := firstMessage(err); m != "" {
		return m
	}
	switch KindOf(err) {
	case KindCanceled:
		return "the request was canceled"
	case KindTimeout:
		return "the operation timed out"
	}
	return "internal error"
}

// firstMessage returns the first non-empty *Error Message in err's tree,
// depth first, as errors.As walks it.
func firstMessage(err error) string {
	msg := ""
	walk(err, func(e *Error) bool {
		msg = e.Message
		return msg != ""
	})
	return msg
}

// FieldsOf returns the field errors of the first *Error in err's chain.
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// IsTransient reports whether retrying the same request later may succeed:
// rate limits, unavailable or failing upstreams and timeouts.
func IsTransient(err error) bool {
	switch KindOf(err) {
	case KindRateLimited, KindUnavailable, KindUpstream, KindTimeout:
		return true
	}
	return false
}

// RetryAfterOf returns the wait that upstream asked for, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
