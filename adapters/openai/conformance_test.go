package openai_test

import (
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

func TestScorerConformance(t *testing.T) {
	scoretest.Run(t, scoretest.Harness{
		NewScorer: func(t *testing.T) score.Scorer {
			_, cfg, _ := fakeConfig(t, openaitest.WithChat(openaitest.SimulatedModel))
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
			_, cfg, _ := fakeConfig(t, openaitest.WithChat(openaitest.SimulatedModel))
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
