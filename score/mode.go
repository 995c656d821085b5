package score

import (
	"strconv"
	"strings"

	"github.com/callaudit/callaudit"
)

// Mode is the focus of an analysis (content_mode in the HTTP API).
type Mode string

// The three analysis modes. The values are the canonical spellings of the
// original API.
const (
	ModeManager Mode = "Manager+" // the manager's work (default)
	ModeClient  Mode = "Client+"  // the client's reactions: interest, objections, readiness to buy
	ModeDialog  Mode = "Диалог"   // overall quality of the conversation
)

// Modes lists the canonical modes in display order.
var Modes = []Mode{ModeManager, ModeClient, ModeDialog}

// AcceptedModeSpellings are the spellings ParseMode documents; matching is
// case-insensitive and ignores spaces.
var AcceptedModeSpellings = []string{"Manager+", "Manager +", "Client+", "Client +", "Диалог", "Dialog"}

// ParseMode parses every spelling of a mode the original API accepted:
// "Manager+", "Manager +", "Client+", "Client +", "Диалог", "Dialog",
// ignoring case and spaces. An empty string is ModeManager. Anything else is
// a KindInvalid error that lists the accepted values, on the field "Mode"
// (the Go name of the mode in score.Request and audit.Input; a server
// renames it to its own field, e.g. content_mode).
func ParseMode(s string) (Mode, error) {
	key := strings.ToLower(strings.Join(strings.Fields(s), ""))
	switch key {
	case "", "manager+":
		return ModeManager, nil
	case "client+":
		return ModeClient, nil
	case "диалог", "dialog", "dialogue":
		return ModeDialog, nil
	}
	value, accepted := quote(s), strings.Join(AcceptedModeSpellings, ", ")
	return "", callaudit.Invalid(callaudit.FieldError{
		Field:   "Mode",
		Message: "unknown mode " + value + "; accepted values: " + accepted,
		Code:    callaudit.CodeModeUnknown,
		Params:  map[string]string{"value": value, "accepted": accepted},
	})
}

// String returns the canonical spelling.
func (m Mode) String() string { return string(m) }

// Valid reports whether m is one of the canonical modes.
func (m Mode) Valid() bool {
	for _, v := range Modes {
		if m == v {
			return true
		}
	}
	return false
}

func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
