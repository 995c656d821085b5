package openai_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantErr   []string // invalid variables
		check     func(t *testing.T, c openai.Config)
		wantReady bool
	}{
		{"empty", map[string]string{}, nil, func(t *testing.T, c openai.Config) {
			assert.Equal(t, openai.DefaultScoreModel, c.ScoreModel)
			assert.Equal(t, openai.DefaultTranscribeModel, c.TranscribeModel)
			assert.Equal(t, openai.DefaultBaseURL, c.BaseURL)
			assert.Nil(t, c.Temperature)
			assert.Nil(t, c.Seed)
		}, false},
		{"key and models", map[string]string{"OPENAI_API_KEY": " sk-abc ", "AUDIT_SCORE_MODEL": "gpt-4.1-mini", "AUDIT_TRANSCRIBE_MODEL": "gpt-4o-transcribe"}, nil, func(t *testing.T, c openai.Config) {
			assert.Equal(t, "sk-abc", c.APIKey)
			assert.Equal(t, "gpt-4.1-mini", c.ScoreModel)
			assert.Equal(t, "gpt-4o-transcribe", c.TranscribeModel)
		}, true},
		{"compatible server without key", map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}, nil, func(t *testing.T, c openai.Config) {
			assert.Equal(t, "http://127.0.0.1:11434/v1", c.BaseURL)
		}, true},
		{"tuning", map[string]string{"OPENAI_API_KEY": "k", "AUDIT_SCORE_TEMPERATURE": "0.3", "AUDIT_SCORE_SEED": "7", "AUDIT_SCORE_MAX_TRANSCRIPT_TOKENS": "9000", "AUDIT_OPENAI_MAX_CONCURRENCY": "3", "AUDIT_TRANSCRIBE_FORMAT": "text"}, nil, func(t *testing.T, c openai.Config) {
			require.NotNil(t, c.Temperature)
			assert.InDelta(t, 0.3, *c.Temperature, 1e-6)
			require.NotNil(t, c.Seed)
			assert.Equal(t, 7, *c.Seed)
			assert.Equal(t, 9000, c.MaxTranscriptTokens)
			assert.Equal(t, 3, c.MaxConcurrency)
			assert.Equal(t, "text", c.TranscribeFormat)
		}, true},
		{"bad values", map[string]string{"OPENAI_BASE_URL": "api.openai.com", "AUDIT_SCORE_TEMPERATURE": "3", "AUDIT_SCORE_SEED": "x", "AUDIT_OPENAI_MAX_CONCURRENCY": "0", "AUDIT_TRANSCRIBE_FORMAT": "srt"},
			[]string{"OPENAI_BASE_URL", "AUDIT_SCORE_TEMPERATURE", "AUDIT_SCORE_SEED", "AUDIT_OPENAI_MAX_CONCURRENCY", "AUDIT_TRANSCRIBE_FORMAT"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := openai.ConfigFromEnv(env(tt.env))
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
				var fields []string
				for _, f := range callaudit.FieldsOf(err) {
					fields = append(fields, f.Field)
				}
				assert.ElementsMatch(t, tt.wantErr, fields)
				return
			}
			require.NoError(t, err)
			tt.check(t, c)
			assert.Equal(t, tt.wantReady, c.Enabled())
		})
	}
}

func TestConfigRedactsKey(t *testing.T) {
	const key = "sk-proj-supersecret-ABCDEF123456"
	c, err := openai.ConfigFromEnv(env(map[string]string{"OPENAI_API_KEY": key, "OPENAI_BASE_URL": "https://user:pass@example.com/v1"}))
	require.NoError(t, err)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "openai", c)
	js, err := json.Marshal(c)
	require.NoError(t, err)
	for name, text := range map[string]string{
		"String": c.String(), "%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"slog": logged.String(), "json": string(js),
	} {
		assert.NotContains(t, text, "supersecret", name)
		assert.NotContains(t, text, "123456", name)
		assert.NotContains(t, text, "pass@", name)
	}
	assert.Contains(t, c.String(), "[REDACTED]")
	assert.Contains(t, c.String(), "gpt-4o-mini")

	// A Config built in code is not checked like the environment's: a
	// base URL that does not parse must not be shown with its password.
	bad := openai.Config{APIKey: key, BaseURL: "https://user:pass@exa mple.com/v1"}
	js, err = json.Marshal(bad)
	require.NoError(t, err)
	for name, text := range map[string]string{"String": bad.String(), "%#v": fmt.Sprintf("%#v", bad), "json": string(js)} {
		assert.NotContains(t, text, "pass@", name)
	}
}
