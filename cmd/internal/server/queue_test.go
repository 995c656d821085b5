package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// The queue's workers must outlive the start context: fx (and Main)
// cancel it once the start timeout passes, and River stops abruptly when
// the context given to Start ends.
func TestQueueOutlivesStartContext(t *testing.T) {
	recording := transcribetest.WAV(1, 8000, 1)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(recording) }))
	defer files.Close()
	fake := openaitest.NewServer()
	defer fake.Close()
	cfg := testConfig(t, map[string]string{
		"OPENAI_API_KEY": fake.APIKey, "OPENAI_BASE_URL": fake.URL, "AUDIT_FETCH_ALLOW_HOSTS": "127.0.0.1",
	})
	logs := &syncBuffer{}
	app := fx.New(options(t, cfg, slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, app.Err())
	startCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	require.NoError(t, app.Start(startCtx))
	cancel() // the start is over, as when the start timeout passes
	defer func() { require.NoError(t, app.Stop(context.Background())) }()
	base := "http://" + listenAddr(t, logs.String())

	resp, err := http.Post(base+"/webhook/new_call_recording", "application/json",
		strings.NewReader(`{"call_id":"wh-1","manager_id":"m1","recording_url":"`+files.URL+`/rec.wav"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)

	var call storage.Call
	require.Eventually(t, func() bool {
		r, err := http.Get(base + "/calls/wh-1")
		if err != nil {
			return false
		}
		defer r.Body.Close()
		call = storage.Call{}
		_ = json.NewDecoder(r.Body).Decode(&call)
		return call.Status == storage.StatusDone || call.Status == storage.StatusFailed
	}, 15*time.Second, 50*time.Millisecond, "the webhook call was never processed:\n%s", logs.String())
	assert.Equal(t, storage.StatusDone, call.Status, call.StatusReason)
}
