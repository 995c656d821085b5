package audit

import (
	"context"
	"strconv"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// SwapRoles scores a stored call again with its manager and client
// swapped, for a lead who sees that the roles were assigned the wrong way
// round (diarized or unlabelled speakers, see transcribe.AssignRoles).
// Every turn's role is swapped (SwappedRoles) and the transcript's
// RoleConfidence becomes 1: a person has now said who is who. It is a
// Rescore of the call with that edit and the change {storage.ReasonRoles,
// by}, so the new report replaces the call's through
// storage.ReportVersions and the earlier report stays in the call's
// history; it returns the call as stored.
//
// Errors: Rescore's (KindNotConfigured without a store that keeps report
// versions, KindNotFound, KindInvalid for a call without a scored
// transcript), and KindConflict (callaudit.CodeNoRolesToSwap) when no
// turn is the manager's or the client's.
func (a *Auditor) SwapRoles(ctx context.Context, id, by string) (storage.Call, error) {
	return a.Rescore(ctx, id, RescoreOptions{
		Change: storage.ReportChange{Reason: storage.ReasonRoles, By: by},
		Edit: func(tr transcribe.Transcript) (transcribe.Transcript, error) {
			out, ok := SwappedRoles(tr)
			if !ok {
				q := map[string]string{"id": strconv.Quote(id)}
				return tr, callaudit.Coded(callaudit.KindConflict, callaudit.CodeNoRolesToSwap, "no turn of call "+q["id"]+" is the manager's or the client's", q)
			}
			return out, nil
		},
	})
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
