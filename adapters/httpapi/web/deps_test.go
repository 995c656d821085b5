package web_test

// Interim stand-ins until score/checklist, storage/memory and
// transcribe/transcribetest land; this file is replaced by calls to them.

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

type standinScorer struct{}

var standinRubric = score.Rubric{Name: "standin", Criteria: []score.Criterion{
	{ID: "greeting", Title: map[string]string{"ru": "Приветствие", "en": "Greeting"}, Weight: 1},
	{ID: "needs", Title: map[string]string{"ru": "Выявление потребностей", "en": "Needs discovery"}, Weight: 2},
	{ID: "next_step", Title: map[string]string{"ru": "Следующий шаг", "en": "Next step"}, Weight: 1},
}}

func (standinScorer) DefaultRubric(score.Mode) score.Rubric { return standinRubric }

func (standinScorer) Score(_ context.Context, req score.Request) (*score.Report, error) {
	lang := score.ReportLanguage(req)
	text := strings.ToLower(req.Transcript.Text())
	rep := &score.Report{Summary: "stand-in summary", Recommendations: "a\nb", RecommendationList: []string{"a", "b"}}
	for _, c := range standinRubric.Criteria {
		s := 20
		if strings.Contains(text, "добрый") || strings.Contains(text, "?") {
			s = 90
		}
		rep.Details = append(rep.Details, score.CriterionResult{ID: c.ID, Title: c.TitleIn(lang), Score: s, Weight: c.Weight, Comment: "ok",
			Evidence: []score.Evidence{{Quote: req.Transcript.Segments[0].Text, Segment: 0, Speaker: req.Transcript.Segments[0].Speaker, Grounded: true}}})
	}
	rep.Recompute()
	rep.Meta = score.Meta{Scorer: "standin", Mode: req.Mode, Language: lang}
	return rep, nil
}

func newScorer(*testing.T) score.RubricScorer { return standinScorer{} }

func newStore(t *testing.T) storage.Store {
	s, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "calls.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

type standinTranscriber struct{}

func (standinTranscriber) Transcribe(context.Context, transcribe.Audio, transcribe.Options) (transcribe.Transcript, error) {
	return transcribe.Transcript{Language: "ru", Source: "fake", Segments: []transcribe.Segment{
		{Speaker: transcribe.RoleManager, Text: "Добрый день! Удобно говорить?", Start: transcribe.Seconds(0), End: transcribe.Seconds(2)},
		{Speaker: transcribe.RoleClient, Text: "Да, слушаю.", Start: transcribe.Seconds(2.5), End: transcribe.Seconds(4)},
	}}, nil
}

func newTranscriber(*testing.T) transcribe.Transcriber { return standinTranscriber{} }

// wav returns a short silent 16-bit mono WAV file.
func wav(*testing.T) []byte {
	const rate, n = 8000, 8000
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], 2*n)
	return b
}
