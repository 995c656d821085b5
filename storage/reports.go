package storage

import (
	"context"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
)

// Reasons a call's report is replaced (ReportChange.Reason). Stores keep
// any non-empty reason as given; these are the ones the project writes.
const (
	// ReasonRescore: scored again, e.g. with a newer scorecard.
	ReasonRescore = "rescore"
	// ReasonRoles: scored again after the speakers' roles were swapped.
	ReasonRoles = "roles"
)

// ReportChange says why and by whom a call's report is replaced.
type ReportChange struct {
	// Reason is required: ReasonRescore, ReasonRoles or another short word.
	Reason string
	// By is who asked: a user's id, or "job:<id>" for a background job.
	// A job that runs again after a crash reads it (ReportVersion.By) to
	// skip the calls it has already scored.
	By string
}

// ReportVersion is one of a call's reports, the current one or an earlier
// one kept when it was replaced.
type ReportVersion struct {
	CallID string
	// Version numbers the call's reports from 1 in the order they were
	// made; the current report has the highest.
	Version int
	Current bool
	Report  score.Report
	// Reason and By are the ReportChange that made this report; empty for
	// the call's first report.
	Reason, By string
	// At is when this report became the call's: its Meta.CreatedAt for the
	// first (the call's CreatedAt when that is zero), the replacement's
	// time for later ones.
	At time.Time
	// ReplacedAt is when a later report replaced this one; zero for the
	// current report.
	ReplacedAt time.Time
}

// ArchivedReport is an earlier report as a store keeps it: the report, and
// the change that replaced it (the next version's reason and time).
type ArchivedReport struct {
	Version    int
	Report     score.Report
	ReplacedAt time.Time
	Change     ReportChange
}

// ReportHistory assembles a call's versions, oldest first, from its
// archived reports (in version order) and the call itself: the numbering,
// reasons and times every ReportVersions store returns. The call's own
// report is the last version; a call without one has only its archive.
func ReportHistory(call Call, archived []ArchivedReport) []ReportVersion {
	out := make([]ReportVersion, 0, len(archived)+1)
	at := func(r score.Report) time.Time {
		if !r.Meta.CreatedAt.IsZero() {
			return r.Meta.CreatedAt.UTC()
		}
		return call.CreatedAt.UTC()
	}
	var prev *ArchivedReport
	for i := range archived {
		a := &archived[i]
		v := ReportVersion{CallID: call.ID, Version: a.Version, Report: a.Report, At: at(a.Report), ReplacedAt: a.ReplacedAt.UTC()}
		if prev != nil {
			v.Reason, v.By, v.At = prev.Change.Reason, prev.Change.By, prev.ReplacedAt.UTC()
		}
		out = append(out, v)
		prev = a
	}
	if call.Report != nil {
		v := ReportVersion{CallID: call.ID, Version: len(archived) + 1, Current: true, Report: *call.Report, At: at(*call.Report)}
		if prev != nil {
			v.Version = prev.Version + 1
			v.Reason, v.By, v.At = prev.Change.Reason, prev.Change.By, prev.ReplacedAt.UTC()
		}
		out = append(out, v)
	}
	return out
}

// ReportVersions is implemented by stores that keep a call's earlier
// reports when it is scored again (a rescore with a newer scorecard, a
// role swap): the earlier reports stay readable and are never rewritten.
// Callers type-assert.
//
// Contract (checked by storagetest.RunReportVersions):
//   - ReplaceReport makes report the call's report in one atomic write,
//     keeping the report it replaces (if any) as the previous version
//     with the change and the store's time; every other field of the call
//     stays as stored but UpdatedAt, which is set, and the call's
//     statistics follow the new report. It returns the call as stored.
//     An unknown id is KindNotFound; an empty id or Reason, or a nil
//     report, is KindInvalid.
//   - Reports lists every version of the call, oldest first, as
//     ReportHistory builds them; an unknown call is KindNotFound.
//   - A Save of the call replaces its current report without keeping it
//     (that is a new analysis, not a rescore); Delete (storage.Deleter)
//     removes the call's earlier reports too.
//   - Safe for concurrent use: concurrent ReplaceReports of one call all
//     persist, each version numbered once.
//   - Every method returns promptly with an error once ctx is done.
type ReportVersions interface {
	ReplaceReport(ctx context.Context, id string, report *score.Report, change ReportChange) (Call, error)
	Reports(ctx context.Context, id string) ([]ReportVersion, error)
}

// CheckReplaceReport validates ReplaceReport's arguments, for every
// store: an empty id or reason, or a nil report, is KindInvalid.
func CheckReplaceReport(id string, report *score.Report, change ReportChange) error {
	var fields []callaudit.FieldError
	if strings.TrimSpace(id) == "" {
		fields = append(fields, callaudit.FieldError{Field: "call_id", Message: "is required", Code: callaudit.CodeRequired})
	}
	if report == nil {
		fields = append(fields, callaudit.FieldError{Field: "report", Message: "is required", Code: callaudit.CodeRequired})
	}
	if strings.TrimSpace(change.Reason) == "" {
		fields = append(fields, callaudit.FieldError{Field: "reason", Message: "is required", Code: callaudit.CodeRequired})
	}
	if len(fields) > 0 {
		return callaudit.Invalid(fields...)
	}
	return nil
}
