package storage

import (
	"context"
	"time"

	"github.com/callaudit/callaudit"
)

// IntakeEvent is one event a telephony system (a PBX, a CRM's telephony)
// sent about a call, as the intake (adapters/intake) keeps it: to drop the
// same event sent again or an older one arriving late, and to join the
// events of one call (Mango's call summary and its recording, say).
type IntakeEvent struct {
	// Vendor names the system ("mango", "zadarma").
	Vendor string
	// CallKey is the system's id of the call, which its events share
	// (Mango's entry_id, Zadarma's pbx_call_id).
	CallKey string
	// Kind is the event's kind within the call, with whatever makes it
	// unique there ("summary", "recording:<leg>").
	Kind string
	// Seq orders events of one Vendor, CallKey and Kind; 0 when the
	// system numbers none.
	Seq int64
	// Data is what the intake took from the event (JSON).
	Data []byte
	// At is when the event was received; zero is the store's now.
	At time.Time
}

// EventLog is implemented by stores that keep the intake's events.
// Callers type-assert.
//
// Contract (checked by storagetest.RunEventLog): safe for concurrent use;
// NoteEvent records e and returns true unless an event with the same
// Vendor, CallKey and Kind is kept whose Seq is at least e.Seq (the same
// event again, or an older one late): then it keeps what it has and
// returns false, atomically, so that of concurrent notes of one event
// exactly one returns true; an empty Vendor, CallKey or Kind is
// KindInvalid. CallEvents returns a call's events (none is not an error),
// oldest first. DeleteEventsBefore removes events received before t and
// returns how many (the retention of personal data: events hold phone
// numbers).
type EventLog interface {
	NoteEvent(ctx context.Context, e IntakeEvent) (bool, error)
	CallEvents(ctx context.Context, vendor, callKey string) ([]IntakeEvent, error)
	DeleteEventsBefore(ctx context.Context, t time.Time) (int, error)
}

// Check reports an event without its keys (Vendor, CallKey, Kind) as
// KindInvalid: NoteEvent's check, shared by the stores.
func (e IntakeEvent) Check() error {
	var fe []callaudit.FieldError
	for _, f := range []struct{ name, v string }{{"vendor", e.Vendor}, {"call_key", e.CallKey}, {"kind", e.Kind}} {
		if f.v == "" {
			fe = append(fe, callaudit.FieldError{Field: f.name, Message: "is required"})
		}
	}
	if fe != nil {
		return callaudit.Invalid(fe...)
	}
	return nil
}
