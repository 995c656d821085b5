package memory

import (
	"context"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// Create saves c unless a call with its ID exists, under the write lock,
// so that the look and the insert are one step.
func (s *Store) Create(ctx context.Context, c storage.Call) (storage.Call, bool, error) {
	if err := ctxErr(ctx, "memory.Create"); err != nil {
		return storage.Call{}, false, err
	}
	if c.ID == "" {
		return storage.Call{}, false, callaudit.Invalid(callaudit.FieldError{Field: "call_id", Message: "is required"})
	}
	c = cloneCall(c)
	now := s.now().UTC()
	c.UpdatedAt = now

	s.mu.Lock()
	e, exists := s.byID[c.ID]
	var stored storage.Call
	if exists {
		stored = e.call
	} else {
		stored = s.put(c, now)
	}
	s.mu.Unlock()
	// Stored reports are never changed in place, so copying outside the
	// lock is safe (as in Get).
	return cloneCall(stored), !exists, nil
}

// Update changes the call with id through fn under the write lock.
func (s *Store) Update(ctx context.Context, id string, fn func(*storage.Call) error) (storage.Call, error) {
	if err := ctxErr(ctx, "memory.Update"); err != nil {
		return storage.Call{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return storage.Call{}, storage.NotFound(id)
	}
	// fn gets its own copy: a change it makes and then declines (by
	// returning an error) must not reach the store.
	c := cloneCall(e.call)
	if err := fn(&c); err != nil {
		return storage.Call{}, err
	}
	if c.ID != id {
		return storage.Call{}, callaudit.Invalid(callaudit.FieldError{Field: "call_id", Message: "cannot be changed by an update"})
	}
	// fn's value may share memory with what it captured; the store keeps
	// a copy of its own.
	now := s.now().UTC()
	c = cloneCall(c)
	c.UpdatedAt = now
	return cloneCall(s.put(c, now)), nil
}
