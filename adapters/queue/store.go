package queue

import (
	"context"
	"errors"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// errSettled declines a status change of a call that is already done or
// failed: a status never moves back from there.
var errSettled = errors.New("queue: the call is already done or failed")

func settled(s storage.Status) bool {
	return s == storage.StatusDone || s == storage.StatusFailed
}

// create saves call unless its id is known, and returns the stored call.
// With a storage.Creator this is one atomic step. Without one it is a Get
// then a Save, and a save of the same call from elsewhere between the two
// is overwritten: a resend that reads before the first request saves, and
// saves after the whole analysis, writes "queued" over "done".
func (q *Queue) create(ctx context.Context, call storage.Call) (storage.Call, bool, error) {
	if c, ok := q.store.(storage.Creator); ok {
		return c.Create(ctx, call)
	}
	existing, err := q.store.Get(ctx, call.ID)
	switch {
	case err == nil:
		return existing, false, nil
	case callaudit.KindOf(err) != callaudit.KindNotFound:
		return storage.Call{}, false, err
	}
	if err := q.store.Save(ctx, call); err != nil {
		return storage.Call{}, false, err
	}
	return call, true, nil
}

// change reads the call with id, lets fn change it and saves it; fn's
// error declines the change and is returned as it is. With a
// storage.Updater this is atomic. Without one it is a Get then a Save,
// serialised in this process only: another process's save between the
// two is overwritten.
func (q *Queue) change(ctx context.Context, id string, fn func(*storage.Call) error) (storage.Call, error) {
	if u, ok := q.store.(storage.Updater); ok {
		return u.Update(ctx, id, fn)
	}
	q.changeMu.Lock()
	defer q.changeMu.Unlock()
	call, err := q.store.Get(ctx, id)
	if err != nil {
		return storage.Call{}, err
	}
	if err := fn(&call); err != nil {
		return storage.Call{}, err
	}
	if err := q.store.Save(ctx, call); err != nil {
		return storage.Call{}, err
	}
	return call, nil
}

// setStatus moves a call that is not yet done or failed to status; a
// call that is returns errSettled and is left alone.
func (q *Queue) setStatus(ctx context.Context, id string, status storage.Status, reason string) (storage.Call, error) {
	var seen storage.Call
	call, err := q.change(ctx, id, func(c *storage.Call) error {
		if settled(c.Status) {
			seen = *c
			return errSettled
		}
		c.Status, c.StatusReason = status, reason
		return nil
	})
	if errors.Is(err, errSettled) {
		return seen, err
	}
	return call, err
}
