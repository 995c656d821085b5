package note_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/writeback/note"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

func TestSummarize(t *testing.T) {
	call := writebacktest.DoneCall("lead-12/a b")
	s := note.Summarize(call, "https://audit.example.com/")

	assert.Equal(t, call.ID, s.CallID)
	assert.Equal(t, "m-7", s.ManagerID)
	assert.Equal(t, storage.StatusDone, s.Status)
	require.NotNil(t, s.TotalScore)
	assert.Equal(t, call.Report.TotalScore, *s.TotalScore)
	assert.Equal(t, call.Report.Criteria, s.Criteria)
	assert.Len(t, s.Details, len(call.Report.Details))
	assert.Equal(t, call.Report.RecommendationList, s.Recommendations)
	assert.Equal(t, "https://audit.example.com/calls/lead-12%2Fa%20b", s.URL)
	assert.Equal(t, []string{"closing", "needs", "objections"}, ids(s.Weakest), "lowest first, 100 left out")

	b, err := json.Marshal(s)
	require.NoError(t, err)
	for _, key := range []string{`"call_id"`, `"manager_id"`, `"status"`, `"total_score"`, `"criteria"`, `"summary"`, `"recommendations"`, `"url"`} {
		assert.Contains(t, string(b), key)
	}
}

func TestSummarizeFailed(t *testing.T) {
	s := note.Summarize(writebacktest.FailedCall("c-9", "recording not found"), "")
	assert.Nil(t, s.TotalScore)
	assert.Equal(t, "recording not found", s.StatusReason)
	assert.Empty(t, s.URL)
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"total_score":null`)
	assert.Contains(t, string(b), `"criteria":{}`, "empty, not null, so receivers need no special case")
}

func ids(cs []note.Criterion) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestText(t *testing.T) {
	ru := writebacktest.DoneCall("c-1")
	en := writebacktest.DoneCall("c-2")
	en.Report.Meta.Language = "en-US"
	de := writebacktest.DoneCall("c-3")
	de.Report.Meta.Language = "de"
	noLang := writebacktest.DoneCall("c-4")
	noLang.Report.Meta.Language, noLang.Language = "", ""
	tests := []struct {
		name     string
		call     storage.Call
		link     string
		contains []string
		excludes []string
	}{
		{name: "russian", call: ru, link: "https://a.example",
			contains: []string{"Оценка звонка c-1", "из 100", "Слабые места: Следующий шаг — 20; Выявление потребностей — 30; Работа с возражениями — 55",
				"Рекомендации:\n1. Задавайте", "3. Завершайте", "Подробнее: https://a.example/calls/c-1"},
			excludes: []string{"Называйте клиента", "Приветствие —"}},
		{name: "english", call: en, contains: []string{"Call c-2 scored", "Weak points:", "Recommendations:"}, excludes: []string{"Подробнее", "Details:"}},
		{name: "unsupported language falls back to english", call: de, contains: []string{"Call c-3 scored"}},
		{name: "no language is russian", call: noLang, contains: []string{"Оценка звонка c-4"}},
		{name: "failed", call: writebacktest.FailedCall("c-5", "запись не найдена (404)"),
			contains: []string{"Звонок c-5 не удалось проанализировать: запись не найдена (404)"}, excludes: []string{"из 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := note.Text(tt.call, tt.link)
			for _, s := range tt.contains {
				assert.Contains(t, text, s)
			}
			for _, s := range tt.excludes {
				assert.NotContains(t, text, s)
			}
			if tt.call.Report != nil {
				assert.Contains(t, text, " "+itoa(tt.call.Report.TotalScore)+" ", "the total score is quoted")
			}
			assert.Equal(t, strings.TrimSpace(text), text)
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestRecommendationsFromText(t *testing.T) {
	r := &score.Report{Recommendations: "1. Уточняйте бюджет.\n\n- Предлагайте встречу.\n3) Не перебивайте клиента.\n"}
	assert.Equal(t, []string{"Уточняйте бюджет.", "Предлагайте встречу.", "Не перебивайте клиента."}, note.Recommendations(r, 0))
	assert.Equal(t, []string{"Уточняйте бюджет.", "Предлагайте встречу."}, note.Recommendations(r, 2))
}

func TestWeakestWithoutDetails(t *testing.T) {
	r := &score.Report{Criteria: map[string]int{"b": 40, "a": 40, "c": 10, "d": 100}}
	assert.Equal(t, []string{"c", "a"}, ids(note.Weakest(r, 2)), "ties in id order when a report has no details")
}

func TestLink(t *testing.T) {
	assert.Empty(t, note.Link("", "c-1"))
	assert.Equal(t, "http://h:8000/calls/c-1", note.Link("http://h:8000", "c-1"))
	assert.Equal(t, "http://h/x/calls/%3F%23", note.Link("http://h/x/", "?#"))
}
