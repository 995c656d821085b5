package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/intake/amocrm/amocrmtest"
	"github.com/callaudit/callaudit/adapters/intake/bitrix24/bitrix24test"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/storage"
)

// TestCRMIntakesThroughTheServer: the real server with the Bitrix24 and
// amoCRM intakes switched on by their variables takes a call from each
// fake, audits it and writes it back to the record it belongs to (the
// Bitrix24 contact from the call's statistics, the amoCRM lead of the
// note) through the write-backs the intake wraps.
func TestCRMIntakesThroughTheServer(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	portal := bitrix24test.New()
	defer portal.Close()
	portal.AddCall(bitrix24test.Call{ID: "srv.call.1", Type: 2, Phone: "+79161234567", UserID: 1269, Duration: 95, FailedCode: "200",
		EntityType: "CONTACT", EntityID: 797})
	account := amocrmtest.New("amo-long-lived-token")
	defer account.Close()
	account.Add(amocrmtest.Note{ID: 42, EntityID: 4821, Duration: 60, Status: 4, Responsible: 940088})
	const secret = "amo-path-secret-0123456789"
	p := start(t, t.TempDir(),
		"OPENAI_API_KEY="+fake.APIKey, "OPENAI_BASE_URL="+fake.URL, "AUDIT_FETCH_ALLOW_HOSTS=127.0.0.1",
		"AUDIT_BITRIX24_WEBHOOK_URL="+portal.WebhookURL(),
		"AUDIT_INTAKE_BITRIX24_TOKENS="+portal.MemberID+"="+portal.AppToken, "AUDIT_INTAKE_BITRIX24_MANAGERS=1269=anna",
		"AUDIT_AMOCRM_BASE_URL="+account.URL, "AUDIT_AMOCRM_TOKEN="+account.Token,
		"AUDIT_INTAKE_AMOCRM_SECRET="+secret, "AUDIT_INTAKE_AMOCRM_MANAGERS=940088=boris")

	statuses, err := portal.Finish(context.Background(), p.base+"/intake/bitrix24/", "srv.call.1")
	require.NoError(t, err)
	assert.Equal(t, []int{200, 200, 200}, statuses, p.logs.String())
	st, err := account.Send(context.Background(), p.base+"/intake/amocrm/"+secret, 42)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, st, p.logs.String())

	// Each call goes to its own CRM only.
	want := map[string][2]string{"bitrix24-srv.call.1": {"anna", "bitrix24: delivered"}, "lead-4821:amocrm-42": {"boris", "amocrm: delivered"}}
	state := func() (done int, seen []string) {
		for id, m := range want {
			resp, err := http.Get(p.base + "/calls/" + url.PathEscape(id))
			require.NoError(t, err)
			var c httpapi.Call
			_ = json.NewDecoder(resp.Body).Decode(&c)
			_ = resp.Body.Close()
			seen = append(seen, id+": "+string(c.Status)+" "+c.StatusReason+" "+c.ManagerID)
			if c.Status == storage.StatusDone && c.StatusReason == m[1] && c.ManagerID == m[0] {
				done++
			}
		}
		return done, seen
	}
	ok := assert.Eventually(t, func() bool { done, _ := state(); return done == len(want) }, 60*time.Second, 100*time.Millisecond)
	if !ok {
		_, seen := state()
		t.Fatalf("calls %q\n%s", seen, p.logs.String())
	}
	comments := portal.Comments()
	require.Len(t, comments, 1)
	assert.Equal(t, [2]string{"contact", "797"}, [2]string{comments[0].EntityType, comments[0].EntityID})
	notes := account.Written()
	require.Len(t, notes, 1)
	assert.Equal(t, [2]string{"leads", "4821"}, [2]string{notes[0].Entity, notes[0].EntityID})
	assert.NotContains(t, p.logs.String(), portal.AppToken, "the application token is never logged")
	assert.NotContains(t, p.logs.String(), secret, "the path secret is never logged")
}
