package auditfx

import (
	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/gigachat"
	"github.com/callaudit/callaudit/adapters/salute"
	"github.com/callaudit/callaudit/adapters/yandex"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// GigaChatScorer provides score.Scorer over Sber's GigaChat.
func GigaChatScorer(cfg gigachat.Config) fx.Option {
	return fx.Module("scorer", fx.Provide(func() (score.Scorer, error) {
		s, err := gigachat.New(cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	}))
}

// YandexTranscriber provides transcribe.Transcriber over Yandex SpeechKit
// (asynchronous recognition, API v3), which recognises stereo channels
// apart itself.
func YandexTranscriber(cfg yandex.Config) fx.Option {
	return fx.Module("transcriber", fx.Provide(func() (transcribe.Transcriber, error) {
		t, err := yandex.New(cfg)
		if err != nil {
			return nil, err
		}
		return t, nil
	}))
}

// SaluteTranscriber provides transcribe.Transcriber over Sber's
// SaluteSpeech (asynchronous recognition), which recognises stereo
// channels apart itself.
func SaluteTranscriber(cfg salute.Config) fx.Option {
	return fx.Module("transcriber", fx.Provide(func() (transcribe.Transcriber, error) {
		t, err := salute.New(cfg)
		if err != nil {
			return nil, err
		}
		return t, nil
	}))
}
