package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/energy"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// checkEnergyReport compares an answer with the constructed call: talk
// shares within 3 points, interruptions exactly.
func checkEnergyReport(t *testing.T, rep httpapi.EnergyReport, want transcribetest.Truth) {
	t.Helper()
	assert.Equal(t, httpapi.AnalysisEnergyOnly, rep.Analysis)
	assert.False(t, rep.TextAnalysed)
	assert.False(t, rep.Saved)
	assert.Equal(t, "energy_only", string(rep.NoteCode))
	assert.InDelta(t, want.ManagerShare(), rep.Metrics.ManagerTalkShareByTime, 0.03)
	assert.Equal(t, want.Interruptions, rep.Metrics.Interruptions)
	assert.Equal(t, want.ManagerInterruptions, rep.Metrics.ManagerInterruptions)
	assert.Equal(t, want.Lines[0]+want.Lines[1], len(rep.Segments))
	assert.Equal(t, transcribe.RoleManager, rep.Channels[want.ManagerChannel].Role)
}

// TestAudioWithoutSpeechToText is issue 17's acceptance at the API: with
// no transcriber, a stereo WAV upload or URL is measured from its
// channels' energy (200, the EnergyReport the OpenAPI document describes,
// a note in the request's language, nothing saved), while a mono
// recording still gets the 503 that says what to configure.
func TestAudioWithoutSpeechToText(t *testing.T) {
	call := transcribetest.NewStereoCall(t, "ru", transcribetest.SalesCallLines, 0.5)
	e := newEnv(t, envOpts{
		auditOpts: []audit.Option{audit.WithEnergy(energy.Config{ManagerChannel: 1})},
		fetcher:   fakeFetcher{data: call.WAV},
	})

	caps := decode[httpapi.Capabilities](t, e.do(jsonReq(http.MethodGet, "/config", "")))
	assert.False(t, caps.Transcription)
	assert.True(t, caps.EnergyOnly)

	rec := e.do(uploadReq(t, field("call_id", "e-1"), field("manager_id", "anna"), file("call.wav", call.WAV)))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rep := decode[httpapi.EnergyReport](t, rec)
	checkEnergyReport(t, rep, call.Truth(1))
	assert.Equal(t, "right", rep.ManagerChannel)
	assert.Equal(t, "e-1", rep.CallID)
	assert.Contains(t, rep.Note, "the text was not analysed")
	assert.Equal(t, "en", rec.Header().Get("Content-Language"))
	_, err := e.store.Get(t.Context(), "e-1")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "nothing is saved: %v", err)
	assert.Empty(t, e.tempFiles(), "the upload is removed")

	req := uploadReq(t, file("call.wav", call.WAV))
	req.Header.Set("Accept-Language", "ru")
	rec = e.do(req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, decode[httpapi.EnergyReport](t, rec).Note, "текст не анализировался")

	rec = e.do(jsonReq(http.MethodPost, "/analyze_audio_by_url", `{"file_url":"https://pbx.example.com/rec.wav","content_mode":"Manager+"}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	checkEnergyReport(t, decode[httpapi.EnergyReport](t, rec), call.Truth(1))

	// Fields are still checked first.
	rec = e.do(jsonReq(http.MethodPost, "/analyze_audio_by_url", `{"file_url":"https://pbx.example.com/rec.wav","content_mode":"Loud"}`))
	requireError(t, rec, http.StatusUnprocessableEntity, callaudit.KindInvalid)

	mono := transcribetest.WAV(1, 8000, 1)
	body := requireError(t, e.do(uploadReq(t, file("mono.wav", mono))), http.StatusServiceUnavailable, callaudit.KindNotConfigured)
	assert.Equal(t, httpapi.DefaultTranscriberHint, body.Error.Message)
	mp3 := e.do(uploadReq(t, file("x.mp3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 64)...))))
	assert.GreaterOrEqual(t, mp3.Code, 400, "no report for what is not a stereo WAV")
	assert.Empty(t, e.tempFiles())

	monoURL := newEnv(t, envOpts{auditOpts: []audit.Option{audit.WithEnergy(energy.Config{})}, fetcher: fakeFetcher{data: mono}})
	body = requireError(t, monoURL.do(jsonReq(http.MethodPost, "/analyze_audio_by_url", `{"file_url":"https://pbx.example.com/rec.wav"}`)), http.StatusServiceUnavailable, callaudit.KindNotConfigured)
	assert.Equal(t, httpapi.DefaultTranscriberHint, body.Error.Message)

	// Without WithEnergy a stereo upload is the 503, as before.
	plain := newEnv(t, envOpts{})
	assert.False(t, decode[httpapi.Capabilities](t, plain.do(jsonReq(http.MethodGet, "/config", ""))).EnergyOnly)
	body = requireError(t, plain.do(uploadReq(t, file("call.wav", call.WAV))), http.StatusServiceUnavailable, callaudit.KindNotConfigured)
	assert.Equal(t, httpapi.DefaultTranscriberHint, body.Error.Message)
}

// GET /config's url_fetch says whether POST /analyze_audio_by_url answers
// a stereo WAV with a report: true with speech-to-text and a fetcher, and
// without speech-to-text when stereo recordings are measured (energy_only)
// and a fetcher is configured; false whenever that route can only answer
// 503.
func TestURLFetchFlagTellsTheTruth(t *testing.T) {
	call := transcribetest.NewStereoCall(t, "ru", transcribetest.SalesCallLines, 0.5)
	withEnergy := []audit.Option{audit.WithEnergy(energy.Config{ManagerChannel: 1})}
	fetcher := fakeFetcher{data: call.WAV}
	tests := []struct {
		name string
		o    envOpts
		want bool
	}{
		{"nothing", envOpts{}, false},
		{"a fetcher without speech-to-text", envOpts{fetcher: fetcher}, false},
		{"energy-only without a fetcher", envOpts{auditOpts: withEnergy}, false},
		{"energy-only with a fetcher", envOpts{auditOpts: withEnergy, fetcher: fetcher}, true},
		{"speech-to-text without a fetcher", envOpts{transcriber: newSTT()}, false},
		{"speech-to-text with a fetcher", envOpts{transcriber: newSTT(), fetcher: fetcher}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.o)
			caps := decode[httpapi.Capabilities](t, e.do(jsonReq(http.MethodGet, "/config", "")))
			assert.Equal(t, tt.want, caps.URLFetch)
			rec := e.do(jsonReq(http.MethodPost, "/analyze_audio_by_url", `{"file_url":"https://pbx.example.com/rec.wav"}`))
			if caps.URLFetch {
				assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			} else {
				assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
			}
		})
	}
}
