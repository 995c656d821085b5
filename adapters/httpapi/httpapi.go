// Package httpapi is the HTTP layer of callaudit: an http.Handler that serves
// the documented endpoints (analysis of text, uploaded audio and audio by
// URL; call history, manager statistics and CSV export; health, readiness
// and Prometheus metrics; the OpenAPI document and its interactive docs
// page) and mounts an optional web UI.
//
// The handler is built with New from a Config and works in any mux:
//
//	h, err := httpapi.New(httpapi.Config{Auditor: a})
//	http.Handle("/", h)
//
// Every error is answered with one JSON shape,
//
//	{"error": {"status": 422, "code": "invalid", "message": "...", "fields": [...]}}
//
// where code is the callaudit.Kind and the status comes from one table
// (StatusOf). Messages are the user-facing callaudit messages in Russian or
// English, rendered from one catalogue (messages.go) by their
// callaudit.Code: the language is the first of ru and en in the request's
// Accept-Language (the web UI sends its own), else the report language the
// request asks for, else English; errors without a code keep their
// English message. Field names are the API's: the core names the Go
// fields of audit.Input ("DialogText"), and this package renames them
// (dialog_text, or recording_url on the webhook). Internal detail goes to
// the log only.
//
// Unknown JSON fields in request bodies are ignored, not rejected: CRMs and
// telephony systems often post extra fields, and the original FastAPI
// service ignored them too.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// Default limits.
const (
	// DefaultMaxBodyBytes limits JSON request bodies.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxAudioBytes limits uploaded recordings.
	DefaultMaxAudioBytes = 512 << 20
	// DefaultJSONReadTimeout bounds reading the body of a JSON route:
	// 1 MiB at 35 KB/s, far below the upload's timeout, so that a client
	// trickling a small body cannot hold a connection for long.
	DefaultJSONReadTimeout = 30 * time.Second
	// DefaultTranscriberHint is the 503 message when audio arrives and no
	// transcriber is configured.
	DefaultTranscriberHint = "audio needs a speech-to-text transcriber and none is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server) to transcribe audio"
)

// Config configures a Handler. Only Auditor is required.
type Config struct {
	// Auditor runs the analyses (required).
	Auditor *audit.Auditor
	// Store answers the history endpoints; nil uses Auditor.Store(). Without
	// a store those endpoints answer 503 not_configured.
	Store storage.Store
	// MaxBodyBytes limits JSON bodies; 0 means DefaultMaxBodyBytes.
	// POST /analyze_call takes at least three times the auditor's dialog
	// limit and 64 KiB, room for a dialog at its limit sent with every
	// letter as a \uXXXX escape.
	MaxBodyBytes int64
	// MaxAudioBytes limits uploaded recordings; 0 means DefaultMaxAudioBytes.
	MaxAudioBytes int64
	// JSONReadTimeout is the read deadline of a JSON route's request,
	// from its arrival at the handler, set with http.ResponseController
	// in place of the server's ReadTimeout (which is sized for uploads);
	// 0 means DefaultJSONReadTimeout, negative leaves the server's.
	JSONReadTimeout time.Duration
	// TranscriberHint is the English message of the 503 answered when
	// audio arrives and the auditor has no transcriber; empty means
	// DefaultTranscriberHint. Russian answers use the catalogue's text.
	TranscriberHint string
	// Logger receives internal errors with their detail; nil is slog.Default().
	Logger *slog.Logger
	// Version is reported by GET /config and in the OpenAPI document.
	Version string
	// Ready reports readiness for GET /readyz; nil is always ready.
	Ready func(ctx context.Context) error
	// Registerer receives the handler's metrics and Gatherer serves GET
	// /metrics. Both nil: the handler uses its own registry (with Go and
	// process collectors). A Registerer that is also a Gatherer (a
	// *prometheus.Registry) serves as both.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// UI is mounted at GET / and GET /static/ when set (e.g. web.Handler()).
	UI http.Handler
	// TempDir holds uploads while they are analysed; empty is os.TempDir().
	TempDir string
	// Webhooks queues the calls posted to POST /webhook/new_call_recording
	// (e.g. an adapters/queue.Queue); nil answers that route 503
	// not_configured.
	Webhooks WebhookQueue
	// WebhookAuth wraps that route, e.g. with the Standard Webhooks
	// signature check of adapters/webhooks when a secret is configured;
	// nil accepts unsigned requests. With Access, a request with a token
	// of the webhook scope (or a session allowed to) skips it.
	WebhookAuth func(http.Handler) http.Handler
	// Access signs requests in and decides what each may do and see; nil
	// serves every request as access.Local (no accounts).
	Access *Access
	// Eraser serves DELETE /calls/{id} and POST /erasure and feeds the
	// erased/purged metrics; nil answers those routes 503 not_configured.
	Eraser *audit.Eraser
	// AllowErasure lets callers erase. Erasure is for administrators: a
	// server without accounts and roles sets it only in local mode
	// (listening on a loopback address); false answers 403. With Access,
	// the routes' rule decides instead (the delete permission).
	AllowErasure bool
	// Scorecards serves the scorecard editor's routes (GET and PUT
	// /scorecards/{id}, the preview); nil answers them 503 not_configured.
	// Give the Auditor the same book (audit.WithRubricFunc) so that calls
	// are scored with what the editor saves.
	Scorecards *audit.Scorecards
	// Rescorer serves POST /rescore and GET /rescore/{id} (an
	// adapters/queue.Queue); nil answers them 503 not_configured.
	Rescorer Rescorer
	// Guard refuses requests for other host names and cross-site writes
	// before any route runs (see Guard); the zero value allows any host
	// and still refuses cross-site writes.
	Guard GuardConfig
}

// Handler serves the API. It is safe for concurrent use.
type Handler struct {
	cfg      Config
	auditor  *audit.Auditor
	store    storage.Store
	log      *slog.Logger
	mux      *http.ServeMux
	metrics  *metrics
	gatherer prometheus.Gatherer
	// metricsHandler serves the gatherer in the Prometheus text format.
	metricsHandler http.Handler
	spec           []byte
	scorer         string
	// rules holds every route's access rule, by mux pattern: a route is
	// registered only with one (handle).
	rules map[string]rule
	guard *guard
	// edge is Guard's check of the Host and of cross-site writes.
	edge *edgeGuard
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler for cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.Auditor == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "httpapi.New: an Auditor is required")
	}
	if cfg.MaxBodyBytes < 0 || cfg.MaxAudioBytes < 0 {
		return nil, callaudit.Errorf(callaudit.KindInvalid, "httpapi.New: limits must not be negative")
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxAudioBytes == 0 {
		cfg.MaxAudioBytes = DefaultMaxAudioBytes
	}
	if cfg.JSONReadTimeout == 0 {
		cfg.JSONReadTimeout = DefaultJSONReadTimeout
	}
	if cfg.TranscriberHint == "" {
		cfg.TranscriberHint = DefaultTranscriberHint
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	h := &Handler{
		cfg:     cfg,
		auditor: cfg.Auditor,
		store:   cfg.Store,
		log:     cfg.Logger,
		mux:     http.NewServeMux(),
		scorer:  scorerName(cfg.Auditor),
		rules:   map[string]rule{},
		guard:   newGuard(cfg.Access),
	}
	if cfg.Access != nil && cfg.Access.Service == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "httpapi.New: Access needs a Service")
	}
	if h.store == nil {
		h.store = cfg.Auditor.Store()
	}
	reg, gat, err := registry(cfg.Registerer, cfg.Gatherer)
	if err != nil {
		return nil, err
	}
	h.gatherer = gat
	h.metricsHandler = newMetricsHandler(gat)
	if h.metrics, err = newMetrics(reg); err != nil {
		return nil, err
	}
	if err := h.erasureMetrics(reg); err != nil {
		return nil, err
	}
	if h.spec, err = specJSON(cfg.Version); err != nil {
		return nil, err
	}
	if h.edge, err = newEdgeGuard(cfg.Guard); err != nil {
		return nil, err
	}
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	h.handleFunc(routeAnalyzeCall, need(access.Analyze), h.analyzeCall)
	h.handleFunc("POST /analyze_audio_call", need(access.Analyze), h.analyzeAudioCall)
	h.handleFunc("POST /analyze_audio_by_url", need(access.Analyze), h.analyzeAudioByURL)
	h.handle("POST /webhook/new_call_recording", rule{perm: access.Webhook, signature: true}, h.webhookHandler())

	h.handleFunc("GET /calls", need(access.Read), h.listCalls)
	h.handleFunc("GET /calls/{id}", need(access.Read), h.getCall)
	h.handleFunc("GET /calls/{id}/reports", need(access.Read), h.callReports)
	h.handleFunc("POST /calls/{id}/swap_roles", need(access.Scorecards), h.swapRoles)
	h.handleFunc("DELETE /calls/{id}", need(access.Delete), h.deleteCall)
	h.handleFunc("GET /calls/{id}/review", need(access.Read), h.getReview)
	h.handleFunc("PUT /calls/{id}/review", need(access.Review), h.putReview)
	h.handleFunc("POST /calls/{id}/disputes", need(access.Dispute), h.postDispute)
	h.handleFunc("POST /calls/{id}/disputes/{dispute}/resolution", need(access.Review), h.postResolution)
	h.handleFunc("GET /agreement", need(access.Read), h.agreement)
	h.handleFunc("POST /erasure", need(access.Delete), h.eraseSubject)
	h.handleFunc("GET /managers", need(access.Read), h.listManagers)
	h.handleFunc("GET /managers/{id}/stats", need(access.Read), h.managerStats)
	h.handleFunc("GET /scorecards", need(access.Scorecards), h.listScorecards)
	h.handleFunc("GET /scorecards/{id}", need(access.Scorecards), h.getScorecard)
	h.handleFunc("PUT /scorecards/{id}", need(access.Scorecards), h.putScorecard)
	h.handleFunc("POST /scorecards/preview", need(access.Scorecards), h.previewScorecard)
	h.handleFunc("GET /scorecard.schema.json", public, h.scorecardSchema)
	h.handleFunc("POST /rescore", need(access.Admin), h.startRescore)
	h.handleFunc("GET /rescore/{id}", need(access.Admin), h.getRescore)
	h.handleFunc("GET /rubric", signedIn, h.rubric)
	h.handleFunc("GET /config", signedIn, h.config)

	h.handleFunc("POST /login", public, h.login)
	h.handleFunc("POST /logout", signedIn, h.logout)
	h.handleFunc("GET /me", signedIn, h.getMe)
	h.handleFunc("GET /admin/users", need(access.Admin), h.listUsers)
	h.handleFunc("POST /admin/users", need(access.Admin), h.createUser)
	h.handleFunc("PATCH /admin/users/{id}", need(access.Admin), h.updateUser)
	h.handleFunc("GET /admin/teams", need(access.Admin), h.listTeams)
	h.handleFunc("PUT /admin/teams/{name}", need(access.Admin), h.putTeam)
	h.handleFunc("DELETE /admin/teams/{name}", need(access.Admin), h.deleteTeam)
	h.handleFunc("GET /admin/tokens", need(access.Admin), h.listTokens)
	h.handleFunc("POST /admin/tokens", need(access.Admin), h.createToken)
	h.handleFunc("DELETE /admin/tokens/{id}", need(access.Admin), h.revokeToken)
	h.handleFunc("GET /admin/access-log", need(access.Admin), h.accessLog)

	// Health and metrics carry no personal data and are probed by
	// machines without credentials.
	h.handleFunc("GET /healthz", public, h.healthz)
	h.handleFunc("GET /readyz", public, h.readyz)
	h.handleFunc("GET /metrics", public, h.serveMetrics)
	h.handleFunc("GET /openapi.json", public, h.openAPI)
	h.handleFunc("GET /docs", public, h.docsPage)
	h.handleFunc("GET /docs/{$}", public, docsSlash)
	h.handle("GET /docs/assets/", public, http.StripPrefix("/docs/assets/", docsAssets()))

	if h.cfg.UI != nil {
		// The page and its files are public; what they show comes from
		// the API, which checks.
		h.handle("GET /{$}", public, h.cfg.UI)
		h.handle("GET /static/", public, h.cfg.UI)
	}
}

// handle registers a route with its access rule: the only way a route is
// added, so that none lacks one.
func (h *Handler) handle(pattern string, ru rule, handler http.Handler) {
	h.rules[pattern] = ru
	h.mux.Handle(pattern, handler)
}

func (h *Handler) handleFunc(pattern string, ru rule, fn http.HandlerFunc) {
	h.handle(pattern, ru, fn)
}

// ServeHTTP routes the request, answers unknown routes and wrong methods with
// the JSON error shape, turns panics into a 500 without detail, and records
// request metrics.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, start: start}
	_, pattern := h.mux.Handler(r)
	route := pattern
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				// net/http's own signal to abort the response; let it through.
				panic(v)
			}
			// The stack goes to the log only; the client gets a plain 500.
			h.log.Error("httpapi: panic", "route", route, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !sw.wrote {
				h.writeError(sw, r, callaudit.Coded(callaudit.KindInternal, callaudit.CodeInternal, "internal error", nil))
			}
		}
		if route == "" {
			route = "unmatched"
		}
		h.metrics.observeRequest(route, sw.code(), time.Since(start))
	}()
	r = withRequestInfo(r)
	if err := h.edge.check(r); err != nil {
		h.writeError(sw, r, err)
		return
	}
	if pattern == "" {
		h.noRoute(sw, r)
		return
	}
	if err := h.bodyLimits(sw, r, pattern); err != nil {
		h.writeError(sw, r, err)
		return
	}
	ru, ok := h.rules[pattern]
	if !ok {
		// Unreachable while routes are added through handle; refuse
		// rather than serve a route nobody decided about.
		h.writeError(sw, r, callaudit.Errorf(callaudit.KindInternal, "route %s has no access rule", pattern))
		return
	}
	r, err := h.authorize(sw, r, ru)
	if err != nil {
		h.writeError(sw, r, err)
		return
	}
	h.mux.ServeHTTP(sw, r)
}

// noRoute answers what the mux would answer with plain text (404, or 405
// with an Allow header) with the JSON error shape instead.
func (h *Handler) noRoute(w http.ResponseWriter, r *http.Request) {
	probe := &headerProbe{header: http.Header{}}
	h.mux.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		allow := probe.header.Get("Allow")
		w.Header().Set("Allow", allow)
		h.writeError(w, r, callaudit.Coded(kindMethodNotAllowed, codeMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow),
			map[string]string{"method": r.Method, "path": r.URL.Path, "allow": allow}))
		return
	}
	h.writeError(w, r, callaudit.Coded(callaudit.KindNotFound, codeNoRoute, fmt.Sprintf("no such endpoint: %s %s; see /docs", r.Method, r.URL.Path),
		map[string]string{"method": r.Method, "path": r.URL.Path}))
}

// headerProbe records what the mux would answer without writing anything.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(status int)      { p.status = status }

// statusWriter remembers the status for metrics and stamps the answer
// with a Server-Timing header. Unwrap keeps http.ResponseController
// (flushing the CSV stream) working.
type statusWriter struct {
	http.ResponseWriter
	start  time.Time
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
		s.stamp()
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if !s.wrote {
		s.status, s.wrote = http.StatusOK, true
		s.stamp()
	}
	return s.ResponseWriter.Write(b)
}

// stamp sets Server-Timing to the time from the request's arrival at the
// handler to its answer's start, in milliseconds with microseconds (the
// W3C header browsers' dev tools show). Clients and load tests can then
// tell the server's time from the network's and their own; the report's
// meta.timings only has whole milliseconds of the pipeline's steps.
func (s *statusWriter) stamp() {
	if s.start.IsZero() {
		return
	}
	s.Header().Set("Server-Timing", "app;dur="+strconv.FormatFloat(float64(time.Since(s.start).Microseconds())/1000, 'f', 3, 64))
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) code() int {
	if !s.wrote {
		return http.StatusOK
	}
	return s.status
}

// scorerName names the configured scorer for metrics and GET /config: its
// Name() when it has one, else its Go type.
func scorerName(a *audit.Auditor) string {
	s := a.Scorer()
	if n, ok := s.(score.Namer); ok && n.Name() != "" {
		return n.Name()
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", s), "*")
}

// needStore returns the store or a not_configured error.
func (h *Handler) needStore() (storage.Store, error) {
	if h.store == nil {
		return nil, callaudit.Coded(callaudit.KindNotConfigured, codeHistoryMissing, "call history needs a store and none is configured: set AUDIT_DATABASE_URL (a SQLite file path or a postgres:// URL)", nil)
	}
	return h.store, nil
}

func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Handler) readyz(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Ready != nil {
		if err := h.cfg.Ready(r.Context()); err != nil {
			// Whatever the cause, a failed readiness check is a 503 so that
			// load balancers take the instance out of rotation.
			msg := "not ready"
			var ce *callaudit.Error
			if errors.As(err, &ce) && ce.Message != "" {
				msg = "not ready: " + ce.Message
			}
			h.writeError(w, r, callaudit.Wrap(err, callaudit.KindUnavailable, "httpapi.readyz", msg))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
