package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// GET /calls/{id} answers the bytes it answered when storage.Call carried
// the JSON tags: same names, same order, same omissions.
func TestGetCallAnswerIsUnchanged(t *testing.T) {
	e := newEnv(t, envOpts{})
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	require.NoError(t, e.store.Save(t.Context(), storage.Call{
		ID: "w-1", ManagerID: "anna", Mode: score.ModeClient, Language: "en", Status: storage.StatusFailed,
		StatusReason: "the recording was not found (404)", Source: storage.SourceWebhook,
		RecordingURL: "https://pbx.example/rec/w-1.mp3", CreatedAt: at,
	}))
	require.NoError(t, e.store.Save(t.Context(), storage.Call{ID: "bare", Mode: score.ModeManager, Status: storage.StatusQueued, CreatedAt: at}))
	stored, err := e.store.Get(t.Context(), "w-1")
	require.NoError(t, err)
	updated := stored.UpdatedAt.Format(time.RFC3339Nano)

	rec := e.do(httptest.NewRequest(http.MethodGet, "/calls/w-1", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, `{"call_id":"w-1","manager_id":"anna","content_mode":"Client+","language":"en","status":"failed",`+
		`"status_reason":"the recording was not found (404)","source":"webhook","recording_url":"https://pbx.example/rec/w-1.mp3",`+
		`"created_at":"2026-11-25T10:00:00Z","updated_at":"`+updated+`"}`+"\n", rec.Body.String())

	bare, err := e.store.Get(t.Context(), "bare")
	require.NoError(t, err)
	rec = e.do(httptest.NewRequest(http.MethodGet, "/calls/bare", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, `{"call_id":"bare","content_mode":"Manager+","status":"queued","created_at":"2026-11-25T10:00:00Z","updated_at":"`+
		bare.UpdatedAt.Format(time.RFC3339Nano)+`"}`+"\n", rec.Body.String(), "empty fields are left out")
}
