package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

// fakeQueue keeps the WebhookQueue contract over a store: a known call id
// is answered from the store, a new one is saved as queued.
type fakeQueue struct {
	store storage.Store
	err   error

	mu     sync.Mutex
	inputs []audit.Input
	ids    []string
	jobs   int
}

func (q *fakeQueue) EnqueueCall(ctx context.Context, in audit.Input, webhookID string) (storage.Call, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.inputs = append(q.inputs, in)
	q.ids = append(q.ids, webhookID)
	if q.err != nil {
		return storage.Call{}, false, q.err
	}
	if c, err := q.store.Get(ctx, in.CallID); err == nil {
		return c, false, nil
	}
	mode, err := score.ParseMode(in.Mode)
	if err != nil {
		return storage.Call{}, false, err
	}
	c := storage.Call{ID: in.CallID, ManagerID: in.ManagerID, Mode: mode, Status: storage.StatusQueued, Source: in.Source, RecordingURL: in.AudioURL}
	if err := q.store.Save(ctx, c); err != nil {
		return storage.Call{}, false, err
	}
	q.jobs++
	return c, true, nil
}

func webhookEnv(t *testing.T, q *fakeQueue, auth func(http.Handler) http.Handler) *env {
	st := memory.New()
	cfg := httpapi.Config{WebhookAuth: auth}
	if q != nil {
		q.store, cfg.Webhooks = st, q
	}
	return newEnv(t, envOpts{transcriber: newSTT(), fetcher: fakeFetcher{data: wav()}, store: st, cfg: cfg})
}

const webhookPath = "/webhook/new_call_recording"

func webhookBody(id string) string {
	return mustJSON(map[string]string{"call_id": id, "manager_id": "anna", "recording_url": "https://pbx.example/rec/" + id + ".mp3", "content_mode": "Client +", "language": "en"})
}

func TestWebhookQueuesAndAnswersStatus(t *testing.T) {
	q := &fakeQueue{}
	e := webhookEnv(t, q, nil)

	req := jsonReq(http.MethodPost, webhookPath, webhookBody("c-1"))
	req.Header.Set("webhook-id", "msg_1")
	rec := e.do(req)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	got := decode[httpapi.WebhookAccepted](t, rec)
	assert.Equal(t, httpapi.WebhookAccepted{CallID: "c-1", Status: storage.StatusQueued, StatusURL: "/calls/c-1"}, got)
	assert.Equal(t, "/calls/c-1", rec.Header().Get("Location"))
	require.Len(t, q.inputs, 1)
	assert.Equal(t, audit.Input{AudioURL: "https://pbx.example/rec/c-1.mp3", Mode: "Client +", CallID: "c-1", ManagerID: "anna", Language: "en", Source: "webhook"}, q.inputs[0])
	assert.Equal(t, "msg_1", q.ids[0])

	// The status URL shows the queued call.
	rec = e.do(httptest.NewRequest(http.MethodGet, got.StatusURL, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	call := decode[httpapi.Call](t, rec)
	assert.Equal(t, storage.StatusQueued, call.Status)
	assert.Equal(t, score.ModeClient, call.Mode)

	// A resend answers 200 with the current status and makes no job.
	stored, err := e.store.Get(context.Background(), "c-1")
	require.NoError(t, err)
	stored.Status, stored.StatusReason = storage.StatusFailed, "the recording was not found (404)"
	require.NoError(t, e.store.Save(context.Background(), stored))
	rec = e.do(jsonReq(http.MethodPost, webhookPath, webhookBody("c-1")))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	again := decode[httpapi.WebhookAccepted](t, rec)
	assert.Equal(t, storage.StatusFailed, again.Status)
	assert.Equal(t, "the recording was not found (404)", again.StatusReason)
	assert.Equal(t, 1, q.jobs)
}

func TestWebhookRejects(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		ctype  string
		status int
		code   callaudit.Kind
		fields []string
		msg    string
	}{
		{name: "malformed", body: `{"call_id":`, status: 400, code: callaudit.KindMalformed},
		{name: "not json", body: `call_id=1`, ctype: "application/x-www-form-urlencoded", status: 415, code: callaudit.KindUnsupported},
		{name: "empty", body: `{}`, status: 422, code: callaudit.KindInvalid, fields: []string{"call_id", "recording_url"}},
		{name: "ftp url", body: `{"call_id":"x","recording_url":"ftp://pbx.example/a.mp3"}`, status: 422, code: callaudit.KindInvalid, fields: []string{"recording_url"}},
		{name: "unknown mode lists the accepted ones", body: `{"call_id":"x","recording_url":"https://pbx.example/a.mp3","content_mode":"Boss+"}`, status: 422, code: callaudit.KindInvalid, fields: []string{"content_mode"}, msg: "Manager+"},
		{name: "bad language", body: `{"call_id":"x","recording_url":"https://pbx.example/a.mp3","language":"not a language"}`, status: 422, code: callaudit.KindInvalid, fields: []string{"language"}},
		{name: "long call id", body: `{"call_id":"` + strings.Repeat("x", 201) + `","recording_url":"https://pbx.example/a.mp3"}`, status: 422, code: callaudit.KindInvalid, fields: []string{"call_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{}
			e := webhookEnv(t, q, nil)
			req := jsonReq(http.MethodPost, webhookPath, tt.body)
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			b := requireError(t, e.do(req), tt.status, tt.code)
			var fields []string
			for _, f := range b.Error.Fields {
				fields = append(fields, f.Field)
			}
			for _, f := range tt.fields {
				assert.Contains(t, fields, f)
			}
			assert.Contains(t, b.Error.Message, tt.msg)
			assert.Empty(t, q.inputs, "nothing is queued")
		})
	}
}

func TestWebhookUnavailable(t *testing.T) {
	t.Run("no queue", func(t *testing.T) {
		e := webhookEnv(t, nil, nil)
		requireError(t, e.do(jsonReq(http.MethodPost, webhookPath, webhookBody("a"))), 503, callaudit.KindNotConfigured)
	})
	t.Run("no transcriber", func(t *testing.T) {
		q := &fakeQueue{}
		e := newEnv(t, envOpts{cfg: httpapi.Config{Webhooks: q}})
		q.store = e.store
		b := requireError(t, e.do(jsonReq(http.MethodPost, webhookPath, webhookBody("a"))), 503, callaudit.KindNotConfigured)
		assert.Contains(t, b.Error.Message, "speech-to-text")
		assert.Empty(t, q.inputs)
	})
	t.Run("queue down", func(t *testing.T) {
		q := &fakeQueue{err: &callaudit.Error{Kind: callaudit.KindUnavailable, Message: "the job queue is not available; send the webhook again later", RetryAfter: 2 * time.Second}}
		e := webhookEnv(t, q, nil)
		rec := e.do(jsonReq(http.MethodPost, webhookPath, webhookBody("a")))
		requireError(t, rec, 503, callaudit.KindUnavailable)
		assert.Equal(t, "2", rec.Header().Get("Retry-After"))
	})
}

func TestWebhookSignature(t *testing.T) {
	secret := webhooks.NewSecret()
	now := time.Now()
	tests := []struct {
		name   string
		secret string
		ts     time.Time
		id     string
		unsign bool
		status int
	}{
		{name: "valid", secret: secret, ts: now, id: "msg_ok", status: 202},
		{name: "replayed id", secret: secret, ts: now, id: "msg_ok", status: 401},
		{name: "wrong secret", secret: webhooks.NewSecret(), ts: now, id: "msg_wrong", status: 401},
		{name: "stale timestamp", secret: secret, ts: now.Add(-time.Hour), id: "msg_stale", status: 401},
		{name: "unsigned", unsign: true, id: "msg_none", status: 401},
		{name: "valid again with a new id", secret: secret, ts: now, id: "msg_ok2", status: 200},
	}
	v, err := webhooks.NewVerifier(secret)
	require.NoError(t, err)
	q := &fakeQueue{}
	e := webhookEnv(t, q, func(next http.Handler) http.Handler {
		return webhooks.RequireSignature(v, httpapi.WriteError, next)
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := webhookBody("signed")
			req := jsonReq(http.MethodPost, webhookPath, body)
			if !tt.unsign {
				s, err := webhooks.NewSigner(tt.secret)
				require.NoError(t, err)
				s.SetHeaders(req.Header, tt.id, tt.ts, []byte(body))
			}
			rec := e.do(req)
			if tt.status == 401 {
				b := requireError(t, rec, 401, callaudit.KindUnauthorized)
				assert.NotContains(t, b.Error.Message, secret)
				return
			}
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Equal(t, tt.id, q.ids[len(q.ids)-1], "the verified webhook-id reaches the queue")
		})
	}
	assert.Equal(t, 1, q.jobs)
	assert.Len(t, q.inputs, 2, "refused requests never reach the queue")
}
