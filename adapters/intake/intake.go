package intake

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/crmref"
	"github.com/callaudit/callaudit/transcribe"
)

// Vendor is one telephony system's side of the intake. A vendor package
// (adapters/intake/mango is the model) implements it; the framework does
// everything else.
//
// Contract: safe for concurrent use. Receive is called with the request's
// raw body, read and bounded by the framework; it must verify the
// vendor's signature over those bytes (constant-time, see Equal) before
// it trusts a field, and return an error made by Unauthorized when the
// signature is missing or wrong, or one made by Malformed for a body it
// cannot read. Fetch downloads an accepted call's recording; it returns
// an error made by NotReady when the vendor does not have the recording
// yet (the job polls again after that delay), a transient error
// (callaudit.IsTransient: rate limits, 5xx, timeouts) to retry with
// backoff, anything else to fail the call.
type Vendor interface {
	// Name is the vendor's short name, lower case: the route
	// (/intake/{name}/...), the metrics label, the prefix of its call ids
	// and the Vendor of its kept events.
	Name() string
	// Settings are the settings every vendor has (embed Common in the
	// vendor's Config to get this method).
	Settings() Common
	// Receive authenticates and reads one request.
	Receive(r *http.Request, body []byte) (Event, error)
	// Fetch downloads the recording the call was accepted with. release
	// frees what the audio holds (a temporary file).
	Fetch(ctx context.Context, rec Recording) (audio transcribe.Audio, release func(), err error)
}

// Event is what one request of the vendor says.
type Event struct {
	// Kind names the event within its call, with whatever makes it unique
	// there: "summary", "recording:<leg id>". With the vendor and CallKey
	// it is the key under which duplicates and late events are dropped.
	// Empty means the request is no event (a connection check): it is
	// answered (Reply) and nothing is kept.
	Kind string
	// CallKey is the vendor's id of the whole call, which all its events
	// share (Mango's entry_id, Zadarma's pbx_call_id). The call id in the
	// history is the vendor's name, "-" and CallKey, after the CRM record
	// when Facts.CRM names one ("deal-77:bitrix24-...").
	CallKey string
	// Seq orders the events of one Kind within the call, as the vendor
	// numbers them: an event with a Seq at most one already kept is
	// dropped. 0 when the vendor numbers none: then the first one stays
	// and a resend is dropped.
	Seq int64
	// Facts is what the event says about the call. The facts of a call's
	// kept events are joined, oldest first, a later event's non-zero
	// field replacing an earlier one's.
	Facts Facts
	// Recording, when set, says the recording is ready to download: its
	// vendor id (Mango's recording_id, Zadarma's call_id_with_rec). Such
	// an event accepts the call: it is recorded as queued with a job that
	// downloads, transcribes, scores and writes back.
	Recording string
	// Await, on an event with Recording, names the Kinds of the call's
	// event whose facts the call needs (Zadarma's NOTIFY_END, which names
	// the extension), for a vendor that sends the two in no documented
	// order. The call is accepted at once all the same, so that it is
	// never lost to an awaited event that does not come; while none of
	// them is kept, its job waits (AwaitDelay, up to AwaitWait) before
	// downloading, and takes the manager from the facts kept by then.
	Await []string
	// Reply writes the answer when set; nil answers 200 with {"ok":true}.
	// Write only the status and body (the vendor's documented answer,
	// Zadarma's echo of zd_echo).
	Reply func(w http.ResponseWriter)
}

// Direction of a call, from the company's side.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
	Internal Direction = "internal"
)

// Facts are what the intake knows about a call, joined from its events.
// Zero fields are unknown.
type Facts struct {
	Direction Direction `json:"direction,omitempty"`
	// Employee is the vendor's id of the company's side of the call: an
	// extension, a user id. Common.Managers maps it to a manager_id.
	Employee string `json:"employee,omitempty"`
	// Phone is the other party's number.
	Phone string `json:"phone,omitempty"`
	// Talk is how long the parties talked; NoTalk says they did not (a
	// missed, busy or failed call).
	Talk   time.Duration `json:"talk,omitempty"`
	NoTalk bool          `json:"no_talk,omitempty"`
	// Skip is a reason, given by the vendor, that there is nothing to
	// audit (ReasonNotRecorded: the recording was not made or not kept).
	Skip Reason `json:"skip,omitempty"`
	// CRM is the CRM record the call belongs to, when the vendor says
	// (Bitrix24's CRM_ENTITY_TYPE and CRM_ENTITY_ID): the write-back
	// adapters (adapters/writeback) find it in the call id.
	CRM *crmref.Ref `json:"crm,omitempty"`
	// Started is when the call began.
	Started time.Time `json:"started,omitzero"`
}

// join lays later's non-zero fields over f.
func (f Facts) join(later Facts) Facts {
	if later.Direction != "" {
		f.Direction = later.Direction
	}
	if later.Employee != "" {
		f.Employee = later.Employee
	}
	if later.Phone != "" {
		f.Phone = later.Phone
	}
	if later.Talk > 0 {
		f.Talk = later.Talk
	}
	f.NoTalk = f.NoTalk || later.NoTalk
	if later.Skip != "" {
		f.Skip = later.Skip
	}
	if later.CRM != nil {
		f.CRM = later.CRM
	}
	if !later.Started.IsZero() {
		f.Started = later.Started
	}
	return f
}

// Reason is why a call is not audited: the label of the skipped-calls
// counter (callaudit_intake_skipped_total).
type Reason string

// Reasons to skip a call.
const (
	// ReasonMissed: nobody talked (missed, busy, failed, no answer).
	ReasonMissed Reason = "missed"
	// ReasonTooShort: the talk was shorter than Common.MinTalk, or the
	// vendor did not keep a recording for being too short.
	ReasonTooShort Reason = "too_short"
	// ReasonNotRecorded: the vendor made or kept no recording.
	ReasonNotRecorded Reason = "not_recorded"
	// ReasonNeverReady: the recording did not become downloadable within
	// Common.MaxWait.
	ReasonNeverReady Reason = "never_ready"
)

// skipReason is why a call with facts f is not audited, or "".
func (f Facts) skipReason(minTalk time.Duration) Reason {
	switch {
	case f.Skip != "":
		return f.Skip
	case f.NoTalk:
		return ReasonMissed
	case f.Talk > 0 && f.Talk < minTalk:
		return ReasonTooShort
	}
	return ""
}

// Recording is what a job knows of the recording it downloads: what the
// accepting event said, and how often it was not ready yet.
type Recording struct {
	Vendor  string `json:"vendor"`
	CallKey string `json:"call_key"`
	// ID is the vendor's recording id (Event.Recording).
	ID string `json:"recording"`
	// CallID is the call's id in the history.
	CallID string `json:"call_id"`
	// AcceptedAt is when the event that accepted the call arrived.
	AcceptedAt time.Time `json:"accepted_at"`
	// Polls is how many times the recording was not ready yet.
	Polls int `json:"-"`
	// Await is the accepting event's Await when none of those events
	// was kept yet.
	Await []string `json:"await,omitempty"`
}

// Common are the settings every vendor has: embed it in the vendor's
// Config, and Settings is the vendor's.
type Common struct {
	// Managers maps the vendor's employee ids (Facts.Employee: an
	// extension, a user id) to manager_ids. An employee not in it is
	// recorded as "<vendor>:<employee>", so no call is lost and the table
	// can be completed later.
	Managers map[string]string
	// MinTalk skips calls whose talk was shorter (ReasonTooShort); 0 is
	// DefaultMinTalk.
	MinTalk time.Duration
	// PollDelay is how long a job waits before asking again for a
	// recording that is not ready; 0 is the vendor's documented delay.
	PollDelay time.Duration
	// MaxWait is how long after the event a recording may take to become
	// ready before the call fails (ReasonNeverReady); 0 is DefaultMaxWait.
	MaxWait time.Duration
	// Mode and Language are the audit's (empty: Manager+, the dialog's).
	Mode, Language string
}

// Settings returns c: what Vendor.Settings asks of a Config embedding it.
func (c Common) Settings() Common { return c }

// Defaults of a zero Common.
const (
	DefaultMinTalk = 5 * time.Second
	DefaultMaxWait = 2 * time.Hour
)

// A call accepted before an event it awaits (Event.Await) is downloaded
// once that event is kept, or AwaitWait after the call was accepted
// without it (the manager is then unknown, and no call is lost); its job
// asks again every AwaitDelay meanwhile.
const (
	AwaitWait  = 10 * time.Minute
	AwaitDelay = 15 * time.Second
)

// managerOf maps an employee to a manager_id.
func (c Common) managerOf(vendor, employee string) string {
	if employee == "" {
		return ""
	}
	if m, ok := c.Managers[employee]; ok {
		return m
	}
	return vendor + ":" + employee
}

// ParseManagers reads a table of employees and managers written
// "101=ivanov,102=petrova" (the form of the AUDIT_INTAKE_*_MANAGERS
// variables); spaces around items are ignored.
func ParseManagers(s string) (map[string]string, error) {
	out := map[string]string{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		emp, mgr, ok := strings.Cut(item, "=")
		emp, mgr = strings.TrimSpace(emp), strings.TrimSpace(mgr)
		if !ok || emp == "" || mgr == "" {
			return nil, callaudit.Errorf(callaudit.KindInvalid, "the manager table item %q is not employee=manager_id", item)
		}
		out[emp] = mgr
	}
	return out, nil
}

// notReady is the error of NotReady.
type notReady struct {
	after time.Duration
	why   string
}

func (e *notReady) Error() string { return "the recording is not ready yet: " + e.why }

// NotReady is Vendor.Fetch's error for a recording the vendor does not
// have yet (why says what it answered): the job asks again after
// Common.PollDelay, or after the vendor's documented delay after when
// PollDelay is 0.
func NotReady(after time.Duration, why string) error { return &notReady{after: after, why: why} }

// IsNotReady reports whether err is NotReady's, and the delay it asks.
func IsNotReady(err error) (time.Duration, bool) {
	var nr *notReady
	if errors.As(err, &nr) {
		return nr.after, true
	}
	return 0, false
}

// Unauthorized is Vendor.Receive's error for a request whose signature is
// missing or wrong; msg says which, without the secret or the expected
// value.
func Unauthorized(msg string) error {
	return callaudit.Errorf(callaudit.KindUnauthorized, "%s", msg)
}

// Malformed is Vendor.Receive's error for a body it cannot read.
func Malformed(msg string) error {
	return callaudit.Errorf(callaudit.KindMalformed, "%s", msg)
}
