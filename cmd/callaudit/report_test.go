package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

func TestCountAgrees(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		noun string
		want string
	}{
		{"ru", 1, "questions", "1 вопрос менеджера"},
		{"ru", 3, "questions", "3 вопроса менеджера"},
		{"ru", 4, "questions", "4 вопроса менеджера"},
		{"ru", 5, "questions", "5 вопросов менеджера"},
		{"ru", 11, "turns", "11 реплик"},
		{"ru", 21, "turns", "21 реплика"},
		{"ru", 22, "turns", "22 реплики"},
		{"ru", 0, "turns", "0 реплик"},
		{"en", 1, "turns", "1 turn"},
		{"en", 2, "questions", "2 manager questions"},
		{"de", 1, "questions", "1 manager question"}, // other languages print English
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, count(tt.lang, tt.n, tt.noun), "%s %d", tt.lang, tt.n)
	}
}

func TestMetricsLineAgrees(t *testing.T) {
	rep := &score.Report{
		Meta:    score.Meta{Language: "ru", Mode: score.ModeManager, Scorer: "checklist"},
		Metrics: transcribe.Metrics{Turns: 8, ManagerQuestions: 4, ManagerTalkShare: 0.76},
	}
	var b strings.Builder
	require.NoError(t, printReport(&b, rep))
	assert.Contains(t, b.String(), "8 реплик, доля речи менеджера 76%, 4 вопроса менеджера")
}
