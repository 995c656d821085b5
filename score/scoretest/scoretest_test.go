package scoretest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scoretest"
)

// recorder is a scoretest.TB that records failures instead of failing.
type recorder struct{ errs []string }

type failNow struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) FailNow() { panic(failNow{}) }

func check(req score.Request, rep *score.Report) (errs []string) {
	r := &recorder{}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(failNow); !ok {
				panic(p)
			}
		}
		errs = r.errs
	}()
	scoretest.CheckReport(r, req, rep)
	return r.errs
}

// TestCheckReportCatchesBrokenReports makes sure the kit fails scorers
// that break the contract, one breach at a time.
func TestCheckReportCatchesBrokenReports(t *testing.T) {
	req := score.Request{Transcript: scoretest.Samples()[0], Mode: score.ModeManager, Language: "ru"}
	good, err := checklist.New().Score(context.Background(), req)
	require.NoError(t, err)
	require.Empty(t, check(req, good), "a correct report must pass")

	tests := []struct {
		name  string
		spoil func(r *score.Report)
	}{
		{"nil report", nil},
		{"total not recomputed", func(r *score.Report) { r.TotalScore = (r.TotalScore + 7) % 100 }},
		{"total out of range", func(r *score.Report) { r.TotalScore = 101 }},
		{"criteria disagree with details", func(r *score.Report) { r.Criteria[r.Details[0].ID] = (r.Details[0].Score + 1) % 100 }},
		{"criteria missing an entry", func(r *score.Report) { delete(r.Criteria, r.Details[0].ID) }},
		{"detail score out of range", func(r *score.Report) { r.Details[0].Score = -1; r.Criteria[r.Details[0].ID] = -1 }},
		{"negative weight", func(r *score.Report) { r.Details[1].Weight = -1 }},
		{"duplicate criterion", func(r *score.Report) { r.Details[1].ID = r.Details[0].ID }},
		{"no details", func(r *score.Report) { r.Details = nil }},
		{"empty summary", func(r *score.Report) { r.Summary = " " }},
		{"empty recommendations", func(r *score.Report) { r.Recommendations = "" }},
		{"summary in the wrong language", func(r *score.Report) { r.Summary = "The call went fine overall." }},
		{"no scorer name", func(r *score.Report) { r.Meta.Scorer = "" }},
		{"wrong mode", func(r *score.Report) { r.Meta.Mode = score.ModeClient }},
		{"wrong language", func(r *score.Report) { r.Meta.Language = "en" }},
		{"raw output not JSON", func(r *score.Report) { r.RawModelOutput = []byte("{oops") }},
		{"invented quote marked grounded", func(r *score.Report) {
			r.Details[0].Evidence = []score.Evidence{{Quote: "этого не было в разговоре", Segment: 0, Grounded: true}}
		}},
		{"quote in the wrong segment", func(r *score.Report) {
			r.Details[0].Evidence = []score.Evidence{{Quote: req.Transcript.Segments[1].Text, Segment: 0, Grounded: true}}
		}},
		{"segment out of range", func(r *score.Report) {
			r.Details[0].Evidence = []score.Evidence{{Quote: "x", Segment: 99, Grounded: true}}
		}},
		{"wrong speaker", func(r *score.Report) {
			r.Details[0].Evidence = []score.Evidence{{Quote: req.Transcript.Segments[1].Text, Segment: 1, Speaker: "manager", Grounded: true}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep *score.Report
			if tt.spoil != nil {
				rep, err = checklist.New().Score(context.Background(), req)
				require.NoError(t, err)
				tt.spoil(rep)
			}
			assert.NotEmpty(t, check(req, rep), "the kit accepted a broken report")
		})
	}

	// Flagged quotes from a model are allowed even when not verbatim.
	rep, err := checklist.New().Score(context.Background(), req)
	require.NoError(t, err)
	rep.Details[0].Evidence = append(rep.Details[0].Evidence, score.Evidence{Quote: "примерно так сказал клиент", Segment: -1, Grounded: false})
	assert.Empty(t, check(req, rep))
}

func TestSamplesAreFreshCopies(t *testing.T) {
	a := scoretest.Samples()
	a[0].Segments[0].Text = "changed"
	b := scoretest.Samples()
	assert.NotEqual(t, "changed", b[0].Segments[0].Text)
	for i, tr := range b {
		assert.Positive(t, tr.Words(), "sample %d", i)
	}
}
