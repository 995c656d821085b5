package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/dsn"
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
	e := callaudit.Wrap(dsn.Scrub(err, s.secret), kind, "sqlstore."+op, m.text)
	e.Code = m.code
	return e
}
