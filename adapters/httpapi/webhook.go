package httpapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

// WebhookQueue records webhook calls durably for background analysis;
// adapters/queue.Queue is the reference one.
//
// Contract: EnqueueCall saves the call as queued and records its job, or,
// for a call id it already knows, returns the stored call without a
// second job. created is true only for the request that made the job. It
// is safe for concurrent use; errors use the project's kinds.
type WebhookQueue interface {
	EnqueueCall(ctx context.Context, in audit.Input, webhookID string) (call storage.Call, created bool, err error)
}

// webhookRequest is the body of POST /webhook/new_call_recording. It is
// checked as an audit.Input with storage.SourceWebhook (which requires the
// call id and the URL); webhookNames names its fields in errors.
type webhookRequest struct {
	CallID       string `json:"call_id"`
	ManagerID    string `json:"manager_id"`
	RecordingURL string `json:"recording_url"`
	ContentMode  string `json:"content_mode"`
	Language     string `json:"language"`
}

// webhookNames are the webhook's field names that differ from apiNames.
var webhookNames = map[string]string{"AudioURL": "recording_url", "file_url": "recording_url"}

// WebhookAccepted is the answer to a webhook: where the call is and where
// to follow it.
type WebhookAccepted struct {
	CallID       string         `json:"call_id"`
	Status       storage.Status `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"`
	StatusURL    string         `json:"status_url"`
}

// webhookHandler is the route with its optional signature check. A
// request signed in with a token of the webhook scope (or as a user who
// may) needs no signature: the token is its credential.
func (h *Handler) webhookHandler() http.Handler {
	next := http.HandlerFunc(h.newCallRecording)
	if h.cfg.WebhookAuth == nil {
		return next
	}
	signed := h.cfg.WebhookAuth(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := PrincipalOf(r.Context()).Kind; k == access.KindToken || k == access.KindUser {
			next.ServeHTTP(w, r)
			return
		}
		signed.ServeHTTP(w, r)
	})
}

// newCallRecording queues a call posted by a CRM or telephony system and
// answers at once: 202 when this request queued it, 200 with the current
// status when the call id is already known (a resend never runs a call
// twice).
func (h *Handler) newCallRecording(w http.ResponseWriter, r *http.Request) {
	var req webhookRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in := audit.Input{
		AudioURL:  req.RecordingURL,
		Mode:      req.ContentMode,
		CallID:    req.CallID,
		ManagerID: req.ManagerID,
		Language:  req.Language,
		Source:    storage.SourceWebhook,
	}
	info := infoOf(r)
	info.language, info.names = req.Language, webhookNames
	// All field problems in one answer, the mode's accepted values too;
	// the queue checks the same way (audit.Check).
	if err := h.checkURLInput(in); err != nil {
		h.writeError(w, r, err)
		return
	}
	// Refuse now what no worker could do, rather than fail it later.
	if err := h.needURLFetch(); err != nil {
		h.writeError(w, r, err)
		return
	}
	if h.cfg.Webhooks == nil {
		h.writeError(w, r, callaudit.Coded(callaudit.KindNotConfigured, codeWebhooksMissing, "webhooks need a job queue and none is configured", nil))
		return
	}
	call, created, err := h.cfg.Webhooks.EnqueueCall(r.Context(), in, r.Header.Get("webhook-id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusAccepted
	}
	statusURL := "/calls/" + url.PathEscape(call.ID)
	w.Header().Set("Location", statusURL)
	writeJSON(w, status, WebhookAccepted{CallID: call.ID, Status: call.Status, StatusReason: call.StatusReason, StatusURL: statusURL})
}
