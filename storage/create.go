package storage

import "context"

// Creator is implemented by stores that can insert a call only when its ID
// is new, atomically. Callers type-assert; without it, "save unless it
// exists" is a Get then a Save, and a Save from elsewhere between the two
// is overwritten (adapters/queue accepts webhooks through Create so that a
// resend can never write "queued" over a finished call).
//
// Contract (checked by storagetest.Run when the store implements it):
//   - Create saves call, as Save would, when no call with its ID exists,
//     and returns it as stored (CreatedAt and UpdatedAt set) with
//     created=true.
//   - Otherwise it leaves the store unchanged and returns the stored call
//     with created=false.
//   - Of any number of concurrent Creates of one ID exactly one reports
//     created=true, and all return that call.
//   - An empty ID is KindInvalid; a done ctx fails as in every method.
type Creator interface {
	Create(ctx context.Context, call Call) (stored Call, created bool, err error)
}

// Updater is implemented by stores that can change one call atomically:
// read it, let the caller change it, and write it back with no other
// write of that call in between. Callers type-assert; without it a
// read-modify-write (a Get, then a Save) may lose a concurrent change
// (adapters/queue uses Update so that a call's status never moves back
// from done or failed, and so that delivery notes of several processes
// add up).
//
// Contract (checked by storagetest.Run when the store implements it):
//   - Update gives fn a copy of the stored call with id and saves what fn
//     leaves, as Save would (CreatedAt kept, UpdatedAt set), returning the
//     call as stored. Saves, Creates and Updates of the same call never
//     take effect between the read and the write.
//   - When fn returns an error the store is unchanged and Update returns
//     that error as it is (errors.Is and errors.As see it), so fn can
//     decline a change with a sentinel of its own.
//   - fn changing the ID is KindInvalid; an unknown id is KindNotFound and
//     fn is not called; a done ctx fails as in every method.
//   - fn must not call the store (it may run under the store's lock) and
//     must depend only on its argument: a store may call it again after a
//     conflict.
type Updater interface {
	Update(ctx context.Context, id string, fn func(*Call) error) (Call, error)
}
