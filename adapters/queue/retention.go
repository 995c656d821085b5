package queue

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
)

// DefaultRetentionEvery is how often the retention job runs.
const DefaultRetentionEvery = time.Hour

var _ audit.Forgetter = (*Queue)(nil)

// ForgetCall deletes the call's jobs (its analysis and its deliveries) in
// every state but running, so that an erased call leaves nothing in the
// queue that names it; a running job ends on its own and finds the call
// gone. It is audit.Forgetter for an audit.Eraser.
func (q *Queue) ForgetCall(ctx context.Context, callID string) error {
	states := make([]rivertype.JobState, 0, len(allStates))
	for _, s := range allStates {
		if s != rivertype.JobStateRunning {
			states = append(states, s)
		}
	}
	_, err := q.client.JobDeleteMany(ctx, river.NewJobDeleteManyParams().
		Kinds(auditArgs{}.Kind(), deliverArgs{}.Kind()).
		States(states...).
		Where("args->>'call_id' = @call_id", river.NamedArgs{"call_id": callID}))
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindUnavailable, "queue.ForgetCall", "the call's queue entries could not be deleted")
	}
	return nil
}

// retentionArgs is the periodic job that deletes calls past the retention.
type retentionArgs struct{}

func (retentionArgs) Kind() string { return "callaudit_retention" }

func (retentionArgs) InsertOpts() river.InsertOpts {
	// One waiting or running purge is enough, however many processes
	// schedule it.
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateScheduled, rivertype.JobStateRetryable}}}
}

type retentionWorker struct {
	river.WorkerDefaults[retentionArgs]
	q *Queue
}

func (w *retentionWorker) Work(ctx context.Context, _ *river.Job[retentionArgs]) error {
	cut := time.Now().Add(-w.q.cfg.Retention)
	_, err := w.q.cfg.Purge(ctx, cut)
	return err
}

// retention registers the worker and, with a positive Retention, the
// periodic job (run at start, then every RetentionEvery). River runs
// periodic jobs on its elected leader only, so several processes purge
// once.
func (q *Queue) retention(workers *river.Workers, rc *river.Config) error {
	if q.cfg.Retention <= 0 {
		return nil
	}
	if q.cfg.Purge == nil {
		return callaudit.Errorf(callaudit.KindInvalid, "queue.Open: a retention needs Config.Purge")
	}
	every := q.cfg.RetentionEvery
	if every <= 0 {
		every = DefaultRetentionEvery
	}
	river.AddWorker(workers, &retentionWorker{q: q})
	rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return retentionArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
	return nil
}
