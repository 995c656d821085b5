package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// A dialog whose speakers are anonymous: the roles are inferred.
const anonDialog = "SPEAKER_00: Алло?\n" +
	"SPEAKER_01: Добрый день! Меня зовут Ольга, компания «Окна Плюс». Вы оставляли заявку на замер, удобно говорить?\n" +
	"SPEAKER_00: Да, хотел узнать, сколько стоит.\n" +
	"SPEAKER_01: От двенадцати тысяч рублей. Какие окна вы хотите поменять? Записываю вас на замер в четверг?\n" +
	"SPEAKER_00: Хорошо, давайте."

func TestSwapRolesRoute(t *testing.T) {
	e := newEnv(t, envOpts{})
	req := httptest.NewRequest(http.MethodPost, "/analyze_call", strings.NewReader(`{"dialog_text":`+jsonQuote(anonDialog)+`,"call_id":"anon-1","direction":"outbound"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := e.do(req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var first struct {
		TotalScore int                   `json:"total_score"`
		Transcript transcribe.Transcript `json:"transcript"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &first))
	assert.Equal(t, transcribe.RoleManager, first.Transcript.Segments[1].Speaker)
	conf := first.Transcript.RoleConfidence
	assert.Greater(t, conf, 0.5)
	assert.Less(t, conf, 1.0)
	assert.Contains(t, rec.Body.String(), `"role_confidence":`)

	rec = e.do(httptest.NewRequest(http.MethodPost, "/calls/anon-1/swap_roles", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var call struct {
		CallID string `json:"call_id"`
		Report struct {
			TotalScore int                   `json:"total_score"`
			Transcript transcribe.Transcript `json:"transcript"`
		} `json:"report"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &call))
	assert.Equal(t, "anon-1", call.CallID)
	for i, s := range call.Report.Transcript.Segments {
		assert.NotEqual(t, first.Transcript.Segments[i].Speaker, s.Speaker, "turn %d swapped", i)
	}
	assert.Equal(t, 1.0, call.Report.Transcript.RoleConfidence)
	assert.NotEqual(t, first.TotalScore, call.Report.TotalScore, "the client's words scored as the manager's")

	versions, err := e.store.(storage.ReportVersions).Reports(t.Context(), "anon-1")
	require.NoError(t, err)
	require.Len(t, versions, 2)
	assert.Equal(t, first.TotalScore, versions[0].Report.TotalScore, "the earlier report is kept")
	assert.Equal(t, storage.ReasonRoles, versions[1].Reason)
	assert.Equal(t, "local", versions[1].By)

	rec = e.do(httptest.NewRequest(http.MethodPost, "/calls/nope/swap_roles", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)

	req = httptest.NewRequest(http.MethodPost, "/analyze_call", strings.NewReader(`{"dialog_text":"просто текст без меток","call_id":"plain"}`))
	req.Header.Set("Content-Type", "application/json")
	require.Equal(t, http.StatusOK, e.do(req).Code)
	rec = e.do(httptest.NewRequest(http.MethodPost, "/calls/plain/swap_roles", nil))
	assert.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "no turn")

	req = httptest.NewRequest(http.MethodPost, "/analyze_call", strings.NewReader(`{"dialog_text":"Менеджер: Добрый день.","direction":"sideways"}`))
	req.Header.Set("Content-Type", "application/json")
	rec = e.do(req)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, rec.Body.String(), `"direction"`)
}

// Leads swap roles only on the calls of their teams; managers not at all.
func TestSwapRolesAccess(t *testing.T) {
	w := newWorld(t, nil)
	for who, want := range map[string]int{"manager": http.StatusForbidden, "lead other": http.StatusNotFound, "token:read": http.StatusForbidden} {
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, w.as(httptest.NewRequest(http.MethodPost, "/calls/c1/swap_roles", nil), who))
		assert.Equal(t, want, rec.Code, "%s: %s", who, rec.Body)
	}
	for _, who := range []string{"lead team", "admin"} {
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, w.as(httptest.NewRequest(http.MethodPost, "/calls/c1/swap_roles", nil), who))
		assert.Equal(t, http.StatusOK, rec.Code, "%s: %s", who, rec.Body)
	}
	versions, err := w.acct.Reports(t.Context(), "c1")
	require.NoError(t, err)
	require.Len(t, versions, 3)
	assert.Equal(t, w.ids["lead team"], versions[1].By)
	assert.Equal(t, w.ids["admin"], versions[2].By)
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
