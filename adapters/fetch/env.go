package fetch

import (
	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/env"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvAllowHosts   = "AUDIT_FETCH_ALLOW_HOSTS"   // comma-separated names, addresses, CIDR prefixes
	EnvAllowPrivate = "AUDIT_FETCH_ALLOW_PRIVATE" // true/false
	EnvMaxBytes     = "AUDIT_FETCH_MAX_BYTES"     // bytes
	EnvTimeout      = "AUDIT_FETCH_TIMEOUT"       // Go duration, e.g. 15m
)

// ConfigFromEnv reads the fetcher's settings from the environment through
// getenv (nil is os.Getenv); unset variables keep the defaults. A value
// that cannot be parsed is a KindInvalid error naming the variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	r := env.New(getenv)
	cfg := Config{AllowHosts: r.List(EnvAllowHosts)}
	r.Bool(EnvAllowPrivate, &cfg.AllowPrivate)
	r.Bytes(EnvMaxBytes, &cfg.MaxBytes)
	r.Duration(EnvTimeout, &cfg.Timeout)
	if err := r.Err(); err != nil {
		return Config{}, err
	}
	if _, err := newPolicy(cfg.AllowHosts, cfg.AllowPrivate); err != nil {
		return Config{}, callaudit.Invalid(callaudit.FieldError{Field: EnvAllowHosts, Message: err.Error()})
	}
	return cfg, nil
}
