package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func TestRun(t *testing.T) {
	ru := transcribetest.Dialog(t, "ru_good_crm.txt")
	en := transcribetest.Dialog(t, "en_medium_demo.txt")
	file := filepath.Join(t.TempDir(), "dialog.txt")
	require.NoError(t, os.WriteFile(file, []byte(ru), 0o600))

	tests := []struct {
		name  string
		args  []string
		stdin string
		mode  score.Mode
		lang  string
	}{
		{"file", []string{file}, "", score.ModeManager, "ru"},
		{"stdin", nil, en, score.ModeManager, "en"},
		{"mode and language", []string{"-mode", "client +", "-lang", "en", file}, "", score.ModeClient, "en"},
		{"one-line dialog", nil, transcribetest.Dialog(t, "ru_inline_one_line.txt"), score.ModeManager, "ru"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			require.NoError(t, run(tt.args, strings.NewReader(tt.stdin), &out, &stderr))
			assert.Empty(t, stderr.String())

			var rep score.Report
			require.NoError(t, json.Unmarshal(out.Bytes(), &rep), "the output is one JSON report")
			assert.Equal(t, tt.mode, rep.Meta.Mode)
			assert.Equal(t, tt.lang, rep.Meta.Language)
			assert.Equal(t, "checklist", rep.Meta.Scorer)
			assert.NotEmpty(t, rep.Details)
			assert.NotEmpty(t, rep.Summary)
			assert.NotNil(t, rep.Transcript)
			// The original API's field names are in the output.
			for _, field := range []string{`"total_score"`, `"criteria"`, `"summary"`, `"recommendations"`, `"raw_model_output": null`} {
				assert.Contains(t, out.String(), field)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		kind  callaudit.Kind
	}{
		{"empty stdin", nil, "", callaudit.KindInvalid},
		{"unknown mode", []string{"-mode", "Boss+"}, "Менеджер: Добрый день!", callaudit.KindInvalid},
		{"missing file", []string{filepath.Join(t.TempDir(), "absent.txt")}, "", callaudit.KindNotFound},
		{"unknown flag", []string{"-verbose"}, "", callaudit.KindInvalid},
		{"too large", nil, "Менеджер: " + strings.Repeat("да ", audit.DefaultMaxDialogBytes/3+10), callaudit.KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			err := run(tt.args, strings.NewReader(tt.stdin), &out, &stderr)
			require.Error(t, err)
			assert.Equal(t, tt.kind, callaudit.KindOf(err), "error: %v", err)
			assert.Empty(t, out.String(), "nothing is printed on failure")
		})
	}
}

func TestRunHelp(t *testing.T) {
	var out, stderr bytes.Buffer
	require.NoError(t, run([]string{"-h"}, strings.NewReader(""), &out, &stderr))
	assert.Empty(t, out.String())
	assert.Contains(t, stderr.String(), "-mode")
}
