package checklist_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/score/scoretest"
	"github.com/callaudit/callaudit/transcribe"
)

func bankCard(t testing.TB) *scorecard.Scorecard {
	t.Helper()
	cards, err := scorecard.Load("../scorecard/testdata/bank.yaml")
	require.NoError(t, err)
	require.Len(t, cards, 1)
	return cards[0]
}

func readDialog(t testing.TB, path string) transcribe.Transcript {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return transcribe.ParseDialog(string(b))
}

// TestBankScorecard scores the bank's scorecard: its own criteria, found
// by its own phrases, in the report with its id and version.
func TestBankScorecard(t *testing.T) {
	s := checklist.New(checklist.WithScorecard(bankCard(t)))
	good := readDialog(t, "testdata/scorecard/ru_bank_card_offer.txt")
	rep, err := s.Score(context.Background(), score.Request{Transcript: good, Mode: score.ModeManager})
	require.NoError(t, err)
	assert.Equal(t, "bank-retail", rep.Meta.Scorecard)
	assert.Equal(t, 3, rep.Meta.ScorecardVersion)
	assert.Equal(t, map[string]int{"disclaimer": 100, "identity_check": 100, "product": 100, "consent": 100}, rep.Criteria)
	assert.Equal(t, 100, rep.TotalScore)
	byID := map[string]score.CriterionResult{}
	for _, d := range rep.Details {
		byID[d.ID] = d
	}
	assert.Equal(t, "Предупреждение о записи", byID["disclaimer"].Title)
	require.NotEmpty(t, byID["disclaimer"].Evidence)
	assert.Contains(t, byID["disclaimer"].Evidence[0].Quote, "разговор записывается")
	assert.Equal(t, 30.0, byID["disclaimer"].Weight)

	// Диалог has no consent criterion (modes: Manager+, Client+).
	rep, err = s.Score(context.Background(), score.Request{Transcript: good, Mode: score.ModeDialog})
	require.NoError(t, err)
	assert.NotContains(t, rep.Criteria, "consent")
	assert.Len(t, rep.Criteria, 3)

	// The card scam asks for the card number: the identity check fails
	// on the forbid rule, there is no disclaimer and no consent.
	scam := readDialog(t, "testdata/ru_card_scam.txt")
	rep, err = s.Score(context.Background(), score.Request{Transcript: scam, Mode: score.ModeManager, Language: "en"})
	require.NoError(t, err)
	assert.Zero(t, rep.Criteria["disclaimer"])
	assert.Zero(t, rep.Criteria["consent"])
	for _, d := range rep.Details {
		if d.ID == "identity_check" {
			assert.Contains(t, d.Comment, "asked for card details or codes")
			assert.NotEmpty(t, d.Evidence)
		}
		if d.ID == "disclaimer" {
			assert.Equal(t, "No recording disclaimer at the start of the call", d.Comment)
		}
	}
	assert.Less(t, rep.TotalScore, 40)
}

// TestBankScorecardConformance runs the scorer contract on the bank's
// scorecard.
func TestBankScorecardConformance(t *testing.T) {
	sc := bankCard(t)
	scoretest.Run(t, scoretest.Harness{
		NewScorer:   func(*testing.T) score.Scorer { return checklist.New(checklist.WithScorecard(sc)) },
		Features:    scoretest.Features{Deterministic: true, Rubrics: true},
		Transcripts: []transcribe.Transcript{readDialog(t, "testdata/scorecard/ru_bank_card_offer.txt")},
	})
}

// TestWhoAndWhere: a phrase said by the wrong side or outside its window
// does not count.
func TestWhoAndWhere(t *testing.T) {
	s := checklist.New(checklist.WithScorecard(bankCard(t)))
	tr := transcribe.ParseDialog("Менеджер: Добрый день, банк «Северный».\nКлиент: Здравствуйте, разговор записывается?\nМенеджер: Да. Вам одобрен вклад.\nКлиент: Хорошо.\nМенеджер: Кстати, разговор записывается.\nКлиент: Согласен.")
	rep, err := s.Score(context.Background(), score.Request{Transcript: tr, Mode: score.ModeManager})
	require.NoError(t, err)
	assert.Zero(t, rep.Criteria["disclaimer"], "the client said it, and the manager only in turn 4")
	assert.Equal(t, 100, rep.Criteria["consent"], "the client agreed in the last turns")
}

// TestScorecardWithoutRules: the checklist refuses a criterion it cannot
// score offline, naming it.
func TestScorecardWithoutRules(t *testing.T) {
	sc, err := scorecard.Parse("model-only.yaml", []byte(`id: model-only
version: 1
title: {en: Model only}
languages: [en]
criteria:
  - id: empathy
    title: {en: Empathy}
    description: {en: The manager showed empathy.}
    weight: 1
`))
	require.NoError(t, err, "a scorecard for a model scorer needs no rules")
	err = checklist.Check(sc)
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Contains(t, err.Error(), "criteria[0].rules")
	s := checklist.New(checklist.WithScorecard(sc))
	_, err = s.Score(context.Background(), score.Request{Transcript: readDialog(t, "testdata/ru_card_scam.txt")})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

// TestDefaultScorecardIsTheDefault: scoring with the default scorecard
// given explicitly is scoring by default.
func TestDefaultScorecardIsTheDefault(t *testing.T) {
	tr := readDialog(t, "testdata/ru_good_windows.txt")
	for _, mode := range score.Modes {
		a, err := checklist.New().Score(context.Background(), score.Request{Transcript: tr, Mode: mode})
		require.NoError(t, err)
		b, err := checklist.New(checklist.WithScorecard(scorecard.Default())).Score(context.Background(), score.Request{Transcript: tr, Mode: mode})
		require.NoError(t, err)
		a.Meta.Timings, b.Meta.Timings = score.Timings{}, score.Timings{}
		assert.Equal(t, a, b)
		assert.Equal(t, "sales", a.Meta.Scorecard)
		assert.Equal(t, 1, a.Meta.ScorecardVersion)
	}
}

// TestEvaluatorsOfOlderFiles: a file that still names an evaluator gets
// the default scorecard's rules of that criterion, so it scores exactly
// as the default does.
func TestEvaluatorsOfOlderFiles(t *testing.T) {
	old := scorecard.Default()
	for name := range scorecard.Evaluators {
		c, ok := old.Criterion(name)
		require.True(t, ok, name)
		c.Rules = &scorecard.Rules{Evaluator: name, Skip: c.Rules.Skip}
	}
	b, err := old.MarshalYAMLFile()
	require.NoError(t, err)
	old, err = scorecard.Parse("old.yaml", b)
	require.NoError(t, err)
	for _, f := range []string{"testdata/ru_good_windows.txt", "testdata/ru_price_objection.txt", "testdata/en_pushy_crm.txt", "testdata/ru_card_scam.txt"} {
		tr := readDialog(t, f)
		for _, mode := range score.Modes {
			want, err := checklist.New().Score(context.Background(), score.Request{Transcript: tr, Mode: mode})
			require.NoError(t, err)
			got, err := checklist.New(checklist.WithScorecard(old)).Score(context.Background(), score.Request{Transcript: tr, Mode: mode})
			require.NoError(t, err)
			want.Meta.Timings, got.Meta.Timings = score.Timings{}, score.Timings{}
			assert.Equal(t, want, got, "%s %s", f, mode)
		}
	}
}

// TestTallyCriterion: a new criterion is a few lines of data: points per
// client question up to a most, a band table over the manager's share of
// the words, a condition that takes points off and one that limits the
// score, with the comment written from the labels.
func TestTallyCriterion(t *testing.T) {
	sc, err := scorecard.Parse("tally.yaml", []byte(`id: tally
version: 1
title: {en: Tally}
languages: [en]
criteria:
  - id: curiosity
    title: {en: Client curiosity}
    weight: 1
    rules:
      base: 10
      tally:
        - measure: client_questions
          points: 30
          most: 60
          always: true
          unit: {en: "question|questions"}
          label: {en: "the client asked %s"}
        - measure: once
          if: [rude|pressure]
          points: -25
          label: {en: "; the manager was rude or pushy"}
        - measure: once
          if: ["manager_talk>0.9"]
          max: 20
          label: {en: "; the manager did all the talking"}
  - id: share
    title: {en: Share}
    weight: 1
    rules:
      tally:
        - measure: manager_talk
          always: true
          bands:
            - below: 0.5
              points: 100
            - points: 100
              slope: -200
              from: 0.5
              label: {en: " (too much)"}
          label: {en: "manager %s"}
`))
	require.NoError(t, err)
	s := checklist.New(checklist.WithScorecard(sc))
	score1 := func(tr transcribe.Transcript) *score.Report {
		rep, err := s.Score(context.Background(), score.Request{Transcript: tr, Mode: score.ModeDialog, Language: "en"})
		require.NoError(t, err)
		return rep
	}

	// Three questions are worth at most 60 on top of the base 10.
	rep := score1(turns(
		"M: Hello, this is Anna from Northwind, how can I help?",
		"C: How much does the plan cost? Is there a trial? Can I cancel any time?",
		"M: Forty a month, a free trial, and yes.",
		"C: Great, thanks."))
	d := detail(t, rep, "curiosity")
	assert.Equal(t, 70, d.Score)
	assert.Equal(t, "The client asked 3 questions", d.Comment)
	sh := detail(t, rep, "share")
	share := rep.Metrics.ManagerTalkShare
	require.Greater(t, share, 0.5)
	assert.Equal(t, fmt.Sprintf("Manager %.0f%% (too much)", share*100), sh.Comment)
	assert.Equal(t, int(math.Round(100-200*(share-0.5))), sh.Score)
	assert.Less(t, sh.Score, 100)

	// One question, pressure, and the manager did all the talking: the
	// max limits what the rows before it added.
	rep = score1(turns(
		"M: Hello, this is Anna from Northwind, it is a last chance, the offer ends tonight and everyone is buying it right now so please do not wait any longer because it really is the best plan on the market and our customers love it and you will love it too",
		"C: Price?"))
	d = detail(t, rep, "curiosity")
	assert.Equal(t, 15, d.Score, "10 + 30 - 25, at most 20")
	assert.Equal(t, "The client asked 1 question; the manager was rude or pushy; the manager did all the talking", d.Comment)
}
