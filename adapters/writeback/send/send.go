// Package send posts write-back requests and turns the answers into the
// project's error kinds, so that every adapter classifies a receiver's
// failures the same way and a queue can retry the transient ones:
//
//	2xx            success
//	429            KindRateLimited, with Retry-After
//	408, timeouts  KindTimeout
//	503            KindUnavailable, with Retry-After
//	other 5xx      KindUpstream
//	401, 403       KindUnauthorized
//	404, 410       KindNotFound
//	other 3xx, 4xx KindInvalid
//	unreachable    KindUnavailable
//
// Messages name the service and the status, never the URL or a token:
// a Bitrix24 webhook URL is itself a credential.
package send

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
)

// DefaultTimeout bounds one delivery attempt; the Standard Webhooks
// specification recommends 15 to 30 seconds.
const DefaultTimeout = 30 * time.Second

// maxBody is how much of an answer is read: receivers answer with small
// JSON documents, and an endless body must not hold a worker.
const maxBody = 1 << 20

// NewHTTPClient returns a client with a timeout that does not follow
// redirects: a receiver that moved should be reconfigured (the standard's
// advice), and a redirect must not carry a token to another host.
func NewHTTPClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Client sends requests to one receiver.
type Client struct {
	// HTTP sends the requests; nil means NewHTTPClient(DefaultTimeout).
	HTTP *http.Client
	// Service names the receiver in messages ("amoCRM").
	Service string
	// Secrets are removed from anything that could reach an error: the
	// answer's body, transport errors.
	Secrets []string
}

// Response is a successful answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req and returns the answer when its status is 2xx, or an error
// of the kind the status calls for (see the package comment). The cause
// of an error holds the start of the answer's body, with secrets removed,
// for logs.
func (c Client) Do(req *http.Request, op string) (*Response, error) {
	client := c.HTTP
	if client == nil {
		client = NewHTTPClient(DefaultTimeout)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, c.transportError(req.Context(), err, op)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, c.transportError(req.Context(), err, op)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
	}
	return nil, c.StatusError(resp.StatusCode, resp.Header, body, op)
}

// StatusError maps a non-2xx answer to an error; adapters call it
// directly for receivers that report failures inside a 2xx answer.
func (c Client) StatusError(status int, header http.Header, body []byte, op string) error {
	what := fmt.Sprintf("%s answered %d %s", c.Service, status, http.StatusText(status))
	e := &callaudit.Error{Op: op, Err: &AnswerError{Status: status, Body: c.Redact(snippet(body))}}
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind, e.Message = callaudit.KindRateLimited, what+": rate limited; the delivery will be retried"
		e.RetryAfter = retry.ParseAfter(header, time.Now())
	case status == http.StatusRequestTimeout || status == http.StatusGatewayTimeout:
		e.Kind, e.Message = callaudit.KindTimeout, what+"; the delivery will be retried"
	case status == http.StatusServiceUnavailable:
		e.Kind, e.Message = callaudit.KindUnavailable, what+"; the delivery will be retried"
		e.RetryAfter = retry.ParseAfter(header, time.Now())
	case status >= 500:
		e.Kind, e.Message = callaudit.KindUpstream, what+"; the delivery will be retried"
		e.RetryAfter = retry.ParseAfter(header, time.Now())
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind, e.Message = callaudit.KindUnauthorized, what+": check the credentials configured for it"
	case status == http.StatusNotFound || status == http.StatusGone:
		e.Kind, e.Message = callaudit.KindNotFound, what+": check the configured address and the record the call belongs to"
	case status >= 300 && status < 400:
		e.Kind, e.Message = callaudit.KindInvalid, what+": redirects are not followed; configure the final address"
	default:
		e.Kind, e.Message = callaudit.KindInvalid, what+": the receiver refused the request"
	}
	return e
}

func (c Client) transportError(ctx context.Context, err error, op string) error {
	// *url.Error repeats the URL, which may hold a credential: keep only
	// what it wraps.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return callaudit.Wrap(ctxErr, callaudit.KindTimeout, op, c.Service+" did not answer in time; the delivery will be retried")
		}
		return callaudit.Wrap(ctxErr, callaudit.KindCanceled, op, "the delivery to "+c.Service+" was canceled")
	}
	cause := &AnswerError{Body: c.Redact(err.Error())}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return callaudit.Wrap(cause, callaudit.KindTimeout, op, c.Service+" did not answer in time; the delivery will be retried")
	}
	return callaudit.Wrap(cause, callaudit.KindUnavailable, op, "cannot reach "+c.Service+"; the delivery will be retried")
}

// Redact replaces the client's secrets in s.
func (c Client) Redact(s string) string {
	for _, secret := range c.Secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

func snippet(body []byte) string {
	const n = 300
	s := strings.TrimSpace(string(body))
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// AnswerError is the cause of a delivery error, for logs and for adapters
// that read a receiver's own error codes: the status (0 for a transport
// failure) and the start of the answer or the transport error, with
// secrets removed.
type AnswerError struct {
	Status int
	Body   string
}

func (e *AnswerError) Error() string {
	switch {
	case e.Status == 0:
		return e.Body
	case e.Body == "":
		return "status " + strconv.Itoa(e.Status)
	}
	return "status " + strconv.Itoa(e.Status) + ": " + e.Body
}
