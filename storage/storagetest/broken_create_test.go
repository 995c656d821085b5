package storagetest_test

import (
	"context"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

// Broken Creators and Updaters the kit must fail (see brokenStores).

// createOverwrites saves whatever it is given, as a Create that forgot
// ON CONFLICT DO NOTHING would.
type createOverwrites struct{ *memory.Store }

func (s createOverwrites) Create(ctx context.Context, c storage.Call) (storage.Call, bool, error) {
	if err := s.Save(ctx, c); err != nil {
		return storage.Call{}, false, err
	}
	stored, err := s.Get(ctx, c.ID)
	return stored, err == nil, err
}

// racyCreate looks, then saves, with a pause between the two, as a
// Create outside a transaction would.
type racyCreate struct{ *memory.Store }

func (s racyCreate) Create(ctx context.Context, c storage.Call) (storage.Call, bool, error) {
	stored, err := s.Get(ctx, c.ID)
	if err == nil {
		return stored, false, nil
	}
	if callaudit.KindOf(err) != callaudit.KindNotFound {
		return storage.Call{}, false, err
	}
	time.Sleep(time.Millisecond)
	if err := s.Save(ctx, c); err != nil {
		return storage.Call{}, false, err
	}
	stored, err = s.Get(ctx, c.ID)
	return stored, err == nil, err
}

// racyUpdate reads, changes and saves, with a pause before the save, as
// an Update without a row lock would.
type racyUpdate struct{ *memory.Store }

func (s racyUpdate) Update(ctx context.Context, id string, fn func(*storage.Call) error) (storage.Call, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return storage.Call{}, err
	}
	if err := fn(&c); err != nil {
		return storage.Call{}, err
	}
	time.Sleep(time.Millisecond)
	if err := s.Save(ctx, c); err != nil {
		return storage.Call{}, err
	}
	return s.Get(ctx, id)
}
