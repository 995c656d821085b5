package writeback

import (
	"context"

	"github.com/callaudit/callaudit/storage"
)

// Notifier delivers the result of an audited call to an outside system: a
// signed webhook, a note in amoCRM, a comment in Bitrix24. It lives here,
// beside its implementations, because only the delivery side (the job
// queue) calls it; the audit pipeline itself never does.
//
// Contract: Notify is safe for concurrent use and honours ctx. Errors use
// the project's kinds so that a queue can decide what to do: transient
// ones (callaudit.IsTransient: rate limits, 5xx, timeouts; with RetryAfter
// when the receiver asked for a wait) are retried, anything else fails the
// delivery at once. A Notifier may be called more than once for the same
// call (after a crash, a retry); it passes the call id as an idempotency
// key where the receiver supports one.
type Notifier interface {
	Notify(ctx context.Context, call storage.Call) error
}
