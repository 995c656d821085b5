package fetch

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
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
	if getenv == nil {
		getenv = os.Getenv
	}
	var cfg Config
	for _, h := range strings.Split(getenv(EnvAllowHosts), ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.AllowHosts = append(cfg.AllowHosts, h)
		}
	}
	var errs []callaudit.FieldError
	if v := strings.TrimSpace(getenv(EnvAllowPrivate)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, callaudit.FieldError{Field: EnvAllowPrivate, Message: "must be true or false"})
		}
		cfg.AllowPrivate = b
	}
	if v := strings.TrimSpace(getenv(EnvMaxBytes)); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, callaudit.FieldError{Field: EnvMaxBytes, Message: "must be a positive number of bytes"})
		}
		cfg.MaxBytes = n
	}
	if v := strings.TrimSpace(getenv(EnvTimeout)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, callaudit.FieldError{Field: EnvTimeout, Message: "must be a positive duration such as 15m"})
		}
		cfg.Timeout = d
	}
	if len(errs) > 0 {
		return Config{}, callaudit.Invalid(errs...)
	}
	if _, err := newPolicy(cfg.AllowHosts, cfg.AllowPrivate); err != nil {
		return Config{}, callaudit.Invalid(callaudit.FieldError{Field: EnvAllowHosts, Message: err.Error()})
	}
	return cfg, nil
}
