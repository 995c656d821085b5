package webhooks

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
)

// ReplayGuard remembers webhook ids that were accepted, so that a captured
// request cannot be sent again while its timestamp is still in the window.
//
// Contract: safe for concurrent use; Claim is atomic (of two concurrent
// Claims of one id exactly one reports fresh); an id is remembered at least
// until the time given to Claim and may be forgotten after it; Release
// forgets an id at once. Errors use the project's kinds.
//
// One guard protects the processes that share it. MemoryGuard is per
// process: with several server processes behind a load balancer, share one
// guard (e.g. a table with a unique key on the id, or a cache with
// SET NX and an expiry). Even without that, a durable queue that is
// idempotent per call id does not process a replayed call twice.
type ReplayGuard interface {
	// Claim records id until the given time and reports whether it was
	// not already recorded.
	Claim(ctx context.Context, id string, until time.Time) (fresh bool, err error)
	// Release forgets id.
	Release(ctx context.Context, id string) error
}

// DefaultGuardCapacity is the number of ids a Verifier's own MemoryGuard
// holds: 100,000 ids in a ten-minute window is over 150 webhooks a second,
// far above a call center's rate, in a few tens of MB at most.
const DefaultGuardCapacity = 100_000

// MemoryGuard is an in-process ReplayGuard with bounded memory: it holds
// at most its capacity of ids and drops each one when its time is up.
type MemoryGuard struct {
	mu       sync.Mutex
	now      func() time.Time
	capacity int
	until    map[string]time.Time
	// expiries orders the entries by expiry; an entry whose id was
	// released or claimed again with another time is stale and skipped.
	expiries expiryHeap
}

var _ ReplayGuard = (*MemoryGuard)(nil)

// NewMemoryGuard returns a MemoryGuard holding at most capacity ids
// (DefaultGuardCapacity when capacity <= 0); now is the clock (time.Now
// when nil).
func NewMemoryGuard(capacity int, now func() time.Time) *MemoryGuard {
	if capacity <= 0 {
		capacity = DefaultGuardCapacity
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryGuard{now: now, capacity: capacity, until: make(map[string]time.Time)}
}

// Claim records id until the given time. When the guard is full of ids
// that have not expired it refuses with KindRateLimited (and the wait until
// the next one expires) rather than forget an id early: forgetting would
// let that id be replayed.
func (g *MemoryGuard) Claim(ctx context.Context, id string, until time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	g.expire(now)
	if t, ok := g.until[id]; ok && t.After(now) {
		return false, nil
	}
	if len(g.expiries) >= g.capacity {
		return false, &callaudit.Error{Kind: callaudit.KindRateLimited, Op: "webhooks.MemoryGuard.Claim",
			Message:    "too many webhooks within the replay window; try again shortly",
			RetryAfter: max(g.expiries[0].until.Sub(now), time.Second)}
	}
	g.until[id] = until
	heap.Push(&g.expiries, expiry{id: id, until: until})
	return true, nil
}

// Release forgets id. Its heap entry stays until it expires, so memory
// stays bounded by the capacity even when ids are claimed and released in
// a loop.
func (g *MemoryGuard) Release(ctx context.Context, id string) error {
	g.mu.Lock()
	delete(g.until, id)
	g.mu.Unlock()
	return nil
}

// Len returns the number of entries held, expired ones not yet dropped
// included.
func (g *MemoryGuard) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.expiries)
}

// expire drops the entries whose time is up.
func (g *MemoryGuard) expire(now time.Time) {
	for len(g.expiries) > 0 && !g.expiries[0].until.After(now) {
		e := heap.Pop(&g.expiries).(expiry)
		if t, ok := g.until[e.id]; ok && t.Equal(e.until) {
			delete(g.until, e.id)
		}
	}
}

type expiry struct {
	id    string
	until time.Time
}

// expiryHeap is a min-heap by expiry (container/heap).
type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = expiry{} // drop the id string reference
	*h = old[:len(old)-1]
	return e
}
