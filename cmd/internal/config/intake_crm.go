package config

import (
	"cmp"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/fetch"
	intakeamocrm "github.com/callaudit/callaudit/adapters/intake/amocrm"
	intakebitrix24 "github.com/callaudit/callaudit/adapters/intake/bitrix24"
)

// Bitrix24IntakeConfig is the Bitrix24 telephony intake's configuration,
// and whether it is on (AUDIT_INTAKE_BITRIX24_TOKENS set). Errors are
// KindInvalid naming the variable, never showing a token.
func (c Config) Bitrix24IntakeConfig() (intakebitrix24.Config, bool, error) {
	b := c.IntakeBitrix24
	if b.Tokens == "" {
		return intakebitrix24.Config{}, false, nil
	}
	tokens, err := intakebitrix24.ParseTokens(b.Tokens)
	if err != nil {
		return intakebitrix24.Config{}, true, callaudit.Invalid(callaudit.FieldError{Field: "AUDIT_INTAKE_BITRIX24_TOKENS",
			Message: "must be member_id=application_token pairs separated by commas"})
	}
	common, err := c.intakeCommon(b.Managers, "AUDIT_INTAKE_BITRIX24_MANAGERS")
	if err != nil {
		return intakebitrix24.Config{}, true, err
	}
	webhook := cmp.Or(b.WebhookURL, c.Bitrix24.WebhookURL)
	if webhook == "" {
		return intakebitrix24.Config{}, true, callaudit.Invalid(callaudit.FieldError{Field: "AUDIT_INTAKE_BITRIX24_WEBHOOK_URL",
			Message: "is required: an inbound webhook with the telephony scope (or set AUDIT_BITRIX24_WEBHOOK_URL with the telephony and crm scopes)"})
	}
	return intakebitrix24.Config{Common: common, WebhookURL: webhook, Tokens: tokens, Timeout: c.Bitrix24.Timeout}, true, nil
}

// AmoCRMIntakeConfig is the amoCRM call-note intake's configuration, and
// whether it is on (AUDIT_INTAKE_AMOCRM_SECRET set); it reads notes with
// the amoCRM write-back's account and token. Errors are KindInvalid
// naming the variable, never showing the secret or the token.
func (c Config) AmoCRMIntakeConfig() (intakeamocrm.Config, bool, error) {
	a := c.IntakeAmoCRM
	if a.Secret == "" {
		return intakeamocrm.Config{}, false, nil
	}
	common, err := c.intakeCommon(a.Managers, "AUDIT_INTAKE_AMOCRM_MANAGERS")
	if err != nil {
		return intakeamocrm.Config{}, true, err
	}
	if len(a.Secret) < intakeamocrm.MinSecretLength {
		return intakeamocrm.Config{}, true, callaudit.Invalid(callaudit.FieldError{Field: "AUDIT_INTAKE_AMOCRM_SECRET",
			Message: "must be at least 16 characters (e.g. openssl rand -hex 16): amoCRM signs no webhook"})
	}
	wb, _ := c.AmoCRMConfig()
	if wb.BaseURL == "" || wb.Token == "" {
		return intakeamocrm.Config{}, true, callaudit.Invalid(callaudit.FieldError{Field: "AUDIT_AMOCRM_TOKEN",
			Message: "the amoCRM intake reads the call notes with the write-back's account: set AUDIT_AMOCRM_SUBDOMAIN (or AUDIT_AMOCRM_BASE_URL) and AUDIT_AMOCRM_TOKEN"})
	}
	return intakeamocrm.Config{Common: common, BaseURL: wb.BaseURL, Token: wb.Token, Secret: a.Secret, Timeout: wb.Timeout}, true, nil
}

// crmIntakeFields are the CRM intakes' configuration errors: their
// variables, then what the vendors' constructors refuse.
func (c Config) crmIntakeFields() []callaudit.FieldError {
	var out []callaudit.FieldError
	files, err := fetch.New(c.FetchConfig())
	if err != nil {
		return nil // check reports the fetch settings
	}
	if cfg, on, err := c.Bitrix24IntakeConfig(); err != nil {
		out = append(out, callaudit.FieldsOf(err)...)
	} else if on {
		_, err := intakebitrix24.New(cfg, files)
		out = append(out, renamed(err, &c.IntakeBitrix24)...)
	}
	if cfg, on, err := c.AmoCRMIntakeConfig(); err != nil {
		out = append(out, callaudit.FieldsOf(err)...)
	} else if on {
		_, err := intakeamocrm.New(cfg, files)
		out = append(out, renamed(err, &c.IntakeAmoCRM)...)
	}
	return out
}

// crmIntakeVendors names the CRM intakes switched on.
func (c Config) crmIntakeVendors() []string {
	var out []string
	if c.IntakeBitrix24.Tokens != "" {
		out = append(out, intakebitrix24.Name)
	}
	if c.IntakeAmoCRM.Secret != "" {
		out = append(out, intakeamocrm.Name)
	}
	return out
}
