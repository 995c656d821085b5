package memory

import (
	"context"
	"math"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

var _ storage.Deleter = (*Store)(nil)

// Delete removes the call with id; an unknown id is KindNotFound.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctxErr(ctx, "memory.Delete"); err != nil {
		return err
	}
	if id == "" {
		return callaudit.Invalid(callaudit.FieldError{Field: "call_id", Message: "is required"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return storage.NotFound(id)
	}
	s.remove(e)
	return nil
}

// DeleteBefore removes up to limit calls created before t, oldest first.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time, limit int) ([]string, error) {
	if err := ctxErr(ctx, "memory.DeleteBefore"); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "limit", Message: "must be at least 1"})
	}
	before := t.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	var old []*entry
	s.all.ascend(key{at: math.MinInt64}, func(e *entry) bool {
		if e.at >= before || len(old) == limit {
			return false
		}
		old = append(old, e)
		return true
	})
	ids := make([]string, len(old))
	for i, e := range old {
		ids[i] = e.id
		s.remove(e)
	}
	return ids, nil
}

// remove drops e from every index. The caller holds the write lock.
func (s *Store) remove(e *entry) {
	delete(s.byID, e.id)
	delete(s.transcripts, e.id) // a checkpoint is personal data too
	delete(s.reviews, e.id)
	delete(s.reports, e.id) // so are earlier reports
	s.all.remove(e)
	m := e.call.ManagerID
	s.managerIndex(m).remove(e)
	if s.byManager[m].len() == 0 {
		delete(s.byManager, m)
	}
}
