package httpapi

import (
	"net/http"
	"time"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// ReportVersion is one of a call's reports in GET /calls/{id}/reports.
type ReportVersion struct {
	Version int  `json:"version"`
	Current bool `json:"current"`
	// Reason and By say why and by whom this report replaced the one
	// before it ("rescore", "roles"); empty for the first.
	Reason string `json:"reason,omitempty"`
	By     string `json:"by,omitempty"`
	// Scorecard and ScorecardVersion are the report's (meta.scorecard).
	Scorecard        string       `json:"scorecard,omitempty"`
	ScorecardVersion int          `json:"scorecard_version,omitempty"`
	At               time.Time    `json:"at"`
	ReplacedAt       *time.Time   `json:"replaced_at,omitempty"`
	TotalScore       int          `json:"total_score"`
	Report           score.Report `json:"report"`
}

// ReportList is the JSON body of GET /calls/{id}/reports: every report
// the call has had, oldest first, the current one last.
type ReportList struct {
	CallID  string          `json:"call_id"`
	Reports []ReportVersion `json:"reports"`
}

func reportListOf(id string, vs []storage.ReportVersion) ReportList {
	out := ReportList{CallID: id, Reports: make([]ReportVersion, len(vs))}
	for i, v := range vs {
		rv := ReportVersion{Version: v.Version, Current: v.Current, Reason: v.Reason, By: v.By,
			Scorecard: v.Report.Meta.Scorecard, ScorecardVersion: v.Report.Meta.ScorecardVersion,
			At: v.At, TotalScore: v.Report.TotalScore, Report: v.Report}
		if !v.ReplacedAt.IsZero() {
			t := v.ReplacedAt
			rv.ReplacedAt = &t
		}
		out.Reports[i] = rv
	}
	return out
}

// callReports answers GET /calls/{id}/reports. A store without
// storage.ReportVersions keeps no earlier reports: the list is the
// current one.
func (h *Handler) callReports(w http.ResponseWriter, r *http.Request) {
	st, c, err := h.storedCall(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	vs := storage.ReportHistory(c, nil)
	if rv, ok := st.(storage.ReportVersions); ok {
		if vs, err = rv.Reports(r.Context(), c.ID); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	h.logAccess(r, storage.AccessView, c)
	writeJSON(w, http.StatusOK, reportListOf(c.ID, vs))
}
