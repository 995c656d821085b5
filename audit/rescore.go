package audit

import (
	"context"
	"strconv"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
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
	rep, err := a.scoreTranscript(ctx, *old.Transcript, mode, id, in, rubric, start, score.Timings{})
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
