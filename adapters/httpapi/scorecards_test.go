package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
)

func testFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

// TestScorecardEditorAPI: a lead saves a scorecard for their team (a new
// version each time, the old one kept), is refused another team's and the
// default, gets field errors with lines, and previews a draft without
// saving it; the team's calls are then scored with it.
func TestScorecardEditorAPI(t *testing.T) {
	w := newWorld(t, nil)
	bank := testFile(t, "bank.yaml")
	put := func(who, id string, body map[string]any) *httptest.ResponseRecorder {
		return w.do(w.as(jsonReq(http.MethodPut, "/scorecards/"+id, mustJSON(body)), who))
	}

	rec := w.do(w.as(httptest.NewRequest(http.MethodGet, "/scorecards", nil), "lead team"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	list := decode[httpapi.ScorecardList](t, rec)
	require.NotEmpty(t, list.Scorecards)
	assert.True(t, list.Scorecards[0].Default)
	assert.False(t, list.Scorecards[0].Editable, "a lead does not edit the default")
	assert.Equal(t, []string{"north"}, list.Teams)

	rec = put("lead team", "bank-retail", map[string]any{"body": bank, "team": "north"})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	v1 := decode[httpapi.ScorecardDetail](t, rec)
	assert.Equal(t, 1, v1.Version)
	assert.Equal(t, "north", v1.Team)
	assert.True(t, v1.Editable)
	assert.Contains(t, v1.Body, "version: 1")

	// Refusals: another team's scorecard, the default, a team not theirs,
	// a stale base, a file for another id.
	requireError(t, put("lead other", "bank-retail", map[string]any{"body": bank, "team": "south", "base_version": 1}), http.StatusForbidden, callaudit.KindForbidden)
	def := list.Scorecards[0]
	defBody := w.do(w.as(httptest.NewRequest(http.MethodGet, "/scorecards/"+def.ID, nil), "admin"))
	require.Equal(t, http.StatusOK, defBody.Code, defBody.Body.String())
	requireError(t, put("lead team", def.ID, map[string]any{"body": decode[httpapi.ScorecardDetail](t, defBody).Body, "team": "north", "base_version": def.Version}), http.StatusForbidden, callaudit.KindForbidden)
	b := requireError(t, put("lead team", "bank-retail", map[string]any{"body": bank, "team": "south", "base_version": 1}), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	assert.Equal(t, "team", b.Error.Fields[0].Field)
	requireError(t, put("lead team", "bank-retail", map[string]any{"body": bank, "team": "north", "base_version": 0}), http.StatusConflict, callaudit.KindConflict)
	requireError(t, put("lead team", "other-id", map[string]any{"body": bank, "team": "north"}), http.StatusUnprocessableEntity, callaudit.KindInvalid)

	// A malformed file: the field and its line.
	bad := strings.Replace(bank, "    weight: 25\n", "    weight: -1\n", 1)
	rec = put("lead team", "bank-retail", map[string]any{"body": bad, "team": "north", "base_version": 1})
	requireError(t, rec, http.StatusUnprocessableEntity, callaudit.KindInvalid)
	var raw struct {
		Error struct {
			Fields []httpapi.FieldDetail `json:"fields"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	require.NotEmpty(t, raw.Error.Fields)
	assert.Equal(t, "criteria[1].weight", raw.Error.Fields[0].Field)
	assert.Equal(t, 37, raw.Error.Fields[0].Line)

	// A preview scores with the draft and saves nothing.
	draft := strings.Replace(bank, `"разговор записыва*"`, `"ведётся видеозапись"`, 1)
	rec = w.do(w.as(jsonReq(http.MethodPost, "/scorecards/preview", mustJSON(map[string]any{"body": draft, "dialog_text": testFile(t, "ru_bank_card_offer.txt")})), "lead team"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	pv := decode[httpapi.ScorecardPreview](t, rec)
	assert.Equal(t, "bank-retail", pv.Scorecard)
	require.NotNil(t, pv.Report)
	assert.Contains(t, pv.Report.Criteria, "disclaimer")
	assert.Less(t, pv.Report.Criteria["disclaimer"], 100, "the draft's stricter rule")
	rec = w.do(w.as(httptest.NewRequest(http.MethodGet, "/scorecards/bank-retail", nil), "lead team"))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Len(t, decode[httpapi.ScorecardDetail](t, rec).Versions, 1, "the preview saved nothing")

	rec = put("lead team", "bank-retail", map[string]any{"body": draft, "team": "north", "base_version": 1})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	v2 := decode[httpapi.ScorecardDetail](t, rec)
	assert.Equal(t, 2, v2.Version)
	require.Len(t, v2.Versions, 2)
	rec = w.do(w.as(httptest.NewRequest(http.MethodGet, "/scorecards/bank-retail?version=1", nil), "lead other"))
	require.Equal(t, http.StatusOK, rec.Code)
	old := decode[httpapi.ScorecardDetail](t, rec)
	assert.Contains(t, old.Body, "разговор записыва*", "version 1 kept as saved")
	assert.False(t, old.Editable, "not the other lead's")

	// The team's calls are scored with its scorecard's latest version.
	rec = w.do(w.as(jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]any{"dialog_text": testFile(t, "ru_bank_card_offer.txt"), "manager_id": "m1"})), "lead team"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var rep struct {
		Criteria map[string]int `json:"criteria"`
		Meta     struct {
			Scorecard        string `json:"scorecard"`
			ScorecardVersion int    `json:"scorecard_version"`
		} `json:"meta"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep))
	assert.Equal(t, "bank-retail", rep.Meta.Scorecard)
	assert.Equal(t, 2, rep.Meta.ScorecardVersion)
	assert.Equal(t, pv.Report.Criteria, rep.Criteria, "the saved draft scores as its preview did")

	// Reviewed, the call's agreement names the criteria with the titles
	// of the scorecard version it was scored with (the default rubric has
	// no "disclaimer").
	rec = w.do(w.as(jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]any{"dialog_text": testFile(t, "ru_bank_card_offer.txt"), "manager_id": "m1", "call_id": "bank-1"})), "lead team"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = w.do(w.as(jsonReq(http.MethodPut, "/calls/bank-1/review", mustJSON(map[string]any{"criteria": []map[string]any{{"criterion": "disclaimer", "score": 40}}, "revision": 0})), "lead team"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	for lang, want := range map[string]string{"ru": "Предупреждение о записи", "en": "Recording disclaimer"} {
		req := httptest.NewRequest(http.MethodGet, "/agreement?scorecard=bank-retail", nil)
		req.Header.Set("Accept-Language", lang)
		rec = w.do(w.as(req, "lead team"))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		ag := decode[httpapi.AgreementList](t, rec)
		require.Len(t, ag.Groups, 1)
		assert.Equal(t, 2, ag.Groups[0].ScorecardVersion)
		assert.Equal(t, want, ag.Groups[0].Titles["disclaimer"], lang)
	}

	requireError(t, w.do(w.as(httptest.NewRequest(http.MethodGet, "/scorecards/nope", nil), "admin")), http.StatusNotFound, callaudit.KindNotFound)
	requireError(t, w.do(w.as(httptest.NewRequest(http.MethodGet, "/scorecards", nil), "manager")), http.StatusForbidden, callaudit.KindForbidden)

	rec = w.do(httptest.NewRequest(http.MethodGet, "/scorecard.schema.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	var schema map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &schema))
	assert.Contains(t, schema, "$schema")
}
