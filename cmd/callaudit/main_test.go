package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// offline clears the settings that would switch the CLI to OpenAI.
func offline(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
}

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

func TestAnalyzeJSONAndReadableAgree(t *testing.T) {
	offline(t)
	for _, name := range []string{"ru_good_crm.txt", "en_medium_demo.txt", "ru_inline_one_line.txt"} {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, name, []byte(transcribetest.Dialog(t, name)))

			code, out, errOut := runCLI(t, "", "analyze", "-json", path)
			require.Equal(t, exitOK, code, errOut)
			var rep score.Report
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			assert.GreaterOrEqual(t, rep.TotalScore, 0)
			assert.LessOrEqual(t, rep.TotalScore, 100)
			require.NotEmpty(t, rep.Details)
			assert.Equal(t, score.ModeManager, rep.Meta.Mode)

			code, text, errOut := runCLI(t, "", "analyze", path)
			require.Equal(t, exitOK, code, errOut)
			l := labels[rep.Meta.Language]
			require.NotNil(t, l, rep.Meta.Language)
			assert.Contains(t, text, l["score"]+": "+itoa(rep.TotalScore)+"/100")
			for _, d := range rep.Details {
				assert.Contains(t, text, d.Title)
			}
			for _, r := range rep.RecommendationList {
				assert.Contains(t, text, r)
			}
		})
	}
}

func TestAnalyzeFlagsAndStdin(t *testing.T) {
	offline(t)
	dialog := transcribetest.Dialog(t, "ru_good_crm.txt")
	tests := []struct {
		name     string
		args     []string
		wantMode score.Mode
		wantLang string
	}{
		{"client mode, english report", []string{"analyze", "-mode", "client +", "-lang", "en", "-json", "-"}, score.ModeClient, "en"},
		{"dialog mode", []string{"analyze", "-mode", "Диалог", "-json", "-"}, score.ModeDialog, "ru"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, dialog, tt.args...)
			require.Equal(t, exitOK, code, errOut)
			var rep score.Report
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			assert.Equal(t, tt.wantMode, rep.Meta.Mode)
			assert.Equal(t, tt.wantLang, rep.Meta.Language)
		})
	}
}

func TestAnalyzeErrors(t *testing.T) {
	offline(t)
	wav := writeFile(t, "call.mp3", transcribetest.WAV(0.5, 8000, 1))
	empty := writeFile(t, "empty.txt", nil)
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantErr  string
	}{
		{"no command", nil, "", exitUsage, "Usage"},
		{"unknown command", []string{"score"}, "", exitUsage, "unknown command"},
		{"no file", []string{"analyze"}, "", exitUsage, "Usage"},
		{"two files", []string{"analyze", "a", "b"}, "", exitUsage, "Usage"},
		{"bad flag", []string{"analyze", "-fast", "x"}, "", exitUsage, "-fast"},
		{"unknown mode", []string{"analyze", "-mode", "Boss+", "x"}, "", exitUsage, "accepted values"},
		{"missing file", []string{"analyze", filepath.Join(t.TempDir(), "nope.txt")}, "", exitFail, "no such file"},
		{"empty dialog", []string{"analyze", empty}, "", exitFail, "must not be empty"},
		{"empty stdin", []string{"analyze", "-"}, "", exitFail, "callaudit: the dialog in FILE: is required"},
		{"unsupported language", []string{"analyze", "-lang", "de", "-"}, "Менеджер: Добрый день", exitFail, "callaudit: -lang: must be one of: ru, en"},
		{"unknown mode after the file", []string{"analyze", "-", "-mode", "sales"}, "Менеджер: Добрый день", exitUsage, "callaudit: -mode: unknown mode \"sales\""},
		{"audio without a transcriber", []string{"analyze", wav}, "", exitFail, "OPENAI_API_KEY"},
		{"serve with arguments", []string{"serve", "now"}, "", exitUsage, "no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.stdin, tt.args...)
			assert.Equal(t, tt.wantCode, code)
			assert.Contains(t, errOut, tt.wantErr)
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCLI(t, "", "version")
	assert.Equal(t, exitOK, code)
	assert.NotEmpty(t, strings.TrimSpace(out))
	code, out, _ = runCLI(t, "", "help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "callaudit analyze")
}

func TestAnalyzeWithOpenAI(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	t.Setenv("OPENAI_API_KEY", fake.APIKey)
	t.Setenv("OPENAI_BASE_URL", fake.URL)

	// A text dialog is scored by the model.
	code, out, errOut := runCLI(t, transcribetest.Dialog(t, "en_medium_demo.txt"), "analyze", "-json", "-")
	require.Equal(t, exitOK, code, errOut)
	var rep score.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.NotEmpty(t, rep.Meta.Model)

	// A recording is transcribed first, read from the file.
	path := writeFile(t, "call.bin", transcribetest.WAV(1, 8000, 1))
	code, out, errOut = runCLI(t, "", "analyze", "-json", path)
	require.Equal(t, exitOK, code, errOut)
	rep = score.Report{}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.NotNil(t, rep.Transcript)
	assert.NotEmpty(t, rep.Transcript.Segments)
	var sawAudio bool
	for _, r := range fake.Requests() {
		if r.Audio != nil {
			sawAudio = true
			assert.True(t, strings.HasSuffix(r.Audio.Filename, ".wav"), "named by its real format: %s", r.Audio.Filename)
		}
	}
	assert.True(t, sawAudio, "the recording went to speech-to-text")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
