package storage

import (
	"context"
	"time"
)

// Deleter is implemented by stores that can delete calls, for erasure on
// request and for retention. Callers type-assert.
//
// Contract (checked by storagetest.Run when the store implements it):
//   - Delete removes the call with id and everything the store keeps for
//     it (e.g. per-criterion rows): afterwards Get is KindNotFound and the
//     call counts in no List or Stats. An unknown id is KindNotFound.
//   - DeleteBefore removes at most limit calls created before t, oldest
//     first, and returns their ids; a caller repeats it until fewer than
//     limit come back, so that each batch is a short transaction that
//     does not hold the database. limit < 1 is KindInvalid.
//   - An empty id is KindInvalid; a done ctx fails as in every method.
type Deleter interface {
	Delete(ctx context.Context, id string) error
	DeleteBefore(ctx context.Context, t time.Time, limit int) (ids []string, err error)
}
