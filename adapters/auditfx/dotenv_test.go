package auditfx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDotEnv(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr string
	}{
		{"empty", "", map[string]string{}, ""},
		{"bare values and comments", "# settings\n\nA=1\nB = two words  \nC=x # note\nD=a#b\n",
			map[string]string{"A": "1", "B": "two words", "C": "x", "D": "a#b"}, ""},
		{"export prefix", "export OPENAI_API_KEY=sk-1\n", map[string]string{"OPENAI_API_KEY": "sk-1"}, ""},
		{"single quotes are literal", `A='x # y \n'`, map[string]string{"A": `x # y \n`}, ""},
		{"double quotes unescape", `A="line1\nline2 \"q\" \\ \t"  # c`, map[string]string{"A": "line1\nline2 \"q\" \\ \t"}, ""},
		{"empty value", "A=\nB=''", map[string]string{"A": "", "B": ""}, ""},
		{"later wins", "A=1\nA=2", map[string]string{"A": "2"}, ""},
		{"bom and crlf", "\ufeffA=1\r\nB=2\r\n", map[string]string{"A": "1", "B": "2"}, ""},
		{"cyrillic value", "AUDIT_TRANSCRIBE_PROMPT=\"амоСРМ, Битрикс24\"", map[string]string{"AUDIT_TRANSCRIBE_PROMPT": "амоСРМ, Битрикс24"}, ""},
		{"no equals", "A=1\nnonsense\n", nil, "line 2"},
		{"bad key", "1A=1", nil, "line 1"},
		{"unterminated", `A="open`, nil, "unterminated"},
		{"text after quote", `A="x" y`, nil, "after the closing quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDotEnv(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseDotEnvErrorHidesValue(t *testing.T) {
	_, err := ParseDotEnv(strings.NewReader(`OPENAI_API_KEY="sk-very-secret`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "sk-very-secret")
	assert.Contains(t, err.Error(), "OPENAI_API_KEY")
}

func TestGetenvPrefersEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("CALLAUDIT_T_A=file\nCALLAUDIT_T_B=file\nCALLAUDIT_T_C=file\n"), 0o600))
	t.Setenv("CALLAUDIT_T_A", "env")
	t.Setenv("CALLAUDIT_T_C", "") // set but empty still wins over the file

	get, err := Getenv(path)
	require.NoError(t, err)
	assert.Equal(t, "env", get("CALLAUDIT_T_A"))
	assert.Equal(t, "file", get("CALLAUDIT_T_B"))
	assert.Equal(t, "", get("CALLAUDIT_T_C"))
	assert.Equal(t, "", get("CALLAUDIT_T_UNSET"))

	get, err = Getenv(filepath.Join(dir, "missing.env"))
	require.NoError(t, err, "a missing .env is fine")
	assert.Equal(t, "env", get("CALLAUDIT_T_A"))

	require.NoError(t, os.WriteFile(path, []byte("broken line\n"), 0o600))
	_, err = Getenv(path)
	assert.ErrorContains(t, err, ".env")
}
