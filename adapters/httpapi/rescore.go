package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
)

// Rescorer runs rescore jobs (an adapters/queue.Queue).
type Rescorer interface {
	StartRescore(ctx context.Context, req audit.RescoreRequest) (audit.RescoreStatus, error)
	Rescore(ctx context.Context, id string) (audit.RescoreStatus, error)
}

// RescoreJob is the JSON body of POST /rescore and GET /rescore/{id}.
type RescoreJob struct {
	ID               string     `json:"id"`
	State            string     `json:"state"`
	Total            int        `json:"total"`
	Done             int        `json:"done"`
	Failed           int        `json:"failed"`
	Skipped          int        `json:"skipped"`
	Since            *time.Time `json:"since,omitempty"`
	Until            *time.Time `json:"until,omitempty"`
	Scorecard        string     `json:"scorecard,omitempty"`
	ScorecardVersion int        `json:"scorecard_version,omitempty"`
	By               string     `json:"by,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	Error            string     `json:"error,omitempty"`
}

func rescoreJobOf(s audit.RescoreStatus) RescoreJob {
	j := RescoreJob{ID: s.ID, State: s.State, Total: s.Total, Done: s.Done, Failed: s.Failed, Skipped: s.Skipped,
		Scorecard: s.Scorecard, ScorecardVersion: s.ScorecardVersion, By: s.By, CreatedAt: s.CreatedAt, Error: s.Error}
	if !s.Since.IsZero() {
		j.Since = timePtr(s.Since)
	}
	if !s.Until.IsZero() {
		j.Until = timePtr(s.Until)
	}
	return j
}

func (h *Handler) needRescorer() (Rescorer, error) {
	if h.cfg.Rescorer == nil {
		return nil, callaudit.Coded(callaudit.KindNotConfigured, codeRescoreMissing, "rescoring needs the job queue, which runs with speech-to-text configured; or run: callaudit rescore", nil)
	}
	return h.cfg.Rescorer, nil
}

func (h *Handler) startRescore(w http.ResponseWriter, r *http.Request) {
	rs, err := h.needRescorer()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req struct {
		Since            string `json:"since"`
		Until            string `json:"until"`
		Scorecard        string `json:"scorecard"`
		ScorecardVersion int    `json:"scorecard_version"`
		BatchSize        int    `json:"batch_size"`
	}
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	var errs queryErrors
	at := func(name, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, _, ok := parseTime(v)
		if !ok {
			errs.add(name, "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
		return t
	}
	since, until := at("since", req.Since), at("until", req.Until)
	if req.ScorecardVersion < 0 || req.BatchSize < 0 || req.BatchSize > storageMaxBatch {
		errs.add("batch_size", "must be between 0 and 1000")
	}
	if err := errs.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	st, err := rs.StartRescore(r.Context(), audit.RescoreRequest{Since: since, Until: until, Scorecard: req.Scorecard,
		ScorecardVersion: req.ScorecardVersion, BatchSize: req.BatchSize, By: PrincipalOf(r.Context()).ID})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/rescore/"+st.ID)
	writeJSON(w, http.StatusAccepted, rescoreJobOf(st))
}

// storageMaxBatch bounds a batch: one batch job must fit in the job
// timeout.
const storageMaxBatch = 1000

func (h *Handler) getRescore(w http.ResponseWriter, r *http.Request) {
	rs, err := h.needRescorer()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	st, err := rs.Rescore(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rescoreJobOf(st))
}
