package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// Help on every command prints the usage on stdout, exits 0, and neither
// starts anything nor creates the database.
func TestHelpExitsZeroAndCreatesNothing(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}, {"serve", "-h"}, {"serve", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", args...)
			assert.Equal(t, exitOK, code, errOut)
			assert.Contains(t, out, "callaudit analyze")
			assert.Contains(t, out, "callaudit serve")
			assert.Contains(t, out, `"Configuration"`, "points to the README's configuration")
			assert.Empty(t, errOut)
		})
	}
	for _, args := range [][]string{{"analyze", "-h"}, {"analyze", "--help"}, {"analyze", "call.txt", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, _ := runCLI(t, "", args...)
			assert.Equal(t, exitOK, code)
			assert.Contains(t, out, "Usage: callaudit analyze")
			assert.Contains(t, out, "-mode", "the flags are listed")
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "help created no file (no callaudit.db)")
}

// Flags may follow the file, as people type them.
func TestAnalyzeFlagsAfterTheFile(t *testing.T) {
	offline(t)
	path := writeFile(t, "call.txt", []byte(transcribetest.Dialog(t, "ru_good_crm.txt")))
	tests := []struct {
		name     string
		args     []string
		wantMode score.Mode
		wantLang string
	}{
		{"mode after the file", []string{"analyze", path, "-mode", "Client+", "-json"}, score.ModeClient, "ru"},
		{"flags on both sides", []string{"analyze", "-json", path, "-lang", "en"}, score.ModeManager, "en"},
		{"stdin then flags", []string{"analyze", "-", "-mode=Dialog", "-json"}, score.ModeDialog, "ru"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin := ""
			if tt.args[1] == "-" {
				stdin = transcribetest.Dialog(t, "ru_good_crm.txt")
			}
			code, out, errOut := runCLI(t, stdin, tt.args...)
			require.Equal(t, exitOK, code, errOut)
			var rep score.Report
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			assert.Equal(t, tt.wantMode, rep.Meta.Mode)
			assert.Equal(t, tt.wantLang, rep.Meta.Language)
		})
	}
}

// A refused command line says why, naming what is wrong.
func TestAnalyzeRefusalsSayWhy(t *testing.T) {
	offline(t)
	path := writeFile(t, "call.txt", []byte(transcribetest.Dialog(t, "ru_good_crm.txt")))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag after the file", []string{"analyze", path, "-fast"}, "flag provided but not defined: -fast"},
		{"unknown flag before the command", []string{"-mode", "Client+"}, "unknown flag -mode"},
		{"flag without its value", []string{"analyze", path, "-mode"}, "flag needs an argument: -mode"},
		{"no file", []string{"analyze", "-json"}, "give one file to analyze"},
		{"two files", []string{"analyze", path, path}, "not 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.want)
			assert.Equal(t, 1, strings.Count(errOut, tt.want), "said once:\n%s", errOut)
		})
	}
}

// The CLI's advice for audio fits the CLI: set the key where the CLI reads
// it; there is no server to restart.
func TestAudioHintFitsTheCLI(t *testing.T) {
	offline(t)
	wav := writeFile(t, "call.wav", transcribetest.WAV(0.5, 8000, 1))
	code, _, errOut := runCLI(t, "", "analyze", wav)
	assert.Equal(t, exitFail, code)
	assert.Contains(t, errOut, "set OPENAI_API_KEY")
	assert.Contains(t, errOut, "in the environment or in ./.env")
	assert.NotContains(t, strings.ToLower(errOut), "restart")
}

// A file named like a flag is still read after "--".
func TestDoubleDashEndsFlags(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "-json"), []byte(transcribetest.Dialog(t, "en_medium_demo.txt")), 0o600))
	code, out, errOut := runCLI(t, "", "analyze", "--", "-json")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "/100", "a readable report: -json was the file")
}
