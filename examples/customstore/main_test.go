package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// TestConformance is the line every custom store needs: the same checks
// the built-in stores pass.
func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := Open(filepath.Join(t.TempDir(), "calls.jsonl"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

	s, err := Open(path)
	require.NoError(t, err)
	first := storagetest.FullCall("c1", at)
	require.NoError(t, s.Save(ctx, first))
	second := storagetest.FullCall("c1", at.Add(time.Hour))
	second.ManagerID = "boris"
	require.NoError(t, s.Save(ctx, second))
	require.NoError(t, s.Save(ctx, storagetest.FullCall("c2", at.Add(time.Minute))))
	require.NoError(t, s.Close())

	t.Run("last save wins", func(t *testing.T) {
		s, err := Open(path)
		require.NoError(t, err)
		defer s.Close()
		got, err := s.Get(ctx, "c1")
		require.NoError(t, err)
		want := second
		want.CreatedAt = at
		storagetest.AssertCallEqual(t, want, got)
		page, err := s.List(ctx, storage.Filter{})
		require.NoError(t, err)
		assert.Len(t, page.Calls, 2)
	})

	t.Run("a torn last line is dropped", func(t *testing.T) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteString(`{"call_id":"c3","status":"do`)
		require.NoError(t, err)
		require.NoError(t, f.Close())

		s, err := Open(path)
		require.NoError(t, err)
		_, err = s.Get(ctx, "c3")
		assert.Error(t, err)
		// New saves start on a line of their own.
		require.NoError(t, s.Save(ctx, storagetest.FullCall("c4", at)))
		require.NoError(t, s.Close())

		s, err = Open(path)
		require.NoError(t, err)
		defer s.Close()
		_, err = s.Get(ctx, "c4")
		assert.NoError(t, err)
		page, err := s.List(ctx, storage.Filter{})
		require.NoError(t, err)
		assert.Len(t, page.Calls, 3)
	})

	t.Run("a corrupt line is an error", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.jsonl")
		require.NoError(t, os.WriteFile(bad, []byte("{not json}\n"), 0o600))
		_, err := Open(bad)
		assert.ErrorContains(t, err, "line 1")
	})
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(filepath.Join(t.TempDir(), "calls.jsonl"), &out))
	text := out.String()
	assert.Regexp(t, `audited call-1: \d+/100`, text)
	assert.Regexp(t, `audited call-2: \d+/100`, text)
	assert.Regexp(t, `stored call-2: done, \d+ criteria\nstored call-1: done, \d+ criteria`, text)
	assert.Contains(t, text, "anna: 2 calls")
}
