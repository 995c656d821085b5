package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake/bitrix24"
)

func TestCRMIntakes(t *testing.T) {
	c, err := Parse(map[string]string{
		"AUDIT_INTAKE_BITRIX24_TOKENS":   "m1=tok-1, m2=tok-2",
		"AUDIT_INTAKE_BITRIX24_MANAGERS": "1269=anna",
		"AUDIT_BITRIX24_WEBHOOK_URL":     "https://shop.bitrix24.ru/rest/1/code/",
		"AUDIT_INTAKE_AMOCRM_SECRET":     "0123456789abcdef0123",
		"AUDIT_INTAKE_AMOCRM_MANAGERS":   "940088=boris",
		"AUDIT_AMOCRM_SUBDOMAIN":         "shop", "AUDIT_AMOCRM_TOKEN": "amo-token",
	})
	require.NoError(t, err)
	b, on, err := c.Bitrix24IntakeConfig()
	require.NoError(t, err)
	require.True(t, on)
	assert.Equal(t, "https://shop.bitrix24.ru/rest/1/code/", b.WebhookURL, "the write-back's webhook when the intake has none")
	assert.Equal(t, map[string]string{"1269": "anna"}, b.Managers)
	assert.NoError(t, b.Tokens.Check(bitrix24.Event{MemberID: "m2", Token: "tok-2"}))
	a, on, err := c.AmoCRMIntakeConfig()
	require.NoError(t, err)
	require.True(t, on)
	assert.Equal(t, "https://shop.amocrm.ru", a.BaseURL)
	assert.Equal(t, "amo-token", a.Token)
	assert.Equal(t, map[string]string{"940088": "boris"}, a.Managers)

	off, err := Parse(map[string]string{})
	require.NoError(t, err)
	_, on, _ = off.Bitrix24IntakeConfig()
	assert.False(t, on)
	_, on, _ = off.AmoCRMIntakeConfig()
	assert.False(t, on)

	_, err = Parse(map[string]string{
		"AUDIT_INTAKE_BITRIX24_TOKENS": "no-pair-secret-ish",
		"AUDIT_INTAKE_AMOCRM_SECRET":   "short-secret",
	})
	require.Error(t, err)
	var names []string
	for _, f := range callaudit.FieldsOf(err) {
		names = append(names, f.Field)
	}
	assert.Subset(t, names, []string{"AUDIT_INTAKE_BITRIX24_TOKENS", "AUDIT_INTAKE_AMOCRM_SECRET"})
	assert.NotContains(t, err.Error(), "no-pair-secret-ish")
	assert.NotContains(t, err.Error(), "short-secret")

	_, err = Parse(map[string]string{"AUDIT_INTAKE_BITRIX24_TOKENS": "m=t", "AUDIT_INTAKE_AMOCRM_SECRET": "0123456789abcdef0123"})
	require.Error(t, err)
	names = nil
	for _, f := range callaudit.FieldsOf(err) {
		names = append(names, f.Field)
	}
	assert.Subset(t, names, []string{"AUDIT_INTAKE_BITRIX24_WEBHOOK_URL", "AUDIT_AMOCRM_TOKEN"})
}
