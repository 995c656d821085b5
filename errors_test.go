package callaudit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit"
)

func TestKindAndMessageOf(t *testing.T) {
	invalid := callaudit.Invalid(callaudit.FieldError{Field: "content_mode", Message: "unknown mode"})
	limited := &callaudit.Error{Kind: callaudit.KindRateLimited, Message: "slow down", RetryAfter: 3 * time.Second}
	internal := errors.New("pq: password authentication failed for user \"secret\"")
	tests := []struct {
		name      string
		err       error
		kind      callaudit.Kind
		message   string
		transient bool
		after     time.Duration
	}{
		{"nil", nil, "", "", false, 0},
		{"plain error hides its detail", internal, callaudit.KindInternal, "internal error", false, 0},
		{"invalid", invalid, callaudit.KindInvalid, "content_mode: unknown mode", false, 0},
		{"wrapped with %w", fmt.Errorf("handler: %w", limited), callaudit.KindRateLimited, "slow down", true, 3 * time.Second},
		{"Wrap keeps its own message, not the cause's", callaudit.Wrap(internal, callaudit.KindUnavailable, "db", "the database is unavailable"),
			callaudit.KindUnavailable, "the database is unavailable", true, 0},
		{"outer error without a message", &callaudit.Error{Kind: callaudit.KindUpstream, Err: limited}, callaudit.KindUpstream, "slow down", true, 0},
		{"canceled", context.Canceled, callaudit.KindCanceled, "the request was canceled", false, 0},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), callaudit.KindTimeout, "the operation timed out", true, 0},
		// KindOf follows errors.As into joined errors; MessageOf must
		// agree with it, or a 422 goes out saying "internal error".
		{"joined", errors.Join(internal, invalid), callaudit.KindInvalid, "content_mode: unknown mode", false, 0},
		{"several %w", fmt.Errorf("%w; %w", internal, limited), callaudit.KindRateLimited, "slow down", true, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.kind, callaudit.KindOf(tt.err))
			assert.Equal(t, tt.message, callaudit.MessageOf(tt.err))
			assert.Equal(t, tt.transient, callaudit.IsTransient(tt.err))
			assert.Equal(t, tt.after, callaudit.RetryAfterOf(tt.err))
		})
	}
}

func TestErrorTextIsForLogs(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.5:5432: connection refused")
	tests := []struct {
		name string
		err  *callaudit.Error
		want string
	}{
		{"op, message and cause", callaudit.Wrap(cause, callaudit.KindUnavailable, "sqlstore.Get", "the database is unavailable"),
			"sqlstore.Get: the database is unavailable: dial tcp 10.0.0.5:5432: connection refused"},
		{"kind when there is no message", &callaudit.Error{Kind: callaudit.KindNotFound}, "not_found"},
		{"formatted message", callaudit.Errorf(callaudit.KindTooLarge, "over %d bytes", 10), "over 10 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestInvalidListsEveryField(t *testing.T) {
	err := callaudit.Invalid(
		callaudit.FieldError{Field: "call_id", Message: "is required"},
		callaudit.FieldError{Field: "language", Message: "must be a language code"},
	)
	assert.Equal(t, callaudit.KindInvalid, err.Kind)
	assert.Equal(t, "call_id: is required; language: must be a language code", err.Message)
	assert.Equal(t, err.Fields, callaudit.FieldsOf(fmt.Errorf("wrapped: %w", err)))
	assert.Nil(t, callaudit.FieldsOf(errors.New("plain")))
}

func TestCodeOf(t *testing.T) {
	coded := callaudit.Coded(callaudit.KindNotFound, callaudit.CodeCallNotFound, `call "x" not found`, map[string]string{"id": `"x"`})
	tests := []struct {
		name   string
		err    error
		code   callaudit.Code
		params map[string]string
	}{
		{"nil", nil, "", nil},
		{"plain error: the generic message", errors.New("boom"), callaudit.CodeInternal, nil},
		{"bare timeout", fmt.Errorf("x: %w", context.DeadlineExceeded), callaudit.CodeTimeout, nil},
		{"bare cancel", context.Canceled, callaudit.CodeCanceled, nil},
		{"no code", callaudit.Errorf(callaudit.KindInvalid, "bad"), "", nil},
		{"coded", coded, callaudit.CodeCallNotFound, map[string]string{"id": `"x"`}},
		{"wrapped with %w", fmt.Errorf("get: %w", coded), callaudit.CodeCallNotFound, map[string]string{"id": `"x"`}},
		// A decorator that re-wraps with the same message keeps the code.
		{"re-wrapped with its message", callaudit.Wrap(coded, callaudit.KindNotFound, "decorator", callaudit.MessageOf(coded)), callaudit.CodeCallNotFound, map[string]string{"id": `"x"`}},
		// A wrapper with a message of its own hides the inner code.
		{"wrapped with another message", callaudit.Wrap(coded, callaudit.KindInternal, "op", "something else"), "", nil},
		{"joined", errors.Join(errors.New("plain"), coded), callaudit.CodeCallNotFound, map[string]string{"id": `"x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, params := callaudit.CodeOf(tt.err)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.params, params)
		})
	}
}
