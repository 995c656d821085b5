package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// auditWorker analyses one webhook call.
type auditWorker struct {
	river.WorkerDefaults[auditArgs]
	q *Queue
}

// Timeout lets one attempt run as long as the longest recording needs;
// River's default (one minute) would cut long calls off.
func (w *auditWorker) Timeout(*river.Job[auditArgs]) time.Duration { return w.q.cfg.JobTimeout }

// NextRetry honours the wait upstream asked for, else backs off.
func (w *auditWorker) NextRetry(job *river.Job[auditArgs]) time.Time {
	return w.q.nextRetry(job.ID, job.Attempt)
}

// Work is idempotent: River may run a job again after a crash, so a call
// that is already done only has its delivery ensured, and a failed one is
// left alone.
func (w *auditWorker) Work(ctx context.Context, job *river.Job[auditArgs]) error {
	q, a := w.q, job.Args
	call, ok, err := q.begin(ctx, job.JobRow, q.auditSeed(a))
	if !ok {
		return err
	}

	in := audit.Input{
		AudioURL:  a.RecordingURL,
		CallID:    a.CallID,
		ManagerID: a.ManagerID,
		Mode:      a.Mode,
		Language:  a.Language,
		Source:    storage.SourceWebhook,
	}
	keeper, _ := q.store.(storage.TranscriptKeeper)
	if keeper != nil {
		in.Checkpoint = checkpoint{keeper, a.CallID}
	}
	return q.auditCall(ctx, job.JobRow, call, in, keeper)
}

// auditCall runs the audit of a job's call and queues its delivery, or
// tells River what to do with the failure.
func (q *Queue) auditCall(ctx context.Context, job *rivertype.JobRow, call storage.Call, in audit.Input, keeper storage.TranscriptKeeper) error {
	rep, err := q.cfg.Auditor.Audit(ctx, in)
	switch {
	case err == nil:
		q.dropCheckpoint(ctx, keeper, in.CallID)
		return q.insertDeliver(ctx, in.CallID)
	case rep != nil && job.Attempt < q.cfg.MaxAttempts:
		// Scored but not saved: try again (scoring again is the price of
		// keeping exactly one stored result; the transcript is kept).
		return q.retryable(job.ID, err)
	}
	ferr := q.failed(ctx, job.ID, job.Attempt, q.cfg.MaxAttempts, call, err)
	var cancel *river.JobCancelError
	if errors.As(ferr, &cancel) {
		// No attempt follows: the checkpoint has served.
		q.dropCheckpoint(ctx, keeper, in.CallID)
	}
	return ferr
}

// checkpoint is a call's transcript checkpoint in the store: a job run
// again after a crash (River rescues it) or after a transient failure of
// the scorer or the save scores the transcript made before, instead of
// paying for the transcription again.
type checkpoint struct {
	keeper storage.TranscriptKeeper
	callID string
}

func (c checkpoint) LoadTranscript(ctx context.Context) (transcribe.Transcript, bool, error) {
	return c.keeper.Transcript(ctx, c.callID)
}

func (c checkpoint) SaveTranscript(ctx context.Context, tr transcribe.Transcript) error {
	return c.keeper.SaveTranscript(ctx, c.callID, tr)
}

// dropCheckpoint removes a settled call's checkpoint (the report holds
// its own copy of the transcript); a failure only leaves a row behind.
func (q *Queue) dropCheckpoint(ctx context.Context, keeper storage.TranscriptKeeper, callID string) {
	if keeper == nil {
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	if err := keeper.DeleteTranscript(dctx, callID); err != nil {
		q.log.Warn("queue: removing the transcript checkpoint failed", "call_id", callID, "err", err)
	}
}

// errUnfinished is why a job that reached its spare attempt failed: its
// last counted attempt never ended (the process died in it and River
// rescued the job) or ended in an error the worker could not record.
var errUnfinished = callaudit.Errorf(callaudit.KindUnavailable, "the last attempt did not finish (the server stopped during it, or the history could not be written)")

// auditSeed is the call an audit job creates when the history lacks it.
func (q *Queue) auditSeed(a auditArgs) storage.Call {
	mode, _ := score.ParseMode(a.Mode) // checked when the job was made
	return storage.Call{ID: a.CallID, ManagerID: a.ManagerID, Mode: mode, Language: a.Language,
		Source: storage.SourceWebhook, RecordingURL: a.RecordingURL}
}

// begin starts a job's attempt at a call: ok is true when the call is to
// be worked on now, as startCall marked it processing; otherwise err is
// what the job returns. The spare attempt (see Open) records the
// failure: the store, not River, says the call failed, and a call done
// meanwhile keeps its status and gets its delivery. A call already done
// only has its delivery ensured, and a failed one is left alone.
func (q *Queue) begin(ctx context.Context, job *rivertype.JobRow, seed storage.Call) (storage.Call, bool, error) {
	if job.Attempt > q.cfg.MaxAttempts {
		if keeper, ok := q.store.(storage.TranscriptKeeper); ok {
			q.dropCheckpoint(ctx, keeper, seed.ID)
		}
		return storage.Call{}, false, q.failed(ctx, job.ID, q.cfg.MaxAttempts, q.cfg.MaxAttempts, storage.Call{ID: seed.ID}, errUnfinished)
	}
	call, err := q.startCall(ctx, job.Attempt, seed)
	switch {
	case errors.Is(err, errSettled) && call.Status == storage.StatusDone:
		return call, false, q.insertDeliver(ctx, call.ID)
	case errors.Is(err, errSettled):
		return call, false, nil
	case err != nil:
		return call, false, q.retryable(job.ID, err)
	}
	return call, true, nil
}

// startCall marks the call processing, unless it is done or failed
// (errSettled, with the stored call): atomically where the store can
// (storage.Updater), so that a run that read the call before another
// finished it cannot write "processing" over "done". A call missing from
// the history (removed, or never saved) is created as seed, the job's
// own copy of the request.
func (q *Queue) startCall(ctx context.Context, attempt int, seed storage.Call) (storage.Call, error) {
	reason := attemptText(attempt, q.cfg.MaxAttempts)
	seed.Status, seed.StatusReason = storage.StatusProcessing, reason
	// Twice at most: a call created by someone else between the two
	// steps is then changed like any other.
	for range 2 {
		call, err := q.setStatus(ctx, seed.ID, storage.StatusProcessing, reason)
		if callaudit.KindOf(err) != callaudit.KindNotFound {
			return call, err
		}
		call, created, err := q.create(ctx, seed)
		if err != nil || created {
			return call, err
		}
	}
	return storage.Call{}, callaudit.Errorf(callaudit.KindUnavailable, "call %s keeps changing; will retry", seed.ID)
}

// failed records a failed attempt on the call and tells River what to do:
// retry a transient failure while attempts remain, cancel anything else.
func (q *Queue) failed(ctx context.Context, jobID int64, attempt, maxAttempts int, call storage.Call, err error) error {
	save := func(status storage.Status, reason string) {
		// The job's context may be over (timeout, shutdown); the status
		// must still be written. A call done or failed meanwhile keeps
		// its status.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		defer cancel()
		if _, serr := q.setStatus(sctx, call.ID, status, reason); serr != nil && !errors.Is(serr, errSettled) {
			q.log.Error("queue: saving the call's status failed", "call_id", call.ID, "err", serr)
		}
	}
	msg := callaudit.MessageOf(err)
	if callaudit.KindOf(err) == callaudit.KindCanceled && ctx.Err() != nil {
		// The server is stopping: put the call back, without spending an
		// attempt; it runs at the next start.
		save(storage.StatusQueued, "interrupted by a server stop; will run again")
		return river.JobSnooze(0)
	}
	if callaudit.IsTransient(err) {
		if attempt >= maxAttempts {
			q.log.Warn("queue: call failed after its last attempt", "call_id", call.ID, "attempts", attempt, "err", err)
			save(storage.StatusFailed, "gave up after "+attemptText(attempt, maxAttempts)+": "+msg)
			q.deliverFailure(ctx, call.ID)
			return river.JobCancel(err)
		}
		q.log.Info("queue: call will be retried", "call_id", call.ID, "attempt", attempt, "err", err)
		save(storage.StatusQueued, "retrying after "+attemptText(attempt, maxAttempts)+": "+msg)
		return q.retryable(jobID, err)
	}
	q.log.Warn("queue: call failed", "call_id", call.ID, "kind", callaudit.KindOf(err), "err", err)
	save(storage.StatusFailed, msg)
	q.deliverFailure(ctx, call.ID)
	return river.JobCancel(err)
}

// deliverFailure tells the write-back targets that a call failed for
// good, so the CRM shows why there is no score. The job ends either way:
// a failed insert is logged, not retried.
func (q *Queue) deliverFailure(ctx context.Context, callID string) {
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	if err := q.insertDeliver(ictx, callID); err != nil {
		q.log.Error("queue: queuing the failure's delivery failed", "call_id", callID, "err", err)
	}
}

// retryable remembers the wait err asks for and returns err, so that River
// retries the job (NextRetry reads the wait).
func (q *Queue) retryable(jobID int64, err error) error {
	if ra := callaudit.RetryAfterOf(err); ra > 0 {
		q.retryAfter.Store(jobID, ra)
	}
	return err
}

// nextRetry is when attempt+1 may run: after the wait upstream asked for,
// or after retry.Policy's jittered exponential backoff.
func (q *Queue) nextRetry(jobID int64, attempt int) time.Time {
	var err error = callaudit.Errorf(callaudit.KindUnavailable, "retry")
	if v, ok := q.retryAfter.LoadAndDelete(jobID); ok {
		err = &callaudit.Error{Kind: callaudit.KindUnavailable, RetryAfter: v.(time.Duration)}
	}
	return time.Now().Add(q.cfg.Retry.Delay(attempt, err))
}

func (q *Queue) insertDeliver(ctx context.Context, callID string) error {
	for _, t := range q.targets {
		if _, err := q.client.Insert(ctx, deliverArgs{CallID: callID, Target: t.name}, nil); err != nil {
			return callaudit.Wrap(err, callaudit.KindUnavailable, "queue.Insert", "the delivery cannot be queued")
		}
	}
	return nil
}

// target is a notifier with the name its delivery jobs carry.
type target struct {
	name string
	n    writeback.Notifier
}

// newTargets names the notifiers (writeback.Named, else their type), with
// a number after repeated names.
func newTargets(ns []writeback.Notifier) []target {
	seen := map[string]int{}
	out := make([]target, 0, len(ns))
	for _, n := range ns {
		name := fmt.Sprintf("%T", n)
		if nn, ok := n.(interface{ Name() string }); ok && nn.Name() != "" {
			name = nn.Name()
		}
		seen[name]++
		if k := seen[name]; k > 1 {
			name = fmt.Sprintf("%s#%d", name, k)
		}
		out = append(out, target{name: name, n: n})
	}
	return out
}

// deliverWorker sends a done or failed call to one notifier, then notes
// the outcome in the call's StatusReason: "delivered", "delivery retrying
// after …", "delivery failed: …" (prefixed by the target's name when
// there are several; after the failure's reason for a failed call). One job per notifier, so a failing CRM does not make the
// others deliver again; each notifier passes the call id as its
// receiver's idempotency key, so a retry after a crash is one result at
// the receiver too.
type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	q *Queue
}

func (w *deliverWorker) Timeout(*river.Job[deliverArgs]) time.Duration { return w.q.cfg.JobTimeout }

func (w *deliverWorker) NextRetry(job *river.Job[deliverArgs]) time.Time {
	return w.q.nextRetry(job.ID, job.Attempt)
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	q := w.q
	var t *target
	for i := range q.targets {
		if q.targets[i].name == job.Args.Target {
			t = &q.targets[i]
		}
	}
	if t == nil {
		return river.JobCancel(callaudit.Errorf(callaudit.KindNotConfigured, "the write-back target %q is no longer configured", job.Args.Target))
	}
	call, err := q.store.Get(ctx, job.Args.CallID)
	if err != nil {
		if callaudit.KindOf(err) == callaudit.KindNotFound {
			return river.JobCancel(err)
		}
		return q.retryable(job.ID, err)
	}
	if call.Status != storage.StatusDone && call.Status != storage.StatusFailed {
		return river.JobCancel(callaudit.Errorf(callaudit.KindConflict, "call %s is %s, not done or failed", call.ID, call.Status))
	}
	if s, ok := t.n.(writeback.Selective); ok && !s.Wants(call) {
		return nil // not this target's call: nothing to send or note
	}
	var nerr error
	if job.Attempt > q.cfg.MaxAttempts {
		nerr = errUnfinished // the spare attempt (see Open): record, do not send
	} else {
		nerr = t.n.Notify(ctx, call)
	}
	outcome, result := "delivered", error(nil)
	switch {
	case nerr == nil:
	case callaudit.KindOf(nerr) == callaudit.KindCanceled && ctx.Err() != nil:
		return river.JobSnooze(0)
	case callaudit.IsTransient(nerr) && job.Attempt < q.cfg.MaxAttempts:
		outcome = "delivery retrying after " + attemptText(job.Attempt, q.cfg.MaxAttempts) + ": " + callaudit.MessageOf(nerr)
		result = q.retryable(job.ID, nerr)
	default:
		outcome = "delivery failed: " + callaudit.MessageOf(nerr)
		result = river.JobCancel(nerr)
		q.log.Warn("queue: delivery failed", "call_id", call.ID, "target", t.name, "attempt", job.Attempt, "err", nerr)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	if err := q.noteDelivery(sctx, call.ID, t.name, outcome); err != nil && result == nil {
		// Delivered, but the note is lost; delivering again is harmless
		// (receivers dedup), losing the status is not.
		return q.retryable(job.ID, err)
	}
	return result
}

// reasonSep separates the outcomes of several targets in StatusReason.
const reasonSep = " | "

// noteDelivery writes one target's outcome into the call's StatusReason,
// keeping the other targets' outcomes. With a storage.Updater the
// read-modify-write is atomic, so the notes of targets delivered at once
// by several processes all stay; without one it is serialised in this
// process only.
func (q *Queue) noteDelivery(ctx context.Context, callID, name, outcome string) error {
	// One target: its outcome stands alone; several: each is named.
	single := len(q.targets) == 1
	entry := outcome
	if !single {
		entry = name + ": " + outcome
	}
	_, err := q.change(ctx, callID, func(call *storage.Call) error {
		// Keep what is not this target's earlier outcome: a failed call's
		// reason, the other targets' outcomes.
		var kept []string
		for _, part := range strings.Split(call.StatusReason, reasonSep) {
			mine := strings.HasPrefix(part, name+": ")
			if single {
				mine = part == "delivered" || strings.HasPrefix(part, "delivery ")
			}
			if part != "" && !mine {
				kept = append(kept, part)
			}
		}
		call.StatusReason = strings.Join(append(kept, entry), reasonSep)
		return nil
	})
	return err
}
