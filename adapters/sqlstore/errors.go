package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"

	"github.com/callaudit/callaudit"
)

// userMessages are what each kind tells a user; driver detail stays in the
// wrapped cause, for logs.
var userMessages = map[callaudit.Kind]struct {
	text string
	code callaudit.Code
}{
	callaudit.KindNotFound:    {"call not found", callaudit.CodeCallNotFound},
	callaudit.KindUnavailable: {"the database is unavailable", callaudit.CodeDatabaseUnavailable},
	callaudit.KindConflict:    {"the call conflicts with stored data", callaudit.CodeDatabaseConflict},
	callaudit.KindCanceled:    {"the request was canceled", callaudit.CodeCanceled},
	callaudit.KindTimeout:     {"the database did not answer in time", callaudit.CodeDatabaseTimeout},
	callaudit.KindInternal:    {"database error", callaudit.CodeDatabaseError},
}

// translate wraps a database error in a *callaudit.Error of the right kind:
// no rows is KindNotFound, context ends are KindCanceled/KindTimeout,
// connection failures and lock timeouts are KindUnavailable (transient),
// anything else KindInternal. The DSN's password is scrubbed from the
// cause's text.
func (s *Store) translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *callaudit.Error
	if errors.As(err, &ce) {
		return err
	}
	kind := callaudit.Kind("")
	switch {
	case errors.Is(err, sql.ErrNoRows):
		kind = callaudit.KindNotFound
	case errors.Is(err, context.Canceled):
		kind = callaudit.KindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		kind = callaudit.KindTimeout
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		kind = callaudit.KindUnavailable
	}
	if kind == "" {
		kind = s.dialect.kind(err)
	}
	if kind == "" {
		kind = callaudit.KindInternal
	}
	m := userMessages[kind]
	e := callaudit.Wrap(scrub(err, s.secret), kind, "sqlstore."+op, m.text)
	e.Code = m.code
	return e
}

// scrub returns err, or a copy of its text without secret when the text
// holds it. The copy loses the chain, which is the point: a cause that
// prints a password must not reach a log through Unwrap either.
func scrub(err error, secret string) error {
	if secret == "" || err == nil || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "xxxxx"))
}
