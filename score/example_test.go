package score_test

import (
	"context"
	"fmt"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
)

// DefaultRubric is the sales rubric every scorer of the module scores by
// default: the criteria and weights of a mode.
func ExampleDefaultRubric() {
	for _, c := range score.DefaultRubric(score.ModeManager).Criteria {
		fmt.Printf("%-18s %2.0f  %s\n", c.ID, c.Weight, c.TitleIn("en"))
	}
	// Output:
	// greeting           10  Greeting and introduction
	// rapport             8  Rapport and permission to talk
	// needs_discovery    18  Needs discovery
	// need_summary        8  Summarising the need
	// presentation       12  Presentation tied to the need
	// objection_handling 12  Objection handling
	// next_step          16  Agreed next step
	// farewell            6  Farewell
	// conduct            10  Conduct
}

// A team's script reweighs the default rubric and passes it as
// Request.Rubric to any RubricScorer.
func ExampleDefaultRubric_reweigh() {
	r := score.DefaultRubric(score.ModeManager)
	for i := range r.Criteria {
		if r.Criteria[i].ID == score.CriterionNextStep {
			r.Criteria[i].Weight = 30
		}
	}
	fmt.Println(r.Validate() == nil, r.Total(map[string]int{score.CriterionNextStep: 100}))
	// Output:
	// true 26
}

// flaky fails its first call with err, then scores with the checklist.
type flaky struct {
	err   error
	calls int
}

func (f *flaky) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	if f.calls++; f.calls == 1 {
		return nil, f.err
	}
	return checklist.New().Score(ctx, req)
}

// WithRetry scores again after a transient failure (a rate limit, an
// unavailable model); an error that another try cannot fix is returned at
// once.
func ExampleWithRetry() {
	policy := retry.Policy{Attempts: 3, Base: 100 * time.Millisecond}
	req := score.Request{Transcript: transcribe.ParseDialog("Менеджер: Добрый день! Клиент: Здравствуйте.")}

	model := &flaky{err: callaudit.Errorf(callaudit.KindRateLimited, "slow down")}
	rep, err := score.WithRetry(model, policy).Score(context.Background(), req)
	fmt.Println(rep.Meta.Scorer, err, model.calls)

	broken := &flaky{err: callaudit.Errorf(callaudit.KindNotConfigured, "no API key")}
	_, err = score.WithRetry(broken, policy).Score(context.Background(), req)
	fmt.Println(callaudit.KindOf(err), broken.calls)
	// Output:
	// checklist <nil> 2
	// not_configured 1
}

// Limit bounds the calls in flight and keeps what the scorer offers
// (its name, its rubrics). A call that cannot get a slot before its
// context ends fails with the context's kind. An n below 1 counts as 1.
func ExampleLimit() {
	s := score.Limit(checklist.New(), 4)
	_, rubrics := s.(score.RubricScorer)
	fmt.Println(s.(score.Namer).Name(), rubrics)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Score(ctx, score.Request{Transcript: transcribe.ParseDialog("Менеджер: Добрый день!")})
	fmt.Println(callaudit.KindOf(err), callaudit.MessageOf(err))
	// Output:
	// checklist true
	// canceled the request was canceled while waiting for a free slot
}
