package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedactionDefaultFollowsTheScorer(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Redaction
	}{
		{nil, RedactOff},
		{map[string]string{"OPENAI_API_KEY": "k"}, RedactModel},
		{map[string]string{"OPENAI_API_KEY": "k", "AUDIT_SCORER": "checklist"}, RedactOff},
		{map[string]string{"OPENAI_API_KEY": "k", "AUDIT_REDACT": "off"}, RedactOff},
		{map[string]string{"AUDIT_REDACT": "Store"}, RedactStore},
		{map[string]string{"AUDIT_REDACT": "model"}, RedactModel},
	}
	for _, tt := range tests {
		c, err := Parse(tt.env)
		require.NoError(t, err)
		assert.Equal(t, tt.want, c.Redaction(), "%v", tt.env)
	}
}

func TestRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"365d": 365 * 24 * time.Hour, "720h": 720 * time.Hour, " 1d ": 24 * time.Hour} {
		c, err := Parse(map[string]string{"AUDIT_RETENTION": in})
		require.NoError(t, err, in)
		assert.Equal(t, want, time.Duration(c.Privacy.Retention), in)
	}
	c, err := Parse(nil)
	require.NoError(t, err)
	assert.Zero(t, c.Privacy.Retention, "unset keeps everything")

	_, err = Parse(map[string]string{"AUDIT_RETENTION": "0d", "AUDIT_REDACT": "yes"})
	require.Error(t, err)
	assert.ElementsMatch(t, []string{"AUDIT_RETENTION", "AUDIT_REDACT"}, fieldsOf(err))
	for _, bad := range []string{"-5d", "a year", "0s", "12"} {
		_, err := Parse(map[string]string{"AUDIT_RETENTION": bad})
		assert.Error(t, err, bad)
	}
}

func TestLocalMode(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8000": true, "localhost:80": true, "[::1]:8000": true,
		"0.0.0.0:8000": false, ":8000": false, "10.0.0.5:8000": false, "audit.example.com:443": false} {
		c, err := Parse(map[string]string{"AUDIT_ADDR": addr})
		require.NoError(t, err, addr)
		assert.Equal(t, want, c.LocalMode(), addr)
		assert.Equal(t, want, c.HandlerConfig("").AllowErasure, addr)
	}
}
