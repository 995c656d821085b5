package audit

import (
	"context"
	"strconv"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

var errNoVersions = callaudit.Errorf(callaudit.KindNotConfigured, "rescoring needs a store that keeps earlier reports (storage.ReportVersions): the SQL or in-memory store")

// RescoreOptions say how a stored call is scored again.
type RescoreOptions struct {
	// Rubric scores the call; nil picks it as Audit does (WithRubricFunc,
	// else the scorer's own).
	Rubric *score.Rubric
	// Change is recorded with the new report; an empty Reason is
	// storage.ReasonRescore.
	Change storage.ReportChange
	// Edit, when set, changes the stored transcript before it is scored
	// (SwapRoles swaps its speakers' roles); its error ends the rescore.
	Edit func(transcribe.Transcript) (transcribe.Transcript, error)
}

// Rescore scores a stored call again from the transcript its report
// keeps, with the rubric of opts, and makes the new report the call's
// through storage.ReportVersions, so that the earlier report stays
// readable. The call's mode, manager and report language are kept.
//
// Errors: KindNotConfigured without a store that keeps report versions,
// KindNotFound for an unknown call, KindInvalid for a call without a
// report or transcript (queued, failed, or stored without one), and the
// scorer's and the store's errors.
func (a *Auditor) Rescore(ctx context.Context, id string, opts RescoreOptions) (storage.Call, error) {
	if _, ok := a.store.(storage.ReportVersions); !ok {
		return storage.Call{}, errNoVersions
	}
	call, err := a.store.Get(ctx, id)
	if err != nil {
		return storage.Call{}, err
	}
	return a.RescoreCall(ctx, call, opts)
}

// RescoreCall is Rescore of a call the caller has just read (a batch job
// listing calls), saving the read.
func (a *Auditor) RescoreCall(ctx context.Context, call storage.Call, opts RescoreOptions) (storage.Call, error) {
	rv, ok := a.store.(storage.ReportVersions)
	if !ok {
		return storage.Call{}, errNoVersions
	}
	start := a.now()
	id := call.ID
	var err error
	if call.Report == nil || call.Report.Transcript == nil || call.Report.Transcript.Words() == 0 {
		return storage.Call{}, callaudit.Invalid(callaudit.FieldError{Field: "call_id", Message: "call " + strconv.Quote(id) + " has no scored transcript to score again"})
	}
	old := call.Report
	in := Input{CallID: id, ManagerID: call.ManagerID, Mode: string(call.Mode), Language: old.Meta.Language}
	mode := call.Mode
	if !mode.Valid() {
		mode = score.ModeManager
	}
	rubric := opts.Rubric
	if rubric == nil {
		if rubric, err = a.rubricFor(ctx, in, mode); err != nil {
			return storage.Call{}, err
		}
	}
	tr := *old.Transcript
	if opts.Edit != nil {
		if tr, err = opts.Edit(tr.Clone()); err != nil {
			return storage.Call{}, err
		}
	}
	rep, err := a.scoreTranscript(ctx, tr, mode, id, in, rubric, start, score.Timings{})
	if err != nil {
		return storage.Call{}, err
	}
	rep.Meta.Transcriber = old.Meta.Transcriber
	change := opts.Change
	if change.Reason == "" {
		change.Reason = storage.ReasonRescore
	}
	return rv.ReplaceReport(ctx, id, rep, change)
}

// A rescore job scores a period's stored calls again in the background
// (adapters/queue runs them); these are its request and its status.

// RescoreRequest asks for a period's calls to be scored again.
type RescoreRequest struct {
	// Since is inclusive, Until exclusive (CreatedAt); zero bounds do not
	// limit.
	Since, Until time.Time
	// Scorecard and ScorecardVersion (0: the latest) score every call;
	// empty: each call's team scorecard, as a new analysis would.
	Scorecard        string
	ScorecardVersion int
	// By is who asked (a user id); recorded with the job.
	By string
	// BatchSize is the calls per batch job; 0 is the runner's default
	// (adapters/queue.DefaultRescoreBatch).
	BatchSize int
}

// RescoreProgress counts a rescore's calls: Total in the period, Done
// scored again, Failed (the scorer refused them; their report is kept),
// Skipped (no report to score again).
type RescoreProgress struct {
	Total   int `json:"total"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// Finished: the last batch has run.
	Finished bool `json:"finished"`
}

// Rescore states.
const (
	RescoreRunning = "running"
	RescoreDone    = "done"
	// RescoreFailed: a batch failed for good (out of attempts).
	RescoreFailed = "failed"
)

// RescoreStatus is where a rescore is.
type RescoreStatus struct {
	ID    string
	State string
	RescoreProgress
	Since, Until     time.Time
	Scorecard        string
	ScorecardVersion int
	By               string
	CreatedAt        time.Time
	// Error is the last batch's error, if it failed.
	Error string
}
