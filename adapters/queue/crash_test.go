package queue_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
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
	// InWork kills the child while it transcribes the call, on its one
	// attempt, instead of before the insert.
	InWork bool `json:"in_work"`
	// InScore kills the child while it scores the call, after the
	// transcription, on the first of MaxAttempts attempts.
	InScore     bool `json:"in_score"`
	MaxAttempts int  `json:"max_attempts"`
}

// killSelf ends the process as a crash would: no deferred call, no
// rollback, no goodbye to the database.
func killSelf() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal arrives
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
	var stt transcribe.Transcriber = &transcribetest.Fake{}
	if s.InWork {
		stt = transcribe.TranscriberFunc(func(context.Context, transcribe.Audio, transcribe.Options) (transcribe.Transcript, error) {
			killSelf()
			return transcribe.Transcript{}, nil
		})
	}
	var scorer score.Scorer = checklist.New()
	if s.InScore {
		scorer = killingScorer{}
	}
	a, err := audit.New(scorer, audit.WithStore(store), audit.WithFetcher(&fetcher{}), audit.WithTranscriber(stt))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	q, err := queue.Open(ctx, queue.Config{DatabaseURL: s.DSN, Auditor: a, MaxAttempts: max(1, s.MaxAttempts), PollInterval: 20 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if s.InWork || s.InScore {
		if err := q.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	} else {
		queue.SetTestHookBeforeInsert(func() error { killSelf(); return nil })
	}
	_, _, err = q.EnqueueCall(ctx, input(s.CallID), "msg_1")
	if err == nil && (s.InWork || s.InScore) {
		time.Sleep(30 * time.Second) // the worker kills the process
	}
	fmt.Fprintln(os.Stderr, "the child was not killed:", err)
	return 3
}

// killingScorer dies as soon as it is asked to score: the crash comes
// after the transcription.
type killingScorer struct{}

func (killingScorer) Score(context.Context, score.Request) (*score.Report, error) {
	killSelf()
	return nil, nil
}

// runCrashChild runs the test binary as crashChild and requires that it
// was killed.
func runCrashChild(t *testing.T, spec crashSpec) {
	t.Helper()
	b, err := json.Marshal(spec)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+string(b))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "child output: %s", out)
	ws, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "the child was killed at the hook, not %v: %s", exit, out)
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
				runCrashChild(t, crashSpec{DSN: dsn, Own: own, CallID: "k1"})

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

// TestKillDuringLastAttempt: a process killed while it runs a call's last
// attempt leaves the job running in River and the call processing in the
// store. River's rescuer would discard such a job without a word to the
// store, and the call would read "processing" for ever; the spare attempt
// makes the restarted queue record the failure in the store (the one
// record of a call's state) and deliver it.
func TestKillDuringLastAttempt(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.fresh(t)
			runCrashChild(t, crashSpec{DSN: dsn, CallID: "w1", InWork: true})
			e := newEnv(t, setup{dsn: dsn, maxAttempts: 1, jobTimeout: 200 * time.Millisecond, noStart: true})
			left, err := e.store.Get(context.Background(), "w1")
			require.NoError(t, err)
			require.Equal(t, storage.StatusProcessing, left.Status, "the child died during its attempt")
			e.start(t)
			var last storage.Call
			// The killed child's leadership has to expire before this
			// process's rescuer runs.
			ok := assert.Eventually(t, func() bool {
				last, err = e.store.Get(context.Background(), "w1")
				return err == nil && last.Status == storage.StatusFailed && strings.Contains(last.StatusReason, "delivered")
			}, 60*time.Second, 50*time.Millisecond)
			require.True(t, ok, "the call still reads %s %q", last.Status, last.StatusReason)
			assert.Contains(t, last.StatusReason, "gave up after attempt 1 of 1: the last attempt did not finish")
			assert.Equal(t, 0, e.stt.CallCount(), "the spare attempt records, it does not transcribe")
			assert.Equal(t, 1, e.note.count("w1"), "the failure is delivered")
		})
	}
}

// TestKillAfterTranscription is issue 18's acceptance: a process killed
// while it scores a webhook call, after the transcription, leaves the
// transcript checkpointed in the store, so the restarted queue's rescued
// attempt scores it without a second transcription request.
func TestKillAfterTranscription(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.fresh(t)
			runCrashChild(t, crashSpec{DSN: dsn, CallID: "s1", InScore: true, MaxAttempts: 3})
			e := newEnv(t, setup{dsn: dsn, maxAttempts: 3, jobTimeout: 200 * time.Millisecond, noStart: true})
			ctx := context.Background()
			left, err := e.store.Get(ctx, "s1")
			require.NoError(t, err)
			require.Equal(t, storage.StatusProcessing, left.Status, "the child died during its attempt")
			cp, ok, err := e.store.(storage.TranscriptKeeper).Transcript(ctx, "s1")
			require.NoError(t, err)
			require.True(t, ok, "the transcript was checkpointed before scoring")
			require.NotEmpty(t, cp.Segments)
			e.start(t)
			var last storage.Call
			ok = assert.Eventually(t, func() bool {
				last, err = e.store.Get(ctx, "s1")
				return err == nil && last.Status == storage.StatusDone && strings.Contains(last.StatusReason, "delivered")
			}, 60*time.Second, 50*time.Millisecond)
			require.True(t, ok, "the call still reads %s %q", last.Status, last.StatusReason)
			assert.Equal(t, 0, e.stt.CallCount(), "the rescued attempt scored the checkpoint")
			require.NotNil(t, last.Report)
			assert.Equal(t, cp.Segments, last.Report.Transcript.Segments)
			_, ok, err = e.store.(storage.TranscriptKeeper).Transcript(ctx, "s1")
			require.NoError(t, err)
			assert.False(t, ok, "the checkpoint is removed once the call is done")
			assert.Equal(t, 1, e.note.count("s1"))
		})
	}
}

// TestRescueAfterDefault: with no rescue delay set, River takes a
// running job for lost JobTimeout + RescueMargin (one minute) after its
// attempt began, the writes a worker still makes after its deadline
// included; a delay under the job timeout is refused.
func TestRescueAfterDefault(t *testing.T) {
	ctx := context.Background()
	dsn := backends()[0].fresh(t)
	store, err := sqlstore.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	a, err := audit.New(checklist.New(), audit.WithStore(store))
	require.NoError(t, err)
	assert.Equal(t, time.Minute, queue.RescueMargin)
	for _, timeout := range []time.Duration{0, 5 * time.Second, 2 * time.Hour} {
		q, err := queue.Open(ctx, queue.Config{DatabaseURL: dsn, Auditor: a, JobTimeout: timeout})
		require.NoError(t, err)
		want := cmp.Or(timeout, queue.DefaultJobTimeout) + time.Minute
		assert.Equal(t, want, queue.RescueAfterOf(q), "job timeout %s", timeout)
		require.NoError(t, q.Stop(ctx))
	}
	_, err = queue.Open(ctx, queue.Config{DatabaseURL: dsn, Auditor: a, JobTimeout: time.Minute, RescueAfter: 30 * time.Second})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}
