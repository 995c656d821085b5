package openai_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// waits records the backoff waits the retry policy asked for, without
// sleeping, so retry tests run instantly.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// fakeConfig starts a fake and returns a Config that reaches it.
func fakeConfig(t *testing.T, opts ...openaitest.Option) (*openaitest.Server, openai.Config, *waits) {
	t.Helper()
	srv := openaitest.NewServer(opts...)
	t.Cleanup(srv.Close)
	w := &waits{}
	return srv, openai.Config{
		APIKey:  srv.APIKey,
		BaseURL: srv.URL,
		Retry:   retry.Policy{Sleep: w.sleep},
	}, w
}

func newScorer(t *testing.T, cfg openai.Config) *openai.Scorer {
	t.Helper()
	s, err := openai.NewScorer(cfg)
	require.NoError(t, err)
	return s
}

// loadDialog parses one of the project's shared sample dialogs.
func loadDialog(t testing.TB, name string) transcribe.Transcript {
	t.Helper()
	return transcribe.ParseDialog(transcribetest.Dialog(t, name))
}

// answer builds a model answer for a rubric: every criterion gets the
// score from scores (or def), the given evidence, and a comment.
type answerSpec struct {
	def      *int
	scores   map[string]*int
	evidence map[string][]map[string]any
	summary  string
	recs     []string
}

func intp(v int) *int { return &v }

func (a answerSpec) build(r score.Rubric) string {
	crit := map[string]any{}
	for _, c := range r.Criteria {
		sc, ok := a.scores[c.ID]
		if !ok {
			sc = a.def
		}
		ev := a.evidence[c.ID]
		if ev == nil {
			ev = []map[string]any{}
		}
		crit[c.ID] = map[string]any{"score": sc, "comment": "comment on " + c.ID, "evidence": ev}
	}
	summary := a.summary
	if summary == "" {
		summary = "A summary."
	}
	recs := a.recs
	if recs == nil {
		recs = []string{"Ask more open questions."}
	}
	b, _ := json.Marshal(map[string]any{"criteria": crit, "summary": summary, "recommendations": recs})
	return string(b)
}

// transcriptOf returns the transcript lines a chat call carried.
func transcriptOf(call *openaitest.ChatCall) []string {
	u := call.LastUser()
	start := strings.Index(u, "<transcript>\n")
	end := strings.LastIndex(u, "\n</transcript>")
	if start < 0 || end < start {
		return nil
	}
	return strings.Split(u[start+len("<transcript>\n"):end], "\n")
}
