package auditfx

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

// IntakeVendorGroup is the fx value group the telephony vendors'
// modules provide their intake.Vendor into and the Intake module reads.
const IntakeVendorGroup = "intake_vendors"

// IntakeVendor provides one telephony vendor (its New over the graph's
// SSRF-safe fetcher) into IntakeVendorGroup:
//
//	auditfx.IntakeVendor("mango", cfg, mango.New)
func IntakeVendor[C any, V intake.Vendor](name string, cfg C, newFn func(C, audit.Fetcher) (V, error)) fx.Option {
	return fx.Module("intake-"+name, fx.Provide(fx.Annotate(func(files audit.Fetcher) (intake.Vendor, error) {
		v, err := newFn(cfg, files)
		if err != nil {
			return nil, err
		}
		return v, nil
	}, fx.ResultTags(`group:"`+IntakeVendorGroup+`"`))))
}

type intakeParams struct {
	fx.In
	Logger   *slog.Logger
	Auditor  *audit.Auditor
	Registry *prometheus.Registry
	Vendors  []intake.Vendor `group:"intake_vendors"`
}

// Intake provides the telephony intake (*intake.Intake) over the vendors
// of IntakeVendorGroup, keeping its events in the store (which must be
// a storage.EventLog, as both shipped stores are) and its counters in the
// graph's registry (Metrics). The Queue module runs its jobs and the
// Server module mounts its routes at intake.Prefix. Include it with the
// Queue and Metrics modules.
func Intake() fx.Option {
	return fx.Module("intake", fx.Provide(func(p intakeParams) (*intake.Intake, error) {
		events, ok := p.Auditor.Store().(storage.EventLog)
		if !ok {
			return nil, callaudit.Errorf(callaudit.KindNotConfigured, "the telephony intake needs a store that keeps its events (storage.EventLog)")
		}
		in, err := intake.New(intake.Config{Vendors: p.Vendors, Events: events, Registerer: p.Registry, Logger: p.Logger})
		if err != nil {
			return nil, err
		}
		p.Logger.Info("telephony intake enabled", "vendors", in.Vendors(), "path", intake.Prefix+"<vendor>")
		return in, nil
	}))
}

// Metrics provides the Prometheus registry the handler serves at
// /metrics and other modules (Intake) register into, with the Go and
// process collectors.
func Metrics() fx.Option {
	return fx.Module("metrics", fx.Provide(func() *prometheus.Registry {
		r := prometheus.NewRegistry()
		r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		return r
	}))
}
