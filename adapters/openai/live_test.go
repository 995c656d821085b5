//go:build openai_live

package openai_test

// Tests against the real OpenAI API. They run only with the build tag and
// a key, and spend a few cents:
//
//	OPENAI_API_KEY=sk-... go test -tags openai_live -run Live -v ./adapters/openai/
//
// AUDIT_SCORE_MODEL and AUDIT_TRANSCRIBE_MODEL choose the models as for the
// server. OPENAI_LIVE_AUDIO may name a short recording (mp3, wav, …) to
// transcribe; without it the transcription test sends a second of tone
// and only checks that the API accepts the request.

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scoretest"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func liveConfig(t *testing.T) openai.Config {
	t.Helper()
	if os.Getenv("OPENAI_API_KEY") == "" {
		t.Skip("missing test input: OPENAI_API_KEY is not set")
	}
	return openai.Config{APIKey: os.Getenv("OPENAI_API_KEY"), BaseURL: os.Getenv("OPENAI_BASE_URL"),
		ScoreModel: os.Getenv("AUDIT_SCORE_MODEL"), TranscribeModel: os.Getenv("AUDIT_TRANSCRIBE_MODEL")}
}

func TestLiveScore(t *testing.T) {
	cfg := liveConfig(t)
	s, err := openai.NewScorer(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, tc := range []struct{ file, lang string }{{"ru_good_crm.txt", "ru"}, {"en_medium_demo.txt", "en"}} {
		t.Run(tc.file, func(t *testing.T) {
			req := score.Request{Transcript: loadDialog(t, tc.file), Mode: score.ModeManager}
			rep, err := s.Score(ctx, req)
			require.NoError(t, err)
			scoretest.CheckReport(t, req, rep)
			assert.Equal(t, tc.lang, rep.Meta.Language)
			assert.NotEmpty(t, rep.Meta.Model)
			assert.Equal(t, 1, rep.Meta.Usage.Requests)
			grounded := 0
			for _, d := range rep.Details {
				for _, e := range d.Evidence {
					if e.Grounded {
						grounded++
					}
				}
			}
			assert.Positive(t, grounded, "the model quotes the call")
			t.Logf("total %d, usage %+v, model %s", rep.TotalScore, *rep.Meta.Usage, rep.Meta.Model)
		})
	}
}

func TestLiveTranscribe(t *testing.T) {
	cfg := liveConfig(t)
	tr, err := openai.NewTranscriber(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	audio := transcribe.AudioFromBytes("tone.wav", transcribetest.WAV(1, 16000, 1))
	if path := os.Getenv("OPENAI_LIVE_AUDIO"); path != "" {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		audio = transcribe.AudioFromBytes(path, b)
	}
	out, err := tr.Transcribe(ctx, audio, transcribe.Options{Language: "ru"})
	if os.Getenv("OPENAI_LIVE_AUDIO") == "" {
		// A tone has no speech: either an empty-result error or some text.
		if err != nil {
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "%v", err)
		}
		return
	}
	require.NoError(t, err)
	assert.NotEmpty(t, out.Segments)
	t.Logf("%s: %d segments, language %s", out.Source, len(out.Segments), out.Language)
}

func TestLiveWrongKey(t *testing.T) {
	cfg := liveConfig(t)
	cfg.APIKey = "sk-invalid-callaudit-live-test-000000"
	s, err := openai.NewScorer(cfg)
	require.NoError(t, err)
	_, err = s.Score(context.Background(), score.Request{Transcript: loadDialog(t, "en_medium_demo.txt")})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "a wrong key is the server's configuration, not the caller's credentials")
	assert.NotContains(t, err.Error(), "000000")
}
