package openai_test

import (
	"context"
	"fmt"

	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// The scorer against the fake server; in production the Config carries
// the API key and, for a compatible server, its base URL.
func ExampleNewScorer() {
	srv := openaitest.NewServer()
	defer srv.Close()

	s, err := openai.NewScorer(openai.Config{APIKey: srv.APIKey, BaseURL: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := s.Score(context.Background(), score.Request{
		Transcript: transcribe.ParseDialog("Менеджер: Добрый день! Меня зовут Анна.\nКлиент: Здравствуйте."),
		Mode:       score.ModeManager,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Meta.Scorer, rep.Meta.Language, len(rep.Details), "criteria")
	fmt.Println("total computed from the criteria:", rep.TotalScore == s.DefaultRubric(score.ModeManager).Total(rep.Criteria))
	// Output:
	// openai ru 9 criteria
	// total computed from the criteria: true
}
