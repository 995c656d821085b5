package auditfx

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

// NotifierGroup is the fx value group the write-back modules provide
// their writeback.Notifier into and the Queue module reads. fx does not keep
// a group's order; the queue gets the notifiers sorted by name, so that
// logs and statuses read the same on every start.
const NotifierGroup = "notifiers"

// notifier provides one write-back adapter into NotifierGroup.
func notifier[C any, N writeback.Notifier](name string, cfg C, newFn func(C) (N, error)) fx.Option {
	return fx.Module(name, fx.Provide(fx.Annotate(func() (writeback.Notifier, error) {
		n, err := newFn(cfg)
		if err != nil {
			return nil, err
		}
		return n, nil
	}, fx.ResultTags(`group:"`+NotifierGroup+`"`))))
}

// SignedHook provides the signed callback write-back (signedhook.New).
func SignedHook(cfg signedhook.Config) fx.Option { return notifier("callback", cfg, signedhook.New) }

// AmoCRM provides the amoCRM write-back (amocrm.New).
func AmoCRM(cfg amocrm.Config) fx.Option { return notifier("amocrm", cfg, amocrm.New) }

// Bitrix24 provides the Bitrix24 write-back (bitrix24.New).
func Bitrix24(cfg bitrix24.Config) fx.Option { return notifier("bitrix24", cfg, bitrix24.New) }

type queueParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Logger    *slog.Logger
	Auditor   *audit.Auditor
	Notifiers []writeback.Notifier `group:"notifiers"`
	// Intake, with the Intake module, adds the telephony intake's jobs.
	Intake *intake.Intake `optional:"true"`
	// Scorecards resolve the scorecard a rescore names.
	Scorecards *audit.Scorecards `optional:"true"`
}

type queueResult struct {
	fx.Out
	Queue  *queue.Queue
	Eraser *audit.Eraser
}

// Queue provides the durable webhook job queue (*queue.Queue) configured
// by cfg, with the auditor, the write-back notifiers and the logger from
// the graph, its workers running while the app runs, and the
// *audit.Eraser over the store that also deletes a call's jobs; with
// cfg.Retention the queue's periodic job purges old calls through it. The
// auditor needs a store and a way to fetch and transcribe recordings:
// include this module only with the Store, Fetcher and a transcriber
// module, and instead of Eraser.
func Queue(cfg queue.Config) fx.Option {
	return fx.Module("queue", fx.Provide(func(p queueParams) (queueResult, error) {
		c := cfg
		notifiers := slices.SortedStableFunc(slices.Values(p.Notifiers), func(a, b writeback.Notifier) int {
			return strings.Compare(writeback.NameOf(a), writeback.NameOf(b))
		})
		c.Auditor, c.Notifiers, c.Logger = p.Auditor, notifiers, p.Logger
		if p.Intake != nil {
			c.Intake = p.Intake
		}
		if p.Scorecards != nil {
			c.Scorecards = p.Scorecards
		}
		// The eraser needs the queue (to forget jobs) and the queue's
		// retention job the eraser: the job runs only after Start, when
		// both exist.
		eraser := &audit.Eraser{Store: p.Auditor.Store(), Logger: p.Logger}
		if c.Retention > 0 && c.Purge == nil {
			c.Purge = func(ctx context.Context, before time.Time) (int, error) {
				n, err := eraser.PurgeBefore(ctx, before, 0)
				if events, ok := p.Auditor.Store().(storage.EventLog); ok && err == nil {
					// The intake's events hold phone numbers too.
					_, err = events.DeleteEventsBefore(ctx, before)
				}
				return n, err
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
		defer cancel()
		q, err := queue.Open(ctx, c)
		if err != nil {
			return queueResult{}, err
		}
		eraser.Forget = []audit.Forgetter{q}
		names := make([]string, 0, len(notifiers))
		for _, n := range notifiers {
			names = append(names, writeback.NameOf(n))
		}
		p.Logger.Info("job queue opened", "backend", q.Backend(), "workers", c.Workers, "write_back", names, "retention", c.Retention)
		// q.Start keeps its workers running past the start context itself
		// and lets that context bound only the start (and the requeue of
		// calls left without a job).
		p.Lifecycle.Append(fx.Hook{OnStart: q.Start, OnStop: q.Stop})
		return queueResult{Queue: q, Eraser: eraser}, nil
	}))
}

// WebhookAuth wraps the webhook route.
type WebhookAuth func(http.Handler) http.Handler

// WebhookSignatures provides the Standard Webhooks signature check of the
// webhook route for secret (whsec_…), reading bodies up to maxBody bytes
// (0 is webhooks' default). Without this module the route accepts
// unsigned requests.
func WebhookSignatures(secret string, maxBody int64) fx.Option {
	return fx.Module("webhook-signatures", fx.Provide(func() (WebhookAuth, error) {
		v, err := webhooks.NewVerifier(secret)
		if err != nil {
			return nil, err
		}
		return func(next http.Handler) http.Handler {
			return webhooks.RequireSignature(v, httpapi.WriteError, next, webhooks.MaxBody(maxBody))
		}, nil
	}))
}
