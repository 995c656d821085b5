package storage

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
)

// Cursor is a position in a listing: the sort key (CreatedAt, ID) of the
// last call of a page. The next page holds the calls that sort after it,
// newest first: CreatedAt earlier, or CreatedAt equal and ID smaller.
//
// Every Store encodes its Page.NextCursor with EncodeCursor and reads
// Filter.Cursor with DecodeCursor, so that one format serves all stores and
// a cursor is opaque to callers.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// CursorOf returns the cursor that continues a listing after c.
func CursorOf(c Call) Cursor { return Cursor{CreatedAt: c.CreatedAt, ID: c.ID} }

// After reports whether c sorts after the cursor position in a listing,
// that is, belongs to a later page.
func (cur Cursor) After(c Call) bool {
	if !c.CreatedAt.Equal(cur.CreatedAt) {
		return c.CreatedAt.Before(cur.CreatedAt)
	}
	return c.ID < cur.ID
}

// cursorVersion prefixes the encoded form so that the format can change
// without misreading old cursors.
const cursorVersion = "1"

// maxCursorLen bounds what DecodeCursor accepts; a call id is short, so
// anything longer is not a cursor we made.
const maxCursorLen = 1024

// EncodeCursor returns the opaque, URL-safe form of cur: base64url of
// "1|<unix nanoseconds>|<id>".
func EncodeCursor(cur Cursor) string {
	raw := cursorVersion + "|" + strconv.FormatInt(cur.CreatedAt.UnixNano(), 10) + "|" + cur.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCursor parses a cursor made by EncodeCursor. Anything else is a
// KindInvalid error on the field "cursor". The time is returned in UTC.
func DecodeCursor(s string) (Cursor, error) {
	bad := func() (Cursor, error) {
		return Cursor{}, callaudit.Invalid(callaudit.FieldError{Field: "cursor", Message: "is not a cursor returned by a previous page", Code: callaudit.CodeBadCursor})
	}
	if s == "" || len(s) > maxCursorLen {
		return bad()
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bad()
	}
	version, rest, ok := strings.Cut(string(raw), "|")
	if !ok || version != cursorVersion {
		return bad()
	}
	nanos, id, ok := strings.Cut(rest, "|")
	if !ok || id == "" {
		return bad()
	}
	n, err := strconv.ParseInt(nanos, 10, 64)
	if err != nil {
		return bad()
	}
	return Cursor{CreatedAt: time.Unix(0, n).UTC(), ID: id}, nil
}
