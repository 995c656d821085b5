package server

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
)

// TestScorecardAtStartup: AUDIT_SCORECARD's file is the default the
// server scores with; a malformed one stops the start with the file, the
// line, the field and the reason.
func TestScorecardAtStartup(t *testing.T) {
	bank, err := os.ReadFile("testdata/bank.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bank.yaml"), bank, 0o600))

	t.Run("a directory", func(t *testing.T) {
		opts, _, err := Pipeline(testConfig(t, map[string]string{"AUDIT_SCORECARD": dir}))
		require.NoError(t, err)
		var a *audit.Auditor
		app := fx.New(fx.NopLogger, fx.Supply(slog.New(slog.NewTextHandler(io.Discard, nil))), opts, fx.Populate(&a))
		require.NoError(t, app.Err())
		dialog, err := os.ReadFile("testdata/ru_bank_card_offer.txt")
		require.NoError(t, err)
		rep, err := a.Audit(context.Background(), audit.Input{DialogText: string(dialog)})
		require.NoError(t, err)
		assert.Equal(t, "bank-retail", rep.Meta.Scorecard)
		assert.Equal(t, 3, rep.Meta.ScorecardVersion)
		assert.Contains(t, rep.Criteria, "identity_check")
		assert.NotContains(t, rep.Criteria, "greeting")
	})

	t.Run("malformed", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "broken.yaml")
		text := strings.Replace(string(bank), "    weight: 25\n", "    weight: 0\n    colour: red\n", 1)
		require.NoError(t, os.WriteFile(bad, []byte(text), 0o600))
		_, _, err := Pipeline(testConfig(t, map[string]string{"AUDIT_SCORECARD": bad}))
		require.Error(t, err)
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
		fields := callaudit.FieldsOf(err)
		require.NotEmpty(t, fields)
		var msgs []string
		for _, f := range fields {
			assert.Equal(t, "AUDIT_SCORECARD", f.Field)
			msgs = append(msgs, f.Message)
		}
		all := strings.Join(msgs, "\n")
		assert.Contains(t, all, "broken.yaml:38: criteria[1].colour", "an unknown field with its line: %s", all)
	})

	t.Run("missing", func(t *testing.T) {
		_, _, err := Pipeline(testConfig(t, map[string]string{"AUDIT_SCORECARD": filepath.Join(dir, "nope.yaml")}))
		require.Error(t, err)
		assert.Contains(t, callaudit.FieldsOf(err)[0].Message, "nope.yaml")
	})
}
