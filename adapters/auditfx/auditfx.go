// Package auditfx wires the reference server with go.uber.org/fx: thin
// modules that provide the store, the scorer, the transcriber, the URL
// fetcher, the auditor, the HTTP handler and the HTTP server from a Config.
//
// Every piece is built by a plain constructor of its own package
// (sqlstore.Open, checklist.New, openai.NewScorer, fetch.New, audit.New,
// httpapi.New); this package only chooses and connects them, so a program
// that does not use fx builds the same server by calling those directly.
//
//	cfg, err := auditfx.ConfigFromEnv(nil)
//	app := fx.New(auditfx.Options(cfg, slog.Default()))
//	app.Run()
package auditfx

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/httpapi/web"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
)

// Modules, one per piece; Module bundles them all. Each needs a Config and
// a *slog.Logger in the graph (Options supplies both).
var (
	// StoreModule provides storage.Store (and *sqlstore.Store) opened from
	// Config.DatabaseURL and closed when the app stops.
	StoreModule = fx.Module("store", fx.Provide(NewStore))
	// ScorerModule provides score.Scorer: OpenAI when configured, else the
	// offline checklist.
	ScorerModule = fx.Module("scorer", fx.Provide(NewScorer))
	// TranscriberModule provides transcribe.Transcriber: OpenAI when
	// configured, else nil (audio is then a 503 that says what to set).
	TranscriberModule = fx.Module("transcriber", fx.Provide(NewTranscriber))
	// FetcherModule provides audit.Fetcher, the SSRF-safe URL fetcher.
	FetcherModule = fx.Module("fetcher", fx.Provide(NewFetcher))
	// AuditorModule provides *audit.Auditor.
	AuditorModule = fx.Module("auditor", fx.Provide(NewAuditor))
	// HTTPModule provides the *httpapi.Handler with the web UI and the
	// *http.Server that serves it, started and stopped with the app.
	HTTPModule = fx.Module("http",
		fx.Provide(NewHandler, NewServer),
		// The server is what the app is for: build it even though
		// nothing else asks for it.
		fx.Invoke(func(*http.Server) {}),
	)
	// Module is the whole reference server.
	Module = fx.Module("callaudit",
		StoreModule, ScorerModule, TranscriberModule, FetcherModule, AuditorModule, QueueModule, HTTPModule)
)

// TranscriberHint is the 503 message for audio when no transcriber is set.
const TranscriberHint = "audio needs speech-to-text: set OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server) and restart the server"

// Options returns the whole server as fx options: cfg and logger supplied,
// fx's own events logged through logger at debug level, a stop timeout
// that lets requests in flight finish, and Module.
func Options(cfg Config, logger *slog.Logger) fx.Option {
	return fx.Options(
		fx.Supply(cfg, logger),
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: logger}
			l.UseLogLevel(slog.LevelDebug)
			return l
		}),
		// A little more than the server's own shutdown budget, so that
		// closing the store after the server still fits.
		fx.StopTimeout(cfg.ShutdownTimeout+5*time.Second),
		Module,
	)
}

// NewLogger returns the server's logger on w in cfg.LogFormat at
// cfg.LogLevel.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// StoreResult is what NewStore provides.
type StoreResult struct {
	fx.Out
	Store storage.Store
	SQL   *sqlstore.Store
}

// openTimeout bounds connecting to the database at startup.
const openTimeout = 30 * time.Second

// NewStore opens the SQL store named by cfg.DatabaseURL and closes it when
// the app stops.
func NewStore(lc fx.Lifecycle, cfg Config, logger *slog.Logger) (StoreResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	s, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return StoreResult{}, err
	}
	logger.Info("store opened", "dialect", s.Dialect(), "database", sqlstore.Redact(cfg.DatabaseURL))
	lc.Append(fx.StopHook(s.Close))
	return StoreResult{Store: s, SQL: s}, nil
}

// NewScorer returns the OpenAI scorer when cfg enables OpenAI, else the
// offline checklist scorer.
func NewScorer(cfg Config) (score.Scorer, error) {
	if !cfg.UseOpenAI() {
		return checklist.New(), nil
	}
	s, err := openai.NewScorer(cfg.OpenAI)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ChunkBytes is the size of the pieces a WAV or MP3 recording over
// OpenAI's upload limit is cut into: 24 MiB, a megabyte under the limit,
// so that no piece is refused whatever the multipart framing adds.
const ChunkBytes = 24 << 20

// NewTranscriber returns the OpenAI transcriber when cfg enables OpenAI,
// else nil: the server then answers audio with a 503 naming what to set.
// Long WAV and MP3 recordings are split into ChunkBytes pieces sent in
// parallel (up to AUDIT_OPENAI_MAX_CONCURRENCY at once); with
// StereoManagerChannel set, stereo WAV recordings are transcribed per
// channel for exact roles.
func NewTranscriber(cfg Config) (transcribe.Transcriber, error) {
	if !cfg.UseOpenAI() {
		return nil, nil
	}
	t, err := openai.NewTranscriber(cfg.OpenAI)
	if err != nil {
		return nil, err
	}
	conc := cfg.OpenAI.MaxConcurrency
	if conc <= 0 {
		conc = openai.DefaultMaxConcurrency
	}
	tr := audio.Chunked(t, ChunkBytes, conc)
	switch cfg.StereoManagerChannel {
	case "left":
		tr = audio.Stereo(tr, 0)
	case "right":
		tr = audio.Stereo(tr, 1)
	}
	return tr, nil
}

// NewFetcher returns the URL fetcher configured by cfg.Fetch.
func NewFetcher(cfg Config) (audit.Fetcher, error) {
	f, err := fetch.New(cfg.Fetch)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// AuditorParams are the dependencies of NewAuditor; all but the scorer
// are optional.
type AuditorParams struct {
	fx.In
	Config      Config
	Logger      *slog.Logger
	Scorer      score.Scorer
	Transcriber transcribe.Transcriber `optional:"true"`
	Store       storage.Store          `optional:"true"`
	Fetcher     audit.Fetcher          `optional:"true"`
}

// NewAuditor builds the pipeline from its parts.
func NewAuditor(p AuditorParams) (*audit.Auditor, error) {
	opts := []audit.Option{audit.WithLogger(p.Logger), audit.WithMaxDialogBytes(p.Config.MaxDialogBytes)}
	if p.Transcriber != nil {
		opts = append(opts, audit.WithTranscriber(p.Transcriber))
	}
	if p.Store != nil {
		opts = append(opts, audit.WithStore(p.Store))
	}
	if p.Fetcher != nil {
		opts = append(opts, audit.WithFetcher(p.Fetcher))
	}
	return audit.New(p.Scorer, opts...)
}

// HandlerParams are the dependencies of NewHandler.
type HandlerParams struct {
	fx.In
	Config  Config
	Logger  *slog.Logger
	Auditor *audit.Auditor
	// Queue and WebhookAuth serve the webhook route (QueueModule).
	Queue       *queue.Queue `optional:"true"`
	WebhookAuth WebhookAuth  `optional:"true"`
}

// NewHandler builds the HTTP API with the web UI.
func NewHandler(p HandlerParams) (*httpapi.Handler, error) {
	var hooks httpapi.WebhookQueue
	if p.Queue != nil {
		// A nil *queue.Queue in the interface would not read as nil.
		hooks = p.Queue
	}
	return httpapi.New(httpapi.Config{
		Webhooks:        hooks,
		WebhookAuth:     p.WebhookAuth,
		Auditor:         p.Auditor,
		MaxBodyBytes:    p.Config.MaxBodyBytes,
		MaxAudioBytes:   p.Config.MaxAudioBytes,
		TranscriberHint: TranscriberHint,
		Logger:          p.Logger,
		Version:         p.Config.Version,
		Ready:           readiness(p.Auditor.Store()),
		UI:              web.Handler(),
		TempDir:         p.Config.TempDir,
	})
}

// readiness pings the store when it can be pinged.
func readiness(s storage.Store) func(ctx context.Context) error {
	p, ok := s.(interface{ Ping(context.Context) error })
	if !ok {
		return nil
	}
	return p.Ping
}

// ServerParams are the dependencies of NewServer.
type ServerParams struct {
	fx.In
	Lifecycle  fx.Lifecycle
	Shutdowner fx.Shutdowner
	Config     Config
	Logger     *slog.Logger
	Handler    *httpapi.Handler
}

// NewServer returns the HTTP server for the handler. It listens when the
// app starts (so a busy port fails the start) and serves in a goroutine;
// when the app stops it stops accepting connections and waits for the
// requests in flight, up to the stop context's deadline.
func NewServer(p ServerParams) *http.Server {
	cfg := p.Config
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           p.Handler,
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
			ctx, cancel := context.WithTimeout(ctx, cfg.ShutdownTimeout)
			defer cancel()
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
