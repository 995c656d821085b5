package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/gigachat/gigachattest"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/adapters/salute/salutetest"
	"github.com/callaudit/callaudit/adapters/yandex/yandextest"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// postAudio uploads a recording to /analyze_audio_call and decodes the
// parts of the report the vendor tests look at.
func postAudio(t *testing.T, base string, wav []byte) (int, vendorReport) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("audio", "call.wav")
	require.NoError(t, err)
	_, _ = fw.Write(wav)
	require.NoError(t, mw.Close())
	resp, err := http.Post(base+"/analyze_audio_call", mw.FormDataContentType(), &body)
	require.NoError(t, err)
	defer resp.Body.Close()
	var rep vendorReport
	_ = json.NewDecoder(resp.Body).Decode(&rep)
	return resp.StatusCode, rep
}

type vendorReport struct {
	Meta struct {
		Scorer, Model string
	} `json:"meta"`
	Transcript struct {
		Segments []struct {
			Speaker string `json:"speaker"`
			Text    string `json:"text"`
		} `json:"segments"`
		Source string `json:"source"`
	} `json:"transcript"`
}

// startApp runs the server with env and returns its base URL and logs.
func startApp(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	cfg := testConfig(t, env)
	logs := &syncBuffer{}
	app := fx.New(options(t, cfg, slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, app.Err())
	require.NoError(t, app.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, app.Stop(context.Background())) })
	return "http://" + listenAddr(t, logs.String()), logs
}

// The Russian providers are chosen by configuration alone: each pairing
// runs a stereo call through the real server against the vendors' fakes.
func TestAppWithRussianVendorFakes(t *testing.T) {
	stereo := transcribetest.WAV(2, 16000, 2)

	t.Run("yandex speechkit and gigachat", func(t *testing.T) {
		stt := yandextest.NewServer()
		defer stt.Close()
		llm := gigachattest.NewServer()
		defer llm.Close()
		base, logs := startApp(t, map[string]string{
			"AUDIT_TRANSCRIBER": "yandex", "AUDIT_YANDEX_API_KEY": stt.APIKey,
			"AUDIT_YANDEX_STT_URL": stt.URL, "AUDIT_YANDEX_OPERATION_URL": stt.URL,
			"AUDIT_STEREO_MANAGER_CHANNEL": "left",
			"AUDIT_SCORER":                 "gigachat", "AUDIT_GIGACHAT_AUTH_KEY": llm.AuthKey,
			"AUDIT_GIGACHAT_URL": llm.URL, "AUDIT_SBER_OAUTH_URL": llm.OAuthURL,
		})
		status, rep := postAudio(t, base, stereo)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "gigachat", rep.Meta.Scorer)
		assert.Equal(t, "yandex:general", rep.Transcript.Source)
		require.Len(t, rep.Transcript.Segments, 2)
		assert.Equal(t, "manager", rep.Transcript.Segments[0].Speaker, "the left channel")
		assert.Equal(t, "client", rep.Transcript.Segments[1].Speaker)
		assert.NotEmpty(t, stt.Requests())
		assert.NotEmpty(t, llm.Requests())
		assert.NotContains(t, logs.String(), stt.APIKey)
		assert.NotContains(t, logs.String(), llm.AuthKey)
	})

	t.Run("salutespeech and yandexgpt", func(t *testing.T) {
		stt := salutetest.NewServer()
		defer stt.Close()
		const folder = "b1gfakefolder0000000"
		llm := openaitest.NewServer(openaitest.WithChatModels("gpt://"+folder+"/yandexgpt/latest"), openaitest.WithChat(openaitest.SimulatedModel))
		defer llm.Close()
		base, logs := startApp(t, map[string]string{
			"AUDIT_TRANSCRIBER": "salute", "AUDIT_SALUTE_AUTH_KEY": stt.AuthKey,
			"AUDIT_SALUTE_URL": stt.URL, "AUDIT_SBER_OAUTH_URL": stt.OAuthURL,
			"AUDIT_SCORER": "yandexgpt", "AUDIT_YANDEX_API_KEY": llm.APIKey, "AUDIT_YANDEX_FOLDER_ID": folder,
			"AUDIT_YANDEXGPT_URL": llm.URL,
		})
		status, rep := postAudio(t, base, stereo)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, "gpt://"+folder+"/yandexgpt/latest", rep.Meta.Model)
		assert.Equal(t, "salute:callcenter", rep.Transcript.Source)
		require.Len(t, rep.Transcript.Segments, 2)
		assert.Equal(t, "manager", rep.Transcript.Segments[0].Speaker, "no channel set: the greeting names the manager")
		assert.NotContains(t, logs.String(), stt.AuthKey)
		assert.NotContains(t, logs.String(), llm.APIKey)
	})
}
