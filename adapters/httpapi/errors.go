package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
)

// kindMethodNotAllowed is the code of a 405. It is local to the HTTP layer:
// no package below it can produce a wrong method.
const kindMethodNotAllowed callaudit.Kind = "method_not_allowed"

// statuses is the one table from error kind to HTTP status
// (after benbjohnson/wtf http/http.go).
var statuses = map[callaudit.Kind]int{
	callaudit.KindMalformed:     http.StatusBadRequest,
	callaudit.KindUnauthorized:  http.StatusUnauthorized,
	callaudit.KindForbidden:     http.StatusForbidden,
	callaudit.KindNotFound:      http.StatusNotFound,
	kindMethodNotAllowed:        http.StatusMethodNotAllowed,
	callaudit.KindConflict:      http.StatusConflict,
	callaudit.KindTooLarge:      http.StatusRequestEntityTooLarge,
	callaudit.KindUnsupported:   http.StatusUnsupportedMediaType,
	callaudit.KindInvalid:       http.StatusUnprocessableEntity,
	callaudit.KindRateLimited:   http.StatusTooManyRequests,
	callaudit.KindCanceled:      499, // nginx's "client closed request"; nobody reads it but logs
	callaudit.KindInternal:      http.StatusInternalServerError,
	callaudit.KindUpstream:      http.StatusBadGateway,
	callaudit.KindUnavailable:   http.StatusServiceUnavailable,
	callaudit.KindNotConfigured: http.StatusServiceUnavailable,
	callaudit.KindTimeout:       http.StatusGatewayTimeout,
}

// StatusOf returns the HTTP status for an error: the table entry of its
// kind, 500 for anything unknown.
func StatusOf(err error) int {
	if s, ok := statuses[callaudit.KindOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes one error: the HTTP status, the callaudit.Kind as
// code, a message a person can act on and, for validation errors, the
// fields at fault.
type ErrorDetail struct {
	Status  int                    `json:"status"`
	Code    string                 `json:"code"`
	Message string                 `json:"message"`
	Fields  []callaudit.FieldError `json:"fields,omitempty"`
}

// writeError answers err in the JSON error shape and logs server-side
// failures with their detail.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	switch status, kind := StatusOf(err), callaudit.KindOf(err); {
	case status == http.StatusInternalServerError:
		h.log.Error("httpapi: request failed", "method", r.Method, "path", r.URL.Path, "status", status, "kind", kind, "err", err)
	case status > 500:
		// Upstream trouble or missing configuration: worth seeing, not a bug.
		h.log.Warn("httpapi: request failed", "method", r.Method, "path", r.URL.Path, "status", status, "kind", kind, "err", err)
	case kind == callaudit.KindCanceled:
		h.log.Debug("httpapi: request canceled", "method", r.Method, "path", r.URL.Path)
	}
	WriteError(w, err)
}

// WriteError answers err in the JSON error shape with the status of its
// kind (StatusOf), so that handlers mounted beside this package's (a
// webhook, an auth middleware) answer errors the same way. The response
// carries only the user-facing message, never the cause; logging is the
// caller's.
func WriteError(w http.ResponseWriter, err error) {
	kind := callaudit.KindOf(err)
	status := StatusOf(err)
	if _, known := statuses[kind]; !known {
		kind = callaudit.KindInternal
	}
	if d := callaudit.RetryAfterOf(err); d > 0 && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		// Whole seconds, rounded up, as the header requires.
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Status: status, Code: string(kind), Message: callaudit.MessageOf(err), Fields: callaudit.FieldsOf(err)}})
}

// jsonBuffers recycles the buffers responses are encoded into.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps a rare huge response (a long history page) from
// staying in the pool.
const maxPooledBuffer = 1 << 20

// writeJSON writes v as the response body. It encodes into a pooled buffer
// first: the response then goes out with a Content-Length in one write
// instead of chunk by chunk (a report is several KB, more than the
// server's write buffer), and a value that cannot be encoded becomes a
// clean 500 rather than a 200 cut short.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false) // quotes with < or & stay readable in the transcript
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		_ = json.NewEncoder(buf).Encode(ErrorBody{Error: ErrorDetail{Status: status, Code: string(callaudit.KindInternal), Message: "the answer cannot be encoded as JSON"}})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client went away; nothing left to tell it
}

// requireMediaType returns a KindUnsupported error unless the request's
// Content-Type is one of want. An absent Content-Type passes when
// allowMissing: simple CRM webhooks often send JSON without one.
func requireMediaType(r *http.Request, allowMissing bool, want ...string) (string, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" && allowMissing {
		return "", nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		for _, w := range want {
			if mt == w || (w == "application/json" && strings.HasSuffix(mt, "+json")) {
				return mt, nil
			}
		}
	}
	return "", callaudit.Errorf(callaudit.KindUnsupported, "Content-Type must be %s, not %q", strings.Join(want, " or "), ct)
}

// decodeJSON reads one JSON object from the body (at most max bytes) into
// v. Unknown fields are ignored (see the package comment). A body that is
// not JSON is KindMalformed (400), a value of the wrong type is
// KindInvalid naming the field (422), a body over the limit KindTooLarge
// (413).
func decodeJSON(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	if _, err := requireMediaType(r, true, "application/json"); err != nil {
		return err
	}
	body := http.MaxBytesReader(w, r.Body, max)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return jsonError(err, max)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return jsonError(err, max)
		}
		return callaudit.Errorf(callaudit.KindMalformed, "the body must hold one JSON object and nothing after it")
	}
	return nil
}

func jsonError(err error, max int64) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return &callaudit.Error{Kind: callaudit.KindTooLarge, Message: fmt.Sprintf("the request body is larger than the limit of %s", byteSize(max)), Err: err}
	case errors.Is(err, io.EOF):
		return callaudit.Wrap(err, callaudit.KindMalformed, "httpapi.decode", "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return callaudit.Wrap(err, callaudit.KindMalformed, "httpapi.decode", "the JSON body ends too early")
	case errors.As(err, &syntax):
		return callaudit.Wrap(err, callaudit.KindMalformed, "httpapi.decode", fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error()))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return callaudit.Wrap(err, callaudit.KindMalformed, "httpapi.decode", "the body must be a JSON object")
		}
		return callaudit.Invalid(callaudit.FieldError{Field: typ.Field, Message: "must be a " + jsonType(typ.Type.Kind().String())})
	}
	return callaudit.Wrap(err, callaudit.KindMalformed, "httpapi.decode", "cannot read the JSON body")
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "int", "int64", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "list"
	}
	return "JSON " + goKind
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
