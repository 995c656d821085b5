package openai_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
)

func bankCard(t testing.TB) *scorecard.Scorecard {
	t.Helper()
	cards, err := scorecard.Load("../../score/scorecard/testdata/bank.yaml")
	require.NoError(t, err)
	return cards[0]
}

func scorecardScorer(t *testing.T, cfg openai.Config, sc *scorecard.Scorecard) *openai.Scorer {
	t.Helper()
	s, err := openai.NewScorer(cfg, openai.WithScorecard(sc))
	require.NoError(t, err)
	return s
}

// schemaCriteria returns the criterion ids the response schema of a call
// requires.
func schemaCriteria(t *testing.T, call *openaitest.ChatCall) []string {
	var s struct {
		Properties struct {
			Criteria struct {
				Required []string `json:"required"`
			} `json:"criteria"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(call.Schema, &s))
	ids := s.Properties.Criteria.Required
	sort.Strings(ids)
	return ids
}

// TestBankScorecardThroughTheModel: the bank's scorecard builds the
// prompt and the strict schema the fake enforces; the report has the
// bank's criteria, titles and weights, and records its id and version.
func TestBankScorecardThroughTheModel(t *testing.T) {
	srv, cfg, _ := fakeConfig(t)
	sc := bankCard(t)
	s := scorecardScorer(t, cfg, sc)
	rub := s.DefaultRubric(score.ModeManager)
	assert.Equal(t, sc.Rubric(score.ModeManager), rub)

	// A generated answer: valid against the schema by construction.
	rep, err := s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
	require.NoError(t, err)
	assert.Equal(t, "bank-retail", rep.Meta.Scorecard)
	assert.Equal(t, 3, rep.Meta.ScorecardVersion)
	var ids []string
	for _, d := range rep.Details {
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"disclaimer", "identity_check", "product", "consent"}, ids)
	assert.Equal(t, "Предупреждение о записи", rep.Details[0].Title)
	assert.Equal(t, 30.0, rep.Details[0].Weight)

	calls := srv.Requests()
	require.Len(t, calls, 1)
	call := calls[0].Chat
	assert.True(t, call.Strict)
	assert.Equal(t, []string{"consent", "disclaimer", "identity_check", "product"}, schemaCriteria(t, call))
	system := call.System()
	assert.Contains(t, system, `Rubric "bank-retail"`)
	assert.Contains(t, system, "- identity_check: Identity check (weight 25): The manager verified the client's identity")
	assert.NotContains(t, system, "needs_discovery")

	// A scripted answer with the bank's criteria passes the fake's
	// schema check; one with the default criteria does not.
	scores := map[string]*int{"disclaimer": intp(100), "identity_check": intp(80), "product": intp(60), "consent": intp(40)}
	srv.SetChat(func(*openaitest.ChatCall) openaitest.ChatReply {
		return openaitest.ChatReply{Content: answerSpec{scores: scores}.build(rub)}
	})
	rep, err = s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"disclaimer": 100, "identity_check": 80, "product": 60, "consent": 40}, rep.Criteria)
	assert.Equal(t, rub.Total(rep.Criteria), rep.TotalScore)

	def := score.DefaultRubric(score.ModeManager)
	srv.SetChat(func(*openaitest.ChatCall) openaitest.ChatReply {
		return openaitest.ChatReply{Content: answerSpec{def: intp(90)}.build(def)}
	})
	_, err = s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
	require.Error(t, err, "the fake refuses an answer outside the bank's schema")
	last := srv.Requests()
	assert.Equal(t, []string{"consent", "disclaimer", "identity_check", "product"}, schemaCriteria(t, last[len(last)-1].Chat))

	// Диалог: consent applies to Manager+ and Client+ only.
	srv.SetChat(nil)
	rep, err = s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt"), Mode: score.ModeDialog})
	require.NoError(t, err)
	assert.NotContains(t, rep.Criteria, "consent")
}

// TestScorecardPromptPrefixIsStable: every call scored with one scorecard
// version sends the same system prompt and schema, byte for byte (the
// prefix the provider caches), whatever the transcript and whichever
// scorer instance; another version, or another scorecard, sends another.
func TestScorecardPromptPrefixIsStable(t *testing.T) {
	srv, cfg, _ := fakeConfig(t)
	sc := bankCard(t)
	prefix := func(s *openai.Scorer, dialog string) string {
		n := len(srv.Requests())
		_, err := s.Score(context.Background(), score.Request{Transcript: loadDialog(t, dialog), Language: "ru"})
		require.NoError(t, err)
		call := srv.Requests()[n].Chat
		return call.System() + "\x00" + string(call.Schema)
	}
	a := prefix(scorecardScorer(t, cfg, sc), "ru_good_crm.txt")
	b := prefix(scorecardScorer(t, cfg, sc.Clone()), "ru_bad_pushy.txt")
	// Re-read from the file: a new parse, a new map order.
	c := prefix(scorecardScorer(t, cfg, bankCard(t)), "en_medium_demo.txt")
	assert.Equal(t, a, b)
	assert.Equal(t, a, c)

	next := sc.Clone()
	next.Version = 4
	next.Criteria[0].Weight = 35
	assert.NotEqual(t, a, prefix(scorecardScorer(t, cfg, next), "ru_good_crm.txt"))
	assert.NotEqual(t, a, prefix(newScorer(t, cfg), "ru_good_crm.txt"))
	assert.True(t, strings.HasPrefix(a, "You are an experienced sales quality auditor."))
}

// TestDefaultScorecardMeta: without a scorecard the reports record the
// default one.
func TestDefaultScorecardMeta(t *testing.T) {
	_, cfg, _ := fakeConfig(t)
	rep, err := newScorer(t, cfg).Score(context.Background(), score.Request{Transcript: loadDialog(t, "ru_good_crm.txt")})
	require.NoError(t, err)
	assert.Equal(t, "sales", rep.Meta.Scorecard)
	assert.Equal(t, 1, rep.Meta.ScorecardVersion)
}

// TestInvalidScorecardRefused: NewScorer checks the scorecard.
func TestInvalidScorecardRefused(t *testing.T) {
	_, cfg, _ := fakeConfig(t)
	sc := bankCard(t)
	sc.Criteria[1].Weight = -1
	_, err := openai.NewScorer(cfg, openai.WithScorecard(sc))
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Contains(t, err.Error(), "criteria[1].weight")
}
