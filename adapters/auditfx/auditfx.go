// Package auditfx wires callaudit's pieces with go.uber.org/fx: one thin
// module per adapter, each taking only its own plain configuration
// (openai.Config, fetch.Config, a database URL, queue.Config, …). A
// program chooses the modules it needs when it builds the app, so nothing
// is provided as a typed nil: without a transcriber module the auditor
// simply has none.
//
// Every piece is built by a plain constructor of its own package
// (sqlstore.Open, checklist.New, openai.NewScorer, fetch.New, audit.New,
// httpapi.New); this package only connects them, so a program that does
// not use fx builds the same server by calling those directly.
//
//	app := fx.New(
//		fx.Supply(logger),
//		auditfx.Store("callaudit.db"), auditfx.Checklist(), auditfx.Fetcher(fetch.Config{}),
//		auditfx.Auditor(auditfx.AuditorConfig{}), auditfx.Handler(httpapi.Config{}),
//		auditfx.Server(auditfx.ServerConfig{Addr: "127.0.0.1:8000"}),
//	)
//
// Each module needs a *slog.Logger in the graph.
package auditfx

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
	"golang.org/x/net/netutil"

	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/httpapi/web"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
	"github.com/callaudit/callaudit/transcribe/energy"
)

// openTimeout bounds connecting to a database at startup.
const openTimeout = 30 * time.Second

// Store provides storage.Store and *sqlstore.Store opened at databaseURL
// (a SQLite path or a postgres:// URL), closed when the app stops.
func Store(databaseURL string) fx.Option {
	return fx.Module("store", fx.Provide(func(lc fx.Lifecycle, logger *slog.Logger) (storage.Store, *sqlstore.Store, error) {
		ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
		defer cancel()
		s, err := sqlstore.Open(ctx, databaseURL)
		if err != nil {
			return nil, nil, err
		}
		logger.Info("store opened", "dialect", s.Dialect(), "database", sqlstore.Redact(databaseURL))
		lc.Append(fx.StopHook(s.Close))
		return s, s, nil
	}))
}

// Checklist provides the offline checklist scorer as score.Scorer.
func Checklist() fx.Option {
	return fx.Module("scorer", fx.Provide(func() score.Scorer { return checklist.New() }))
}

// OpenAIScorer provides score.Scorer over OpenAI or a compatible server.
func OpenAIScorer(cfg openai.Config) fx.Option {
	return fx.Module("scorer", fx.Provide(func() (score.Scorer, error) {
		s, err := openai.NewScorer(cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	}))
}

// ChunkBytes is the size of the pieces a WAV or MP3 recording over
// OpenAI's upload limit is cut into: 24 MiB, a megabyte under the limit,
// so that no piece is refused whatever the multipart framing adds.
const ChunkBytes = 24 << 20

// NewOpenAITranscriber returns the OpenAI transcriber with long WAV and
// MP3 recordings split into ChunkBytes pieces sent in parallel (up to
// cfg.MaxConcurrency at once).
func NewOpenAITranscriber(cfg openai.Config) (transcribe.Transcriber, error) {
	t, err := openai.NewTranscriber(cfg)
	if err != nil {
		return nil, err
	}
	conc := cfg.MaxConcurrency
	if conc <= 0 {
		conc = openai.DefaultMaxConcurrency
	}
	return audio.Chunked(t, ChunkBytes, conc), nil
}

// OpenAITranscriber provides transcribe.Transcriber over OpenAI or a
// compatible server (NewOpenAITranscriber).
func OpenAITranscriber(cfg openai.Config) fx.Option {
	return fx.Module("transcriber", fx.Provide(func() (transcribe.Transcriber, error) { return NewOpenAITranscriber(cfg) }))
}

// Stereo decorates the transcriber in the graph so that two-channel WAV
// recordings are transcribed per channel, the manager on managerChannel
// (0 left, 1 right), for exact speaker roles.
func Stereo(managerChannel int) fx.Option {
	return fx.Decorate(func(t transcribe.Transcriber) transcribe.Transcriber { return audio.Stereo(t, managerChannel) })
}

// RedactScorer decorates the scorer in the graph with score.Redacting, so
// that the personal data in a call never reaches a remote model.
func RedactScorer() fx.Option {
	return fx.Decorate(func(s score.Scorer) score.Scorer { return score.Redacting(s) })
}

// Eraser provides the *audit.Eraser over the store, for a server without
// the webhook queue (the Queue module provides it otherwise). A positive
// retention purges calls older than it at start and every
// queue.DefaultRetentionEvery, from a goroutine the app stops (with the
// queue the periodic job does it, once for several processes).
func Eraser(retention time.Duration) fx.Option {
	return fx.Module("eraser", fx.Provide(func(lc fx.Lifecycle, logger *slog.Logger, st storage.Store) *audit.Eraser {
		e := &audit.Eraser{Store: st, Logger: logger}
		if retention > 0 {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			lc.Append(fx.Hook{
				OnStart: func(context.Context) error {
					go func() {
						defer close(done)
						t := time.NewTicker(queue.DefaultRetentionEvery)
						defer t.Stop()
						for {
							if _, err := e.PurgeBefore(ctx, time.Now().Add(-retention), 0); err != nil && ctx.Err() == nil {
								logger.Warn("retention: purging old calls failed", "err", err)
							}
							select {
							case <-ctx.Done():
								return
							case <-t.C:
							}
						}
					}()
					return nil
				},
				OnStop: func(context.Context) error { cancel(); <-done; return nil },
			})
		}
		return e
	}))
}

// Fetcher provides audit.Fetcher, the SSRF-safe URL fetcher.
func Fetcher(cfg fetch.Config) fx.Option {
	return fx.Module("fetcher", fx.Provide(func() (audit.Fetcher, error) {
		f, err := fetch.New(cfg)
		if err != nil {
			return nil, err
		}
		return f, nil
	}))
}

// AuditorConfig configures the Auditor module.
type AuditorConfig struct {
	// MaxDialogBytes limits a text dialog; 0 is audit's default.
	MaxDialogBytes int
	// RedactStore masks personal data in reports before they are saved
	// (audit.WithStoreRedaction).
	RedactStore bool
	// Energy, when set and the app has no transcriber, measures stereo
	// WAV recordings from their channels' energy (audit.WithEnergy).
	Energy *energy.Config
}

// auditorParams are the Auditor's parts; all but the scorer are optional,
// present when their modules are.
type auditorParams struct {
	fx.In
	Logger      *slog.Logger
	Scorer      score.Scorer
	Transcriber transcribe.Transcriber `optional:"true"`
	Store       storage.Store          `optional:"true"`
	Fetcher     audit.Fetcher          `optional:"true"`
	// Scorecards picks each call's rubric (the Scorecards module).
	Scorecards *audit.Scorecards `optional:"true"`
}

// Auditor provides *audit.Auditor over the scorer and whichever of the
// transcriber, store and fetcher the app has.
func Auditor(cfg AuditorConfig) fx.Option {
	return fx.Module("auditor", fx.Provide(func(p auditorParams) (*audit.Auditor, error) {
		opts := []audit.Option{audit.WithLogger(p.Logger)}
		if cfg.MaxDialogBytes > 0 {
			opts = append(opts, audit.WithMaxDialogBytes(cfg.MaxDialogBytes))
		}
		if cfg.RedactStore {
			opts = append(opts, audit.WithStoreRedaction())
		}
		if p.Transcriber != nil {
			opts = append(opts, audit.WithTranscriber(p.Transcriber))
		} else if cfg.Energy != nil {
			opts = append(opts, audit.WithEnergy(*cfg.Energy))
		}
		if p.Store != nil {
			opts = append(opts, audit.WithStore(p.Store))
		}
		if p.Fetcher != nil {
			opts = append(opts, audit.WithFetcher(p.Fetcher))
		}
		scorer := p.Scorer
		if p.Scorecards != nil {
			opts = append(opts, audit.WithRubricFunc(p.Scorecards.Rubric))
			scorer = p.Scorecards.Scorer(scorer)
		}
		return audit.New(scorer, opts...)
	}))
}

// handlerParams are the handler's parts from the graph.
type handlerParams struct {
	fx.In
	Logger  *slog.Logger
	Auditor *audit.Auditor
	// Queue and WebhookAuth serve the webhook route (Queue and
	// WebhookSignatures modules).
	Queue       *queue.Queue  `optional:"true"`
	WebhookAuth WebhookAuth   `optional:"true"`
	Eraser      *audit.Eraser `optional:"true"`
	// Access signs requests in (the Access module and a provider of
	// *httpapi.Access); without it every request is access.Local.
	Access *httpapi.Access `optional:"true"`
	// Registry, with the Metrics module, holds the handler's metrics.
	Registry *prometheus.Registry `optional:"true"`
	// Scorecards serves the scorecard editor (the Scorecards module).
	Scorecards *audit.Scorecards `optional:"true"`
}

// Handler provides the *httpapi.Handler configured by cfg, with the
// auditor, the logger, the webhook queue and its signature check taken
// from the graph, readiness from the store, and the web UI unless cfg
// names another.
func Handler(cfg httpapi.Config) fx.Option {
	return fx.Module("http", fx.Provide(func(p handlerParams) (*httpapi.Handler, error) {
		c := cfg
		c.Auditor, c.Logger = p.Auditor, p.Logger
		if p.Queue != nil {
			c.Webhooks = p.Queue
			c.Rescorer = p.Queue
		}
		if p.WebhookAuth != nil {
			c.WebhookAuth = p.WebhookAuth
		}
		if p.Access != nil {
			c.Access = p.Access
		}
		if p.Eraser != nil {
			c.Eraser = p.Eraser
		}
		if p.Registry != nil && c.Registerer == nil && c.Gatherer == nil {
			c.Registerer, c.Gatherer = p.Registry, p.Registry
		}
		if p.Scorecards != nil {
			c.Scorecards = p.Scorecards
		}
		if c.Ready == nil {
			c.Ready = readiness(p.Auditor.Store())
		}
		if c.UI == nil {
			c.UI = web.Handler()
		}
		return httpapi.New(c)
	}))
}

// readiness pings the store when it can be pinged.
func readiness(s storage.Store) func(ctx context.Context) error {
	p, ok := s.(interface{ Ping(context.Context) error })
	if !ok {
		return nil
	}
	return p.Ping
}

// ServerConfig configures the HTTP server.
type ServerConfig struct {
	// Addr is where the server listens.
	Addr string
	// Time limits of http.Server; zero is none.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout is how long requests in flight may take to finish
	// when the app stops; zero waits as long as the stop context allows.
	ShutdownTimeout time.Duration
	// MaxConnections caps the connections open at once (netutil's
	// LimitListener): further clients wait in the listen backlog until
	// one closes, so a flood of idle or slow connections cannot exhaust
	// file descriptors. Zero is no cap.
	MaxConnections int
}

type serverParams struct {
	fx.In
	Lifecycle  fx.Lifecycle
	Shutdowner fx.Shutdowner
	Logger     *slog.Logger
	Handler    *httpapi.Handler
	// Intake and Queue, with the Intake module, serve the telephony
	// vendors' routes under intake.Prefix, beside the API.
	Intake *intake.Intake `optional:"true"`
	Queue  *queue.Queue   `optional:"true"`
}

// Server provides the *http.Server serving the handler and builds it even
// though nothing asks for it. It listens when the app starts (so a busy
// port fails the start) and serves in a goroutine; when the app stops it
// stops accepting connections and waits for the requests in flight, up to
// cfg.ShutdownTimeout.
func Server(cfg ServerConfig) fx.Option {
	return fx.Module("server",
		fx.Provide(func(p serverParams) *http.Server { return newServer(cfg, p) }),
		fx.Invoke(func(*http.Server) {}),
	)
}

func newServer(cfg ServerConfig, p serverParams) *http.Server {
	var handler http.Handler = p.Handler
	if p.Intake != nil && p.Queue != nil {
		// The vendors authenticate by their signatures, not by the API's
		// sessions or tokens: their routes are served before it.
		mux := http.NewServeMux()
		mux.Handle(intake.Prefix, p.Intake.Handler(p.Queue))
		mux.Handle("/", p.Handler)
		handler = mux
	}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(p.Logger.Handler(), slog.LevelWarn),
	}
	p.Lifecycle.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			var lc net.ListenConfig
			ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
			if err != nil {
				return err
			}
			if cfg.MaxConnections > 0 {
				ln = netutil.LimitListener(ln, cfg.MaxConnections)
			}
			p.Logger.Info("listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/")
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					p.Logger.Error("http server failed", "err", err)
					_ = p.Shutdowner.Shutdown(fx.ExitCode(1))
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			p.Logger.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout.String())
			if cfg.ShutdownTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, cfg.ShutdownTimeout)
				defer cancel()
			}
			if err := srv.Shutdown(ctx); err != nil {
				// Out of time: cut the remaining connections.
				_ = srv.Close()
				return err
			}
			return nil
		},
	})
	return srv
}
