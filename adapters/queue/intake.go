package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// Intake downloads the recordings of telephony calls for the intake job
// ("fetch recording then audit"); *intake.Intake is one. Config.Intake
// enables the job kind and AcceptCall.
type Intake interface {
	FetchRecording(ctx context.Context, rec intake.Recording) (transcribe.Audio, func(), error)
}

var _ intake.Queue = (*Queue)(nil)

// intakeArgs is the job that downloads a telephony call's recording from
// its vendor and audits it: unique per call id, as an audit job is.
type intakeArgs struct {
	CallID    string           `json:"call_id" river:"unique"`
	Recording intake.Recording `json:"recording"`
	ManagerID string           `json:"manager_id,omitempty"`
	Mode      string           `json:"content_mode,omitempty"`
	Language  string           `json:"language,omitempty"`
}

func (intakeArgs) Kind() string { return "callaudit_intake" }

func (intakeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityAudit, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: allStates}}
}

// addIntake registers the intake job's worker when Config.Intake is set.
func (q *Queue) addIntake(workers *river.Workers) {
	if q.cfg.Intake != nil {
		river.AddWorker(workers, &intakeWorker{q: q})
	}
}

// AcceptCall records a telephony call as queued (storage.SourceTelephony)
// and inserts its intake job, in one transaction with a TxStore, unless
// the call id is known: created is false then, and a call still queued
// gets its job inserted again (a no-op unless it was lost).
func (q *Queue) AcceptCall(ctx context.Context, in intake.Accepted) (bool, error) {
	if q.cfg.Intake == nil {
		return false, callaudit.Errorf(callaudit.KindNotConfigured, "queue.AcceptCall: the queue was opened without an intake")
	}
	mode, err := score.ParseMode(in.Mode)
	if err != nil {
		return false, err
	}
	rec := in.Recording
	if err := audit.Check(audit.Input{Transcript: &transcribe.Transcript{}, CallID: rec.CallID, ManagerID: in.ManagerID, Mode: in.Mode, Language: in.Language}); err != nil {
		return false, err
	}
	call := storage.Call{ID: rec.CallID, ManagerID: in.ManagerID, Mode: mode, Language: in.Language,
		Status: storage.StatusQueued, StatusReason: "waiting for the recording", Source: storage.SourceTelephony}
	args := intakeArgs{CallID: rec.CallID, Recording: rec, ManagerID: in.ManagerID, Mode: in.Mode, Language: in.Language}
	insert := func(ctx context.Context, tx *sql.Tx) (*rivertype.JobInsertResult, error) {
		if err := testHookBeforeInsert(); err != nil {
			return nil, err
		}
		var res *rivertype.JobInsertResult
		var err error
		if tx != nil {
			res, err = q.client.InsertTx(ctx, tx, args, nil)
		} else {
			res, err = q.client.Insert(ctx, args, nil)
		}
		if err != nil {
			return nil, callaudit.Wrap(err, callaudit.KindUnavailable, "queue.Insert", "the job queue is not available")
		}
		return res, nil
	}
	if q.shared != nil {
		var res *rivertype.JobInsertResult
		_, _, err := q.shared.CreateTx(ctx, call, func(ctx context.Context, tx *sql.Tx, stored storage.Call, created bool) error {
			if !created && stored.Status != storage.StatusQueued {
				return nil
			}
			var err error
			res, err = insert(ctx, tx)
			return err
		})
		return res != nil && !res.UniqueSkippedAsDuplicate, err
	}
	stored, created, err := q.create(ctx, call)
	if err != nil || (!created && stored.Status != storage.StatusQueued) {
		return false, err
	}
	res, err := insert(ctx, nil)
	if err != nil {
		return false, err
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// intakeWorker downloads a telephony call's recording and audits it.
type intakeWorker struct {
	river.WorkerDefaults[intakeArgs]
	q *Queue
}

func (w *intakeWorker) Timeout(*river.Job[intakeArgs]) time.Duration { return w.q.cfg.JobTimeout }

func (w *intakeWorker) NextRetry(job *river.Job[intakeArgs]) time.Time {
	return w.q.nextRetry(job.ID, job.Attempt)
}

// snoozes is how many times River snoozed the job (its metadata).
func snoozes(job *rivertype.JobRow) int {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &m)
	return m.Snoozes
}

// Work is idempotent as the audit job's is: a done call only has its
// delivery ensured, a failed one is left alone. A recording the vendor
// does not have yet snoozes the job (no attempt is spent) for the delay
// intake.NotReady asks; a call found to have nothing to audit fails
// with the reason and is not delivered.
func (w *intakeWorker) Work(ctx context.Context, job *river.Job[intakeArgs]) error {
	q, a := w.q, job.Args
	mode, _ := score.ParseMode(a.Mode) // checked when the job was made
	call, ok, err := q.begin(ctx, job.JobRow, storage.Call{ID: a.CallID, ManagerID: a.ManagerID, Mode: mode, Language: a.Language,
		Source: storage.SourceTelephony})
	if !ok {
		return err
	}
	in := audit.Input{CallID: a.CallID, ManagerID: a.ManagerID, Mode: a.Mode, Language: a.Language, Source: storage.SourceTelephony}
	keeper, _ := q.store.(storage.TranscriptKeeper)
	var tr transcribe.Transcript
	var have bool
	if keeper != nil {
		// A run after a crash or a failed score: the transcript made
		// before, without downloading (or paying for speech-to-text) again.
		tr, have, _ = keeper.Transcript(ctx, a.CallID)
	}
	if have {
		in.Transcript = &tr
	} else {
		rec := a.Recording
		rec.Polls = snoozes(job.JobRow)
		audio, release, err := q.cfg.Intake.FetchRecording(ctx, rec)
		if after, ok := intake.IsNotReady(err); ok {
			q.saveStatus(ctx, a.CallID, storage.StatusQueued, fmt.Sprintf("waiting for the recording (asked %d times): %s", rec.Polls+1, err))
			return river.JobSnooze(after)
		}
		if reason, ok := intake.IsSkipped(err); ok {
			q.saveStatus(ctx, a.CallID, storage.StatusFailed, "skipped: "+string(reason))
			return river.JobCancel(err)
		}
		if err != nil {
			return q.failed(ctx, job.ID, job.Attempt, q.cfg.MaxAttempts, call, err)
		}
		if release != nil {
			defer release()
		}
		if len(rec.Await) > 0 && a.ManagerID == "" {
			// Accepted before the event naming its employee.
			in.ManagerID = q.intakeManager(ctx, rec)
		}
		in.Audio = &audio
		if keeper != nil {
			in.Checkpoint = checkpoint{keeper, a.CallID}
		}
	}
	return q.auditCall(ctx, job.JobRow, call, in, keeper)
}

// managerResolver is an Intake that can name a call's manager from the
// events kept after it was accepted; *intake.Intake is one.
type managerResolver interface {
	Manager(ctx context.Context, rec intake.Recording) (string, error)
}

// intakeManager is the manager the call's events name by now, or none.
func (q *Queue) intakeManager(ctx context.Context, rec intake.Recording) string {
	r, ok := q.cfg.Intake.(managerResolver)
	if !ok {
		return ""
	}
	id, err := r.Manager(ctx, rec)
	if err == nil {
		err = audit.Check(audit.Input{Transcript: &transcribe.Transcript{}, CallID: rec.CallID, ManagerID: id})
	}
	if err != nil {
		q.log.Warn("queue: the call's manager cannot be read from its events", "call_id", rec.CallID, "err", err)
		return ""
	}
	return id
}

// saveStatus writes a status the job's context may no longer allow; a
// call settled meanwhile keeps its own.
func (q *Queue) saveStatus(ctx context.Context, id string, status storage.Status, reason string) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := q.setStatus(sctx, id, status, reason); err != nil && !errors.Is(err, errSettled) {
		q.log.Error("queue: saving the call's status failed", "call_id", id, "err", err)
	}
}
