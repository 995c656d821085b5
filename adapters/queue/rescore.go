package queue

import (
	"context"
	"encoding/json"

	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

// Rescoring: a period's stored calls scored again, as a background job
// with durable progress. The job is a chain of batch jobs: each scores up
// to BatchSize calls from a listing cursor (storage.Filter, newest
// first), records the counts so far as its output, and inserts the next
// batch with the next cursor. A finished batch is never run again; a
// batch cut short (a stop, a crash) runs again from its cursor and skips
// the calls it has already scored, which it knows from their current
// report's ReportChange.By ("job:<id>"). Earlier reports stay readable
// (storage.ReportVersions).

// DefaultRescoreBatch is how many calls one batch job scores.
const DefaultRescoreBatch = 200

// rescoreArgs is one batch of a rescore. Unique per rescore and batch in
// every state, so that a batch run again inserts its next one once.
type rescoreArgs struct {
	RescoreID        string                `json:"rescore_id" river:"unique"`
	Batch            int                   `json:"batch" river:"unique"`
	Since            time.Time             `json:"since,omitzero"`
	Until            time.Time             `json:"until,omitzero"`
	Scorecard        string                `json:"scorecard,omitempty"`
	ScorecardVersion int                   `json:"scorecard_version,omitempty"`
	By               string                `json:"by,omitempty"`
	BatchSize        int                   `json:"batch_size"`
	Cursor           string                `json:"cursor,omitempty"`
	CreatedAt        time.Time             `json:"created_at"`
	Before           audit.RescoreProgress `json:"before"`
}

func (rescoreArgs) Kind() string { return "callaudit_rescore" }

// priorityRescore runs after new calls and deliveries: a rescore is a
// backlog, new calls are not.
const priorityRescore = 3

func (rescoreArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Priority: priorityRescore, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: allStates}}
}

type rescoreWorker struct {
	river.WorkerDefaults[rescoreArgs]
	q *Queue
}

// Timeout is the queue's job timeout: one batch must fit in it.
func (w *rescoreWorker) Timeout(*river.Job[rescoreArgs]) time.Duration { return w.q.cfg.JobTimeout }

// NextRetry runs a batch cut short again at once: it resumes, and what it
// has done is not done again.
func (w *rescoreWorker) NextRetry(*river.Job[rescoreArgs]) time.Time { return time.Now() }

func (w *rescoreWorker) Work(ctx context.Context, job *river.Job[rescoreArgs]) error {
	a := job.Args
	p := a.Before
	a.Before = audit.RescoreProgress{}
	f := storage.Filter{From: a.Since, To: a.Until, Status: storage.StatusDone}
	if a.Batch == 0 {
		n, err := w.q.countCalls(ctx, f)
		if err != nil {
			return err
		}
		p.Total = n
	}
	opts := audit.RescoreOptions{Change: storage.ReportChange{Reason: storage.ReasonRescore, By: "job:" + a.RescoreID}}
	f.Limit, f.Cursor = a.BatchSize, a.Cursor
	page, err := w.q.store.List(ctx, f)
	if err != nil {
		return err
	}
	rv, _ := w.q.store.(storage.ReportVersions)
	// A batch scores its page in order, so a batch run again (after a
	// stop or a crash; River need not count it as a new attempt) finds
	// the calls it has scored first: they are checked until one is not.
	resuming := rv != nil
	for _, c := range page.Calls {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.Report == nil || c.Report.Transcript == nil {
			p.Skipped++
			continue
		}
		if resuming {
			if rescoredBy(ctx, rv, c.ID, opts.Change.By) {
				p.Done++ // by this batch, before a stop or a crash
				continue
			}
			resuming = false
		}
		o := opts
		if a.Scorecard != "" {
			sc, err := w.q.cfg.Scorecards.Get(ctx, a.Scorecard, a.ScorecardVersion)
			if err != nil {
				return err
			}
			r := sc.Rubric(c.Mode)
			o.Rubric = &r
		}
		if _, err := w.q.cfg.Auditor.RescoreCall(ctx, c, o); err != nil {
			if ctx.Err() != nil || callaudit.IsTransient(err) {
				return err
			}
			p.Failed++
			w.q.log.Warn("rescore: a call could not be scored again; its report is kept", "rescore_id", a.RescoreID, "call_id", c.ID, "err", err)
			continue
		}
		p.Done++
		testHookRescored(c.ID)
	}
	p.Finished = page.NextCursor == ""
	if err := river.RecordOutput(ctx, p); err != nil {
		return err
	}
	if p.Finished {
		w.q.log.Info("rescore finished", "rescore_id", a.RescoreID, "total", p.Total, "done", p.Done, "failed", p.Failed, "skipped", p.Skipped)
		return nil
	}
	next := a
	next.Batch++
	next.Cursor = page.NextCursor
	next.Before = p
	if _, err := w.q.client.Insert(ctx, next, nil); err != nil {
		return err
	}
	return nil
}

// rescoredBy reports whether the call's current report was made by.
func rescoredBy(ctx context.Context, rv storage.ReportVersions, id, by string) bool {
	vs, err := rv.Reports(ctx, id)
	return err == nil && len(vs) > 0 && vs[len(vs)-1].By == by
}

// countCalls counts the calls f selects, a page at a time.
func (q *Queue) countCalls(ctx context.Context, f storage.Filter) (int, error) {
	f.Limit = storage.MaxLimit
	n := 0
	for {
		page, err := q.store.List(ctx, f)
		if err != nil {
			return 0, err
		}
		n += len(page.Calls)
		if page.NextCursor == "" {
			return n, nil
		}
		f.Cursor = page.NextCursor
	}
}

// testHookRescored runs after each call a rescore scores; tests replace
// it to stop the queue part way.
var testHookRescored = func(string) {}

// StartRescore starts a rescore job and returns its status. Errors:
// KindNotConfigured when the store keeps no earlier reports, or a
// scorecard is asked for without Config.Scorecards; KindInvalid for Until
// before Since; KindNotFound for an unknown scorecard or version.
func (q *Queue) StartRescore(ctx context.Context, req audit.RescoreRequest) (audit.RescoreStatus, error) {
	if _, ok := q.store.(storage.ReportVersions); !ok {
		return audit.RescoreStatus{}, callaudit.Errorf(callaudit.KindNotConfigured, "rescoring needs a store that keeps earlier reports (the SQL or in-memory store)")
	}
	if !req.Since.IsZero() && !req.Until.IsZero() && !req.Until.After(req.Since) {
		return audit.RescoreStatus{}, callaudit.Invalid(callaudit.FieldError{Field: "until", Message: "must be after since"})
	}
	if req.BatchSize <= 0 {
		req.BatchSize = DefaultRescoreBatch
	}
	if req.Scorecard != "" {
		if q.cfg.Scorecards == nil {
			return audit.RescoreStatus{}, callaudit.Errorf(callaudit.KindNotConfigured, "rescoring with a scorecard needs the server's scorecards")
		}
		sc, err := q.cfg.Scorecards.Get(ctx, req.Scorecard, req.ScorecardVersion)
		if err != nil {
			return audit.RescoreStatus{}, err
		}
		req.ScorecardVersion = sc.Version // pinned: a later save does not change the job
	}
	args := rescoreArgs{RescoreID: audit.NewID(), Since: req.Since.UTC(), Until: req.Until.UTC(), Scorecard: req.Scorecard,
		ScorecardVersion: req.ScorecardVersion, By: req.By, BatchSize: req.BatchSize, CreatedAt: time.Now().UTC()}
	if _, err := q.client.Insert(ctx, args, nil); err != nil {
		return audit.RescoreStatus{}, callaudit.Wrap(err, callaudit.KindUnavailable, "queue.StartRescore", "the job queue is not available; try again later")
	}
	return statusOf(args, args.Before, audit.RescoreRunning, ""), nil
}

func statusOf(a rescoreArgs, p audit.RescoreProgress, state, errText string) audit.RescoreStatus {
	return audit.RescoreStatus{ID: a.RescoreID, State: state, RescoreProgress: p, Since: a.Since, Until: a.Until, Scorecard: a.Scorecard,
		ScorecardVersion: a.ScorecardVersion, By: a.By, CreatedAt: a.CreatedAt, Error: errText}
}

// Rescore returns the status of the rescore with id, from its latest
// batch job: the counts that batch recorded when it finished, else the
// counts before it. An unknown id is KindNotFound.
func (q *Queue) Rescore(ctx context.Context, id string) (audit.RescoreStatus, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().Kinds(rescoreArgs{}.Kind()).
		Where("args->>'rescore_id' = @id", river.NamedArgs{"id": id}).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(1))
	if err != nil {
		return audit.RescoreStatus{}, callaudit.Wrap(err, callaudit.KindUnavailable, "queue.Rescore", "the job queue is not available; try again later")
	}
	if len(res.Jobs) == 0 {
		return audit.RescoreStatus{}, callaudit.Errorf(callaudit.KindNotFound, "rescore %q not found", id)
	}
	job := res.Jobs[0]
	var a rescoreArgs
	if err := json.Unmarshal(job.EncodedArgs, &a); err != nil {
		return audit.RescoreStatus{}, callaudit.Wrap(err, callaudit.KindInternal, "queue.Rescore", "the rescore job cannot be read")
	}
	p := a.Before
	state := audit.RescoreRunning
	switch job.State {
	case rivertype.JobStateCompleted:
		if out := job.Output(); len(out) > 0 {
			if err := json.Unmarshal(out, &p); err != nil {
				return audit.RescoreStatus{}, callaudit.Wrap(err, callaudit.KindInternal, "queue.Rescore", "the rescore job's progress cannot be read")
			}
		}
		if p.Finished {
			state = audit.RescoreDone
		}
	case rivertype.JobStateDiscarded, rivertype.JobStateCancelled:
		state = audit.RescoreFailed
	}
	errText := ""
	if n := len(job.Errors); n > 0 && state == audit.RescoreFailed {
		errText = job.Errors[n-1].Error
	}
	return statusOf(a, p, state, errText), nil
}
