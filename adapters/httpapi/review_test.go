package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/storage"
)

// reviewReq is req sent as who, in the world of access_test.go: c1 is
// m1's call (FullCall: greeting 90, needs 70, next_step 20), the manager
// is m1, "lead team" leads m1 and m2, "lead other" leads m3.
func (w *world) reviewDo(who, method, target, body string) *httptest.ResponseRecorder {
	w.t.Helper()
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = jsonReq(method, target, body)
	}
	return w.do(w.as(req, who))
}

func listIDs(t *testing.T, rec *httptest.ResponseRecorder) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	out := []string{}
	for _, c := range decode[httpapi.CallList](t, rec).Calls {
		out = append(out, c.ID)
	}
	return out
}

// TestReviewFlow: a manager disputes, the lead reviews and resolves; who
// may do what; the listing filters; the agreement figures against values
// computed by hand.
func TestReviewFlow(t *testing.T) {
	w := newWorld(t, nil)

	// Before anything: the model's scores, no human ones.
	rec := w.reviewDo("manager", http.MethodGet, "/calls/c1/review", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rv := decode[httpapi.Review](t, rec)
	assert.Equal(t, 0, rv.Revision)
	assert.Equal(t, "Manager+", string(rv.Mode))
	require.Len(t, rv.Criteria, 3)
	assert.Equal(t, "greeting", rv.Criteria[0].ID)
	assert.Equal(t, "Приветствие", rv.Criteria[0].Title)
	assert.Equal(t, 90, rv.Criteria[0].ModelScore)
	assert.Nil(t, rv.Criteria[0].HumanScore)
	assert.Equal(t, []string{"c3", "c2", "c1"}, listIDs(t, w.reviewDo("admin", http.MethodGet, "/calls?review=unreviewed", "")))

	// A manager disputes their own call; not another's; a lead may not dispute.
	rec = w.reviewDo("manager", http.MethodPost, "/calls/c1/disputes", `{"criterion":"needs","comment":"я задал три открытых вопроса"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	rv = decode[httpapi.Review](t, rec)
	require.Len(t, rv.Disputes, 1)
	assert.Equal(t, "Manager1", rv.Disputes[0].By.Name)
	assert.Equal(t, "open", string(rv.Disputes[0].Status))
	require.NotNil(t, rv.Criteria[1].OpenDispute)
	assert.Equal(t, 1, *rv.Criteria[1].OpenDispute)
	assert.Equal(t, []string{"unreviewed", "disputed"}, statesOf(rv))
	requireError(t, w.reviewDo("manager", http.MethodPost, "/calls/c2/disputes", `{"criterion":"needs","comment":"x"}`), http.StatusNotFound, callaudit.KindNotFound)
	requireError(t, w.reviewDo("lead team", http.MethodPost, "/calls/c1/disputes", `{"criterion":"needs","comment":"x"}`), http.StatusForbidden, callaudit.KindForbidden)
	// The same criterion again, in Russian.
	req := w.as(jsonReq(http.MethodPost, "/calls/c1/disputes", `{"criterion":"needs","comment":"ещё раз"}`), "manager")
	req.Header.Set("Accept-Language", "ru")
	b := requireError(t, w.do(req), http.StatusConflict, callaudit.KindConflict)
	assert.Equal(t, "по критерию needs уже открыт спор (1)", b.Error.Message)
	b = requireError(t, w.reviewDo("manager", http.MethodPost, "/calls/c1/disputes", `{"criterion":"nope","comment":" "}`), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	assert.Len(t, b.Error.Fields, 2, "both fields at once: %v", b.Error.Fields)

	assert.Equal(t, []string{"c1"}, listIDs(t, w.reviewDo("lead team", http.MethodGet, "/calls?review=disputed", "")))
	assert.Equal(t, []string{}, listIDs(t, w.reviewDo("lead other", http.MethodGet, "/calls?review=disputed", "")), "another team's dispute is not listed")

	// The lead reviews: a manager may not; the other team's lead does not see the call.
	review := `{"criteria":[{"criterion":"greeting","score":100,"comment":"отлично"},{"criterion":"next_step","score":20}],"total_score":45,"total_comment":"слабый шаг"}`
	requireError(t, w.reviewDo("manager", http.MethodPut, "/calls/c1/review", review), http.StatusForbidden, callaudit.KindForbidden)
	requireError(t, w.reviewDo("lead other", http.MethodPut, "/calls/c1/review", review), http.StatusNotFound, callaudit.KindNotFound)
	b = requireError(t, w.reviewDo("lead team", http.MethodPut, "/calls/c1/review", `{"criteria":[{"criterion":"greeting","score":101}]}`), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	assert.Equal(t, "criteria[0].score", b.Error.Fields[0].Field)
	b = requireError(t, w.reviewDo("lead team", http.MethodPut, "/calls/c1/review", `{"criteria":[{"criterion":"greeting"}]}`), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	assert.Equal(t, "criteria[0].score", b.Error.Fields[0].Field, "a missing score is not a zero")
	rec = w.reviewDo("lead team", http.MethodPut, "/calls/c1/review", review)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rv = decode[httpapi.Review](t, rec)
	assert.Equal(t, 90, rv.Criteria[0].ModelScore, "the model's value stays beside the human's")
	assert.Equal(t, 100, *rv.Criteria[0].HumanScore)
	assert.Equal(t, "LeadNorth", rv.Reviewer.Name)
	assert.Equal(t, 45, *rv.HumanTotal)
	assert.Equal(t, 2, rv.Revision)
	// A stale revision is refused.
	requireError(t, w.reviewDo("lead team", http.MethodPut, "/calls/c1/review", `{"total_score":50,"revision":1}`), http.StatusConflict, callaudit.KindConflict)

	// The lead resolves: accept with a new score.
	requireError(t, w.reviewDo("manager", http.MethodPost, "/calls/c1/disputes/1/resolution", `{"decision":"accept","score":40}`), http.StatusForbidden, callaudit.KindForbidden)
	b = requireError(t, w.reviewDo("lead team", http.MethodPost, "/calls/c1/disputes/x/resolution", `{"decision":"maybe"}`), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	assert.Len(t, b.Error.Fields, 2)
	requireError(t, w.reviewDo("lead team", http.MethodPost, "/calls/c1/disputes/1/resolution", `{"decision":"accept"}`), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	requireError(t, w.reviewDo("lead team", http.MethodPost, "/calls/c1/disputes/9/resolution", `{"decision":"reject","reason":"x"}`), http.StatusNotFound, callaudit.KindNotFound)
	rec = w.reviewDo("lead team", http.MethodPost, "/calls/c1/disputes/1/resolution", `{"decision":"accept","score":40,"reason":"согласен, вопросы были"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rv = decode[httpapi.Review](t, rec)
	assert.Equal(t, "accepted", string(rv.Disputes[0].Status))
	assert.Equal(t, 70, rv.Criteria[1].ModelScore)
	assert.Equal(t, 40, *rv.Criteria[1].HumanScore)
	assert.Nil(t, rv.Criteria[1].OpenDispute)
	assert.Equal(t, []string{"reviewed", "resolved"}, statesOf(rv))
	requireError(t, w.reviewDo("lead team", http.MethodPost, "/calls/c1/disputes/1/resolution", `{"decision":"reject","reason":"x"}`), http.StatusConflict, callaudit.KindConflict)

	for state, want := range map[string][]string{"reviewed": {"c1"}, "resolved": {"c1"}, "disputed": {}, "unreviewed": {"c3", "c2"}} {
		assert.Equal(t, want, listIDs(t, w.reviewDo("admin", http.MethodGet, "/calls?review="+state, "")), state)
	}
	requireError(t, w.reviewDo("admin", http.MethodGet, "/calls?review=maybe", ""), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	rows := map[string][]storage.ReviewState{}
	for _, c := range decode[httpapi.CallList](t, w.reviewDo("admin", http.MethodGet, "/calls", "")).Calls {
		rows[c.ID] = c.Review
	}
	assert.Equal(t, map[string][]storage.ReviewState{"c1": {storage.ReviewReviewed, storage.ReviewResolved},
		"c2": {storage.ReviewUnreviewed}, "c3": {storage.ReviewUnreviewed}}, rows, "each row names its review states")

	// Agreement. Pairs (model, human): greeting (90,100), needs (70,40),
	// next_step (20,20); bins (5,5), (4,2), (1,1).
	//   MAD   = (10+30+0)/3 = 13.333…
	//   exact = 2/3
	//   κ: Σ(m_a−h_a)² = 0+4+0 = 4; Σ_a Σ_b (m_a−h_b)² over m (5,4,1) and
	//   h (5,2,1): (0+9+16)+(1+4+9)+(16+1+0) = 56; κ = 1 − 3·4/56 = 44/56.
	//   bias  = (−10+30+0)/3 = 6.667 (the model scores higher)
	rec = w.reviewDo("lead team", http.MethodGet, "/agreement", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	ag := decode[httpapi.AgreementList](t, rec)
	require.Len(t, ag.Groups, 1)
	g := ag.Groups[0]
	assert.Equal(t, 1, g.Calls)
	assert.Equal(t, 3, g.Overall.N)
	assert.InDelta(t, 40.0/3, *g.Overall.MAD, 1e-9)
	assert.InDelta(t, 2.0/3, *g.Overall.Exact, 1e-9)
	assert.InDelta(t, 44.0/56, *g.Overall.Kappa, 1e-9)
	assert.Equal(t, 1, g.Total.N)
	model, err := w.store.Get(t.Context(), "c1")
	require.NoError(t, err)
	assert.InDelta(t, float64(model.Report.TotalScore-45), *g.Total.Bias, 1e-9)
	assert.Equal(t, []string{"needs", "greeting"}, g.Worst, "needs errs most (30 points), then greeting (10)")
	require.Len(t, g.Criteria, 3)
	assert.Equal(t, "needs", g.Criteria[1].ID)
	assert.InDelta(t, 30, *g.Criteria[1].MAD, 1e-9)
	require.NotNil(t, g.Criteria[1].Kappa)
	assert.InDelta(t, 0, *g.Criteria[1].Kappa, 1e-9, "one pair in two categories: each rater constant, κ 0")
	assert.Nil(t, g.Criteria[0].Kappa, "one pair in one category for both: κ undefined")
	assert.Len(t, ag.Scale.Categories, 6)

	// Whose reviews: the other lead sees none, the manager their own.
	assert.Empty(t, decode[httpapi.AgreementList](t, w.reviewDo("lead other", http.MethodGet, "/agreement", "")).Groups)
	assert.Len(t, decode[httpapi.AgreementList](t, w.reviewDo("manager", http.MethodGet, "/agreement", "")).Groups, 1)
	assert.Empty(t, decode[httpapi.AgreementList](t, w.reviewDo("admin", http.MethodGet, "/agreement?mode=Client%2B", "")).Groups)
	requireError(t, w.reviewDo("admin", http.MethodGet, "/agreement?version=2", ""), http.StatusUnprocessableEntity, callaudit.KindInvalid)

	// CSV: the agreement's, and the human columns of the calls export.
	rec = w.reviewDo("lead team", http.MethodGet, "/agreement?format=csv&sep=comma", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	csvLines := csvRows(t, rec, ',')
	assert.Equal(t, []string{"scorecard", "scorecard_version", "content_mode", "criterion", "reviewed_calls", "pairs",
		"mean_absolute_difference", "bias", "exact_agreement", "kappa"}, csvLines[0])
	require.Len(t, csvLines, 1+2+3)
	assert.Equal(t, []string{"overall", "1", "3", "13.3333", "6.6667", "0.6667", "0.7857"}, csvLines[1][3:])
	requireError(t, w.reviewDo("manager", http.MethodGet, "/agreement?format=csv", ""), http.StatusForbidden, callaudit.KindForbidden)

	csvLines = csvRows(t, w.reviewDo("lead team", http.MethodGet, "/calls?format=csv", ""), ';')
	col := func(name string) int {
		i := slices.Index(csvLines[0], name)
		require.GreaterOrEqual(t, i, 0, name)
		return i
	}
	require.Len(t, csvLines, 3, "c1 and c2")
	for _, row := range csvLines[1:] {
		if row[col("call_id")] != "c1" {
			assert.Equal(t, "unreviewed", row[col("review_states")])
			assert.Equal(t, "", row[col("human_total_score")])
			continue
		}
		assert.Equal(t, "reviewed resolved", row[col("review_states")])
		assert.Equal(t, "45", row[col("human_total_score")])
		assert.Equal(t, "greeting=100 needs=40 next_step=20", row[col("human_criteria")])
		assert.Equal(t, "LeadNorth", row[col("reviewer")])
		assert.Equal(t, "0", row[col("open_disputes")])
		assert.Equal(t, "90", row[col("greeting")], "the model's column stays")
	}
}

func statesOf(r httpapi.Review) []string {
	out := []string{}
	for _, s := range r.States {
		out = append(out, string(s))
	}
	return out
}

func csvRows(t *testing.T, rec *httptest.ResponseRecorder, sep rune) [][]string {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	body := bytes.TrimPrefix(rec.Body.Bytes(), []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = sep
	rows, err := r.ReadAll()
	require.NoError(t, err)
	return rows
}
