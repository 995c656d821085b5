package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// A stored call is never replaced silently: its call_id is a 409 naming
// it unless the request says replace; a webhook call is not replaced
// through the analyse routes at all (issue 18, point 1).
func TestStoredCallIsNotReplacedSilently(t *testing.T) {
	e := newEnv(t, envOpts{transcriber: newSTT(), fetcher: fakeFetcher{data: wav()}})
	ctx := context.Background()
	first := `{"dialog_text":"Менеджер: Добрый день!","call_id":"c1","manager_id":"anna"}`
	require.Equal(t, http.StatusOK, e.do(jsonReq(http.MethodPost, "/analyze_call", first)).Code)
	before, err := e.store.Get(ctx, "c1")
	require.NoError(t, err)

	for name, req := range map[string]*http.Request{
		"text":   jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Алло","call_id":"c1","manager_id":"boris"}`),
		"url":    jsonReq(http.MethodPost, "/analyze_audio_by_url", `{"file_url":"https://pbx.example/a.wav","call_id":"c1"}`),
		"upload": uploadReq(t, file("a.wav", wav()), field("call_id", "c1")),
	} {
		t.Run(name, func(t *testing.T) {
			b := requireError(t, e.do(req), http.StatusConflict, callaudit.KindConflict)
			assert.Contains(t, b.Error.Message, `"c1"`)
			assert.Contains(t, b.Error.Message, "/calls/c1")
			assert.Contains(t, b.Error.Message, "replace: true")
			after, err := e.store.Get(ctx, "c1")
			require.NoError(t, err)
			assert.Equal(t, before.ManagerID, after.ManagerID, "the stored call is unchanged")
			assert.Equal(t, before.UpdatedAt, after.UpdatedAt)
		})
	}
	t.Run("replace", func(t *testing.T) {
		rec := e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Алло","call_id":"c1","manager_id":"boris","replace":true}`))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		after, err := e.store.Get(ctx, "c1")
		require.NoError(t, err)
		assert.Equal(t, "boris", after.ManagerID)
		rec = e.do(uploadReq(t, file("a.wav", wav()), field("call_id", "c1"), field("replace", "true")))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		requireError(t, e.do(uploadReq(t, file("a.wav", wav()), field("call_id", "c1"), field("replace", "maybe"))), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	})
	t.Run("webhook call", func(t *testing.T) {
		require.NoError(t, e.store.Save(ctx, storage.Call{ID: "wh-1", ManagerID: "anna", Status: storage.StatusDone, Source: storage.SourceWebhook, RecordingURL: "https://pbx.example/1.wav"}))
		for _, body := range []string{
			`{"dialog_text":"Менеджер: Алло","call_id":"wh-1","manager_id":"mallory"}`,
			`{"dialog_text":"Менеджер: Алло","call_id":"wh-1","manager_id":"mallory","replace":true}`,
		} {
			b := requireError(t, e.do(jsonReq(http.MethodPost, "/analyze_call", body)), http.StatusConflict, callaudit.KindConflict)
			assert.Contains(t, b.Error.Message, "webhook")
		}
		c, err := e.store.Get(ctx, "wh-1")
		require.NoError(t, err)
		assert.Equal(t, "anna", c.ManagerID)
		assert.Equal(t, storage.SourceWebhook, c.Source)
	})
	t.Run("new ids and no id", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Алло","call_id":"c2"}`)).Code)
		assert.Equal(t, http.StatusOK, e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Алло"}`)).Code)
		assert.Equal(t, http.StatusOK, e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Алло"}`)).Code)
	})
}
