package auditfx

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFromEnvDefaults(t *testing.T) {
	c, err := ConfigFromEnv(envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, DefaultAddr, c.Addr)
	assert.Equal(t, DefaultDatabaseURL, c.DatabaseURL)
	assert.Equal(t, int64(DefaultMaxAudioBytes), c.MaxAudioBytes)
	assert.Equal(t, audit.DefaultMaxDialogBytes, c.MaxDialogBytes)
	assert.Equal(t, DefaultShutdownTimeout, c.ShutdownTimeout)
	assert.Equal(t, slog.LevelInfo, c.LogLevel)
	assert.False(t, c.UseOpenAI(), "no key: offline checklist")
	assert.Equal(t, c.MaxAudioBytes, c.Fetch.MaxBytes, "one limit for uploads and downloads")
	assert.Empty(t, c.Fetch.AllowHosts)
}

func TestConfigFromEnvValues(t *testing.T) {
	c, err := ConfigFromEnv(envOf(map[string]string{
		"AUDIT_ADDR":                "0.0.0.0:9000",
		"AUDIT_DATABASE_URL":        "postgres://u:pw@db/audit",
		"AUDIT_MAX_AUDIO_BYTES":     "1048576",
		"AUDIT_MAX_DIALOG_BYTES":    "2048",
		"AUDIT_WRITE_TIMEOUT":       "5m",
		"AUDIT_SHUTDOWN_TIMEOUT":    "3s",
		"AUDIT_LOG_LEVEL":           "debug",
		"AUDIT_LOG_FORMAT":          "JSON",
		"AUDIT_TEMP_DIR":            "/var/tmp/audit",
		"AUDIT_FETCH_ALLOW_HOSTS":   "pbx.lan",
		"AUDIT_FETCH_ALLOW_PRIVATE": "1",
		"OPENAI_API_KEY":            "sk-test",
		"AUDIT_SCORE_MODEL":         "gpt-4.1-mini",
	}))
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:9000", c.Addr)
	assert.Equal(t, int64(1<<20), c.MaxAudioBytes)
	assert.Equal(t, int64(1<<20), c.Fetch.MaxBytes)
	assert.Equal(t, 2048, c.MaxDialogBytes)
	assert.Equal(t, 5*time.Minute, c.WriteTimeout)
	assert.Equal(t, 3*time.Second, c.ShutdownTimeout)
	assert.Equal(t, slog.LevelDebug, c.LogLevel)
	assert.Equal(t, "json", c.LogFormat)
	assert.Equal(t, "/var/tmp/audit", c.Fetch.TempDir)
	assert.Equal(t, []string{"pbx.lan"}, c.Fetch.AllowHosts)
	assert.True(t, c.Fetch.AllowPrivate)
	assert.True(t, c.UseOpenAI())
	assert.Equal(t, "gpt-4.1-mini", c.OpenAI.ScoreModel)
}

func TestConfigFromEnvErrorsNameEveryVariable(t *testing.T) {
	_, err := ConfigFromEnv(envOf(map[string]string{
		"AUDIT_MAX_AUDIO_BYTES":     "lots",
		"AUDIT_READ_TIMEOUT":        "-1s",
		"AUDIT_LOG_LEVEL":           "loud",
		"AUDIT_LOG_FORMAT":          "xml",
		"AUDIT_FETCH_ALLOW_PRIVATE": "maybe",
		"OPENAI_BASE_URL":           "ftp://x",
	}))
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	var names []string
	for _, f := range callaudit.FieldsOf(err) {
		names = append(names, f.Field)
	}
	assert.ElementsMatch(t, []string{"AUDIT_MAX_AUDIO_BYTES", "AUDIT_READ_TIMEOUT", "AUDIT_LOG_LEVEL",
		"AUDIT_LOG_FORMAT", "AUDIT_FETCH_ALLOW_PRIVATE", "OPENAI_BASE_URL"}, names)
}

func TestConfigNeverShowsSecrets(t *testing.T) {
	const key = "sk-proj-SECRETSECRETSECRET"
	c, err := ConfigFromEnv(envOf(map[string]string{
		"OPENAI_API_KEY":     key,
		"AUDIT_DATABASE_URL": "postgres://audit:dbpassw0rd@db.internal:5432/audit",
	}))
	require.NoError(t, err)

	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("config", "config", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
	fmt.Fprintf(&buf, "%v %+v %#v %s", c, c, c, c)

	out := buf.String()
	assert.NotContains(t, out, key)
	assert.NotContains(t, out, "dbpassw0rd")
	assert.Contains(t, out, "db.internal", "the rest of the config is still shown")
	assert.Contains(t, out, "openai")
}
