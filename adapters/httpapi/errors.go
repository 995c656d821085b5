package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
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
	kindMisdirected:             http.StatusMisdirectedRequest,
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
// fields at fault, named as the request names them. Messages are in the
// language of the request (see the package comment).
type ErrorDetail struct {
	Status  int           `json:"status"`
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Fields  []FieldDetail `json:"fields,omitempty"`
}

// FieldDetail names one request field at fault and says what is wrong.
type FieldDetail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Line is the line of a file the field is on (a scorecard's), when
	// the error knows it.
	Line int `json:"line,omitempty"`
}

// writeError answers err in the JSON error shape, in the request's
// language and with its field names, and logs server-side failures with
// their detail.
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
	info := infoOf(r)
	writeError(w, err, requestLanguage(r, info.language), info.names)
}

// WriteError answers err in the JSON error shape with the status of its
// kind (StatusOf), so that handlers mounted beside this package's (a
// webhook, an auth middleware) answer errors the same way. The message is
// in English (without the request, its language is unknown) and Go field
// paths of the core are renamed to the API's JSON names. The response
// carries only the user-facing message, never the cause; logging is the
// caller's.
func WriteError(w http.ResponseWriter, err error) {
	writeError(w, err, defaultLang, nil)
}

func writeError(w http.ResponseWriter, err error, lang string, names map[string]string) {
	status := StatusOf(err)
	if d := callaudit.RetryAfterOf(err); d > 0 && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		// Whole seconds, rounded up, as the header requires.
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	writeJSON(w, status, ErrorBody{Error: errorDetail(err, lang, names)})
}

// errorDetail renders err for a person: each message from the catalogue
// in lang when it has a code (callaudit.CodeOf), the error's own message
// otherwise; field paths renamed by names, then by apiNames.
func errorDetail(err error, lang string, names map[string]string) ErrorDetail {
	kind := callaudit.KindOf(err)
	status := StatusOf(err)
	if _, known := statuses[kind]; !known {
		kind = callaudit.KindInternal
	}
	rename := func(path string) string {
		if n, ok := names[path]; ok {
			return n
		}
		if n, ok := apiNames[path]; ok {
			return n
		}
		return path
	}
	var fields []FieldDetail
	var raw []callaudit.FieldError
	for _, f := range callaudit.FieldsOf(err) {
		raw = append(raw, f)
		line, _ := strconv.Atoi(f.Params["line"])
		fields = append(fields, FieldDetail{Field: rename(f.Field), Message: text(lang, f.Code, f.Params, f.Message), Line: max(line, 0)})
	}
	msg := callaudit.MessageOf(err)
	code, params := callaudit.CodeOf(err)
	switch {
	case code != "":
		if f, ok := params["field"]; ok {
			params = maps.Clone(params)
			params["field"] = rename(f)
		}
		msg = text(lang, code, params, msg)
	case len(raw) > 0 && msg == callaudit.Invalid(raw...).Message:
		// The message lists the fields (callaudit.Invalid): list them again
		// as rendered.
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = f.Field + ": " + f.Message
		}
		msg = strings.Join(parts, "; ")
	}
	return ErrorDetail{Status: status, Code: string(kind), Message: msg, Fields: fields}
}

// apiNames are the JSON names of the core's Go field paths (audit.Input,
// score.Request) in the API's requests. A route whose names differ (the
// webhook's recording_url) gives its own map first.
var apiNames = map[string]string{
	"DialogText": "dialog_text",
	"Transcript": "transcript",
	"Audio":      "audio",
	"AudioURL":   "file_url",
	"Mode":       "content_mode",
	"CallID":     "call_id",
	"ManagerID":  "manager_id",
	"Language":   "language",
	"Prompt":     "prompt",
	"Direction":  "direction",
	"Input":      "input",
}

// requestInfo is what a handler learns about a request that its error
// answer needs: the report language it asked for, and its field names
// where they differ from apiNames. ServeHTTP puts an empty one in the
// request's context; handlers fill it in once the body is read.
type requestInfo struct {
	language string
	names    map[string]string
}

type requestInfoKey struct{}

func withRequestInfo(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, &requestInfo{}))
}

// infoOf returns the request's info; a zero one outside ServeHTTP.
func infoOf(r *http.Request) *requestInfo {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// requestLanguage chooses the language of a request's messages: the first
// language of Accept-Language that the catalogue has (the web UI sends its
// own language there, browsers the user's), else the report language the
// request asked for, else English.
func requestLanguage(r *http.Request, reportLanguage string) string {
	if r != nil {
		if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
			for _, t := range tags {
				if l := messageLanguage(t.String()); l != "" {
					return l
				}
			}
		}
	}
	if l := messageLanguage(reportLanguage); l != "" {
		return l
	}
	return defaultLang
}

// messageLanguage returns the catalogue language of a tag, or "".
func messageLanguage(tag string) string {
	switch l := transcribe.NormalizeLanguage(tag); l {
	case langRU, langEN:
		return l
	}
	return ""
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
		_ = json.NewEncoder(buf).Encode(ErrorBody{Error: ErrorDetail{Status: status, Code: string(callaudit.KindInternal), Message: text(defaultLang, codeAnswerNotEncodable, nil, "")}})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client went away; nothing left to tell it
}

// requireMediaType returns a KindUnsupported error unless the request's
// Content-Type is one of want. A missing one is refused too: a browser
// sends a body without Content-Type cross-site without asking the server
// first, and so would a page posting JSON as a "simple" request.
func requireMediaType(r *http.Request, want ...string) (string, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		for _, w := range want {
			if mt == w || (w == "application/json" && strings.HasSuffix(mt, "+json")) {
				return mt, nil
			}
		}
	}
	wants, got := strings.Join(want, " or "), strconv.Quote(ct)
	if ct == "" {
		got = "none"
	}
	return "", callaudit.Coded(callaudit.KindUnsupported, codeMediaType, "Content-Type must be "+wants+", not "+got, map[string]string{"want": wants, "got": got})
}

// decodeJSON reads one JSON object from the body (at most max bytes) into
// v. Unknown fields are ignored (see the package comment). A body that is
// not JSON is KindMalformed (400), a value of the wrong type is
// KindInvalid naming the field (422), a body over the limit KindTooLarge
// (413).
//
// The body must be UTF-8 (RFC 8259): encoding/json would turn every byte of
// a windows-1251 dialog into U+FFFD and the call would be scored as a
// string of question marks, so other bytes are KindMalformed naming where
// they start. A leading byte order mark, which Windows tools write, is
// skipped (RFC 8259 allows that).
func decodeJSON(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	if _, err := requireMediaType(r, "application/json"); err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		return jsonError(err, max)
	}
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if at := invalidUTF8(data); at >= 0 {
		offset := strconv.Itoa(at)
		return callaudit.Coded(callaudit.KindMalformed, codeJSONNotUTF8, "the body is not UTF-8 text (byte "+offset+"); send JSON in UTF-8, converting text in windows-1251 or another code page first", map[string]string{"offset": offset})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return jsonError(err, max)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return jsonError(err, max)
		}
		return callaudit.Coded(callaudit.KindMalformed, codeJSONTrailing, "the body must hold one JSON object and nothing after it", nil)
	}
	return nil
}

// invalidUTF8 is the offset of the first byte of b that is not UTF-8, or
// -1 when b is valid.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

func jsonError(err error, max int64) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		limit := byteSize(max)
		return coded(err, callaudit.KindTooLarge, codeBodyTooLarge, "the request body is larger than the limit of "+limit, map[string]string{"limit": limit})
	case errors.Is(err, io.EOF):
		return coded(err, callaudit.KindMalformed, codeBodyEmpty, "the request body is empty; send a JSON object", nil)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return coded(err, callaudit.KindMalformed, codeJSONTruncated, "the JSON body ends too early", nil)
	case errors.As(err, &syntax):
		offset := strconv.FormatInt(syntax.Offset, 10)
		return coded(err, callaudit.KindMalformed, codeJSONSyntax, "malformed JSON at byte "+offset+": "+syntax.Error(), map[string]string{"offset": offset, "detail": syntax.Error()})
	case errors.As(err, &typ):
		if typ.Field == "" {
			return coded(err, callaudit.KindMalformed, codeJSONNotObject, "the body must be a JSON object", nil)
		}
		want := jsonType(typ.Type.Kind().String())
		return callaudit.Invalid(callaudit.FieldError{Field: typ.Field, Message: "must be a " + want, Code: codeJSONType, Params: map[string]string{"type": want}})
	}
	return coded(err, callaudit.KindMalformed, codeJSONUnreadable, "cannot read the JSON body", nil)
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
