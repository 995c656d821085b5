package score_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
)

// quoting is a model stand-in: it records the transcript it was given and
// quotes its segments, plus one quote of text it never saw.
type quoting struct{ seen transcribe.Transcript }

func (q *quoting) Score(_ context.Context, req score.Request) (*score.Report, error) {
	q.seen = req.Transcript
	rep := &score.Report{Meta: score.Meta{Scorer: "quoting"}, Details: []score.CriterionResult{{ID: "c", Score: 50, Weight: 1}}}
	for i, s := range req.Transcript.Segments {
		rep.Details[0].Evidence = append(rep.Details[0].Evidence, score.Evidence{Quote: s.Text, Segment: (i + 1) % len(req.Transcript.Segments), Grounded: true})
	}
	rep.Details[0].Evidence = append(rep.Details[0].Evidence, score.Evidence{Quote: "+7 912 345-67-89", Segment: 1, Grounded: true})
	rep.Recompute()
	return rep, nil
}

func (q *quoting) Name() string { return "quoting" }

func TestRedacting(t *testing.T) {
	tr := transcribe.Transcript{Language: "ru", Segments: []transcribe.Segment{
		{Speaker: transcribe.RoleManager, Text: "Назовите телефон и номер карты."},
		{Speaker: transcribe.RoleClient, Text: "+7 912 345-67-89, карта 4111 1111 1111 1111, почта a.b@mail.ru"},
	}}
	inner := &quoting{}
	s := score.Redacting(inner)
	rep, err := s.Score(context.Background(), score.Request{Transcript: tr, Mode: score.ModeManager})
	require.NoError(t, err)

	seen := inner.seen.Text()
	for _, v := range []string{"912 345-67-89", "4111 1111", "a.b@mail.ru"} {
		assert.NotContains(t, seen, v, "the scorer never sees the value")
	}
	assert.Equal(t, "[телефон], карта [карта], почта [email]", inner.seen.Segments[1].Text)
	assert.Equal(t, "+7 912 345-67-89, карта 4111 1111 1111 1111, почта a.b@mail.ru", tr.Segments[1].Text, "caller's transcript unchanged")
	assert.Equal(t, 3, rep.Meta.Redacted)

	ev := rep.Details[0].Evidence
	require.Len(t, ev, 3)
	for i := range 2 {
		assert.True(t, ev[i].Grounded)
		assert.Equal(t, i, ev[i].Segment, "the segment where the quote is, not the one the model named")
		assert.Equal(t, tr.Segments[i].Speaker, ev[i].Speaker)
	}
	assert.Equal(t, "[телефон], карта [карта], почта [email]", ev[1].Quote, "quotes stay masked")
	assert.False(t, ev[2].Grounded, "a value the model did not see is not grounded")
	assert.Equal(t, -1, ev[2].Segment)

	assert.Equal(t, "quoting", s.(score.Namer).Name())
	_, isRubric := score.Redacting(checklist.New()).(score.RubricScorer)
	assert.True(t, isRubric, "a rubric scorer stays one")
}

// The checklist behind Redacting sees placeholders; its card-data
// criterion is about the manager asking, which is not masked.
func TestRedactingChecklistStillScores(t *testing.T) {
	tr := transcribe.ParseDialog("Менеджер: Здравствуйте! Чем могу помочь? Клиент: Мой телефон 8 912 345 67 89.")
	rep, err := score.Redacting(checklist.New()).Score(context.Background(), score.Request{Transcript: tr, Mode: score.ModeManager})
	require.NoError(t, err)
	for _, d := range rep.Details {
		for _, e := range d.Evidence {
			assert.False(t, strings.Contains(e.Quote, "912 345"), e.Quote)
		}
	}
	assert.Equal(t, 1, rep.Meta.Redacted)
}
