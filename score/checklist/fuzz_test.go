package checklist_test

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scoretest"
	"github.com/callaudit/callaudit/transcribe"
)

// FuzzScore feeds arbitrary dialogs to the scorer: it must never panic,
// and every report must meet the contract (evidence cut verbatim from
// the text whatever its bytes).
func FuzzScore(f *testing.F) {
	for _, s := range []string{
		"Менеджер: Добрый день! Вам удобно?\nКлиент: Да.",
		"Agent: Hi, this is Mark from CloudDesk. What's your goal?\nCustomer: That’s it… bye",
		"М: в 11:00, 3.5% — «скидка» только сегодня!!! К: ?",
		"\xff\xfeМ: \u0301ё\u200b",
		"К: 4512. М: номер карты и код из СМС?",
	} {
		f.Add(s, 0)
	}
	s := checklist.New()
	f.Fuzz(func(t *testing.T, text string, mode int) {
		if !utf8.ValidString(text) {
			// The auditor rejects invalid UTF-8 before scoring; the
			// scorer must still not panic on it.
			_, _ = s.Score(context.Background(), score.Request{Transcript: transcribe.ParseDialog(text)})
			return
		}
		req := score.Request{Transcript: transcribe.ParseDialog(text), Mode: score.Modes[uint(mode)%3]}
		rep, err := s.Score(context.Background(), req)
		if err != nil {
			if callaudit.KindOf(err) != callaudit.KindInvalid {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		scoretest.CheckReport(t, req, rep)
	})
}
