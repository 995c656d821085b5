package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// crashEnv, when set, makes the test binary the child of
// TestKillBetweenSaveAndInsert: it enqueues one call and kills itself
// between recording the call and inserting its job.
const crashEnv = "QUEUE_TEST_CRASH_CHILD"

type crashSpec struct {
	DSN    string `json:"dsn"`
	Own    bool   `json:"own"`
	CallID string `json:"call_id"`
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashEnv); spec != "" {
		os.Exit(crashChild(spec))
	}
	os.Exit(m.Run())
}

// crashChild returns only when the kill did not happen (a failure).
func crashChild(spec string) int {
	var s crashSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, s.DSN)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var store storage.Store = db
	if s.Own {
		store = ownQueue(db)
	}
	a, err := audit.New(checklist.New(), audit.WithStore(store), audit.WithFetcher(&fetcher{}), audit.WithTranscriber(&transcribetest.Fake{}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	q, err := queue.Open(ctx, queue.Config{DatabaseURL: s.DSN, Auditor: a})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	queue.SetTestHookBeforeInsert(func() error {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal arrives
	})
	_, _, err = q.EnqueueCall(ctx, input(s.CallID), "msg_1")
	fmt.Fprintln(os.Stderr, "EnqueueCall returned instead of being killed:", err)
	return 3
}

// storeModes are the two ways the queue meets a store: the SQL store,
// which shares its transaction, and a store of one's own, which does not.
func storeModes() []struct {
	name string
	wrap func(storage.Store) storage.Store
} {
	return []struct {
		name string
		wrap func(storage.Store) storage.Store
	}{{"one transaction", nil}, {"own store", ownQueue}}
}

// TestKillBetweenSaveAndInsert is issue 10's acceptance: a process
// SIGKILLed between saving a webhook call and inserting its job cannot
// lose the call. With the SQL store both are one transaction, so the
// kill leaves neither and the sender, who got no answer, resends; with a
// store of one's own the call is saved and the restarted queue's scan
// gives it its job. Either way it is analysed and delivered once.
func TestKillBetweenSaveAndInsert(t *testing.T) {
	for _, b := range backends() {
		for _, m := range storeModes() {
			own := m.wrap != nil
			t.Run(b.name+"/"+m.name, func(t *testing.T) {
				dsn := b.fresh(t)
				spec, err := json.Marshal(crashSpec{DSN: dsn, Own: own, CallID: "k1"})
				require.NoError(t, err)
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), crashEnv+"="+string(spec))
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				require.ErrorAs(t, err, &exit, "child output: %s", out)
				ws, ok := exit.Sys().(syscall.WaitStatus)
				require.True(t, ok)
				require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "the child was killed at the hook, not %v: %s", exit, out)

				e := newEnv(t, setup{dsn: dsn, wrap: m.wrap})
				ctx := context.Background()
				if !own {
					// Rolled back with the transaction: no call, no job.
					_, err := e.store.Get(ctx, "k1")
					assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "%v", err)
					queue.RequireNoAuditJob(t, e.q)
					_, created, err := e.q.EnqueueCall(ctx, input("k1"), "msg_1") // the sender's retry
					require.NoError(t, err)
					assert.True(t, created)
				}
				e.waitFor(t, "k1", storage.StatusDone, "delivered")
				assert.Equal(t, 1, e.stt.CallCount())
				assert.Equal(t, 1, e.note.count("k1"))
			})
		}
	}
}

// TestFailedInsertLeavesNoHalfCall: an insert that fails after the call
// was written (the queue's tables unreachable, say) rolls the call back
// with the SQL store, so a retry of the webhook starts afresh; a store of
// one's own keeps the call queued and the next start runs it.
func TestFailedInsertLeavesNoHalfCall(t *testing.T) {
	injected := errors.New("injected insert failure")
	for _, b := range backends() {
		for _, m := range storeModes() {
			own := m.wrap != nil
			t.Run(b.name+"/"+m.name, func(t *testing.T) {
				e := newEnv(t, setup{dsn: b.fresh(t), wrap: m.wrap, noStart: true})
				ctx := context.Background()
				restore := queue.SetTestHookBeforeInsert(func() error { return injected })
				_, _, err := e.q.EnqueueCall(ctx, input("f1"), "msg_1")
				restore()
				require.ErrorIs(t, err, injected)
				queue.RequireNoAuditJob(t, e.q)
				stored, err := e.store.Get(ctx, "f1")
				if own {
					require.NoError(t, err)
					assert.Equal(t, storage.StatusQueued, stored.Status)
				} else {
					assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "%v", err)
					_, created, err := e.q.EnqueueCall(ctx, input("f1"), "msg_1")
					require.NoError(t, err)
					assert.True(t, created)
					queue.RequireAuditJob(t, e.q, "f1")
				}
				e.start(t)
				e.waitFor(t, "f1", storage.StatusDone, "delivered")
				assert.Equal(t, 1, e.stt.CallCount())
			})
		}
	}
}
