package writebacktest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
)

func post(t *testing.T, u, contentType, body string, header http.Header) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// The fakes are only as good as what they refuse: each must reject the
// request shapes the real API rejects.
func TestReceiverRefuses(t *testing.T) {
	secret := webhooks.NewSecret()
	rcv := writebacktest.NewReceiver(secret)
	defer rcv.Close()
	signer, err := webhooks.NewSigner(secret)
	require.NoError(t, err)
	const good = `{"type":"call.audited","timestamp":"2026-03-01T12:00:00Z","data":{"call_id":"c-1","status":"done"}}`
	sign := func(body string) http.Header {
		h := http.Header{}
		signer.SetHeaders(h, "msg_1", time.Now(), []byte(body))
		return h
	}
	tests := []struct {
		name, contentType, body string
		header                  http.Header
		status                  int
	}{
		{name: "unsigned", contentType: "application/json", body: good, header: http.Header{}, status: 401},
		{name: "tampered", contentType: "application/json", body: strings.Replace(good, "c-1", "c-2", 1), header: sign(good), status: 401},
		{name: "not json", contentType: "text/plain", body: good, header: sign(good), status: 415},
		{name: "no call id", contentType: "application/json", body: `{"type":"x","timestamp":"2026-03-01T12:00:00Z","data":{}}`, header: sign(`{"type":"x","timestamp":"2026-03-01T12:00:00Z","data":{}}`), status: 400},
		{name: "good", contentType: "application/json", body: good, header: sign(good), status: 204},
		{name: "good again", contentType: "application/json", body: good, header: sign(good), status: 204},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.status, post(t, rcv.URL, tt.contentType, tt.body, tt.header), tt.name)
	}
	assert.Equal(t, 4, rcv.Rejected())
	assert.Len(t, rcv.Problems(), 4)
	assert.Equal(t, 2, rcv.Count("c-1"))
	assert.Equal(t, 2, rcv.CountID("msg_1"))
	assert.Zero(t, rcv.Count("c-2"))
	assert.Equal(t, map[string]int{"c-1": 2}, rcv.Calls())

	rcv.Fail(writebacktest.Fault{Status: 503, RetryAfter: "9"})
	assert.Equal(t, 503, post(t, rcv.URL, "application/json", good, sign(good)))
	assert.Equal(t, 2, rcv.Count("c-1"), "a failed answer is not a delivery")
}

func TestAmoCRMRefuses(t *testing.T) {
	amo := writebacktest.NewAmoCRM("tok")
	defer amo.Close()
	auth := http.Header{"Authorization": {"Bearer tok"}}
	tests := []struct {
		name, path, contentType, body string
		header                        http.Header
		status                        int
	}{
		{name: "no token", path: "/api/v4/leads/1/notes", contentType: "application/json", body: `[{"note_type":"common","params":{"text":"x"}}]`, header: http.Header{}, status: 401},
		{name: "unknown entity", path: "/api/v4/deals/1/notes", contentType: "application/json", body: `[]`, header: auth, status: 404},
		{name: "object, not array", path: "/api/v4/leads/1/notes", contentType: "application/json", body: `{"note_type":"common","params":{"text":"x"}}`, header: auth, status: 400},
		{name: "wrong note type", path: "/api/v4/leads/1/notes", contentType: "application/json", body: `[{"note_type":"call_in","params":{"text":"x"}}]`, header: auth, status: 400},
		{name: "form", path: "/api/v4/leads/1/notes", contentType: "application/x-www-form-urlencoded", body: `a=b`, header: auth, status: 415},
		{name: "good", path: "/api/v4/leads/1/notes", contentType: "application/json", body: `[{"note_type":"common","params":{"text":"x"}}]`, header: auth, status: 200},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.status, post(t, amo.URL+tt.path, tt.contentType, tt.body, tt.header), tt.name)
	}
	assert.Equal(t, []writebacktest.AmoNote{{Entity: "leads", EntityID: "1", Text: "x"}}, amo.Notes())
	assert.Len(t, amo.Problems(), 5)
}

func TestBitrix24Refuses(t *testing.T) {
	bx := writebacktest.NewBitrix24()
	defer bx.Close()
	form := func(id, typ, comment string) string {
		return url.Values{"fields[ENTITY_ID]": {id}, "fields[ENTITY_TYPE]": {typ}, "fields[COMMENT]": {comment}}.Encode()
	}
	method := bx.WebhookURL() + "crm.timeline.comment.add.json"
	tests := []struct {
		name, url, contentType, body string
		status                       int
	}{
		{name: "wrong code", url: bx.URL + "/rest/1/nope/crm.timeline.comment.add.json", contentType: "application/x-www-form-urlencoded", body: form("1", "deal", "x"), status: 401},
		{name: "other method", url: bx.WebhookURL() + "crm.deal.add.json", contentType: "application/x-www-form-urlencoded", body: form("1", "deal", "x"), status: 404},
		{name: "bad type", url: method, contentType: "application/x-www-form-urlencoded", body: form("1", "Deal", "x"), status: 400},
		{name: "bad id", url: method, contentType: "application/x-www-form-urlencoded", body: form("x", "deal", "x"), status: 400},
		{name: "no comment", url: method, contentType: "application/x-www-form-urlencoded", body: form("1", "deal", ""), status: 400},
		{name: "good", url: method, contentType: "application/x-www-form-urlencoded", body: form("1", "deal", "x"), status: 200},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.status, post(t, tt.url, tt.contentType, tt.body, nil), tt.name)
	}
	assert.Equal(t, []writebacktest.BitrixComment{{EntityType: "deal", EntityID: "1", Comment: "x"}}, bx.Comments())
	assert.Len(t, bx.Problems(), 5)
}
