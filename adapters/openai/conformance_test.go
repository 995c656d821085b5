package openai_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scoretest"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// simulatedModel answers like a well-behaved model: a value valid against
// the request's schema, prose in the language the instructions ask for,
// and each criterion's evidence quoted from the first transcript line.
func simulatedModel(call *openaitest.ChatCall) openaitest.ChatReply {
	gen, err := openaitest.GenerateInstance(call.Schema)
	if err != nil {
		return openaitest.ChatReply{}
	}
	var out map[string]any
	if err := json.Unmarshal(gen, &out); err != nil {
		return openaitest.ChatReply{}
	}
	ru := strings.Contains(call.System(), "in Russian")
	summary, rec, comment := "The manager greeted the client and asked about their needs.", "Agree on a concrete next step with a date.", "Partly done."
	if ru {
		summary, rec, comment = "Менеджер поздоровался и выяснил потребности клиента.", "Договоритесь о конкретном следующем шаге с датой.", "Сделано частично."
	}
	out["summary"], out["recommendations"] = summary, []string{rec}
	var quote map[string]any
	if lines := transcriptOf(call); len(lines) > 0 {
		var seg int
		if _, text, ok := strings.Cut(lines[0], ": "); ok && len(strings.Fields(text)) > 0 {
			_, _ = fmt.Sscanf(lines[0], "[%d]", &seg)
			quote = map[string]any{"quote": strings.Join(strings.Fields(text)[:min(4, len(strings.Fields(text)))], " "), "segment": seg}
		}
	}
	for id, c := range out["criteria"].(map[string]any) {
		cm := c.(map[string]any)
		cm["comment"] = comment
		cm["evidence"] = []any{}
		if quote != nil {
			cm["evidence"] = []any{quote}
		}
		out["criteria"].(map[string]any)[id] = cm
	}
	b, _ := json.Marshal(out)
	return openaitest.ChatReply{Content: string(b)}
}

func TestScorerConformance(t *testing.T) {
	scoretest.Run(t, scoretest.Harness{
		NewScorer: func(t *testing.T) score.Scorer {
			_, cfg, _ := fakeConfig(t, openaitest.WithChat(simulatedModel))
			return newScorer(t, cfg)
		},
		Features: scoretest.Features{Deterministic: true, Rubrics: true},
	})
}

// TestScorerConformanceWithScorecard runs the contract on a bank's
// scorecard.
func TestScorerConformanceWithScorecard(t *testing.T) {
	sc := bankCard(t)
	scoretest.Run(t, scoretest.Harness{
		NewScorer: func(t *testing.T) score.Scorer {
			_, cfg, _ := fakeConfig(t, openaitest.WithChat(simulatedModel))
			return scorecardScorer(t, cfg, sc)
		},
		Features: scoretest.Features{Deterministic: true, Rubrics: true},
	})
}

func TestTranscriberConformance(t *testing.T) {
	newTranscriber := func(t *testing.T, opts ...openaitest.Option) transcribe.Transcriber {
		_, cfg, _ := fakeConfig(t, opts...)
		tr, err := openai.NewTranscriber(cfg)
		require.NoError(t, err)
		return tr
	}
	transcribetest.Run(t, transcribetest.Harness{
		New: func(t *testing.T) transcribe.Transcriber { return newTranscriber(t) },
		Slow: func(t *testing.T) (transcribe.Transcriber, transcribe.Audio) {
			return newTranscriber(t, openaitest.WithDelay(time.Minute)), transcribe.AudioFromBytes("slow.wav", transcribetest.WAV(1, 8000, 1))
		},
		Features: transcribetest.Features{Timestamps: true, MaxSize: openai.MaxUploadBytes},
	})
}
