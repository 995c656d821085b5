package openai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// tenMinuteCall is a Russian sales call of about 1,500 words, the length
// of ten minutes of speech at ~150 words a minute: the sample dialog
// repeated with its turns numbered so that no two lines are equal.
func tenMinuteCall(t testing.TB) transcribe.Transcript {
	base := loadDialog(t, "ru_good_crm.txt")
	var out transcribe.Transcript
	out.Language = "ru"
	for round := 0; out.Words() < 1500; round++ {
		for _, s := range base.Segments {
			s.Text = fmt.Sprintf("%s (%d)", s.Text, round)
			out.Segments = append(out.Segments, s)
			if out.Words() >= 1500 {
				break
			}
		}
	}
	return out
}

// typicalAnswer answers with the size of a real report: a comment of
// about twenty words and two quotes per criterion, a summary of four
// sentences and four recommendations, in Russian.
func typicalAnswer(call *openaitest.ChatCall) openaitest.ChatReply {
	gen, _ := openaitest.GenerateInstance(call.Schema)
	var out map[string]any
	_ = json.Unmarshal(gen, &out)
	lines := transcriptOf(call)
	quote := func(i int) map[string]any {
		l := lines[i%len(lines)]
		var seg int
		_, _ = fmt.Sscanf(l, "[%d]", &seg)
		_, text, _ := strings.Cut(l, ": ")
		words := strings.Fields(text)
		return map[string]any{"quote": strings.Join(words[:min(8, len(words))], " "), "segment": seg}
	}
	i := 0
	for id, c := range out["criteria"].(map[string]any) {
		cm := c.(map[string]any)
		cm["comment"] = "Менеджер выполнил этап частично: задал уточняющий вопрос, но не закрепил договорённость и не проверил, понял ли клиент предложение."
		cm["evidence"] = []any{quote(i), quote(i + 7)}
		out["criteria"].(map[string]any)[id] = cm
		i += 3
	}
	out["summary"] = "Менеджер вежливо начал разговор и выяснил основную проблему клиента — потерю сделок. Презентация была связана с потребностью, возражение о цене отработано аргументом окупаемости. Не хватило резюмирования перед презентацией. Звонок завершился договорённостью о демонстрации."
	out["recommendations"] = []string{
		"Перед презентацией перескажите потребность клиента и получите подтверждение.",
		"На возражение о цене сначала уточните, с чем клиент сравнивает, затем приводите расчёт окупаемости.",
		"Назначайте следующий шаг с конкретной датой и временем и отправляйте подтверждение письмом.",
		"Сократите монологи о функциях до двух-трёх фраз и завершайте их вопросом.",
	}
	b, _ := json.Marshal(out)
	return openaitest.ChatReply{Content: string(b)}
}

// BenchmarkScoreTenMinuteCall reports the tokens one audit of a ten-minute
// call costs (estimated by the fake's tokenizer estimate): prompt and
// completion tokens per call, the part of the prompt served from the
// prompt cache when the previous call was audited with the same mode and
// rubric, and requests per call.
//
//	go test -run '^$' -bench ScoreTenMinuteCall -benchtime 20x ./adapters/openai/
func BenchmarkScoreTenMinuteCall(b *testing.B) {
	srv := openaitest.NewServer(openaitest.WithChat(typicalAnswer))
	defer srv.Close()
	s, err := openai.NewScorer(openai.Config{APIKey: srv.APIKey, BaseURL: srv.URL})
	require.NoError(b, err)
	tr := tenMinuteCall(b)
	// Warm the cache with a different call, as a busy server would have.
	other := tenMinuteCall(b)
	other.Segments = other.Segments[1:]
	_, err = s.Score(context.Background(), score.Request{Transcript: other})
	require.NoError(b, err)

	var usage score.Usage
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := s.Score(context.Background(), score.Request{Transcript: tr})
		if err != nil {
			b.Fatal(err)
		}
		usage.Add(*rep.Meta.Usage)
		// Each audit is a different call: only the static prefix is shared.
		srv.Reset()
		_, _ = s.Score(context.Background(), score.Request{Transcript: other})
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(tr.Words()), "words/call")
	b.ReportMetric(float64(usage.Requests)/n, "requests/call")
	b.ReportMetric(float64(usage.PromptTokens)/n, "prompt-tokens/call")
	b.ReportMetric(float64(usage.CompletionTokens)/n, "completion-tokens/call")
	b.ReportMetric(float64(usage.CachedTokens)/n, "cached-tokens/call")
}

// TestTenMinuteCallIsOneRequest pins what the benchmark measures: the
// whole call in one request, the static prefix long enough for prompt
// caching (1024+ tokens) and identical across calls.
func TestTenMinuteCallIsOneRequest(t *testing.T) {
	srv, cfg, _ := fakeConfig(t, openaitest.WithChat(typicalAnswer))
	s := newScorer(t, cfg)
	tr := tenMinuteCall(t)
	require.GreaterOrEqual(t, tr.Words(), 1500)
	rep, err := s.Score(context.Background(), score.Request{Transcript: tr})
	require.NoError(t, err)
	require.Equal(t, 1, rep.Meta.Usage.Requests)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	lines := transcriptOf(reqs[0].Chat)
	require.Len(t, lines, len(tr.Segments), "every turn is sent, nothing truncated")

	static := string(reqs[0].Chat.Schema) + reqs[0].Chat.System()
	staticTokens := openaitest.EstimateTokens(static)
	t.Logf("%d words, %d characters; static prefix ≈ %d tokens; prompt %d, completion %d",
		tr.Words(), len([]rune(tr.Text())), staticTokens, rep.Meta.Usage.PromptTokens, rep.Meta.Usage.CompletionTokens)
	require.GreaterOrEqual(t, staticTokens, openaitest.CacheMinTokens, "the static prefix must be cacheable")

	// A different call with the same mode reuses the prefix.
	other := tr
	other.Segments = tr.Segments[3:]
	rep2, err := s.Score(context.Background(), score.Request{Transcript: other})
	require.NoError(t, err)
	require.GreaterOrEqual(t, rep2.Meta.Usage.CachedTokens, openaitest.CacheMinTokens)
	require.LessOrEqual(t, rep2.Meta.Usage.CachedTokens, staticTokens+openaitest.CacheStepTokens)
}
