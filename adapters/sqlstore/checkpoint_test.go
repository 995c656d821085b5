package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// The transcript checkpoint: saved, replaced, read back whole, deleted,
// and erased with its call.
func TestTranscriptKeeper(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for name, st := range map[string]interface {
		storage.Store
		storage.TranscriptKeeper
		storage.Deleter
	}{"sqlite": db, "memory": memory.New()} {
		t.Run(name, func(t *testing.T) {
			_, ok, err := st.Transcript(ctx, "c1")
			require.NoError(t, err)
			assert.False(t, ok)
			tr := transcribetest.SampleTranscript()
			require.NoError(t, st.SaveTranscript(ctx, "c1", transcribe.Transcript{Source: "first"}))
			require.NoError(t, st.SaveTranscript(ctx, "c1", tr))
			got, ok, err := st.Transcript(ctx, "c1")
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, tr, got)
			require.NoError(t, st.DeleteTranscript(ctx, "c1"))
			require.NoError(t, st.DeleteTranscript(ctx, "c1"), "deleting a missing one is fine")
			_, ok, _ = st.Transcript(ctx, "c1")
			assert.False(t, ok)

			require.NoError(t, st.Save(ctx, storage.Call{ID: "c2", Status: storage.StatusProcessing}))
			require.NoError(t, st.SaveTranscript(ctx, "c2", tr))
			require.NoError(t, st.Delete(ctx, "c2"))
			_, ok, err = st.Transcript(ctx, "c2")
			require.NoError(t, err)
			assert.False(t, ok, "erasing a call erases its checkpoint")
		})
	}
}
