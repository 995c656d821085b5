package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

var _ storage.TranscriptKeeper = (*Store)(nil)

// SaveTranscript keeps a checkpoint of the call's transcript (table
// call_transcripts), replacing an earlier one.
func (s *Store) SaveTranscript(ctx context.Context, callID string, tr transcribe.Transcript) error {
	b, err := json.Marshal(tr)
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInternal, "sqlstore.SaveTranscript", "cannot encode the transcript")
	}
	_, err = s.write.ExecContext(ctx, s.dialect.rebind(`INSERT INTO call_transcripts (call_id, transcript) VALUES (?, ?)
ON CONFLICT (call_id) DO UPDATE SET transcript = excluded.transcript`), callID, string(b))
	return s.translate("SaveTranscript", err)
}

// Transcript returns the call's checkpoint, if any.
func (s *Store) Transcript(ctx context.Context, callID string) (transcribe.Transcript, bool, error) {
	var text string
	err := s.read.QueryRowContext(ctx, s.dialect.rebind("SELECT transcript FROM call_transcripts WHERE call_id = ?"), callID).Scan(&text)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return transcribe.Transcript{}, false, nil
	case err != nil:
		return transcribe.Transcript{}, false, s.translate("Transcript", err)
	}
	var tr transcribe.Transcript
	if err := json.Unmarshal([]byte(text), &tr); err != nil {
		return transcribe.Transcript{}, false, callaudit.Wrap(err, callaudit.KindInternal, "sqlstore.Transcript", "cannot decode the stored transcript")
	}
	return tr, true, nil
}

// DeleteTranscript removes the call's checkpoint.
func (s *Store) DeleteTranscript(ctx context.Context, callID string) error {
	_, err := s.write.ExecContext(ctx, s.dialect.rebind("DELETE FROM call_transcripts WHERE call_id = ?"), callID)
	return s.translate("DeleteTranscript", err)
}
