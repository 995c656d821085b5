package writeback

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// memoLimit bounds Multi's memory of partial deliveries; past it the
// memory is dropped, which costs at most a repeated delivery.
const memoLimit = 10_000

// Multi delivers to several notifiers at once. When some fail, a retry of
// the same call and status skips the ones that already succeeded in this
// process, so a failing CRM does not make the others deliver twice. That
// memory is per process: after a restart everything is delivered again.
// Queues that can should run one job per notifier instead.
type Multi struct {
	notifiers []Notifier

	mu sync.Mutex
	// delivered maps call id + status to the indexes already delivered.
	delivered map[string]map[int]bool
}

var _ Notifier = (*Multi)(nil)

// NewMulti returns a Multi over ns.
func NewMulti(ns ...Notifier) *Multi {
	return &Multi{notifiers: ns, delivered: map[string]map[int]bool{}}
}

// Name lists the notifiers' names.
func (m *Multi) Name() string {
	names := make([]string, len(m.notifiers))
	for i, n := range m.notifiers {
		names[i] = NameOf(n)
	}
	return strings.Join(names, "+")
}

// Notify calls every notifier not yet successful for this call and
// status, concurrently. The error, when any fails, names each failure; it
// is transient when any failure is (so the queue retries), with the
// longest Retry-After asked for.
func (m *Multi) Notify(ctx context.Context, call storage.Call) error {
	key := call.ID + "\x00" + string(call.Status)
	m.mu.Lock()
	done := maps.Clone(m.delivered[key]) // read below without the lock
	m.mu.Unlock()

	errs := make([]error, len(m.notifiers))
	var wg sync.WaitGroup
	for i, n := range m.notifiers {
		if done[i] {
			continue
		}
		wg.Go(func() { errs[i] = n.Notify(ctx, call) })
	}
	wg.Wait()

	m.mu.Lock()
	defer m.mu.Unlock()
	var failed []int
	for i, err := range errs {
		if err != nil {
			failed = append(failed, i)
			continue
		}
		if m.delivered[key] == nil {
			if len(m.delivered) >= memoLimit {
				clear(m.delivered)
			}
			m.delivered[key] = map[int]bool{}
		}
		m.delivered[key][i] = true
	}
	if len(failed) == 0 {
		delete(m.delivered, key)
		return nil
	}
	return m.combine(errs, failed)
}

func (m *Multi) combine(errs []error, failed []int) error {
	if len(failed) == 1 && len(m.notifiers) == 1 {
		return errs[failed[0]]
	}
	out := &callaudit.Error{Op: "writeback.Multi"}
	var msgs []string
	var causes []error
	for _, i := range failed {
		err := errs[i]
		causes = append(causes, err)
		msgs = append(msgs, NameOf(m.notifiers[i])+": "+callaudit.MessageOf(err))
		switch {
		case out.Kind == "":
			out.Kind = callaudit.KindOf(err)
		case callaudit.IsTransient(err) && !callaudit.IsTransient(out):
			out.Kind = callaudit.KindOf(err)
		}
		out.RetryAfter = max(out.RetryAfter, callaudit.RetryAfterOf(err))
	}
	out.Message = strings.Join(msgs, "; ")
	out.Err = errors.Join(causes...)
	return out
}
