package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scoretest"
	"github.com/callaudit/callaudit/transcribe"
)

func newScorer(t *testing.T) score.Scorer {
	s, err := NewScriptScorer("taskflow-script", taskFlowScript)
	require.NoError(t, err)
	return s
}

// TestConformance is the line every custom scorer needs: the same checks
// the built-in scorers pass.
func TestConformance(t *testing.T) {
	scoretest.Run(t, scoretest.Harness{
		NewScorer: newScorer,
		Features:  scoretest.Features{Deterministic: true},
		Transcripts: []transcribe.Transcript{
			transcribe.ParseDialog(sampleDialog),
		},
	})
}

func TestScriptSteps(t *testing.T) {
	tests := []struct {
		name   string
		dialog string
		want   map[string]int
	}{
		{"sample: all done but a discount was promised", sampleDialog, map[string]int{
			"company_named": 100, "team_size": 100, "trial_offer": 100, "demo_booked": 100, "no_discount_promises": 0,
		}},
		{"english call", "Agent: Hi, this is Tom from TaskFlow. How many reps do you have?\nCustomer: Ten.\nAgent: Great, bye.", map[string]int{
			"company_named": 100, "team_size": 100, "trial_offer": 0, "demo_booked": 0, "no_discount_promises": 100,
		}},
		{"a client's words do not count for the manager", "Клиент: Это ТаскФлоу? Дадите скидку и демо?\nМенеджер: Да.", map[string]int{
			"company_named": 0, "team_size": 0, "trial_offer": 0, "demo_booked": 0, "no_discount_promises": 100,
		}},
	}
	s := newScorer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := score.Request{Transcript: transcribe.ParseDialog(tt.dialog)}
			rep, err := s.Score(context.Background(), req)
			require.NoError(t, err)
			scoretest.CheckReport(t, req, rep)
			assert.Equal(t, tt.want, rep.Criteria)
		})
	}
}

func TestTitleInOneLanguage(t *testing.T) {
	s, err := NewScriptScorer("ru-only", []Step{{ID: "greeting", Weight: 1, Phrases: []string{"hello"},
		Title: map[string]string{"ru": "Поздоровался"}}})
	require.NoError(t, err)
	req := score.Request{Transcript: transcribe.ParseDialog("Manager: Hello, how are you?"), Language: "en"}
	rep, err := s.Score(context.Background(), req)
	require.NoError(t, err)
	scoretest.CheckReport(t, req, rep)
	assert.Equal(t, "greeting", rep.Details[0].Title, "no English title: the id, not an empty title")
}

func TestInvalidScript(t *testing.T) {
	_, err := NewScriptScorer("bad", []Step{{ID: "Bad Id", Weight: 1}})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	_, err = NewScriptScorer("empty", nil)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

// TestRun smoke-runs the program.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	assert.Contains(t, out.String(), "taskflow-script: 83/100")
	assert.Contains(t, out.String(), "Без обещаний скидок: нарушение скрипта")
	assert.Contains(t, out.String(), "Скидки согласует только руководитель")
}
