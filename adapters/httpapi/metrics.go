package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
)

// metrics are the handler's Prometheus collectors.
type metrics struct {
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	audits    *prometheus.CounterVec
	scores    *prometheus.HistogramVec
	upstream  *prometheus.CounterVec
	// saveErrors counts reports made but not saved (the answer is then an
	// error, so these calls are missing from the history).
	saveErrors *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callaudit_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "callaudit_http_request_duration_seconds",
			Help: "HTTP request durations by route pattern.",
			// Text scoring takes milliseconds, audio minutes.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"route"}),
		audits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callaudit_audits_total",
			Help: "Audits by mode, scorer and outcome (ok or the error kind).",
		}, []string{"mode", "scorer", "outcome"}),
		scores: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "callaudit_audit_total_score",
			Help:    "Total scores (0..100) of successful audits by mode.",
			Buckets: prometheus.LinearBuckets(10, 10, 10),
		}, []string{"mode"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callaudit_upstream_errors_total",
			Help: "Failed audits caused by an upstream (speech-to-text, model, fetch) by error kind.",
		}, []string{"kind"}),
		saveErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callaudit_save_errors_total",
			Help: "Reports that were made but could not be saved to the history, by error kind; each was answered as an error.",
		}, []string{"kind"}),
	}
	var err error
	if m.requests, err = adopt(reg, m.requests); err != nil {
		return nil, err
	}
	if m.durations, err = adopt(reg, m.durations); err != nil {
		return nil, err
	}
	if m.audits, err = adopt(reg, m.audits); err != nil {
		return nil, err
	}
	if m.scores, err = adopt(reg, m.scores); err != nil {
		return nil, err
	}
	if m.upstream, err = adopt(reg, m.upstream); err != nil {
		return nil, err
	}
	if m.saveErrors, err = adopt(reg, m.saveErrors); err != nil {
		return nil, err
	}
	return m, nil
}

// adopt registers c, or returns the collector already registered under the
// same name so that several handlers can share one registry.
func adopt[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(T); ok {
			return existing, nil
		}
	}
	if err != nil {
		return c, callaudit.Wrap(err, callaudit.KindInternal, "httpapi.New", "cannot register metrics")
	}
	return c, nil
}

// registry picks the registerer and gatherer from the Config.
func registry(reg prometheus.Registerer, gat prometheus.Gatherer) (prometheus.Registerer, prometheus.Gatherer, error) {
	switch {
	case reg == nil && gat == nil:
		r := prometheus.NewRegistry()
		r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		return r, r, nil
	case gat == nil:
		if g, ok := reg.(prometheus.Gatherer); ok {
			return reg, g, nil
		}
		return nil, nil, callaudit.Errorf(callaudit.KindInvalid, "httpapi.New: Config.Gatherer is required when Registerer is not a Gatherer")
	case reg == nil:
		return nil, nil, callaudit.Errorf(callaudit.KindInvalid, "httpapi.New: Config.Registerer is required with Config.Gatherer")
	}
	return reg, gat, nil
}

// observeRequest counts one request under its route pattern.
func (m *metrics) observeRequest(route string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.durations.WithLabelValues(route).Observe(d.Seconds())
}

// observeAudit counts one audit. The mode label is the canonical mode, or
// "invalid" for a mode that does not parse, so that label values stay few.
func (m *metrics) observeAudit(in audit.Input, scorer string, rep *score.Report, err error) {
	mode := "invalid"
	if md, perr := score.ParseMode(in.Mode); perr == nil {
		mode = string(md)
	}
	outcome := "ok"
	if err != nil {
		outcome = string(callaudit.KindOf(err))
		// The transient kinds are exactly the upstream's troubles: rate
		// limits, failures, unavailability and timeouts.
		if callaudit.IsTransient(err) {
			m.upstream.WithLabelValues(outcome).Inc()
		}
	}
	m.audits.WithLabelValues(mode, scorer, outcome).Inc()
	if rep != nil {
		m.scores.WithLabelValues(mode).Observe(float64(rep.TotalScore))
	}
}

func (h *Handler) serveMetrics(w http.ResponseWriter, r *http.Request) {
	h.metricsHandler.ServeHTTP(w, r)
}

func newMetricsHandler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
