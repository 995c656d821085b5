package config

import (
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/intake/mango"
	"github.com/callaudit/callaudit/adapters/intake/zadarma"
)

// Intake is what every telephony intake shares (adapters/intake).
type Intake struct {
	// MinTalk skips calls whose conversation was shorter.
	MinTalk time.Duration `env:"AUDIT_INTAKE_MIN_TALK" envDefault:"5s"`
	// MaxWait fails a call whose recording is not downloadable this long
	// after the vendor said it was stored.
	MaxWait time.Duration `env:"AUDIT_INTAKE_MAX_WAIT" envDefault:"2h"`
}

// Mango is the Mango Office intake (adapters/intake/mango).
type Mango struct {
	Enabled bool `env:"AUDIT_INTAKE_MANGO" envDefault:"false"`
	// APIKey is vpbx_api_key, Salt vpbx_api_salt; never logged.
	APIKey  string `env:"AUDIT_INTAKE_MANGO_API_KEY"`
	Salt    string `env:"AUDIT_INTAKE_MANGO_API_SALT"`
	BaseURL string `env:"AUDIT_INTAKE_MANGO_BASE_URL" envDefault:"https://app.mango-office.ru/vpbx"`
	// Managers maps extensions to manager ids: "101=ivanov,102=petrova".
	Managers  string        `env:"AUDIT_INTAKE_MANGO_MANAGERS"`
	PerSecond int           `env:"AUDIT_INTAKE_MANGO_PER_SECOND" envDefault:"10" min:"1"`
	PollDelay time.Duration `env:"AUDIT_INTAKE_MANGO_POLL_DELAY" envDefault:"30s"`
}

// Zadarma is the Zadarma intake (adapters/intake/zadarma).
type Zadarma struct {
	Enabled bool `env:"AUDIT_INTAKE_ZADARMA" envDefault:"false"`
	// APIKey and Secret are the API's key and secret; never logged.
	APIKey    string        `env:"AUDIT_INTAKE_ZADARMA_API_KEY"`
	Secret    string        `env:"AUDIT_INTAKE_ZADARMA_API_SECRET"`
	BaseURL   string        `env:"AUDIT_INTAKE_ZADARMA_BASE_URL" envDefault:"https://api.zadarma.com"`
	Managers  string        `env:"AUDIT_INTAKE_ZADARMA_MANAGERS"`
	PerMinute int           `env:"AUDIT_INTAKE_ZADARMA_PER_MINUTE" envDefault:"100" min:"1"`
	PollDelay time.Duration `env:"AUDIT_INTAKE_ZADARMA_POLL_DELAY" envDefault:"40s"`
}

// intakeCommon is the shared part of a vendor's configuration, with its
// manager table (named by variable in errors).
func (c Config) intakeCommon(managers, variable string) (intake.Common, error) {
	table, err := intake.ParseManagers(managers)
	if err != nil {
		return intake.Common{}, callaudit.Invalid(callaudit.FieldError{Field: variable, Message: callaudit.MessageOf(err)})
	}
	return intake.Common{Managers: table, MinTalk: c.Intake.MinTalk, MaxWait: c.Intake.MaxWait}, nil
}

// MangoConfig is the Mango Office intake's configuration, and whether it
// is switched on (AUDIT_INTAKE_MANGO).
func (c Config) MangoConfig() (mango.Config, bool, error) {
	m := c.Mango
	common, err := c.intakeCommon(m.Managers, "AUDIT_INTAKE_MANGO_MANAGERS")
	common.PollDelay = m.PollDelay
	api := intake.API{BaseURL: m.BaseURL, PerSecond: float64(m.PerSecond)}
	return mango.Config{Common: common, API: api, APIKey: m.APIKey, Salt: m.Salt}, m.Enabled, err
}

// ZadarmaConfig is the Zadarma intake's configuration, and whether it is
// switched on (AUDIT_INTAKE_ZADARMA).
func (c Config) ZadarmaConfig() (zadarma.Config, bool, error) {
	z := c.Zadarma
	common, err := c.intakeCommon(z.Managers, "AUDIT_INTAKE_ZADARMA_MANAGERS")
	common.PollDelay = z.PollDelay
	api := intake.API{BaseURL: z.BaseURL, PerSecond: float64(z.PerMinute) / 60}
	return zadarma.Config{Common: common, API: api, APIKey: z.APIKey, Secret: z.Secret}, z.Enabled, err
}

// IntakeVendors names the telephony intakes switched on.
func (c Config) IntakeVendors() []string {
	var out []string
	if c.Mango.Enabled {
		out = append(out, "mango")
	}
	if c.Zadarma.Enabled {
		out = append(out, "zadarma")
	}
	return append(out, c.crmIntakeVendors()...)
}

// checkIntake is check's part for the intakes: the tables parse and the
// enabled vendors have their secrets (their constructors say which).
func (c Config) checkIntake() []callaudit.FieldError {
	var fields []callaudit.FieldError
	add := func(err error, section any) {
		if err != nil {
			fields = append(fields, renamed(err, section)...)
		}
	}
	files, err := fetch.New(c.FetchConfig())
	if err != nil {
		return nil // check reports the fetch settings
	}
	if cfg, on, err := c.MangoConfig(); err != nil {
		fields = append(fields, callaudit.FieldsOf(err)...)
	} else if on {
		_, err := mango.New(cfg, files)
		add(err, &c.Mango)
	}
	if cfg, on, err := c.ZadarmaConfig(); err != nil {
		fields = append(fields, callaudit.FieldsOf(err)...)
	} else if on {
		_, err := zadarma.New(cfg, files)
		add(err, &c.Zadarma)
	}
	return fields
}
