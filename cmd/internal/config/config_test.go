package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/fetch"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/crmref"
	"github.com/callaudit/callaudit/adapters/writeback/send"
	"github.com/callaudit/callaudit/audit"
)

// fieldsOf lists the variables err names.
func fieldsOf(err error) []string {
	var names []string
	for _, f := range callaudit.FieldsOf(err) {
		names = append(names, f.Field)
	}
	return names
}

// The declared defaults are the libraries' own, so a server with no
// settings behaves as each adapter documents.
func TestDefaults(t *testing.T) {
	c, err := Parse(nil)
	require.NoError(t, err)
	s := c.Server
	assert.Equal(t, "127.0.0.1:8000", s.Addr)
	assert.Equal(t, "callaudit.db", s.DatabaseURL)
	assert.Equal(t, Bytes(httpapi.DefaultMaxAudioBytes), s.MaxAudioBytes)
	assert.Equal(t, Bytes(httpapi.DefaultMaxBodyBytes), s.MaxBodyBytes)
	assert.Equal(t, Bytes(webhooks.DefaultMaxBody), s.MaxBodyBytes)
	assert.Equal(t, Bytes(audit.DefaultMaxDialogBytes), s.MaxDialogBytes)
	assert.Equal(t, 10*time.Second, s.ReadHeaderTimeout)
	assert.Equal(t, 15*time.Minute, s.ReadTimeout)
	assert.Equal(t, 30*time.Minute, s.WriteTimeout)
	assert.Equal(t, 2*time.Minute, s.IdleTimeout)
	assert.Equal(t, 60*time.Second, s.ShutdownTimeout)
	assert.Equal(t, LogLevel(slog.LevelInfo), s.LogLevel)
	assert.Equal(t, LogText, s.LogFormat)
	assert.Equal(t, Channel(""), s.StereoManagerChannel)
	assert.Equal(t, -1, s.StereoManagerChannel.Index())

	assert.False(t, c.OpenAIEnabled(), "no key: offline")
	assert.Equal(t, ScorerChecklist, c.ScorerName())
	assert.Equal(t, TranscriberNone, c.TranscriberName())
	o := c.OpenAIConfig()
	assert.Equal(t, openai.DefaultBaseURL, o.BaseURL)
	assert.Equal(t, openai.DefaultScoreModel, o.ScoreModel)
	assert.Equal(t, openai.DefaultTranscribeModel, o.TranscribeModel)
	assert.Equal(t, openai.DefaultMaxTranscriptTokens, o.MaxTranscriptTokens)
	assert.Equal(t, openai.DefaultMaxConcurrency, o.MaxConcurrency)
	assert.Nil(t, o.Temperature)
	assert.Nil(t, o.Seed)

	f := c.FetchConfig()
	assert.Equal(t, int64(s.MaxAudioBytes), f.MaxBytes, "one limit for uploads and downloads")
	assert.Equal(t, fetch.DefaultTimeout, f.Timeout)
	assert.Empty(t, f.AllowHosts)
	assert.False(t, f.AllowPrivate)

	q := c.QueueConfig()
	assert.Equal(t, queue.DefaultWorkers, q.Workers)
	assert.Equal(t, queue.DefaultJobTimeout, q.JobTimeout)
	assert.Equal(t, queue.DefaultMaxAttempts, q.MaxAttempts)
	assert.Zero(t, q.RescueAfter, "the queue's own JobTimeout + 5m")

	cb, on := c.CallbackConfig()
	assert.False(t, on)
	assert.Equal(t, send.DefaultTimeout, cb.Timeout)
	amo, on := c.AmoCRMConfig()
	assert.False(t, on)
	assert.Equal(t, crmref.DefaultPattern, amo.CallIDPattern)
	assert.Equal(t, "lead", amo.EntityType)
	assert.Equal(t, send.DefaultTimeout, amo.Timeout)
	bx, on := c.Bitrix24Config()
	assert.False(t, on)
	assert.Equal(t, crmref.DefaultPattern, bx.CallIDPattern)
	assert.Equal(t, "deal", bx.EntityType)
	assert.Equal(t, send.DefaultTimeout, bx.Timeout)
}

func TestValues(t *testing.T) {
	c, err := Parse(map[string]string{
		"AUDIT_ADDR":                        " 0.0.0.0:9000 \r",
		"AUDIT_DATABASE_URL":                "postgres://u:pw@db/audit",
		"AUDIT_MAX_AUDIO_BYTES":             "1048576",
		"AUDIT_MAX_DIALOG_BYTES":            "2048",
		"AUDIT_WRITE_TIMEOUT":               "5m",
		"AUDIT_SHUTDOWN_TIMEOUT":            "3s",
		"AUDIT_LOG_LEVEL":                   "DEBUG",
		"AUDIT_LOG_FORMAT":                  "JSON",
		"AUDIT_TEMP_DIR":                    "/var/tmp/audit",
		"AUDIT_STEREO_MANAGER_CHANNEL":      "Right",
		"AUDIT_FETCH_ALLOW_HOSTS":           " pbx.office.lan, 10.0.0.5 ,,192.168.7.0/24",
		"AUDIT_FETCH_ALLOW_PRIVATE":         "1",
		"AUDIT_QUEUE_WORKERS":               "2",
		"AUDIT_JOB_RESCUE_AFTER":            "45m",
		"OPENAI_API_KEY":                    " sk-test ",
		"AUDIT_SCORE_MODEL":                 "gpt-4.1-mini",
		"AUDIT_SCORE_TEMPERATURE":           "0.3",
		"AUDIT_SCORE_SEED":                  "7",
		"AUDIT_SCORE_MAX_TRANSCRIPT_TOKENS": "9000",
		"AUDIT_OPENAI_MAX_CONCURRENCY":      "3",
		"AUDIT_TRANSCRIBE_FORMAT":           "text",
		"AUDIT_SCORER":                      "checklist",
	})
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:9000", c.Server.Addr, "values are trimmed")
	assert.Equal(t, Bytes(1<<20), c.Server.MaxAudioBytes)
	assert.Equal(t, int64(1<<20), c.FetchConfig().MaxBytes)
	assert.Equal(t, Bytes(2048), c.Server.MaxDialogBytes)
	assert.Equal(t, 5*time.Minute, c.Server.WriteTimeout)
	assert.Equal(t, 3*time.Second, c.ServerConfig().ShutdownTimeout)
	assert.Equal(t, LogLevel(slog.LevelDebug), c.Server.LogLevel)
	assert.Equal(t, LogJSON, c.Server.LogFormat)
	assert.Equal(t, ChannelRight, c.Server.StereoManagerChannel)
	assert.Equal(t, 1, c.Server.StereoManagerChannel.Index())
	assert.Equal(t, "/var/tmp/audit", c.FetchConfig().TempDir)
	assert.Equal(t, []string{"pbx.office.lan", "10.0.0.5", "192.168.7.0/24"}, c.FetchConfig().AllowHosts)
	assert.True(t, c.FetchConfig().AllowPrivate)
	assert.Equal(t, 2, c.QueueConfig().Workers)
	assert.Equal(t, 45*time.Minute, c.QueueConfig().RescueAfter)
	assert.Equal(t, "postgres://u:pw@db/audit", c.QueueConfig().DatabaseURL)

	o := c.OpenAIConfig()
	assert.Equal(t, "sk-test", o.APIKey)
	assert.Equal(t, "gpt-4.1-mini", o.ScoreModel)
	require.NotNil(t, o.Temperature)
	assert.InDelta(t, 0.3, *o.Temperature, 1e-6)
	require.NotNil(t, o.Seed)
	assert.Equal(t, 7, *o.Seed)
	assert.Equal(t, 9000, o.MaxTranscriptTokens)
	assert.Equal(t, 3, o.MaxConcurrency)
	assert.Equal(t, "text", o.TranscribeFormat)
	assert.Equal(t, ScorerChecklist, c.ScorerName(), "AUDIT_SCORER wins over the key")
	assert.Equal(t, VendorOpenAI, c.TranscriberName())
}

func TestOpenAIChoiceFollowsTodaysRule(t *testing.T) {
	tests := []struct {
		env        map[string]string
		scorer, tr string
	}{
		{nil, ScorerChecklist, TranscriberNone},
		{map[string]string{"OPENAI_API_KEY": "k"}, VendorOpenAI, VendorOpenAI},
		{map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}, VendorOpenAI, VendorOpenAI},
		{map[string]string{"OPENAI_BASE_URL": "https://API.openai.com/v1"}, ScorerChecklist, TranscriberNone},
		{map[string]string{"OPENAI_API_KEY": "k", "AUDIT_TRANSCRIBER": "none"}, VendorOpenAI, TranscriberNone},
	}
	for _, tt := range tests {
		c, err := Parse(tt.env)
		require.NoError(t, err)
		assert.Equal(t, tt.scorer, c.ScorerName(), "%v", tt.env)
		assert.Equal(t, tt.tr, c.TranscriberName(), "%v", tt.env)
		assert.Equal(t, c.OpenAIConfig().Enabled(), c.OpenAIEnabled(), "the same rule as openai.Config.Enabled")
	}
}

// One error names every variable at fault, with the server's messages.
func TestErrorsNameEveryVariable(t *testing.T) {
	_, err := Parse(map[string]string{
		"AUDIT_MAX_AUDIO_BYTES":             "lots",
		"AUDIT_MAX_BODY_BYTES":              "0",
		"AUDIT_READ_TIMEOUT":                "-1s",
		"AUDIT_LOG_LEVEL":                   "loud",
		"AUDIT_LOG_FORMAT":                  "xml",
		"AUDIT_STEREO_MANAGER_CHANNEL":      "middle",
		"AUDIT_FETCH_ALLOW_PRIVATE":         "maybe",
		"OPENAI_BASE_URL":                   "ftp://x",
		"AUDIT_SCORE_TEMPERATURE":           "3",
		"AUDIT_SCORE_SEED":                  "x",
		"AUDIT_OPENAI_MAX_CONCURRENCY":      "0",
		"AUDIT_SCORE_MAX_TRANSCRIPT_TOKENS": "many",
		"AUDIT_TRANSCRIBE_FORMAT":           "srt",
		"AUDIT_QUEUE_WORKERS":               "0",
		"AUDIT_JOB_TIMEOUT":                 "1h",
		"AUDIT_JOB_RESCUE_AFTER":            "10m",
		"AUDIT_WEBHOOK_SECRET":              "whsec_c2hvcnQ=",
		"AUDIT_BITRIX24_TIMEOUT":            "soon",
	})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.ElementsMatch(t, []string{"AUDIT_MAX_AUDIO_BYTES", "AUDIT_MAX_BODY_BYTES", "AUDIT_READ_TIMEOUT", "AUDIT_LOG_LEVEL",
		"AUDIT_LOG_FORMAT", "AUDIT_STEREO_MANAGER_CHANNEL", "AUDIT_FETCH_ALLOW_PRIVATE", "OPENAI_BASE_URL",
		"AUDIT_SCORE_TEMPERATURE", "AUDIT_SCORE_SEED", "AUDIT_OPENAI_MAX_CONCURRENCY", "AUDIT_SCORE_MAX_TRANSCRIPT_TOKENS",
		"AUDIT_TRANSCRIBE_FORMAT", "AUDIT_QUEUE_WORKERS", "AUDIT_JOB_RESCUE_AFTER", "AUDIT_WEBHOOK_SECRET",
		"AUDIT_BITRIX24_TIMEOUT"}, fieldsOf(err))
	msgs := map[string]string{}
	for _, f := range callaudit.FieldsOf(err) {
		msgs[f.Field] = f.Message
	}
	assert.Equal(t, "must be a positive number of bytes", msgs["AUDIT_MAX_AUDIO_BYTES"])
	assert.Equal(t, "must be a positive duration such as 30s or 15m", msgs["AUDIT_READ_TIMEOUT"])
	assert.Equal(t, "must be debug, info, warn or error", msgs["AUDIT_LOG_LEVEL"])
	assert.Equal(t, "must be text or json", msgs["AUDIT_LOG_FORMAT"])
	assert.Equal(t, "must be left, right or auto", msgs["AUDIT_STEREO_MANAGER_CHANNEL"])
	assert.Equal(t, "must be true or false", msgs["AUDIT_FETCH_ALLOW_PRIVATE"])
	assert.Equal(t, "must be a number from 0 to 2", msgs["AUDIT_SCORE_TEMPERATURE"])
	assert.Equal(t, "must be a whole number", msgs["AUDIT_SCORE_SEED"])
	assert.Equal(t, "must be a whole number of at least 1", msgs["AUDIT_OPENAI_MAX_CONCURRENCY"])
	assert.Equal(t, "must be a whole number of at least 500", msgs["AUDIT_SCORE_MAX_TRANSCRIPT_TOKENS"])
	assert.Equal(t, "must be verbose_json, json, text or diarized_json", msgs["AUDIT_TRANSCRIBE_FORMAT"])
	assert.Contains(t, msgs["AUDIT_JOB_RESCUE_AFTER"], "at least AUDIT_JOB_TIMEOUT")
	assert.NotContains(t, err.Error(), "c2hvcnQ", "the secret is not echoed")
}

// A webhook secret without the whsec_ prefix is refused with what a valid
// secret looks like and how to make one, never with its value.
func TestWebhookSecretMessage(t *testing.T) {
	const value = "notasecret-but-a-password"
	_, err := Parse(map[string]string{"AUDIT_WEBHOOK_SECRET": value})
	require.Error(t, err)
	fields := callaudit.FieldsOf(err)
	require.Len(t, fields, 1)
	assert.Equal(t, "AUDIT_WEBHOOK_SECRET", fields[0].Field)
	assert.Equal(t, `must start with whsec_ followed by the base64 of 24 to 64 random bytes (Standard Webhooks); `+
		`generate one with printf 'whsec_%s\n' "$(head -c 32 /dev/urandom | base64)"`, fields[0].Message)
	assert.NotContains(t, err.Error(), value)
	assert.NotContains(t, err.Error(), "secret: ", "the variable is named once")
}

func TestAllowHostsAreChecked(t *testing.T) {
	_, err := Parse(map[string]string{"AUDIT_FETCH_ALLOW_HOSTS": "https://pbx"})
	require.Error(t, err)
	assert.Equal(t, []string{"AUDIT_FETCH_ALLOW_HOSTS"}, fieldsOf(err))
}

// A transcription format the model cannot give is a configuration error
// naming the variable, not a failure when the app is built.
func TestTranscribeFormatForModel(t *testing.T) {
	_, err := Parse(map[string]string{"OPENAI_API_KEY": "k", "AUDIT_TRANSCRIBE_MODEL": "gpt-4o-transcribe", "AUDIT_TRANSCRIBE_FORMAT": "verbose_json"})
	require.Error(t, err)
	assert.Equal(t, []string{"AUDIT_TRANSCRIBE_FORMAT"}, fieldsOf(err))
	assert.Contains(t, callaudit.MessageOf(err), "gpt-4o-transcribe")
}

func TestWriteBack(t *testing.T) {
	secret := webhooks.NewSecret()
	const token = "amo-TOKEN-1"
	tests := []struct {
		name   string
		env    map[string]string
		on     []string
		base   string
		fields []string
	}{
		{name: "nothing configured", env: map[string]string{"AUDIT_PUBLIC_URL": "https://a.example"}},
		{name: "all three", env: map[string]string{
			"AUDIT_CALLBACK_URL": "https://crm.example.com/h", "AUDIT_CALLBACK_SECRET": secret,
			"AUDIT_AMOCRM_SUBDOMAIN": "shop", "AUDIT_AMOCRM_TOKEN": token,
			"AUDIT_BITRIX24_WEBHOOK_URL": "https://shop.bitrix24.ru/rest/1/code/",
		}, on: []string{"callback", "amocrm", "bitrix24"}, base: "https://shop.amocrm.ru"},
		{name: "base url wins over subdomain", env: map[string]string{
			"AUDIT_AMOCRM_SUBDOMAIN": "shop", "AUDIT_AMOCRM_BASE_URL": "https://shop.kommo.com", "AUDIT_AMOCRM_TOKEN": token,
		}, on: []string{"amocrm"}, base: "https://shop.kommo.com"},
		{name: "every mistake at once", env: map[string]string{
			"AUDIT_CALLBACK_URL":             "https://crm.example.com/h",
			"AUDIT_AMOCRM_TOKEN":             token,
			"AUDIT_BITRIX24_WEBHOOK_URL":     "https://shop.bitrix24.ru/rest/1/code/",
			"AUDIT_BITRIX24_CALL_ID_PATTERN": "(\\d+)",
		}, fields: []string{"AUDIT_CALLBACK_SECRET", "AUDIT_AMOCRM_BASE_URL", "AUDIT_BITRIX24_CALL_ID_PATTERN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.env)
			if tt.fields != nil {
				require.Error(t, err)
				assert.Equal(t, tt.fields, fieldsOf(err))
				assert.Contains(t, err.Error(), "AUDIT_AMOCRM_SUBDOMAIN", "the amoCRM hint names both ways")
				assert.NotContains(t, err.Error(), token)
				return
			}
			require.NoError(t, err)
			var on []string
			if _, ok := c.CallbackConfig(); ok {
				on = append(on, "callback")
			}
			amo, ok := c.AmoCRMConfig()
			if ok {
				on = append(on, "amocrm")
				assert.Equal(t, tt.base, amo.BaseURL)
				assert.Equal(t, c.Server.PublicURL, amo.PublicURL)
			}
			if _, ok := c.Bitrix24Config(); ok {
				on = append(on, "bitrix24")
			}
			assert.Equal(t, tt.on, on)
		})
	}
}

func TestNeverShowsSecrets(t *testing.T) {
	const key = "sk-proj-SECRETSECRETSECRET"
	hook := webhooks.NewSecret()
	c, err := Parse(map[string]string{
		"OPENAI_API_KEY":       key,
		"AUDIT_DATABASE_URL":   "postgres://audit:dbpassw0rd@db.internal:5432/audit",
		"AUDIT_WEBHOOK_SECRET": hook,
		"AUDIT_ADMIN_PASSWORD": "first-admin-secret",
	})
	require.NoError(t, err)

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
	fmt.Fprintf(&buf, "%v %+v %#v %s", c, c, c, c)

	out := buf.String()
	assert.NotContains(t, out, key)
	assert.NotContains(t, out, "dbpassw0rd")
	assert.NotContains(t, out, hook)
	assert.NotContains(t, out, "first-admin-secret")
	assert.Contains(t, out, "db.internal", "the rest of the config is still shown")
	assert.Contains(t, out, "openai")
}

func TestLoadReadsDotEnvUnderTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("\ufeff# settings\n"+
		"AUDIT_ADDR=127.0.0.1:9100 # note\n"+
		"export AUDIT_SCORE_MODEL='gpt-x # literal'\n"+
		"AUDIT_TRANSCRIBE_PROMPT=\"амоСРМ,\\nБитрикс24\"\r\n"+
		"AUDIT_DATABASE_URL=from-file.db\n"+
		"AUDIT_TEMP_DIR=/from/file\n"), 0o600))
	t.Setenv("AUDIT_DATABASE_URL", "from-env.db")
	t.Setenv("AUDIT_TEMP_DIR", "") // set but empty wins over the file, and is the default
	t.Setenv("AUDIT_ADDR", "")
	os.Unsetenv("AUDIT_ADDR")

	c, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9100", c.Server.Addr)
	assert.Equal(t, "gpt-x # literal", c.OpenAI.ScoreModel)
	assert.Equal(t, "амоСРМ,\nБитрикс24", c.OpenAI.TranscribePrompt)
	assert.Equal(t, "from-env.db", c.Server.DatabaseURL, "the environment wins")
	assert.Empty(t, c.Server.TempDir)

	_, err = Load(filepath.Join(dir, "missing.env"))
	require.NoError(t, err, "a missing .env is fine")

	for _, tc := range []struct{ file, want string }{
		{"A=1\nOPENAI_API_KEY=\"sk-very-secret\n", "line 2 (OPENAI_API_KEY)"},
		{"A=\"multi\nline\"\nB=2\nsk-very-secret\n", "line 4"},
		{"# c\nA=1\n\nsk-very-secret\nB=2\n", "line 4: want KEY=VALUE"},
	} {
		require.NoError(t, os.WriteFile(path, []byte(tc.file), 0o600))
		_, err = Load(path)
		require.Error(t, err)
		assert.Contains(t, err.Error(), ".env")
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), "sk-very-secret", "the parser's detail could quote a secret")
	}
}

// TestAccessSettings: the account settings reach the service and the
// HTTP layer, the session cookie is Secure behind https, and bad values
// are named.
func TestAccessSettings(t *testing.T) {
	c, err := Parse(map[string]string{"AUDIT_PUBLIC_URL": "https://audit.example.ru", "AUDIT_SESSION_IDLE": "30m",
		"AUDIT_LOGIN_BURST_ACCOUNT": "3", "AUDIT_ANALYZE_PER_MINUTE": "0", "AUDIT_AUTH": "OFF"})
	require.NoError(t, err)
	assert.Equal(t, AuthOff, c.Access.Auth)
	assert.Equal(t, 30*time.Minute, c.AccessConfig().IdleTimeout)
	assert.Equal(t, 168*time.Hour, c.AccessConfig().MaxAge)
	a := c.HTTPAccess(nil, true)
	assert.True(t, a.SecureCookie)
	assert.True(t, a.LocalUntilUsers)
	assert.Equal(t, 3, a.LoginBurstAccount)
	assert.Zero(t, a.AnalyzePerMinute, "0 switches the limit off")

	plain, err := Parse(map[string]string{"AUDIT_PUBLIC_URL": "http://10.0.0.5:8000"})
	require.NoError(t, err)
	assert.False(t, plain.HTTPAccess(nil, false).SecureCookie)
	assert.Equal(t, AuthOn, plain.Access.Auth)

	_, err = Parse(map[string]string{"AUDIT_AUTH": "maybe", "AUDIT_ADMIN_PASSWORD": "short", "AUDIT_LOGIN_REFILL": "0s", "AUDIT_SESSION_MAX_AGE": "-1h"})
	require.Error(t, err)
	var names []string
	for _, f := range callaudit.FieldsOf(err) {
		names = append(names, f.Field)
	}
	assert.Subset(t, names, []string{"AUDIT_AUTH", "AUDIT_ADMIN_PASSWORD", "AUDIT_LOGIN_REFILL", "AUDIT_SESSION_MAX_AGE"})
	assert.NotContains(t, err.Error(), "short", "the password is not echoed")
}

// Scoring and speech-to-text each have a server of their own, falling
// back to OPENAI_BASE_URL; the OpenAI key follows only its own server.
func TestSeparateServers(t *testing.T) {
	tests := []struct {
		name                 string
		env                  map[string]string
		scoreURL, scoreKey   string
		trURL, trKey         string
		scorer, transcriber  string
		scoreOrg, transcrOrg string
	}{
		{"shared", map[string]string{"OPENAI_API_KEY": "sk-shared", "OPENAI_ORG_ID": "org-1"},
			openai.DefaultBaseURL, "sk-shared", openai.DefaultBaseURL, "sk-shared", VendorOpenAI, VendorOpenAI, "org-1", "org-1"},
		{"local speech server without a key", map[string]string{"OPENAI_API_KEY": "sk-shared", "OPENAI_ORG_ID": "org-1",
			"AUDIT_TRANSCRIBE_BASE_URL": "http://127.0.0.1:8080/v1"},
			openai.DefaultBaseURL, "sk-shared", "http://127.0.0.1:8080/v1", "", VendorOpenAI, VendorOpenAI, "org-1", ""},
		{"each its own", map[string]string{"AUDIT_SCORE_BASE_URL": "https://llm.example/v1", "AUDIT_SCORE_API_KEY": "sk-score",
			"AUDIT_TRANSCRIBE_BASE_URL": "http://stt.lan:9000/v1", "AUDIT_TRANSCRIBE_API_KEY": "sk-stt"},
			"https://llm.example/v1", "sk-score", "http://stt.lan:9000/v1", "sk-stt", VendorOpenAI, VendorOpenAI, "", ""},
		{"own key, shared URL", map[string]string{"OPENAI_API_KEY": "sk-shared", "AUDIT_TRANSCRIBE_API_KEY": "sk-stt"},
			openai.DefaultBaseURL, "sk-shared", openai.DefaultBaseURL, "sk-stt", VendorOpenAI, VendorOpenAI, "", ""},
		{"only speech-to-text configured", map[string]string{"AUDIT_TRANSCRIBE_BASE_URL": "http://127.0.0.1:8080/v1"},
			openai.DefaultBaseURL, "", "http://127.0.0.1:8080/v1", "", ScorerChecklist, VendorOpenAI, "", ""},
		{"same origin keeps the key", map[string]string{"OPENAI_API_KEY": "sk-shared", "AUDIT_SCORE_BASE_URL": "https://API.openai.com/v1/"},
			"https://API.openai.com/v1/", "sk-shared", openai.DefaultBaseURL, "sk-shared", VendorOpenAI, VendorOpenAI, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.env)
			require.NoError(t, err)
			sc, tc := c.ScoreOpenAIConfig(), c.TranscribeOpenAIConfig()
			assert.Equal(t, tt.scoreURL, sc.BaseURL)
			assert.Equal(t, tt.scoreKey, sc.APIKey)
			assert.Equal(t, tt.trURL, tc.BaseURL)
			assert.Equal(t, tt.trKey, tc.APIKey)
			assert.Equal(t, tt.scoreOrg, sc.OrgID)
			assert.Equal(t, tt.transcrOrg, tc.OrgID)
			assert.Equal(t, tt.scorer, c.ScorerName())
			assert.Equal(t, tt.transcriber, c.TranscriberName())
			for _, secret := range []string{"sk-shared", "sk-score", "sk-stt"} {
				assert.NotContains(t, c.String(), secret)
			}
		})
	}
	_, err := Parse(map[string]string{"AUDIT_TRANSCRIBE_BASE_URL": "127.0.0.1:8080", "AUDIT_SCORE_BASE_URL": "ftp://x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUDIT_TRANSCRIBE_BASE_URL")
	assert.Contains(t, err.Error(), "AUDIT_SCORE_BASE_URL")
}
