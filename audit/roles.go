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

// SwapRoles scores a stored call again with its manager and client
// swapped, for a lead who sees that the roles were assigned the wrong way
// round (diarized or unlabelled speakers, see transcribe.AssignRoles).
// Every turn's role is swapped, and the transcript's RoleConfidence
// becomes 1: a person has now said who is who. The new report replaces the
// call's through the store's storage.ReportVersions with the reason
// storage.ReasonRoles and by, so that the earlier report stays in the
// call's history.
//
// Errors: KindNotConfigured without a store or with one that keeps no
// earlier reports (CodeNoReportVersions); KindNotFound for an unknown
// call; KindConflict for a call without a report and transcript
// (CodeNoTranscript) or without a turn of either role
// (CodeNoRolesToSwap); the scorer's and the store's kinds.
func (a *Auditor) SwapRoles(ctx context.Context, id, by string) (*score.Report, error) {
	if a.store == nil {
		return nil, callaudit.Coded(callaudit.KindNotConfigured, callaudit.CodeNoReportVersions, "swapping roles needs a store that keeps earlier reports, and none is configured", nil)
	}
	versions, ok := a.store.(storage.ReportVersions)
	if !ok {
		return nil, callaudit.Coded(callaudit.KindNotConfigured, callaudit.CodeNoReportVersions, "the store does not keep earlier reports (storage.ReportVersions)", nil)
	}
	call, err := a.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	q := map[string]string{"id": strconv.Quote(id)}
	if call.Report == nil || call.Report.Transcript == nil {
		return nil, callaudit.Coded(callaudit.KindConflict, callaudit.CodeNoTranscript, "call "+q["id"]+" has no stored transcript to score again", q)
	}
	tr, swapped := SwappedRoles(*call.Report.Transcript)
	if !swapped {
		return nil, callaudit.Coded(callaudit.KindConflict, callaudit.CodeNoRolesToSwap, "no turn of call "+q["id"]+" is the manager's or the client's", q)
	}
	prev := call.Report
	start := a.now()
	scoreStart := time.Now()
	rep, err := a.scorer.Score(ctx, score.Request{Transcript: tr, Mode: call.Mode, Language: prev.Meta.Language})
	if err != nil {
		if ctx.Err() != nil {
			return nil, canceled(ctx.Err())
		}
		return nil, err
	}
	if rep == nil {
		return nil, callaudit.Errorf(callaudit.KindInternal, "the scorer returned no report")
	}
	timings := score.Timings{ScoreMS: time.Since(scoreStart).Milliseconds()}
	a.complete(rep, tr, call.ID, call.ManagerID, call.Mode, prev.Meta.Language)
	timings.TotalMS = rep.Meta.CreatedAt.Sub(start).Milliseconds()
	rep.Meta.Timings = timings
	if rep.Meta.Transcriber == "" {
		rep.Meta.Transcriber = prev.Meta.Transcriber
	}
	rep.Meta.Redacted = max(rep.Meta.Redacted, prev.Meta.Redacted)
	if a.redactStore {
		maskReport(rep, tr)
	}
	if _, err := versions.ReplaceReport(ctx, call.ID, rep, storage.ReportChange{Reason: storage.ReasonRoles, By: by}); err != nil {
		a.logger.Error("audit: saving the report with swapped roles failed", "call_id", call.ID, "err", err)
		return rep, callaudit.Wrap(err, callaudit.KindOf(err), "audit.SwapRoles", "the call was scored again but could not be saved: "+callaudit.MessageOf(err))
	}
	return rep, nil
}

// SwappedRoles returns tr with every manager turn the client's and every
// client turn the manager's, and RoleConfidence 1, and whether any turn
// had either role. tr is not changed.
func SwappedRoles(tr transcribe.Transcript) (transcribe.Transcript, bool) {
	out := tr.Clone()
	swapped := false
	for i, s := range out.Segments {
		switch s.Speaker {
		case transcribe.RoleManager:
			out.Segments[i].Speaker, swapped = transcribe.RoleClient, true
		case transcribe.RoleClient:
			out.Segments[i].Speaker, swapped = transcribe.RoleManager, true
		}
	}
	if swapped {
		out.RoleConfidence = 1
	}
	return out, swapped
}
