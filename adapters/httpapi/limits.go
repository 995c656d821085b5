package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/callaudit/callaudit"
)

// The routes whose bodies are JSON, and the upload's.
const (
	routeUpload      = "POST /analyze_audio_call"
	routeAnalyzeCall = "POST /analyze_call"
)

// escapedDialogFactor is how much larger than its UTF-8 bytes a dialog may
// grow in a JSON body: a letter outside ASCII sent as a \uXXXX escape (the
// default of Python's json.dumps, and so of requests' json=) is six bytes
// for the two of a Cyrillic letter, an emoji's surrogate pair twelve for
// four, a newline's \n two for one.
const escapedDialogFactor = 3

// dialogBodySlack is room beside the dialog for the other fields of
// /analyze_call (ids, mode, language), whatever their escaping.
const dialogBodySlack = 64 << 10

var jsonRoutes = map[string]bool{
	"POST /analyze_call":                             true,
	"POST /analyze_audio_by_url":                     true,
	"POST /webhook/new_call_recording":               true,
	"POST /erasure":                                  true,
	"PUT /calls/{id}/review":                         true,
	"POST /calls/{id}/disputes":                      true,
	"POST /calls/{id}/disputes/{dispute}/resolution": true,
}

// bodyLimits applies a route's limits before anything reads the body (the
// webhook's signature check reads it before the handler does): a declared
// Content-Length over the route's limit is refused at once with 413, and a
// JSON route gets its own short read deadline instead of the server's,
// which leaves time for a 512 MiB upload.
func (h *Handler) bodyLimits(w http.ResponseWriter, r *http.Request, route string) error {
	switch {
	case jsonRoutes[route]:
		limit := h.bodyLimit(route)
		if d := h.cfg.JSONReadTimeout; d > 0 {
			// Not every ResponseWriter can (a test recorder cannot); the
			// server's own deadline then stays.
			if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(d)); err != nil && !errors.Is(err, http.ErrNotSupported) {
				h.log.Debug("httpapi: cannot set the read deadline", "err", err)
			}
		}
		if r.ContentLength > limit {
			lim := byteSize(limit)
			return callaudit.Coded(callaudit.KindTooLarge, codeBodyTooLarge, "the request body is larger than the limit of "+lim, map[string]string{"limit": lim})
		}
	case route == routeUpload:
		if r.ContentLength > h.cfg.MaxAudioBytes+formOverhead {
			return tooLarge(h.cfg.MaxAudioBytes)
		}
	}
	return nil
}

// bodyLimit is the largest JSON body route accepts: MaxBodyBytes, and for
// /analyze_call at least enough for a dialog at the auditor's limit
// however its client escapes it, so that a dialog under the documented
// dialog limit is never refused for the size of its body.
func (h *Handler) bodyLimit(route string) int64 {
	limit := h.cfg.MaxBodyBytes
	if route == routeAnalyzeCall {
		limit = max(limit, escapedDialogFactor*int64(h.auditor.MaxDialogBytes())+dialogBodySlack)
	}
	return limit
}
