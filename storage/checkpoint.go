package storage

import (
	"context"

	"github.com/callaudit/callaudit/transcribe"
)

// TranscriptKeeper is implemented by stores that can keep the transcript
// of a call that is not analysed yet: a checkpoint, so that a background
// job run again after a crash scores the transcript instead of paying for
// the transcription twice. The checkpoint is apart from the Call (a Get
// never shows it) and holds what the report would hold, so it is removed
// once the call is settled. Callers type-assert.
//
// Contract: safe for concurrent use; SaveTranscript replaces the call's
// checkpoint; Transcript reports ok false when there is none; deleting a
// missing one is not an error. The call need not exist.
type TranscriptKeeper interface {
	SaveTranscript(ctx context.Context, callID string, tr transcribe.Transcript) error
	Transcript(ctx context.Context, callID string) (tr transcribe.Transcript, ok bool, err error)
	DeleteTranscript(ctx context.Context, callID string) error
}
