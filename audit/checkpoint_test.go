package audit_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// memCheckpoint is a Checkpoint in memory that counts its writes.
type memCheckpoint struct {
	tr     *transcribe.Transcript
	writes int
}

func (m *memCheckpoint) LoadTranscript(context.Context) (transcribe.Transcript, bool, error) {
	if m.tr == nil {
		return transcribe.Transcript{}, false, nil
	}
	return *m.tr, true, nil
}

func (m *memCheckpoint) SaveTranscript(_ context.Context, tr transcribe.Transcript) error {
	m.tr, m.writes = &tr, m.writes+1
	return nil
}

// A checkpoint saves the transcript once made and is scored instead of a
// second transcription; with store redaction nothing unmasked is kept.
func TestCheckpoint(t *testing.T) {
	ctx := context.Background()
	stt := &transcribetest.Fake{}
	audio := func() *transcribe.Audio {
		a := transcribe.AudioFromBytes("a.wav", transcribetest.WAV(0.1, 8000, 1))
		return &a
	}
	a, err := audit.New(checklist.New(), audit.WithTranscriber(stt))
	require.NoError(t, err)
	cp := &memCheckpoint{}
	_, err = a.Audit(ctx, audit.Input{Audio: audio(), CallID: "c1", Checkpoint: cp})
	require.NoError(t, err)
	assert.Equal(t, 1, cp.writes)
	rep, err := a.Audit(ctx, audit.Input{Audio: audio(), CallID: "c1", Checkpoint: cp})
	require.NoError(t, err)
	assert.Equal(t, 1, stt.CallCount(), "the second run scored the checkpoint")
	assert.Equal(t, cp.tr.Segments, rep.Transcript.Segments)

	red, err := audit.New(checklist.New(), audit.WithTranscriber(stt), audit.WithStoreRedaction())
	require.NoError(t, err)
	cp2 := &memCheckpoint{}
	_, err = red.Audit(ctx, audit.Input{Audio: audio(), CallID: "c2", Checkpoint: cp2})
	require.NoError(t, err)
	assert.Zero(t, cp2.writes, "no unmasked transcript is kept")
}
