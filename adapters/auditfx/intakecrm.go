package auditfx

import (
	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/audit"
)

// IntakeCRM provides a telephony vendor that is also the CRM its calls'
// results go back to (adapters/intake/bitrix24, adapters/intake/amocrm):
// the vendor into IntakeVendorGroup, as IntakeVendor does, and the CRM's
// write-back (newNotifier over notifierCfg) wrapped by the vendor (wrap:
// the vendor's Notifier, which keeps its rate limit and finds the call's
// record) into NotifierGroup. Use it instead of the plain write-back
// module of that CRM:
//
//	auditfx.IntakeCRM("bitrix24", cfg, intakebitrix24.New, wbCfg, bitrix24.New, (*intakebitrix24.Vendor).Notifier)
func IntakeCRM[C, W any, V intake.Vendor, N writeback.Notifier](name string, cfg C, newVendor func(C, audit.Fetcher) (V, error),
	notifierCfg W, newNotifier func(W) (N, error), wrap func(V, writeback.Notifier) *intake.WriteBack) fx.Option {
	return fx.Module("intake-"+name, fx.Provide(
		fx.Private,
		func(files audit.Fetcher) (V, error) { return newVendor(cfg, files) },
	), fx.Provide(
		fx.Annotate(func(v V) intake.Vendor { return v }, fx.ResultTags(`group:"`+IntakeVendorGroup+`"`)),
		fx.Annotate(func(v V) (writeback.Notifier, error) {
			n, err := newNotifier(notifierCfg)
			if err != nil {
				return nil, err
			}
			return wrap(v, n), nil
		}, fx.ResultTags(`group:"`+NotifierGroup+`"`)),
	))
}
