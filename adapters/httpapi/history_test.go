package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

// seedCall is one call the history tests analyse through the API.
type seedCall struct {
	id, manager, mode, dialog string
}

var seedCalls = []seedCall{
	{"c1", "анна", "Manager+", "Менеджер: Добрый день! Что вас интересует? Клиент: Цена."},
	{"c2", "анна", "Client+", "Менеджер: Алло. Клиент: Сколько стоит?"},
	{"c3", "борис", "Manager+", "Менеджер: Добрый день! Как вас зовут? Какой у вас бюджет? Клиент: Иван."},
	{"c4", "борис", "Диалог", "Менеджер: Да. Клиент: Нет."},
	{"c5", "вера", "Manager+", "Manager: Hello! How can I help? Client: Just looking."},
}

// day0 is the creation day of c1; call i is created on day0 + i days, 10:00 UTC.
var day0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) // a Monday

// historyEnv analyses seedCalls through POST /analyze_call, one a day.
func historyEnv(t *testing.T, store storage.Store) *env {
	t.Helper()
	i := 0
	clock := func() time.Time { return day0.AddDate(0, 0, i) }
	o := envOpts{auditOpts: []audit.Option{audit.WithClock(clock)}}
	if store != nil {
		o.store = store
	}
	e := newEnv(t, o)
	for n, c := range seedCalls {
		i = n
		rec := e.do(jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": c.dialog, "content_mode": c.mode, "call_id": c.id, "manager_id": c.manager})))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
	return e
}

type callListBody struct {
	Calls []struct {
		ID         string         `json:"call_id"`
		ManagerID  string         `json:"manager_id"`
		Mode       string         `json:"content_mode"`
		TotalScore *int           `json:"total_score"`
		Criteria   map[string]int `json:"criteria"`
		CreatedAt  time.Time      `json:"created_at"`
	} `json:"calls"`
	NextCursor string `json:"next_cursor"`
}

func (e *env) listIDs(query string) []string {
	e.t.Helper()
	rec := e.do(httptest.NewRequest(http.MethodGet, "/calls?"+query, nil))
	require.Equal(e.t, http.StatusOK, rec.Code, rec.Body.String())
	var ids []string
	for _, c := range decode[callListBody](e.t, rec).Calls {
		ids = append(ids, c.ID)
	}
	return ids
}

// expectIDs lists the seeded call ids, newest first, whose stored call
// passes keep.
func (e *env) expectIDs(keep func(storage.Call) bool) []string {
	e.t.Helper()
	var ids []string
	for i := len(seedCalls) - 1; i >= 0; i-- {
		c, err := e.store.Get(e.t.Context(), seedCalls[i].id)
		require.NoError(e.t, err)
		if keep(c) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func TestListCalls(t *testing.T) {
	e := historyEnv(t, nil)
	rec := e.do(httptest.NewRequest(http.MethodGet, "/calls", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	body := decode[callListBody](t, rec)
	require.Len(t, body.Calls, len(seedCalls))
	assert.Empty(t, body.NextCursor)
	assert.Equal(t, "c5", body.Calls[0].ID, "newest first")
	for _, c := range body.Calls {
		stored, err := e.store.Get(t.Context(), c.ID)
		require.NoError(t, err)
		require.NotNil(t, c.TotalScore)
		assert.Equal(t, stored.Report.TotalScore, *c.TotalScore)
		assert.Equal(t, stored.Report.Criteria, c.Criteria)
	}
}

func TestListCallsFilters(t *testing.T) {
	e := historyEnv(t, nil)
	scoreOf := func(c storage.Call) int { s, _ := c.Score(); return s }
	tests := []struct {
		query string
		keep  func(storage.Call) bool
	}{
		{"manager_id=" + url.QueryEscape("анна"), func(c storage.Call) bool { return c.ManagerID == "анна" }},
		{"mode=" + url.QueryEscape("manager +"), func(c storage.Call) bool { return c.Mode == score.ModeManager }},
		{"mode=dialog", func(c storage.Call) bool { return c.Mode == score.ModeDialog }},
		{"min_score=50", func(c storage.Call) bool { return scoreOf(c) >= 50 }},
		{"max_score=49", func(c storage.Call) bool { return scoreOf(c) <= 49 }},
		{"min_score=26&max_score=40", func(c storage.Call) bool { return scoreOf(c) >= 26 && scoreOf(c) <= 40 }},
		// A date as the upper bound includes that whole day.
		{"from=2026-11-03&to=2026-11-04", func(c storage.Call) bool { return c.ID == "c2" || c.ID == "c3" }},
		{"from=" + url.QueryEscape("2026-11-03T10:00:00Z") + "&to=" + url.QueryEscape("2026-11-04T10:00:00Z"), func(c storage.Call) bool { return c.ID == "c2" }},
		{"status=done", func(storage.Call) bool { return true }},
		{"status=failed", func(storage.Call) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			assert.Equal(t, e.expectIDs(tt.keep), e.listIDs(tt.query))
		})
	}
}

func TestListCallsPaging(t *testing.T) {
	e := historyEnv(t, nil)
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10, "paging does not end")
		rec := e.do(httptest.NewRequest(http.MethodGet, "/calls?limit=2&cursor="+url.QueryEscape(cursor), nil))
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		body := decode[callListBody](t, rec)
		require.LessOrEqual(t, len(body.Calls), 2)
		for _, c := range body.Calls {
			got = append(got, c.ID)
		}
		if body.NextCursor == "" {
			break
		}
		cursor = body.NextCursor
	}
	assert.Equal(t, e.expectIDs(func(storage.Call) bool { return true }), got)
}

func TestListCallsErrors(t *testing.T) {
	e := historyEnv(t, nil)
	tests := []struct{ query, field string }{
		{"min_score=abc", "min_score"},
		{"max_score=101", "max_score"},
		{"min_score=80&max_score=20", "max_score"},
		{"from=yesterday", "from"},
		{"to=2026-13-01", "to"},
		{"from=2026-11-05&to=2026-11-01", "to"},
		{"mode=Boss", "mode"},
		{"status=lost", "status"},
		{"limit=0", "limit"},
		{"limit=5000", "limit"},
		{"format=xml", "format"},
		{"format=csv&sep=pipe", "sep"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			b := requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/calls?"+tt.query, nil)), http.StatusUnprocessableEntity, callaudit.KindInvalid)
			require.NotEmpty(t, b.Error.Fields)
			assert.Equal(t, tt.field, b.Error.Fields[0].Field)
		})
	}
	t.Run("bad cursor", func(t *testing.T) {
		requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/calls?cursor=garbage!", nil)), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	})
}

// readCSV checks the export's framing and returns its records.
func readCSV(t *testing.T, rec *httptest.ResponseRecorder, sep rune) [][]string {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "text/csv; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, `attachment; filename="calls.csv"`, rec.Header().Get("Content-Disposition"))
	body := rec.Body.Bytes()
	require.True(t, bytes.HasPrefix(body, []byte("\xef\xbb\xbf")), "starts with a UTF-8 BOM for Excel")
	r := csv.NewReader(bytes.NewReader(body[3:]))
	r.Comma = sep
	records, err := r.ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, records)
	return records
}

func TestCallsCSV(t *testing.T) {
	// Pages of two calls: the export must walk every page.
	e := historyEnv(t, pagedStore{memory.New(), 2})
	tests := []struct {
		name   string
		req    *http.Request
		sep    rune
		expect []string
	}{
		{"default semicolon", httptest.NewRequest(http.MethodGet, "/calls?format=csv", nil), ';', e.expectIDs(func(storage.Call) bool { return true })},
		{"comma", httptest.NewRequest(http.MethodGet, "/calls?format=csv&sep=comma", nil), ',', e.expectIDs(func(storage.Call) bool { return true })},
		{"tab and a filter", httptest.NewRequest(http.MethodGet, "/calls?format=csv&sep=tab&manager_id="+url.QueryEscape("борис"), nil), '\t', e.expectIDs(func(c storage.Call) bool { return c.ManagerID == "борис" })},
		{"Accept header", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/calls", nil)
			r.Header.Set("Accept", "text/csv")
			return r
		}(), ';', e.expectIDs(func(storage.Call) bool { return true })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records := readCSV(t, e.do(tt.req), tt.sep)
			header := records[0]
			col := func(name string) int {
				i := slices.Index(header, name)
				require.GreaterOrEqual(t, i, 0, "column %s in %v", name, header)
				return i
			}
			var ids []string
			for _, row := range records[1:] {
				require.Len(t, row, len(header))
				ids = append(ids, row[col("call_id")])
				stored, err := e.store.Get(t.Context(), row[col("call_id")])
				require.NoError(t, err)
				assert.Equal(t, stored.ManagerID, row[col("manager_id")], "Cyrillic survives")
				assert.Equal(t, strconv.Itoa(stored.Report.TotalScore), row[col("total_score")])
				for id, v := range stored.Report.Criteria {
					assert.Equal(t, strconv.Itoa(v), row[col(id)], "criterion %s has its own column", id)
				}
				assert.Equal(t, stored.CreatedAt.UTC().Format("2006-01-02 15:04:05"), row[col("created_at_utc")])
			}
			assert.Equal(t, tt.expect, ids)
		})
	}
}

func TestCallsCSVNeutralisesFormulas(t *testing.T) {
	e := newEnv(t, envOpts{})
	rec := e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Добрый день!","manager_id":"=HYPERLINK(\"http://evil\")","call_id":"@x"}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	records := readCSV(t, e.do(httptest.NewRequest(http.MethodGet, "/calls?format=csv", nil)), ';')
	require.Len(t, records, 2)
	assert.Equal(t, "'@x", records[1][slices.Index(records[0], "call_id")])
	assert.Equal(t, `'=HYPERLINK("http://evil")`, records[1][slices.Index(records[0], "manager_id")])
}

func TestGetCall(t *testing.T) {
	e := historyEnv(t, nil)
	rec := e.do(httptest.NewRequest(http.MethodGet, "/calls/c3", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	var c httpapi.Call
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &c))
	stored, err := e.store.Get(t.Context(), "c3")
	require.NoError(t, err)
	assert.Equal(t, "c3", c.ID)
	assert.Equal(t, "борис", c.ManagerID)
	require.NotNil(t, c.Report)
	require.NotNil(t, c.Report.Transcript, "the transcript is included")
	assert.Equal(t, stored.Report.Transcript.Segments, c.Report.Transcript.Segments)
	assert.Equal(t, stored.Report.Details, c.Report.Details)

	b := requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/calls/nope", nil)), http.StatusNotFound, callaudit.KindNotFound)
	assert.Contains(t, b.Error.Message, "nope")
}

func TestManagers(t *testing.T) {
	e := historyEnv(t, nil)
	// Each mode has its own board: анна and борис have calls in two modes
	// each, and a board lists only the calls of its mode.
	tests := []struct {
		query string
		mode  score.Mode
		ids   []string
	}{
		{"from=2026-11-01", score.ModeManager, nil},
		{"mode=Manager%2B", score.ModeManager, nil},
		{"mode=client+%2B", score.ModeClient, []string{"анна"}},
		{"mode=Client%20%2B", score.ModeClient, []string{"анна"}},
		{"mode=dialog", score.ModeDialog, []string{"борис"}},
		{"mode=%D0%94%D0%B8%D0%B0%D0%BB%D0%BE%D0%B3&from=2026-11-01&to=2026-11-30", score.ModeDialog, []string{"борис"}},
		{"mode=dialog&from=2026-11-06", score.ModeDialog, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := e.do(httptest.NewRequest(http.MethodGet, "/managers?"+tt.query, nil))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			body := decode[httpapi.ManagerList](t, rec)
			assert.Equal(t, tt.mode, body.Mode, "the answer states its mode")
			q := storage.ManagerQuery{Mode: tt.mode}
			q.From, q.To = periodOf(t, tt.query)
			want, err := e.store.(storage.ManagerLister).Managers(t.Context(), q)
			require.NoError(t, err)
			require.Len(t, body.Managers, len(want))
			ids := []string{}
			for i := range want {
				assert.Equal(t, want[i].ManagerID, body.Managers[i].ManagerID)
				assert.Equal(t, want[i].Count, body.Managers[i].Count)
				assert.InDelta(t, want[i].Average, body.Managers[i].Average, 1e-9)
				ids = append(ids, body.Managers[i].ManagerID)
			}
			if tt.ids != nil {
				assert.Equal(t, tt.ids, ids)
			}
			for _, m := range body.Managers {
				assert.Equal(t, modeCalls(tt.mode, m.ManagerID), m.Count, "%s: only %s calls count", m.ManagerID, tt.mode)
			}
		})
	}

	for _, q := range []string{"to=soon", "mode=x"} {
		t.Run(q, func(t *testing.T) {
			requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/managers?"+q, nil)), http.StatusUnprocessableEntity, callaudit.KindInvalid)
		})
	}

	plain := newEnv(t, envOpts{store: storeOnly{memory.New()}})
	b := requireError(t, plain.do(httptest.NewRequest(http.MethodGet, "/managers", nil)), http.StatusServiceUnavailable, callaudit.KindNotConfigured)
	assert.Contains(t, b.Error.Message, "cannot list managers")
}

// modeCalls counts the seeded calls of manager in mode.
func modeCalls(mode score.Mode, manager string) int {
	n := 0
	for _, c := range seedCalls {
		if m, _ := score.ParseMode(c.mode); m == mode && c.manager == manager {
			n++
		}
	}
	return n
}

// periodOf reads a test query's from and to, dates only: from is that
// day's 00:00 UTC, to the end of its day, as the API documents.
func periodOf(t *testing.T, query string) (from, to time.Time) {
	t.Helper()
	v, err := url.ParseQuery(query)
	require.NoError(t, err)
	if s := v.Get("from"); s != "" {
		from, err = time.Parse(time.DateOnly, s)
		require.NoError(t, err)
	}
	if s := v.Get("to"); s != "" {
		to, err = time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		to = to.AddDate(0, 0, 1)
	}
	return from, to
}

func TestManagerStats(t *testing.T) {
	e := historyEnv(t, nil)
	path := "/managers/" + url.PathEscape("анна") + "/stats?"
	rubric := func(mode score.Mode) []string {
		var ids []string
		for _, c := range checklist.New().DefaultRubric(mode).Criteria {
			ids = append(ids, c.ID)
		}
		return ids
	}
	tests := []struct {
		query string
		mode  score.Mode
	}{
		{"bucket=week&from=2026-11-01&to=2026-11-30", score.ModeManager},
		{"mode=manager%2B&bucket=week", score.ModeManager},
		{"mode=CLIENT%20%2B", score.ModeClient},
		{"mode=Dialog", score.ModeDialog},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := e.do(httptest.NewRequest(http.MethodGet, path+tt.query, nil))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var st storage.Stats
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
			assert.Equal(t, "анна", st.ManagerID)
			assert.Equal(t, tt.mode, st.Mode, "the answer states its mode")
			q := storage.StatsQuery{ManagerID: "анна", Mode: tt.mode}
			q.From, q.To = periodOf(t, tt.query)
			want, err := e.store.Stats(t.Context(), q)
			require.NoError(t, err)
			assert.Equal(t, modeCalls(tt.mode, "анна"), st.Count, "only %s calls count", tt.mode)
			assert.Equal(t, want.Count, st.Count)
			assert.InDelta(t, want.Average, st.Average, 1e-9)
			// The criteria are this mode's rubric, never a mix of modes.
			for id := range st.Criteria {
				assert.Contains(t, rubric(tt.mode), id, "criterion %s is not in the %s rubric", id, tt.mode)
			}
		})
	}

	for _, q := range []string{"bucket=month", "from=1.1.2026", "mode=x"} {
		t.Run(q, func(t *testing.T) {
			requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/managers/a/stats?"+q, nil)), http.StatusUnprocessableEntity, callaudit.KindInvalid)
		})
	}
}

func TestHistoryWithoutStore(t *testing.T) {
	e := newEnv(t, envOpts{noStore: true})
	for _, target := range []string{"/calls", "/calls?format=csv", "/calls/x", "/managers", "/managers/x/stats"} {
		t.Run(target, func(t *testing.T) {
			b := requireError(t, e.do(httptest.NewRequest(http.MethodGet, target, nil)), http.StatusServiceUnavailable, callaudit.KindNotConfigured)
			assert.Contains(t, b.Error.Message, "AUDIT_DATABASE_URL")
		})
	}
}

// plainScorer hides the RubricScorer methods of its scorer.
type plainScorer struct{ score.Scorer }

func TestRubric(t *testing.T) {
	e := newEnv(t, envOpts{})
	tests := []struct {
		query, lang string
		mode        score.Mode
	}{
		{"", "ru", score.ModeManager},
		{"language=en&mode=client%2B", "en", score.ModeClient},
		{"language=en-US&mode=" + url.QueryEscape("Диалог"), "en", score.ModeDialog},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := e.do(httptest.NewRequest(http.MethodGet, "/rubric?"+tt.query, nil))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var body struct {
				Language string `json:"language"`
				Criteria []struct {
					ID, Title string
					Weight    float64
				} `json:"criteria"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			assert.Equal(t, tt.lang, body.Language)
			rub := checklist.New().DefaultRubric(tt.mode)
			require.Len(t, body.Criteria, len(rub.Criteria))
			for i, c := range rub.Criteria {
				assert.Equal(t, c.ID, body.Criteria[i].ID)
				assert.Equal(t, c.TitleIn(tt.lang), body.Criteria[i].Title)
				assert.Equal(t, c.Weight, body.Criteria[i].Weight)
			}
		})
	}
	requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/rubric?language=de", nil)), http.StatusUnprocessableEntity, callaudit.KindInvalid)
	requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/rubric?mode=boss", nil)), http.StatusUnprocessableEntity, callaudit.KindInvalid)

	plain := newEnv(t, envOpts{scorer: plainScorer{checklist.New()}})
	requireError(t, plain.do(httptest.NewRequest(http.MethodGet, "/rubric", nil)), http.StatusNotFound, callaudit.KindNotFound)
}
