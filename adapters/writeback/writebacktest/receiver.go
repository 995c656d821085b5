package writebacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
)

// Delivery is one callback the Receiver accepted.
type Delivery struct {
	// ID is the webhook-id.
	ID      string
	Payload signedhook.Payload
	Body    []byte
}

// Receiver is a Standard Webhooks endpoint for signedhook (or any
// sender): it verifies each request's signature with the secret, checks
// the payload's shape and records it. It keeps no replay guard, as a real
// receiver deduplicating by webhook-id would not refuse a retry: tests
// count deliveries per call and per id instead.
type Receiver struct {
	*httptest.Server
	faults

	verifier   *webhooks.Verifier
	mu         sync.Mutex
	deliveries []Delivery
	byCall     map[string]int
	byID       map[string]int
	rejected   int
}

// NewReceiver starts a Receiver for a whsec_ secret. It panics when the
// secret does not parse, like httptest.NewServer on a failure: it is for
// tests.
func NewReceiver(secret string) *Receiver {
	v, err := webhooks.NewVerifier(secret, webhooks.WithReplayGuard(nil))
	if err != nil {
		panic("writebacktest.NewReceiver: " + err.Error())
	}
	r := &Receiver{verifier: v, byCall: map[string]int{}, byID: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if r.inject(w, func(status int) string { return fmt.Sprintf(`{"error":"injected %d"}`, status) }) {
		return
	}
	refuse := func(status int, problem string) {
		r.problem(problem)
		r.mu.Lock()
		r.rejected++
		r.mu.Unlock()
		http.Error(w, problem, status)
	}
	if req.Method != http.MethodPost {
		refuse(http.StatusMethodNotAllowed, "method "+req.Method+", want POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/json" {
		refuse(http.StatusUnsupportedMediaType, "Content-Type "+req.Header.Get("Content-Type")+", want application/json")
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		refuse(http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	if err := r.verifier.VerifyContext(req.Context(), req.Header, body); err != nil {
		refuse(http.StatusUnauthorized, "signature: "+callaudit.MessageOf(err))
		return
	}
	var p signedhook.Payload
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		refuse(http.StatusBadRequest, "payload: "+err.Error())
		return
	}
	if p.Type == "" || p.Timestamp.IsZero() || p.Data.CallID == "" || p.Data.Status == "" {
		refuse(http.StatusBadRequest, "payload lacks type, timestamp, data.call_id or data.status")
		return
	}
	id := req.Header.Get(webhooks.HeaderID)
	r.mu.Lock()
	r.deliveries = append(r.deliveries, Delivery{ID: id, Payload: p, Body: body})
	r.byCall[p.Data.CallID]++
	r.byID[id]++
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// Count returns how many deliveries carried callID.
func (r *Receiver) Count(callID string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byCall[callID]
}

// CountID returns how many deliveries carried the webhook-id.
func (r *Receiver) CountID(webhookID string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[webhookID]
}

// Calls returns the number of deliveries per call id.
func (r *Receiver) Calls() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.byCall))
	for k, v := range r.byCall {
		out[k] = v
	}
	return out
}

// Deliveries returns the accepted deliveries in arrival order.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.deliveries...)
}

// Rejected returns how many requests were refused as unsigned or
// malformed; Problems says why.
func (r *Receiver) Rejected() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rejected
}
