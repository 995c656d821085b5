package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage/memory"
)

// Ids no call can have (a NUL, control characters, a bidi override) are
// a 422 naming the field wherever they arrive, never a database error.
func TestBadIDs(t *testing.T) {
	e := newEnv(t, envOpts{transcriber: newSTT(), fetcher: fakeFetcher{data: wav()}, cfg: cfgWith(func(c *cfgT) {
		c.Webhooks = &fakeQueue{store: memory.New()}
		c.Eraser, c.AllowErasure = &audit.Eraser{Store: memory.New()}, true
	})})
	for _, id := range []string{"nul\x00id", "tab\tid", "evil\u202Egpj", "new\nline", " edge"} {
		reqs := map[string]*http.Request{
			"analyze_call":   jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": "Менеджер: Добрый день!", "call_id": id})),
			"analyze_by_url": jsonReq(http.MethodPost, "/analyze_audio_by_url", mustJSON(map[string]string{"file_url": "https://pbx.example/a.wav", "manager_id": id})),
			"webhook":        jsonReq(http.MethodPost, "/webhook/new_call_recording", mustJSON(map[string]string{"call_id": id, "recording_url": "https://pbx.example/a.wav"})),
			"upload":         uploadReq(t, file("a.wav", wav()), field("call_id", id)),
			"get call":       httptest.NewRequest(http.MethodGet, "/calls/"+url.PathEscape(id), nil),
			"list":           httptest.NewRequest(http.MethodGet, "/calls?manager_id="+url.QueryEscape(id), nil),
			"csv":            httptest.NewRequest(http.MethodGet, "/calls?format=csv&manager_id="+url.QueryEscape(id), nil),
			"stats":          httptest.NewRequest(http.MethodGet, "/managers/"+url.PathEscape(id)+"/stats", nil),
			"delete":         httptest.NewRequest(http.MethodDelete, "/calls/"+url.PathEscape(id), nil),
		}
		if id == " edge" {
			delete(reqs, "upload") // form fields are trimmed
		}
		for name, req := range reqs {
			t.Run(name+"/"+url.QueryEscape(id), func(t *testing.T) {
				b := requireError(t, e.do(req), http.StatusUnprocessableEntity, callaudit.KindInvalid)
				if assert.NotEmpty(t, b.Error.Fields) {
					assert.Contains(t, []string{"call_id", "manager_id"}, b.Error.Fields[0].Field)
				}
			})
		}
	}
}
