package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// TestScorecardReportsStored scores a bank's scorecard with both scorers
// (the OpenAI one against the fake, which enforces the schema built from
// the scorecard), saves the reports in SQLite, reopens the database and
// reads back the scorecard's criteria, id and version.
func TestScorecardReportsStored(t *testing.T) {
	ctx := context.Background()
	cards, err := scorecard.Load("../../score/scorecard/testdata/bank.yaml")
	require.NoError(t, err)
	sc := cards[0]
	text, err := os.ReadFile("../../score/checklist/testdata/scorecard/ru_bank_card_offer.txt")
	require.NoError(t, err)
	tr := transcribe.ParseDialog(string(text))

	srv := openaitest.NewServer()
	t.Cleanup(srv.Close)
	model, err := openai.NewScorer(openai.Config{APIKey: srv.APIKey, BaseURL: srv.URL}, openai.WithScorecard(sc))
	require.NoError(t, err)
	scorers := map[string]score.Scorer{"checklist": checklist.New(checklist.WithScorecard(sc)), "openai": model}

	path := filepath.Join(t.TempDir(), "calls.db")
	db, err := sqlstore.Open(ctx, path)
	require.NoError(t, err)
	want := map[string]map[string]int{}
	for name, s := range scorers {
		rep, err := s.Score(ctx, score.Request{Transcript: tr, Mode: score.ModeManager})
		require.NoError(t, err, name)
		want[name] = rep.Criteria
		require.NoError(t, db.Save(ctx, storage.Call{ID: "bank-" + name, Mode: score.ModeManager, Language: "ru", Status: storage.StatusDone, Report: rep}))
	}
	require.NoError(t, db.Close())

	db, err = sqlstore.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for name := range scorers {
		c, err := db.Get(ctx, "bank-"+name)
		require.NoError(t, err, name)
		require.NotNil(t, c.Report)
		assert.Equal(t, "bank-retail", c.Report.Meta.Scorecard, name)
		assert.Equal(t, 3, c.Report.Meta.ScorecardVersion, name)
		assert.Equal(t, want[name], c.Report.Criteria, name)
		var ids []string
		for _, d := range c.Report.Details {
			ids = append(ids, d.ID)
		}
		assert.Equal(t, []string{"disclaimer", "identity_check", "product", "consent"}, ids, name)
	}
	assert.Equal(t, map[string]int{"disclaimer": 100, "identity_check": 100, "product": 100, "consent": 100}, want["checklist"])
}
