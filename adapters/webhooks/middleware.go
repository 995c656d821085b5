package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/callaudit/callaudit"
)

// DefaultMaxBody is the largest body RequireSignature reads: webhook
// payloads are small JSON documents, and the whole body must be in memory
// to check its signature.
const DefaultMaxBody = 1 << 20

// MiddlewareOption configures RequireSignature.
type MiddlewareOption func(*middleware)

// MaxBody sets the body size limit in bytes; n <= 0 keeps DefaultMaxBody.
func MaxBody(n int64) MiddlewareOption {
	return func(m *middleware) {
		if n > 0 {
			m.maxBody = n
		}
	}
}

type middleware struct {
	v          *Verifier
	writeError func(http.ResponseWriter, error)
	next       http.Handler
	maxBody    int64
}

// RequireSignature returns a handler that reads the request body (up to
// the size limit), verifies it with v and passes the request on to next
// with the body restored; a request that fails is answered through
// writeError and never reaches next. Pass httpapi.WriteError as writeError
// so that a 401 has the same JSON shape as every other error of the
// server (it is a parameter because httpapi itself may mount this
// middleware, and a package import would then be a cycle).
//
// When next answers with a status outside 2xx, the webhook id is released
// from the replay guard: the sender will retry with the same id, and that
// retry must not be refused as a replay of a delivery that did not land.
// The verified id is available to next through IDFromContext.
func RequireSignature(v *Verifier, writeError func(http.ResponseWriter, error), next http.Handler, opts ...MiddlewareOption) http.Handler {
	if v == nil || writeError == nil || next == nil {
		panic("webhooks.RequireSignature: nil verifier, error writer or handler")
	}
	m := &middleware{v: v, writeError: writeError, next: next, maxBody: DefaultMaxBody}
	for _, opt := range opts {
		opt(m)
	}
	return m
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, m.maxBody))
	_ = r.Body.Close()
	if err != nil {
		m.writeError(w, bodyError(err, m.maxBody))
		return
	}
	if err := m.v.VerifyContext(r.Context(), r.Header, body); err != nil {
		m.writeError(w, err)
		return
	}
	id := strings.TrimSpace(r.Header.Get(HeaderID))
	r = r.WithContext(context.WithValue(r.Context(), idKey{}, id))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }

	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		// Also on panic: http.Server recovers it and the client sees a
		// failure, so the sender's retry must get through.
		if rec.status < 200 || rec.status > 299 {
			_ = m.v.Release(context.WithoutCancel(r.Context()), id)
		}
	}()
	m.next.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK // nothing written: net/http sends 200
	}
}

func bodyError(err error, limit int64) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &callaudit.Error{Kind: callaudit.KindTooLarge, Op: "webhooks.RequireSignature",
			Message: fmt.Sprintf("the webhook body is larger than the limit of %d bytes", limit), Err: err}
	}
	return callaudit.Wrap(err, callaudit.KindMalformed, "webhooks.RequireSignature", "cannot read the webhook body")
}

type idKey struct{}

// IDFromContext returns the webhook-id that RequireSignature verified, or
// "" outside it.
func IDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(idKey{}).(string)
	return id
}

// statusRecorder remembers the status next answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 { // 1xx are interim answers
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer
// (Flush, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
