package auditfx

import (
	"context"
	"log/slog"
	"net/http"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/audit"
)

// QueueModule provides the webhook pieces: the write-back notifiers
// ([]writeback.Notifier), the durable job queue (*queue.Queue, started and
// stopped with the app; nil when audio cannot be analysed, so that an
// idle server does not poll an empty queue) and the signature check of
// inbound webhooks (WebhookAuth).
var QueueModule = fx.Module("queue", fx.Provide(NewNotifiers, NewQueue, NewWebhookAuth))

// WebhookAuth wraps the webhook route; nil accepts unsigned requests.
type WebhookAuth func(http.Handler) http.Handler

// NewNotifiers builds the write-back adapters configured in the
// environment (AUDIT_CALLBACK_*, amoCRM, Bitrix24); none is fine.
func NewNotifiers(cfg Config) ([]writeback.Notifier, error) {
	return writeback.FromEnv(cfg.Getenv)
}

// QueueParams are the dependencies of NewQueue.
type QueueParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    Config
	Logger    *slog.Logger
	Auditor   *audit.Auditor
	Notifiers []writeback.Notifier
}

// NewQueue opens the job queue where the history lives and runs its
// workers while the app runs. Without a transcriber or a store there is
// nothing a worker could do: it returns nil and the webhook answers 503.
func NewQueue(p QueueParams) (*queue.Queue, error) {
	if !p.Auditor.CanFetch() || p.Auditor.Store() == nil {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	q, err := queue.Open(ctx, queue.Config{
		DatabaseURL: p.Config.DatabaseURL,
		Auditor:     p.Auditor,
		Notifiers:   p.Notifiers,
		Workers:     p.Config.Queue.Workers,
		JobTimeout:  p.Config.Queue.JobTimeout,
		MaxAttempts: p.Config.Queue.MaxAttempts,
		RescueAfter: p.Config.Queue.RescueAfter,
		Logger:      p.Logger,
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(p.Notifiers))
	for _, n := range p.Notifiers {
		names = append(names, writeback.NameOf(n))
	}
	p.Logger.Info("job queue opened", "backend", q.Backend(), "workers", p.Config.Queue.Workers, "write_back", names)
	// q.Start keeps its workers running past the start context itself
	// and lets that context bound only the start (and the requeue of
	// calls left without a job).
	p.Lifecycle.Append(fx.Hook{OnStart: q.Start, OnStop: q.Stop})
	return q, nil
}

// NewWebhookAuth returns the Standard Webhooks signature check when
// AUDIT_WEBHOOK_SECRET is set, else nil.
func NewWebhookAuth(cfg Config) (WebhookAuth, error) {
	if cfg.WebhookSecret == "" {
		return nil, nil
	}
	v, err := webhooks.NewVerifier(cfg.WebhookSecret)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return webhooks.RequireSignature(v, httpapi.WriteError, next, webhooks.MaxBody(cfg.MaxBodyBytes))
	}, nil
}
