// Package writebacktest has fake receivers for the write-back adapters:
// a Standard Webhooks receiver that verifies signatures and counts
// deliveries per call and per webhook-id, and fakes of the amoCRM and
// Bitrix24 endpoints that check each request the way the real API would.
// Each can be told to answer the next requests with failures (429 with
// Retry-After, 5xx) to test retries. They listen on loopback only
// (httptest) and are safe for concurrent use; Close them when done.
package writebacktest

import (
	"net/http"
	"sync"
)

// Fault is an answer a fake gives instead of handling a request.
type Fault struct {
	Status int
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// Body is sent as the body; when empty the fake writes its usual
	// error document for the status.
	Body string
}

// faults is the queue of answers to inject, shared by the fakes.
type faults struct {
	mu       sync.Mutex
	queue    []Fault
	problems []string
}

// Fail makes the next len(fs) requests get these answers, in order.
func (f *faults) Fail(fs ...Fault) {
	f.mu.Lock()
	f.queue = append(f.queue, fs...)
	f.mu.Unlock()
}

// Problems lists what was wrong with requests the fake refused as
// malformed (not the injected faults), for test failure messages.
func (f *faults) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.problems...)
}

func (f *faults) problem(p string) {
	f.mu.Lock()
	f.problems = append(f.problems, p)
	f.mu.Unlock()
}

// inject answers with the next fault, if any, and reports whether it did.
func (f *faults) inject(w http.ResponseWriter, defaultBody func(status int) string) bool {
	f.mu.Lock()
	if len(f.queue) == 0 {
		f.mu.Unlock()
		return false
	}
	ft := f.queue[0]
	f.queue = f.queue[1:]
	f.mu.Unlock()
	if ft.RetryAfter != "" {
		w.Header().Set("Retry-After", ft.RetryAfter)
	}
	body := ft.Body
	if body == "" {
		body = defaultBody(ft.Status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ft.Status)
	_, _ = w.Write([]byte(body))
	return true
}
