package sqlstore

import (
	"context"
	"time"

	"github.com/callaudit/callaudit/storage"
)

var _ storage.EventLog = (*Store)(nil)

// NoteEvent records e (table intake_events) unless an event of the same
// vendor, call and kind with a seq at least e's is kept: one upsert
// whose update applies only to a higher seq, so concurrent notes of one
// event record it once.
func (s *Store) NoteEvent(ctx context.Context, e storage.IntakeEvent) (bool, error) {
	if err := e.Check(); err != nil {
		return false, err
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	res, err := s.write.ExecContext(ctx, s.dialect.rebind(`INSERT INTO intake_events (vendor, call_key, kind, seq, data, at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (vendor, call_key, kind) DO UPDATE SET seq = excluded.seq, data = excluded.data, at = excluded.at
WHERE intake_events.seq < excluded.seq`), e.Vendor, e.CallKey, e.Kind, e.Seq, string(e.Data), s.dialect.timeArg(e.At))
	if err != nil {
		return false, s.translate("NoteEvent", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, s.translate("NoteEvent", err)
	}
	return n > 0, nil
}

// CallEvents returns the events of one call, oldest first.
func (s *Store) CallEvents(ctx context.Context, vendor, callKey string) ([]storage.IntakeEvent, error) {
	const q = "SELECT vendor, call_key, kind, seq, data, at FROM intake_events WHERE vendor = ? AND call_key = ? ORDER BY at, kind"
	return queryAll(ctx, s, "CallEvents", q, []any{vendor, callKey}, func(r rowScanner) (storage.IntakeEvent, error) {
		var (
			e    storage.IntakeEvent
			data string
			at   timeValue
		)
		err := r.Scan(&e.Vendor, &e.CallKey, &e.Kind, &e.Seq, &data, &at)
		e.Data, e.At = []byte(data), at.t
		return e, err
	})
}

// DeleteEventsBefore removes the events received before t.
func (s *Store) DeleteEventsBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := s.write.ExecContext(ctx, s.dialect.rebind("DELETE FROM intake_events WHERE at < ?"), s.dialect.timeArg(t))
	if err != nil {
		return 0, s.translate("DeleteEventsBefore", err)
	}
	n, err := res.RowsAffected()
	return int(n), s.translate("DeleteEventsBefore", err)
}
