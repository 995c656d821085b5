package audit

import (
	"github.com/callaudit/callaudit"

	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxIDLength is the longest call_id or manager_id, in characters.
const MaxIDLength = 200

// ValidID reports whether s may be a call or manager id: valid UTF-8 of
// printable characters only (letters, marks, digits, punctuation, symbols
// and the ASCII space, as unicode.IsPrint says), not starting or ending
// with a space. So no control characters (NUL, tab, newline: a database
// may refuse them, a log or CSV line may be split by them) and no format
// characters (the bidirectional overrides such as U+202E and the
// zero-width ones, which make one id look like another). The length,
// MaxIDLength, is checked apart so that each fault has its message.
func ValidID(s string) bool {
	if !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// idRule is the rule of Input.CallID and Input.ManagerID, for CheckID.
type idRule struct {
	ID string `validate:"omitempty,max=200,id"`
}

// CheckID checks one id that arrives outside an Input (a URL path, a
// query parameter) by the rule of Input's ids, so that looking it up can
// only find a call or nothing. Its KindInvalid error names field.
func CheckID(field, id string) error {
	err := Validate(idRule{ID: id})
	fields := callaudit.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	for i := range fields {
		fields[i].Field = field
	}
	return callaudit.Invalid(fields...)
}
