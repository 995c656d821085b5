// Package writeback delivers audit results back to where the sales team
// works. Each adapter implements Notifier and is chosen by
// configuration:
//
//   - signedhook: a signed Standard Webhooks POST to any URL;
//   - amocrm: a note on the lead in amoCRM;
//   - bitrix24: a timeline comment in Bitrix24.
//
// FromEnv builds the ones whose settings are present. Deliver each with a
// queue (one job per call and notifier is best: a failing CRM then does
// not make the others deliver twice), or combine them with Multi.
//
// The sub-packages note (what a result says), send (HTTP answers to error
// kinds) and crmref (the CRM record in a call id) are shared by the
// adapters; writebacktest has fake receivers for tests.
package writeback

import (
	"errors"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
)

// Named is implemented by notifiers that have a short name for logs and
// call statuses ("amocrm"). All adapters here do.
type Named interface {
	Name() string
}

// NameOf returns n's name, or "notifier" for one without.
func NameOf(n Notifier) string {
	if nn, ok := n.(Named); ok {
		return nn.Name()
	}
	return "notifier"
}

// FromEnv builds the write-back adapters that are configured through
// getenv (os.Getenv in a server), in the order callback, amoCRM,
// Bitrix24. None configured returns nil and no error. Settings that are
// present but wrong are one KindInvalid error listing every variable at
// fault; secrets are never shown.
func FromEnv(getenv func(string) string) ([]Notifier, error) {
	var (
		out  []Notifier
		errs []error
	)
	add := func(n Notifier, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		out = append(out, n)
	}
	if cfg, err := signedhook.ConfigFromEnv(getenv); err != nil || cfg.Configured() {
		add(build(cfg, err, signedhook.New))
	}
	if cfg, err := amocrm.ConfigFromEnv(getenv); err != nil || cfg.Configured() {
		add(build(cfg, err, amocrm.New))
	}
	if cfg, err := bitrix24.ConfigFromEnv(getenv); err != nil || cfg.Configured() {
		add(build(cfg, err, bitrix24.New))
	}
	if len(errs) > 0 {
		return nil, joinInvalid(errs)
	}
	return out, nil
}

func build[C any, N Notifier](cfg C, err error, newFn func(C) (N, error)) (Notifier, error) {
	if err != nil {
		return nil, err
	}
	n, err := newFn(cfg)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// joinInvalid merges configuration errors into one, so an operator fixes
// every setting in one go.
func joinInvalid(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	var fields []callaudit.FieldError
	for _, err := range errs {
		fs := callaudit.FieldsOf(err)
		if len(fs) == 0 {
			fs = []callaudit.FieldError{{Field: "write-back", Message: callaudit.MessageOf(err)}}
		}
		fields = append(fields, fs...)
	}
	e := callaudit.Invalid(fields...)
	e.Op = "writeback.FromEnv"
	e.Err = errors.Join(errs...)
	return e
}
