package openai_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func wav() []byte { return transcribetest.WAV(1, 8000, 1) }

func TestTranscriberFollowsModelCapabilities(t *testing.T) {
	tests := []struct {
		model, format string
		wantFormat    string
		wantTimed     bool
	}{
		{"whisper-1", "", "verbose_json", true},
		{"gpt-4o-transcribe", "", "json", false},
		{"gpt-4o-mini-transcribe", "", "json", false},
		{"gpt-transcribe", "", "json", false},
		{"gpt-4o-transcribe-diarize", "json", "json", false},
		{"whisper-1", "text", "text", false},
		{"gpt-4o-mini-transcribe", "text", "text", false},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+tt.format, func(t *testing.T) {
			srv, cfg, _ := fakeConfig(t)
			cfg.TranscribeModel, cfg.TranscribeFormat = tt.model, tt.format
			cfg.TranscribePrompt = "ТаскФлоу, CRM"
			tr, err := openai.NewTranscriber(cfg)
			require.NoError(t, err)
			out, err := tr.Transcribe(context.Background(), transcribe.AudioFromBytes("call.wav", wav()),
				transcribe.Options{Language: "en-US", Prompt: "amoCRM"})
			require.NoError(t, err)

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			a := reqs[0].Audio
			require.NotNil(t, a)
			assert.Equal(t, tt.wantFormat, a.ResponseFormat)
			assert.Equal(t, "en", a.Language)
			if openai.Diarizing(tt.model) {
				assert.Empty(t, a.Prompt, "diarizing models take no prompt")
			} else {
				assert.Equal(t, "ТаскФлоу, CRM amoCRM", a.Prompt)
			}
			assert.Equal(t, "call.wav", a.Filename)
			assert.Equal(t, int64(len(wav())), a.FileSize)
			if tt.model == "gpt-4o-transcribe-diarize" {
				assert.Equal(t, "auto", a.ChunkingStrategy)
			} else {
				assert.Empty(t, a.ChunkingStrategy)
			}
			if tt.wantFormat == "verbose_json" {
				assert.Equal(t, []string{"segment"}, a.TimestampGranularities)
			} else {
				assert.Empty(t, a.TimestampGranularities)
			}

			assert.Equal(t, "openai:"+tt.model, out.Source)
			assert.Equal(t, "en", out.Language)
			require.NotEmpty(t, out.Segments)
			for _, s := range out.Segments {
				assert.Equal(t, tt.wantTimed, s.Timed())
				assert.Equal(t, transcribe.RoleUnknown, s.Speaker)
			}
			if tt.wantTimed {
				require.Len(t, out.Segments, 2)
				assert.Equal(t, "Good afternoon, this is Anna from TaskFlow.", out.Segments[0].Text)
				assert.InDelta(t, 2.8, *out.Segments[1].Start, 1e-9)
				require.NotNil(t, out.Duration)
			} else {
				require.Len(t, out.Segments, 1)
				assert.Contains(t, out.Segments[0].Text, "Good afternoon")
			}
		})
	}
}

func TestTranscriberRejectsWrongFormatForModel(t *testing.T) {
	srv, cfg, _ := fakeConfig(t)
	cfg.TranscribeModel, cfg.TranscribeFormat = "gpt-4o-transcribe", "verbose_json"
	_, err := openai.NewTranscriber(cfg)
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Contains(t, callaudit.MessageOf(err), "gpt-4o-transcribe")

	cfg.TranscribeFormat = "srt"
	_, err = openai.NewTranscriber(cfg)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))

	// The fake refuses the combination the way the API does.
	cc := goopenai.DefaultConfig(srv.APIKey)
	cc.BaseURL = srv.URL
	_, err = goopenai.NewClientWithConfig(cc).CreateTranscription(context.Background(), goopenai.AudioRequest{
		Model: "gpt-4o-transcribe", FilePath: "a.wav", Reader: transcribe.AudioFromBytes("a.wav", wav()).Reader(),
		Format: goopenai.AudioResponseFormatVerboseJSON,
	})
	var apiErr *goopenai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.HTTPStatusCode)
	assert.Equal(t, "unsupported_value", apiErr.Code)
}

// sizedAudio claims a size without holding the bytes: a WAV header, then
// zeros.
type sizedAudio struct{ head []byte }

func (s sizedAudio) ReadAt(p []byte, off int64) (int, error) {
	for i := range p {
		if int(off)+i < len(s.head) {
			p[i] = s.head[int(off)+i]
		} else {
			p[i] = 0
		}
	}
	return len(p), nil
}

func TestTranscriberInputChecks(t *testing.T) {
	tests := []struct {
		name     string
		audio    transcribe.Audio
		wantKind callaudit.Kind
		wantName string
	}{
		{"over 25 MB", transcribe.Audio{Data: sizedAudio{wav()}, Size: openai.MaxUploadBytes + 1, Filename: "long.wav"}, callaudit.KindTooLarge, ""},
		{"exactly 25 MB", transcribe.Audio{Data: sizedAudio{wav()}, Size: openai.MaxUploadBytes, Filename: "long.wav"}, "", "long.wav"},
		{"empty", transcribe.AudioFromBytes("a.wav", nil), callaudit.KindInvalid, ""},
		{"not audio", transcribe.AudioFromBytes("notes.txt", []byte("just some text, not a recording")), callaudit.KindUnsupported, ""},
		{"wrong extension is fixed", transcribe.AudioFromBytes("upload.bin", wav()), "", "upload.wav"},
		{"no name", transcribe.AudioFromBytes("", wav()), "", "audio.wav"},
		{"unknown bytes with an accepted extension are left to the API", transcribe.AudioFromBytes("x.mp3", []byte("garbage garbage garbage")), callaudit.KindUnsupported, "x.mp3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cfg, _ := fakeConfig(t)
			tr, err := openai.NewTranscriber(cfg)
			require.NoError(t, err)
			out, err := tr.Transcribe(context.Background(), tt.audio, transcribe.Options{})
			if tt.wantKind != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantKind, callaudit.KindOf(err), "%v", err)
				assert.Empty(t, out.Segments)
			} else {
				require.NoError(t, err)
			}
			reqs := srv.Requests()
			if tt.wantName == "" {
				assert.Empty(t, reqs, "refused before uploading")
				return
			}
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.wantName, reqs[0].Audio.Filename)
		})
	}
}

func TestTranscriberRetriesResendTheWholeFile(t *testing.T) {
	srv, cfg, w := fakeConfig(t)
	tr, err := openai.NewTranscriber(cfg)
	require.NoError(t, err)
	srv.Fail(openaitest.Fault{Status: 503, RetryAfter: "2"}, openaitest.Fault{Drop: true})
	_, err = tr.Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", wav()), transcribe.Options{})
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, int64(len(wav())), reqs[2].Audio.FileSize)
	require.Len(t, w.all(), 2)
	assert.Equal(t, "2s", w.all()[0].String())
}

func TestTranscriberEmptyResult(t *testing.T) {
	srv, cfg, _ := fakeConfig(t)
	srv.SetTranscription(func(*openaitest.AudioCall) openaitest.Transcription {
		return openaitest.Transcription{Text: " ", Language: "russian", Duration: 3}
	})
	tr, err := openai.NewTranscriber(cfg)
	require.NoError(t, err)
	_, err = tr.Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", wav()), transcribe.Options{})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

func TestTranscriberLanguageNames(t *testing.T) {
	srv, cfg, _ := fakeConfig(t)
	tr, err := openai.NewTranscriber(cfg)
	require.NoError(t, err)
	for name, want := range map[string]string{"russian": "ru", "english": "en", "ukrainian": "uk", "pt": "pt"} {
		srv.SetTranscription(func(*openaitest.AudioCall) openaitest.Transcription {
			return openaitest.Transcription{Text: "Привет", Language: name, Duration: 1,
				Segments: []openaitest.TranscriptionSegment{{Start: 0, End: 1, Text: " Привет"}}}
		})
		out, err := tr.Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", wav()), transcribe.Options{})
		require.NoError(t, err)
		assert.Equal(t, want, out.Language, fmt.Sprint("whisper language ", name))
	}
}

func TestTranscriberAuth(t *testing.T) {
	_, err := openai.NewTranscriber(openai.Config{})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))

	srv, cfg, _ := fakeConfig(t)
	cfg.APIKey = "sk-live-secretsecretsecret9876"
	tr, err := openai.NewTranscriber(cfg)
	require.NoError(t, err)
	_, err = tr.Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", wav()), transcribe.Options{})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err), "a wrong key is the server's configuration, not the caller's credentials")
	assert.NotContains(t, err.Error(), "9876")
	assert.NotContains(t, err.Error(), "secret")
	assert.Len(t, srv.Requests(), 1)
}

func TestTranscriberConcurrencyLimit(t *testing.T) {
	srv, cfg, _ := fakeConfig(t, openaitest.WithDelay(30*time.Millisecond))
	cfg.MaxConcurrency = 3
	tr, err := openai.NewTranscriber(cfg)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for range 12 {
		wg.Go(func() {
			_, err := tr.Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", wav()), transcribe.Options{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, srv.Requests(), 12)
	assert.LessOrEqual(t, srv.MaxInFlight(), 3)
}

// TestTranscriberDiarized: gpt-4o-transcribe-diarize with diarized_json
// (chosen by default for it) gives one segment per speaker segment, its
// label the model's speaker, in a request the fake accepts as the API
// would (chunking_strategy auto, no prompt, no timestamp granularities);
// AssignRoles then tells the manager from the client.
func TestTranscriberDiarized(t *testing.T) {
	srv, cfg, _ := fakeConfig(t, openaitest.WithTranscription(func(*openaitest.AudioCall) openaitest.Transcription {
		return openaitest.Transcription{Text: "…", Duration: 9, Segments: []openaitest.TranscriptionSegment{
			{Start: 0, End: 1, Text: "Алло?", Speaker: "A"},
			{Start: 1.2, End: 4, Text: "Добрый день! Меня зовут Ольга, компания «Окна Плюс». Вы оставляли заявку на замер. Удобно говорить?", Speaker: "B"},
			{Start: 4.2, End: 5, Text: "Да, слушаю.", Speaker: "A"},
			{Start: 5.2, End: 9, Text: "Какие окна вы хотите поменять? Записываю вас на четверг.", Speaker: "B"},
		}}
	}))
	cfg.TranscribeModel = "gpt-4o-transcribe-diarize"
	cfg.TranscribePrompt = "Окна Плюс"
	tr, err := openai.NewTranscriber(cfg)
	require.NoError(t, err)
	out, err := tr.Transcribe(context.Background(), transcribe.AudioFromBytes("call.wav", transcribetest.WAV(40, 8000, 1)), transcribe.Options{Language: "ru"})
	require.NoError(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, 200, reqs[0].Status)
	a := reqs[0].Audio
	assert.Equal(t, "diarized_json", a.ResponseFormat)
	assert.Equal(t, "auto", a.ChunkingStrategy)
	assert.Empty(t, a.Prompt)
	assert.InDelta(t, 40, a.Duration, 0.01)

	require.Len(t, out.Segments, 4)
	labels := []string{}
	for _, s := range out.Segments {
		assert.True(t, s.Timed())
		assert.Equal(t, transcribe.RoleUnknown, s.Speaker, "the transcriber does not guess roles")
		labels = append(labels, s.Label)
	}
	assert.Equal(t, []string{"Speaker A", "Speaker B", "Speaker A", "Speaker B"}, labels)
	assert.InDelta(t, 5.2, *out.Segments[3].Start, 1e-9)

	roles := transcribe.AssignRoles(out, transcribe.DirectionOutbound)
	want := []transcribe.Role{transcribe.RoleClient, transcribe.RoleManager, transcribe.RoleClient, transcribe.RoleManager}
	for i, s := range roles.Segments {
		assert.Equal(t, want[i], s.Speaker, "segment %d", i)
	}
	assert.Greater(t, roles.RoleConfidence, 0.5)
	assert.Less(t, roles.RoleConfidence, 1.0)
}

func TestTranscriberDiarizedNeedsADiarizingModel(t *testing.T) {
	_, cfg, _ := fakeConfig(t)
	cfg.TranscribeModel, cfg.TranscribeFormat = "whisper-1", openai.FormatDiarizedJSON
	_, err := openai.NewTranscriber(cfg)
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Contains(t, callaudit.MessageOf(err), "gpt-4o-transcribe-diarize")
}
