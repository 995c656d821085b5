package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func uploadWAV(t *testing.T, base string, wav []byte) (int, []byte) {
	t.Helper()
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("audio", "call.wav")
	require.NoError(t, err)
	_, _ = fw.Write(wav)
	require.NoError(t, mw.Close())
	resp, err := http.Post(base+"/analyze_audio_call", mw.FormDataContentType(), &form)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// TestStereoWithoutSpeechToText: auditd with no speech-to-text settings
// measures an uploaded stereo call (espeak-ng speech on each channel),
// and one fetched by URL, from the channels' energy, the manager on
// AUDIT_STEREO_MANAGER_CHANNEL; a mono upload still gets the 503 that
// says what to configure.
func TestStereoWithoutSpeechToText(t *testing.T) {
	call := transcribetest.NewStereoCall(t, "ru", transcribetest.SalesCallLines, 0.5)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(call.WAV) }))
	defer files.Close()
	p := start(t, t.TempDir(), "AUDIT_STEREO_MANAGER_CHANNEL=right", "AUDIT_FETCH_ALLOW_HOSTS=127.0.0.1")
	want := call.Truth(1)
	check := func(status int, body []byte) {
		t.Helper()
		require.Equal(t, http.StatusOK, status, "%s", body)
		var rep httpapi.EnergyReport
		require.NoError(t, json.Unmarshal(body, &rep))
		assert.Equal(t, httpapi.AnalysisEnergyOnly, rep.Analysis)
		assert.Equal(t, "right", rep.ManagerChannel)
		assert.Equal(t, transcribe.RoleManager, rep.Channels[1].Role)
		assert.InDelta(t, want.ManagerShare(), rep.Metrics.ManagerTalkShareByTime, 0.03)
		assert.Equal(t, want.Interruptions, rep.Metrics.Interruptions)
		assert.Equal(t, want.ManagerInterruptions, rep.Metrics.ManagerInterruptions)
		assert.Contains(t, rep.Note, "the text was not analysed")
	}
	check(uploadWAV(t, p.base, call.WAV))
	resp, body := postJSON(t, p.base+"/analyze_audio_by_url", `{"file_url":"`+files.URL+`/rec.wav"}`)
	check(resp.StatusCode, body)

	status, body := uploadWAV(t, p.base, transcribetest.WAV(0.5, 8000, 1))
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, string(body), "OPENAI_API_KEY")
	assert.Equal(t, 0, p.stop(t))
}
