package memory

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

var _ storage.EventLog = (*Store)(nil)

// events holds the intake's events (storage.EventLog) by vendor and call.
type events struct {
	mu     sync.Mutex
	byCall map[[2]string][]storage.IntakeEvent
}

// NoteEvent records e unless the same or a newer event of its kind is kept.
func (s *Store) NoteEvent(ctx context.Context, e storage.IntakeEvent) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, callaudit.Wrap(err, callaudit.KindCanceled, "memory.NoteEvent", "the request was canceled")
	}
	if err := e.Check(); err != nil {
		return false, err
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.Data = slices.Clone(e.Data)
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	if s.ev.byCall == nil {
		s.ev.byCall = map[[2]string][]storage.IntakeEvent{}
	}
	key := [2]string{e.Vendor, e.CallKey}
	list := s.ev.byCall[key]
	for i, old := range list {
		if old.Kind != e.Kind {
			continue
		}
		if old.Seq >= e.Seq {
			return false, nil
		}
		list[i] = e
		return true, nil
	}
	s.ev.byCall[key] = append(list, e)
	return true, nil
}

// CallEvents returns the events of one call, oldest first.
func (s *Store) CallEvents(ctx context.Context, vendor, callKey string) ([]storage.IntakeEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindCanceled, "memory.CallEvents", "the request was canceled")
	}
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	list := s.ev.byCall[[2]string{vendor, callKey}]
	out := make([]storage.IntakeEvent, 0, len(list))
	for _, e := range list {
		e.Data = slices.Clone(e.Data)
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b storage.IntakeEvent) int { return a.At.Compare(b.At) })
	return out, nil
}

// DeleteEventsBefore removes the events received before t.
func (s *Store) DeleteEventsBefore(ctx context.Context, t time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, callaudit.Wrap(err, callaudit.KindCanceled, "memory.DeleteEventsBefore", "the request was canceled")
	}
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	n := 0
	for key, list := range s.ev.byCall {
		kept := slices.DeleteFunc(list, func(e storage.IntakeEvent) bool { return e.At.Before(t) })
		n += len(list) - len(kept)
		if len(kept) == 0 {
			delete(s.ev.byCall, key)
		} else {
			s.ev.byCall[key] = kept
		}
	}
	return n, nil
}
