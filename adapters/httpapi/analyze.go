package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// analyzeCallRequest is the body of POST /analyze_call: the original
// {"dialog_text", "content_mode"} plus the optional ids and language. The
// auditor validates it as an audit.Input; apiNames maps the Go fields of
// its errors back to these names.
type analyzeCallRequest struct {
	DialogText  string `json:"dialog_text"`
	ContentMode string `json:"content_mode"`
	CallID      string `json:"call_id"`
	ManagerID   string `json:"manager_id"`
	Language    string `json:"language"`
	// Direction is inbound or outbound when known (audit.Input.Direction).
	Direction transcribe.Direction `json:"direction"`
	// Replace asks to replace the stored call with the same call_id
	// (see mayReplace).
	Replace bool `json:"replace"`
}

// analyzeURLRequest is the body of POST /analyze_audio_by_url.
type analyzeURLRequest struct {
	FileURL     string `json:"file_url"`
	ContentMode string `json:"content_mode"`
	CallID      string `json:"call_id"`
	ManagerID   string `json:"manager_id"`
	Language    string `json:"language"`
	Replace     bool   `json:"replace"`
	// Direction is inbound or outbound when known.
	Direction transcribe.Direction `json:"direction"`
}

// saveErrorHeader carries the message when a report was made but could not
// be saved, beside the error answer, for clients that only read headers.
const saveErrorHeader = "Callaudit-Save-Error"

func (h *Handler) analyzeCall(w http.ResponseWriter, r *http.Request) {
	var req analyzeCallRequest
	if err := decodeJSON(w, r, h.bodyLimit(routeAnalyzeCall), &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	infoOf(r).language = req.Language
	h.audit(w, r, audit.Input{
		DialogText: req.DialogText,
		Mode:       req.ContentMode,
		CallID:     req.CallID,
		ManagerID:  req.ManagerID,
		Language:   req.Language,
		Direction:  req.Direction,
	}, req.Replace)
}

func (h *Handler) analyzeAudioByURL(w http.ResponseWriter, r *http.Request) {
	var req analyzeURLRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in := audit.Input{
		AudioURL:  req.FileURL,
		Mode:      req.ContentMode,
		CallID:    req.CallID,
		ManagerID: req.ManagerID,
		Language:  req.Language,
		Direction: req.Direction,
		Source:    storage.SourceURL,
	}
	infoOf(r).language = req.Language
	// Bad fields first (the URL against the fetch policy too), then what
	// the server lacks: a caller fixes its request before it asks the
	// operator.
	if err := h.checkURLInput(in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if h.measures() {
		h.measure(w, r, in)
		return
	}
	if err := h.needURLFetch(); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.audit(w, r, in, req.Replace)
}

// checkURLInput validates a URL input (audit.Check), then its URL by the
// fetch policy (Auditor.CheckURL), so that a refused address is answered
// before any 503 too.
func (h *Handler) checkURLInput(in audit.Input) error {
	if err := audit.Check(in); err != nil {
		return err
	}
	return h.auditor.CheckURL(in.AudioURL)
}

// needTranscriber answers the configured hint when audio cannot be
// transcribed, before any upload is read.
func (h *Handler) needTranscriber() error {
	if !h.auditor.CanTranscribe() {
		// The hint is the deployment's English text; other languages get
		// the catalogue's.
		return callaudit.Coded(callaudit.KindNotConfigured, codeTranscriberHint, h.cfg.TranscriberHint, map[string]string{"hint": h.cfg.TranscriberHint})
	}
	return nil
}

// fetchesURLs reports whether /analyze_audio_by_url can answer: an audit
// with speech-to-text, or without it the energy-only measure of a stereo
// WAV (measures).
func (h *Handler) fetchesURLs() bool {
	return h.auditor.CanFetch() || (h.measures() && h.auditor.CanMeasureURL())
}

func (h *Handler) needURLFetch() error {
	if err := h.needTranscriber(); err != nil {
		return err
	}
	if !h.auditor.CanFetch() {
		return callaudit.Coded(callaudit.KindNotConfigured, codeURLFetchMissing, "analysing a recording by URL needs a URL fetcher, and none is configured", nil)
	}
	return nil
}

// checkInput checks an analysis's ids, a 422 for one no call can have
// before any lookup, then the principal's right to analyse it
// (mayAnalyze).
func (h *Handler) checkInput(r *http.Request, in *audit.Input) error {
	var errs queryErrors
	idParam("CallID", in.CallID, &errs)
	idParam("ManagerID", in.ManagerID, &errs)
	if len(errs) > 0 {
		// The other fields at fault too, so that one answer lists them
		// all. A dialog over the default limit is left to the auditor,
		// whose own limit may differ.
		if err := audit.Check(*in); callaudit.KindOf(err) == callaudit.KindInvalid {
			for _, f := range callaudit.FieldsOf(err) {
				if f.Field != "CallID" && f.Field != "ManagerID" {
					errs = append(errs, f)
				}
			}
		}
		return errs.err()
	}
	return h.mayAnalyze(r, in)
}

// audit runs the pipeline and answers the report or the error; replace
// is the request's permission to replace a stored call with its call_id.
func (h *Handler) audit(w http.ResponseWriter, r *http.Request, in audit.Input, replace bool) {
	// The ids are looked up below (mayAnalyze, mayReplace) before the
	// auditor checks the rest: one no call can have is a 422 first, never
	// a database error.
	if err := h.checkInput(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.mayReplace(r, in, replace); err != nil {
		h.writeError(w, r, err)
		return
	}
	rep, err := h.auditor.Audit(r.Context(), in)
	h.metrics.observeAudit(in, h.scorer, rep, err)
	if err != nil && rep == nil {
		h.writeError(w, r, err)
		return
	}
	if err != nil {
		// Scored but not saved: a 200 would let the caller believe the
		// call is in the history. The auditor has logged the cause.
		h.metrics.saveErrors.WithLabelValues(string(callaudit.KindOf(err))).Inc()
		w.Header().Set(saveErrorHeader, headerSafe(callaudit.MessageOf(err)))
		h.writeError(w, r, err)
		return
	}
	// score.Report marshals with the original fields unchanged
	// (total_score, criteria, summary, recommendations, raw_model_output).
	writeJSON(w, http.StatusOK, rep)
}

// mayAnalyze keeps a principal who sees only some managers' calls within
// them: a manager's analyses are saved under their own manager id (one
// naming another manager is refused), a lead's under one of their teams'
// or none, and nobody replaces a stored call they do not see by reusing
// its call_id.
func (h *Handler) mayAnalyze(r *http.Request, in *audit.Input) error {
	p := PrincipalOf(r.Context())
	if p.Visibility() == access.SeesAll {
		return nil
	}
	if in.ManagerID == "" && p.Role == storage.RoleManager {
		in.ManagerID = p.ManagerID
	}
	if in.ManagerID != "" && !p.Sees(in.ManagerID) {
		q := strconv.Quote(in.ManagerID)
		return callaudit.Coded(callaudit.KindForbidden, codeManagerOutside, "you may not analyse calls of manager "+q, map[string]string{"manager": q})
	}
	if in.CallID != "" && h.store != nil {
		c, err := h.store.Get(r.Context(), in.CallID)
		switch {
		case err == nil && !p.Sees(c.ManagerID):
			q := strconv.Quote(in.CallID)
			return callaudit.Coded(callaudit.KindForbidden, codeCallIDTaken, "call_id "+q+" is taken by a call you may not change; choose another", map[string]string{"id": q})
		case err != nil && callaudit.KindOf(err) != callaudit.KindNotFound:
			return err
		}
	}
	return nil
}

// mayReplace keeps a stored call from being replaced silently: analysing
// with the call_id of a stored call is a 409 naming it, unless the
// request asks to replace it (replace: true) and the caller may change
// it (mayAnalyze has checked that the principal sees it). A call that
// arrived through the webhook is replaced only by its own intake (the
// queue), never through these routes, so that the webhook's signature
// protects its result. Between this check and the save another request
// may store the same id; the check is for people, not a lock.
func (h *Handler) mayReplace(r *http.Request, in audit.Input, replace bool) error {
	if in.CallID == "" || h.store == nil {
		return nil
	}
	c, err := h.store.Get(r.Context(), in.CallID)
	switch {
	case callaudit.KindOf(err) == callaudit.KindNotFound:
		return nil
	case err != nil:
		return err
	}
	q := strconv.Quote(c.ID)
	params := map[string]string{"id": q, "created": c.CreatedAt.UTC().Format(time.RFC3339), "url": "/calls/" + url.PathEscape(c.ID)}
	if c.Source == storage.SourceWebhook {
		return callaudit.Coded(callaudit.KindConflict, codeCallFromWebhook,
			"call_id "+q+" is a call that arrived through the webhook ("+params["url"]+"); only its own webhook may change it: choose another call_id", params)
	}
	if !replace {
		return callaudit.Coded(callaudit.KindConflict, codeCallExists,
			"call_id "+q+" is already stored (analysed "+params["created"]+", "+params["url"]+"); send replace: true to replace it, or choose another call_id", params)
	}
	return nil
}

// headerSafe keeps a message usable as a header value: printable ASCII
// only (a Russian message would otherwise be mangled by proxies).
func headerSafe(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b = append(b, c)
		}
	}
	return string(b)
}
