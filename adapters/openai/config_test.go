package openai_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai"
)

func TestConfigEnabled(t *testing.T) {
	tests := []struct {
		name string
		cfg  openai.Config
		want bool
	}{
		{"empty", openai.Config{}, false},
		{"key", openai.Config{APIKey: "sk-abc"}, true},
		{"openai without key", openai.Config{BaseURL: "https://API.openai.com/v1"}, false},
		{"compatible server without key", openai.Config{BaseURL: "http://127.0.0.1:11434/v1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.cfg.Enabled())
		})
	}
}

func TestConfigRedactsKey(t *testing.T) {
	const key = "sk-proj-supersecret-ABCDEF123456"
	c := openai.Config{APIKey: key, BaseURL: "https://user:pass@example.com/v1", ScoreModel: openai.DefaultScoreModel}
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
