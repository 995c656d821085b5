package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// TestRescoreCommand: callaudit rescore scores a period's stored calls
// again and reports the progress until it is done; the earlier reports
// stay.
func TestRescoreCommand(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "calls.db")
	t.Setenv("AUDIT_DATABASE_URL", dsn)
	t.Setenv("AUDIT_SCORER", "checklist")
	t.Setenv("AUDIT_TRANSCRIBER", "none")
	st, err := sqlstore.Open(ctx, dsn)
	require.NoError(t, err)
	g := storagetest.Generator{Managers: 2, Seed: 3, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Span: 10 * 24 * time.Hour}
	require.NoError(t, storagetest.Load(ctx, st, g, 40, 1))
	require.NoError(t, st.Close())

	var out, errOut bytes.Buffer
	code := run(ctx, []string{"rescore", "--since", "2026-01-01", "--until", "2026-01-06", "--batch", "7"}, nil, &out, &errOut)
	require.Equal(t, exitOK, code, "stdout %s\nstderr %s", out.String(), errOut.String())
	assert.Contains(t, out.String(), "rescore ")
	assert.Regexp(t, `done: (\d+) of (\d+) done, 0 failed`, out.String())

	st, err = sqlstore.Open(ctx, dsn)
	require.NoError(t, err)
	defer st.Close()
	var n int
	require.NoError(t, st.DB().QueryRowContext(ctx, "SELECT count(*) FROM call_reports").Scan(&n))
	assert.Positive(t, n, "earlier reports kept")
	code = run(ctx, []string{"rescore", "--since", "tomorrow"}, nil, &out, &errOut)
	assert.Equal(t, exitUsage, code)
}
