package bitrix24

import (
	"crypto/subtle"
	"net/url"
	"strconv"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
)

// EventCallEnd is the event the intake acts on: «triggered when a call
// ends and information about the call is recorded in the history».
const EventCallEnd = "ONVOXIMPLANTCALLEND"

// Event is what the intake reads from one Bitrix24 event: the envelope's
// event name and auth, and the data of ONVOXIMPLANTCALLEND
// (on-voximplant-call-end.md, «Parameter data»).
type Event struct {
	Name     string
	MemberID string
	// Token is auth[application_token]; never logged.
	Token string

	CallID     string
	CallType   int
	Phone      string
	UserID     string
	Duration   int
	FailedCode string
	StartDate  string
}

// ParseEvent reads a form-encoded event body (event=…&data[CALL_ID]=…&
// auth[member_id]=…). A body that is not a form, or an event without a
// name, is KindInvalid; the data of other events is read as far as it
// goes.
func ParseEvent(body []byte) (Event, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return Event{}, callaudit.Errorf(callaudit.KindInvalid, "the Bitrix24 event is not form-encoded")
	}
	ev := Event{
		Name:     strings.ToUpper(strings.TrimSpace(v.Get("event"))),
		MemberID: v.Get("auth[member_id]"), Token: v.Get("auth[application_token]"),
		CallID: v.Get("data[CALL_ID]"), Phone: v.Get("data[PHONE_NUMBER]"), UserID: v.Get("data[PORTAL_USER_ID]"),
		FailedCode: v.Get("data[CALL_FAILED_CODE]"), StartDate: v.Get("data[CALL_START_DATE]"),
	}
	if ev.Name == "" {
		return Event{}, callaudit.Errorf(callaudit.KindInvalid, "the Bitrix24 event has no event name")
	}
	ev.CallType, _ = strconv.Atoi(v.Get("data[CALL_TYPE]"))
	ev.Duration, _ = strconv.Atoi(v.Get("data[CALL_DURATION]"))
	return ev, nil
}

// Tokens holds the application token of each portal (auth[member_id]) the
// intake accepts events from. It is safe for concurrent use once built.
type Tokens struct {
	byMember map[string]string
}

// ParseTokens reads "member_id=token" pairs separated by commas (the
// AUDIT_INTAKE_BITRIX24_TOKENS setting). Errors are KindInvalid and never
// show a token.
func ParseTokens(s string) (Tokens, error) {
	// The same form as the manager table; its error would quote the item,
	// a token, so it is replaced.
	pairs, err := intake.ParseManagers(s)
	if err != nil {
		return Tokens{}, callaudit.Invalid(callaudit.FieldError{Field: "Tokens",
			Message: "must be member_id=application_token pairs separated by commas"})
	}
	if len(pairs) == 0 {
		return Tokens{}, callaudit.Invalid(callaudit.FieldError{Field: "Tokens", Message: "is required: the outbound webhook's application token per portal member_id"})
	}
	return Tokens{byMember: pairs}, nil
}

// Check compares the event's application token with the one kept for its
// member_id in constant time, as «Security in Handlers» asks («Retrieve the
// retained application_token by auth.member_id; compare…; if the tokens do
// not match, return code 403»). An unknown member, a missing or wrong
// token are KindForbidden (the documented 403) without saying which.
func (t Tokens) Check(ev Event) error {
	want, known := t.byMember[ev.MemberID]
	if !known {
		// Compare anyway, so that timing does not tell members apart.
		want = strings.Repeat("\x00", len(ev.Token)+1)
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(ev.Token)) != 1 || !known || ev.Token == "" {
		return callaudit.Errorf(callaudit.KindForbidden, "the Bitrix24 event's application token does not match the portal's")
	}
	return nil
}

// Secrets are the tokens, for redaction.
func (t Tokens) Secrets() []string {
	out := make([]string, 0, len(t.byMember))
	for _, tok := range t.byMember {
		out = append(out, tok)
	}
	return out
}

// Missed reports why a call has nothing to audit, or "" when it has: a
// CALL_FAILED_CODE other than 200 (304 missed, 486 busy, 603 declined…) or
// no seconds of conversation.
func Missed(failedCode string, duration int) string {
	switch {
	case failedCode != "" && failedCode != "200":
		return "missed"
	case duration <= 0:
		return "no_conversation"
	}
	return ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}
