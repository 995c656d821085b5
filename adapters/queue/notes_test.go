package queue_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

// noteHolder holds the first delivery note of a done call between its
// read and its write: the fallback's Save of a note, or an Update of a
// done call (which, with storage.Updater, is only ever a note).
type noteHolder struct{ *pauser }

func (h noteHolder) Save(ctx context.Context, c storage.Call) error {
	if c.Status == storage.StatusDone && strings.Contains(c.StatusReason, "delivered") {
		h.holdOnce()
	}
	return h.Store.Save(ctx, c)
}

// atomicNoteHolder is a noteHolder that forwards storage.Creator and
// storage.Updater.
type atomicNoteHolder struct{ noteHolder }

func (h atomicNoteHolder) Create(ctx context.Context, c storage.Call) (storage.Call, bool, error) {
	return h.Store.(storage.Creator).Create(ctx, c)
}

func (h atomicNoteHolder) Update(ctx context.Context, id string, fn func(*storage.Call) error) (storage.Call, error) {
	if c, err := h.Store.Get(ctx, id); err == nil && c.Status == storage.StatusDone {
		h.holdOnce()
	}
	return h.Store.(storage.Updater).Update(ctx, id, fn)
}

// gated is a write-back target whose delivery waits until the test opens
// it, so that its own note stays out of the way.
type gated struct{ open chan struct{} }

func (g gated) Name() string { return "crm" }

func (g gated) Notify(ctx context.Context, _ storage.Call) error {
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// With several targets, another process's note written while this
// process's note is between its read and its write must stay. The
// fallback (no storage.Updater) loses it, which shows that the schedule
// really is the race.
func TestDeliveryNotesOfTwoProcessesAddUp(t *testing.T) {
	for _, rs := range raceStores() {
		for _, atomic := range []bool{true, false} {
			name := rs.name + "/updater"
			if !atomic {
				name = rs.name + "/fallback"
			}
			t.Run(name, func(t *testing.T) {
				var (
					h     noteHolder
					under storage.Store
				)
				crm := gated{open: make(chan struct{})}
				e := newEnv(t, setup{dsn: rs.fresh(t), extra: []writeback.Notifier{crm}, wrap: func(s storage.Store) storage.Store {
					under = s
					if rs.memory {
						under = memory.New()
					}
					h = noteHolder{newPauser(under, "")}
					if atomic {
						return atomicNoteHolder{h}
					}
					return h
				}})
				h.releaseAtEnd(t)
				// Registered after the env's, so it runs first: the crm's
				// delivery ends before the queue is stopped.
				t.Cleanup(func() { close(crm.open) })
				ctx := context.Background()
				_, _, err := e.q.EnqueueCall(ctx, input("n"), "")
				require.NoError(t, err)
				<-h.paused // this process's first note is held

				// Another process delivers to the crm meanwhile and notes it.
				other, err := under.Get(ctx, "n")
				require.NoError(t, err)
				other.StatusReason = "crm: delivered"
				require.NoError(t, under.Save(ctx, other))
				close(h.release)

				got := e.waitFor(t, "n", storage.StatusDone, "*queue_test.notifier: delivered")
				if !atomic {
					assert.NotContains(t, got.StatusReason, "crm: delivered", "without Updater the other note is overwritten")
					return
				}
				assert.Equal(t, "crm: delivered | *queue_test.notifier: delivered", got.StatusReason)
				require.NotNil(t, got.Report, "the report survives the notes")
			})
		}
	}
}
