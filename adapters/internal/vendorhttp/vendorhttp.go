// Package vendorhttp is what the REST adapters of speech-to-text and model
// vendors without a Go SDK (adapters/yandex, adapters/salute,
// adapters/gigachat) share: sending one request, reading a JSON answer,
// and turning HTTP statuses and transport failures into callaudit error
// kinds with messages that name the service and the setting to check and
// never carry a secret.
package vendorhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
)

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// Service names a vendor API in error messages.
type Service struct {
	// Name is how messages name the API ("Yandex SpeechKit API").
	Name string
	// Setting is the variable that holds the credentials
	// ("AUDIT_YANDEX_API_KEY"), for the message of a rejected key.
	Setting string
}

// StatusError is the cause of an error answer: its HTTP status and the
// vendor's message with secrets removed.
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("status %d: %s", e.Status, e.Message) }

// StatusOf returns the HTTP status of the error answer behind err, or 0.
func StatusOf(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

// statusKinds maps error statuses to kinds and message codes. A rejected
// key or refused access is the server's configuration, not the caller's
// credentials: not_configured (503) rather than 401/403.
var statusKinds = map[int]struct {
	kind callaudit.Kind
	code callaudit.Code
}{
	http.StatusUnauthorized:          {callaudit.KindNotConfigured, callaudit.CodeUpstreamKeyRejected},
	http.StatusPaymentRequired:       {callaudit.KindNotConfigured, callaudit.CodeUpstreamNoQuota},
	http.StatusForbidden:             {callaudit.KindNotConfigured, callaudit.CodeUpstreamRefused},
	http.StatusNotFound:              {callaudit.KindNotConfigured, callaudit.CodeUpstreamUnknownModel},
	http.StatusRequestEntityTooLarge: {callaudit.KindTooLarge, callaudit.CodeUpstreamTooLarge},
	http.StatusUnsupportedMediaType:  {callaudit.KindUnsupported, callaudit.CodeUpstreamUnreadable},
	http.StatusTooManyRequests:       {callaudit.KindRateLimited, callaudit.CodeUpstreamRateLimited},
	http.StatusRequestTimeout:        {callaudit.KindTimeout, callaudit.CodeUpstreamTimedOut},
	http.StatusGatewayTimeout:        {callaudit.KindTimeout, callaudit.CodeUpstreamTimedOut},
	http.StatusBadGateway:            {callaudit.KindUnavailable, callaudit.CodeUpstreamUnavailable},
	http.StatusServiceUnavailable:    {callaudit.KindUnavailable, callaudit.CodeUpstreamUnavailable},
}

// englishMessages are the English texts of the codes used here, with
// {service}, {setting} and {detail} filled in (the catalogue of
// adapters/httpapi has both languages).
var englishMessages = map[callaudit.Code]string{
	callaudit.CodeUpstreamKeyRejected:  "the {service} rejected the API key (check {setting})",
	callaudit.CodeUpstreamRefused:      "the {service} refused access: {detail}",
	callaudit.CodeUpstreamUnknownModel: "the {service} does not know the configured model or endpoint: {detail}",
	callaudit.CodeUpstreamTooLarge:     "the {service} rejected the upload as too large",
	callaudit.CodeUpstreamUnreadable:   "the {service} cannot read the recording: {detail}",
	callaudit.CodeUpstreamRateLimited:  "the {service} is rate limiting requests; try again later",
	callaudit.CodeUpstreamTimedOut:     "the {service} timed out",
	callaudit.CodeUpstreamUnavailable:  "the {service} is unavailable; try again later",
	callaudit.CodeUpstreamServerError:  "the {service} failed to process the request",
	callaudit.CodeUpstreamRejected:     "the {service} rejected the request: {detail}",
	callaudit.CodeUpstreamUnreachable:  "the {service} is unreachable or closed the connection",
	callaudit.CodeUpstreamTimeout:      "the {service} did not answer in time",
	callaudit.CodeUpstreamFailed:       "the {service} request failed",
}

// Coded returns an error of kind with code's English message for this
// service; detail fills {detail}. cause stays for logs.
func (s Service) Coded(kind callaudit.Kind, code callaudit.Code, op, detail string, cause error) *callaudit.Error {
	params := map[string]string{"service": s.Name, "setting": s.Setting, "account": s.Name, "detail": detail}
	msg := englishMessages[code]
	for k, v := range params {
		msg = strings.ReplaceAll(msg, "{"+k+"}", v)
	}
	e := callaudit.Wrap(cause, kind, op, msg)
	e.Code, e.Params = code, params
	return e
}

// StatusError maps an error answer: its status, the vendor's message
// (already redacted) and the wait the answer asked for.
func (s Service) StatusError(op string, status int, msg string, retryAfter time.Duration) *callaudit.Error {
	cause := &StatusError{Status: status, Message: msg}
	k, ok := statusKinds[status]
	switch {
	case ok:
	case status >= 500:
		k.kind, k.code = callaudit.KindUpstream, callaudit.CodeUpstreamServerError
	default:
		k.kind, k.code = callaudit.KindInvalid, callaudit.CodeUpstreamRejected
	}
	e := s.Coded(k.kind, k.code, op, msg, cause)
	if callaudit.IsTransient(e) {
		e.RetryAfter = retryAfter
	}
	return e
}

// TransportError maps a request that got no answer. A done ctx is
// KindCanceled or KindTimeout.
func (s Service) TransportError(ctx context.Context, op string, err error, secrets ...string) error {
	if cerr := ctx.Err(); cerr != nil {
		return ContextError(op, cerr)
	}
	cause := errors.New(Redact(err.Error(), secrets...))
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return s.Coded(callaudit.KindTimeout, callaudit.CodeUpstreamTimeout, op, "", cause)
	}
	return s.Coded(callaudit.KindUnavailable, callaudit.CodeUpstreamUnreachable, op, "", cause)
}

// ContextError is the error of a call whose context ended.
func ContextError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		e := callaudit.Wrap(err, callaudit.KindTimeout, op, "the operation timed out")
		e.Code = callaudit.CodeTimeout
		return e
	}
	e := callaudit.Wrap(err, callaudit.KindCanceled, op, "the request was canceled")
	e.Code = callaudit.CodeCanceled
	return e
}

// tokenPattern matches credentials in text: authorization schemes with
// their value and long token-shaped runs (JWTs, base64 keys).
var tokenPattern = regexp.MustCompile(`(?i)((?:Bearer|Basic|Api-Key)\s+\S+|[A-Za-z0-9_\-]{12,}\.[A-Za-z0-9_\-]{12,}\.[A-Za-z0-9_\-]*|[A-Za-z0-9+/]{40,}={0,2})`)

// Redact removes the secrets and anything shaped like a credential from
// s, and shortens it to 500 bytes.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	s = tokenPattern.ReplaceAllString(s, "[REDACTED]")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// Client sends requests to one vendor API.
type Client struct {
	HTTP    *http.Client
	Service Service
	// Message extracts the vendor's error text from an error answer's
	// body; nil uses the body itself.
	Message func(body []byte) string
	// Secrets returns the credentials to keep out of error texts.
	Secrets func() []string
}

// Request is one call.
type Request struct {
	Method string
	URL    string
	Header http.Header
	// Body, when set, returns a fresh body for each attempt.
	Body          func() (io.Reader, error)
	ContentLength int64
}

// Do sends r and decodes a 2xx JSON answer into out (nil skips the body;
// a *[]byte receives it raw). Error answers are StatusError's kinds.
func (c *Client) Do(ctx context.Context, op string, r Request, out any) error {
	var secrets []string
	if c.Secrets != nil {
		secrets = c.Secrets()
	}
	var body io.Reader
	if r.Body != nil {
		b, err := r.Body()
		if err != nil {
			return err
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return callaudit.Wrap(errors.New(Redact(err.Error(), secrets...)), callaudit.KindNotConfigured, op, "the "+c.Service.Name+" address is not a valid URL")
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.ContentLength > 0 {
		req.ContentLength = r.ContentLength
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return c.Service.TransportError(ctx, op, err, secrets...)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		msg := string(data)
		if c.Message != nil {
			msg = c.Message(data)
		}
		return c.Service.StatusError(op, resp.StatusCode, Redact(strings.TrimSpace(msg), secrets...), retry.ParseAfter(resp.Header, time.Now()))
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return c.Service.TransportError(ctx, op, err, secrets...)
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(out); err != nil {
		return c.Service.Coded(callaudit.KindUpstream, callaudit.CodeUpstreamFailed, op, "", fmt.Errorf("unexpected answer: %w", err))
	}
	return nil
}

// JSONMessage returns the first of keys that holds a non-empty string in
// the JSON object body ("message", "error", …), or the body as text when
// it is not such an object.
func JSONMessage(body []byte, keys ...string) string {
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		for _, k := range keys {
			if v, ok := m[k].(string); ok && v != "" {
				return v
			}
		}
	}
	return string(body)
}

// Attempts runs attempt under the retry policy, each attempt bounded by
// timeout (the adapters' Config.Timeout), so that a slow attempt ends as
// a transient timeout the policy may retry.
func Attempts(ctx context.Context, policy retry.Policy, timeout time.Duration, attempt func(ctx context.Context) error) error {
	return policy.Do(ctx, func(ctx context.Context) error {
		actx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return attempt(actx)
	})
}

// Bearer is a header with the token as "Authorization: Bearer <token>"
// and the other headers given as name, value pairs.
func Bearer(token string, kv ...string) http.Header {
	h := http.Header{"Authorization": {"Bearer " + token}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}
