package queue_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// pauser holds the first Get, Create or Update of one call id until the
// test releases it: a Get after it has read (a request that read, then
// stalled), a Create or an Update before it writes (a request that
// stalled, then writes). Only the Store methods are forwarded, so the
// queue falls back to its read-then-save path.
type pauser struct {
	storage.Store
	id      string
	first   atomic.Bool
	paused  chan struct{}
	release chan struct{}
}

func newPauser(s storage.Store, id string) *pauser {
	return &pauser{Store: s, id: id, paused: make(chan struct{}), release: make(chan struct{})}
}

func (p *pauser) hold(id string) {
	if id == p.id {
		p.holdOnce()
	}
}

// holdOnce holds the first caller until the test releases it.
func (p *pauser) holdOnce() {
	if p.first.CompareAndSwap(false, true) {
		close(p.paused)
		<-p.release
	}
}

// releaseAtEnd releases a held request when the test ends, so that a
// failed test does not leave one behind.
func (p *pauser) releaseAtEnd(t *testing.T) {
	t.Cleanup(func() {
		select {
		case <-p.release:
		default:
			close(p.release)
		}
	})
}

func (p *pauser) Get(ctx context.Context, id string) (storage.Call, error) {
	c, err := p.Store.Get(ctx, id)
	p.hold(id)
	return c, err
}

// atomicPauser is a pauser that also forwards storage.Creator and
// storage.Updater, so the queue uses them.
type atomicPauser struct{ *pauser }

func (p atomicPauser) Create(ctx context.Context, c storage.Call) (storage.Call, bool, error) {
	p.hold(c.ID)
	return p.Store.(storage.Creator).Create(ctx, c)
}

func (p atomicPauser) Update(ctx context.Context, id string, fn func(*storage.Call) error) (storage.Call, error) {
	p.hold(id)
	return p.Store.(storage.Updater).Update(ctx, id, fn)
}

// raceStore is one store under the race tests: the memory store, or the
// SQL store the env opened on the backend's database.
type raceStore struct {
	name  string
	fresh func(t *testing.T) string
	// memory replaces the SQL store by a memory one (the queue still
	// needs a database of its own).
	memory bool
}

func raceStores() []raceStore {
	out := []raceStore{{name: "memory", fresh: backends()[0].fresh, memory: true}}
	for _, b := range backends() {
		out = append(out, raceStore{name: b.name, fresh: b.fresh})
	}
	return out
}

// raceEnv starts an env whose store is rs's, behind a pauser of id that
// forwards Creator and Updater when atomic is set.
func raceEnv(t *testing.T, rs raceStore, id string, atomic, start bool) (*env, *pauser, storage.Store) {
	var p *pauser
	var under storage.Store
	e := newEnv(t, setup{dsn: rs.fresh(t), noStart: !start, wrap: func(s storage.Store) storage.Store {
		under = s
		if rs.memory {
			under = memory.New()
		}
		p = newPauser(under, id)
		if atomic {
			return atomicPauser{p}
		}
		return p
	}})
	p.releaseAtEnd(t)
	return e, p, under
}

// A resend that reads the history before the first request saves the
// call, and writes only after the whole analysis, must not write queued
// over done. The same schedule on a store without storage.Creator does
// (the documented limit of the fallback), which shows that the schedule
// really is the race.
func TestResendDuringAnalysisKeepsDone(t *testing.T) {
	for _, rs := range raceStores() {
		for _, atomic := range []bool{true, false} {
			name := rs.name + "/creator"
			if !atomic {
				name = rs.name + "/fallback"
			}
			t.Run(name, func(t *testing.T) {
				e, p, _ := raceEnv(t, rs, "race", atomic, true)
				ctx := context.Background()
				type result struct {
					call    storage.Call
					created bool
					err     error
				}
				resend := make(chan result, 1)
				go func() {
					c, created, err := e.q.EnqueueCall(ctx, input("race"), "msg_late")
					resend <- result{c, created, err}
				}()
				<-p.paused // the late request is held

				_, created, err := e.q.EnqueueCall(ctx, input("race"), "msg_first")
				require.NoError(t, err)
				assert.True(t, created)
				e.waitFor(t, "race", storage.StatusDone, "delivered")

				close(p.release)
				late := <-resend
				require.NoError(t, late.err)
				assert.False(t, late.created, "the late request makes no job")
				got, err := e.store.Get(ctx, "race")
				require.NoError(t, err)
				if !atomic {
					assert.Equal(t, storage.StatusQueued, got.Status, "without Creator the late save overwrites done")
					return
				}
				assert.Equal(t, storage.StatusDone, late.call.Status, "the late request answers the current status")
				assert.Equal(t, storage.StatusDone, got.Status)
				assert.NotNil(t, got.Report)
				assert.Equal(t, 1, e.stt.CallCount(), "analysed once")
				assert.Equal(t, 1, e.note.count("race"), "delivered once")
			})
		}
	}
}

// A worker that starts a job while another run finishes the call (a
// rescued job whose first run was only slow) must not write processing
// over done, nor analyse the call again. The fallback does both.
func TestLateWorkerKeepsDone(t *testing.T) {
	for _, rs := range raceStores() {
		for _, atomic := range []bool{true, false} {
			name := rs.name + "/updater"
			if !atomic {
				name = rs.name + "/fallback"
			}
			t.Run(name, func(t *testing.T) {
				e, p, under := raceEnv(t, rs, "late", atomic, false)
				ctx := context.Background()
				in := input("late")
				// A queued webhook call whose job is inserted at start.
				require.NoError(t, under.Save(ctx, storage.Call{ID: in.CallID, ManagerID: in.ManagerID, Status: storage.StatusQueued, Source: "webhook", RecordingURL: in.AudioURL}))
				e.start(t)
				<-p.paused // the worker is about to mark the call processing

				// Meanwhile the other run saves its result.
				other := storagetest.FullCall("late", time.Now())
				other.Source, other.RecordingURL = "webhook", in.AudioURL
				require.NoError(t, under.Save(ctx, other))
				close(p.release)

				got := e.waitFor(t, "late", storage.StatusDone, "delivered")
				if !atomic {
					assert.Equal(t, 1, e.stt.CallCount(), "without Updater the late run analyses the done call again")
					return
				}
				assert.Equal(t, 0, e.stt.CallCount(), "the done call is not analysed again")
				require.NotNil(t, got.Report)
				assert.Equal(t, other.Report.TotalScore, got.Report.TotalScore, "the other run's result stands")
				assert.Equal(t, "delivered", got.StatusReason)
				assert.Equal(t, 1, e.note.count("late"), "delivered once")
			})
		}
	}
}
