package httpapi_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

func TestMain(m *testing.M) {
	// kin-openapi's text/csv decoder assumes commas; the export uses ";" by
	// default, which its decoder misreads. The document describes the CSV
	// as a string, so read it as one.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	os.Exit(m.Run())
}

// The test doubles below stand in for score/checklist, storage/memory and
// transcribetest while those packages are written; they implement the
// public contracts only.

// fakeScorer is a RubricScorer with two criteria: a greeting and questions.
type fakeScorer struct {
	err   error
	panic bool
}

func (f fakeScorer) Name() string { return "fake" }

func (f fakeScorer) DefaultRubric(score.Mode) score.Rubric {
	return score.Rubric{Name: "fake", Criteria: []score.Criterion{
		{ID: "greeting", Title: map[string]string{"ru": "Приветствие", "en": "Greeting"}, Description: map[string]string{"en": "Greets the client"}, Weight: 1},
		{ID: "questions", Title: map[string]string{"ru": "Вопросы", "en": "Questions"}, Weight: 2},
	}}
}

func (f fakeScorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	if f.panic {
		panic("scorer exploded with sk-secret-token")
	}
	if f.err != nil {
		return nil, f.err
	}
	text := strings.ToLower(req.Transcript.Text())
	greeting := 0
	if strings.Contains(text, "добрый день") || strings.Contains(text, "hello") {
		greeting = 100
	}
	rep := &score.Report{
		Summary:            "summary",
		Recommendations:    "ask more questions",
		RecommendationList: []string{"ask more questions"},
	}
	for _, c := range f.DefaultRubric(req.Mode).Criteria {
		s := greeting
		if c.ID == "questions" {
			s = 30 * strings.Count(text, "?")
		}
		rep.Details = append(rep.Details, score.CriterionResult{ID: c.ID, Title: c.TitleIn("en"), Score: s, Weight: c.Weight, Comment: "ok", Evidence: []score.Evidence{}})
	}
	rep.Recompute()
	rep.Meta = score.Meta{Scorer: "fake", Mode: req.Mode, Language: score.ReportLanguage(req)}
	return rep, nil
}

// memStore is a minimal storage.Store and storage.ManagerLister. pageCap
// caps every page, whatever the filter asks, so that multi-page walks are
// exercised with few calls.
type memStore struct {
	mu      sync.Mutex
	calls   map[string]storage.Call
	pageCap int
	saveErr error
	now     func() time.Time
}

func newMemStore() *memStore {
	return &memStore{calls: map[string]storage.Call{}, now: time.Now}
}

func (s *memStore) Save(ctx context.Context, c storage.Call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return s.saveErr
	}
	if old, ok := s.calls[c.ID]; ok {
		c.CreatedAt = old.CreatedAt
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	c.UpdatedAt = s.now()
	s.calls[c.ID] = c
	return nil
}

func (s *memStore) Get(ctx context.Context, id string) (storage.Call, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calls[id]
	if !ok {
		return c, callaudit.Errorf(callaudit.KindNotFound, "call %q not found", id)
	}
	return c, nil
}

func (s *memStore) sorted(keep func(storage.Call) bool) []storage.Call {
	var out []storage.Call
	for _, c := range s.calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b storage.Call) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

func (s *memStore) List(ctx context.Context, f storage.Filter) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur *storage.Cursor
	if f.Cursor != "" {
		c, err := storage.DecodeCursor(f.Cursor)
		if err != nil {
			return storage.Page{}, err
		}
		cur = &c
	}
	limit := f.Limit
	if limit == 0 {
		limit = storage.DefaultLimit
	}
	if s.pageCap > 0 {
		limit = min(limit, s.pageCap)
	}
	all := s.sorted(func(c storage.Call) bool {
		total, scored := c.Score()
		switch {
		case f.ManagerID != "" && c.ManagerID != f.ManagerID,
			!f.From.IsZero() && c.CreatedAt.Before(f.From),
			!f.To.IsZero() && !c.CreatedAt.Before(f.To),
			f.Mode != "" && c.Mode != f.Mode,
			f.Status != "" && c.Status != f.Status,
			f.MinScore != nil && (!scored || total < *f.MinScore),
			f.MaxScore != nil && (!scored || total > *f.MaxScore),
			cur != nil && !cur.After(c):
			return false
		}
		return true
	})
	p := storage.Page{Calls: all}
	if len(all) > limit {
		p.Calls = all[:limit]
		p.NextCursor = storage.EncodeCursor(storage.CursorOf(all[limit-1]))
	}
	return p, nil
}

func (s *memStore) Stats(ctx context.Context, q storage.StatsQuery) (storage.Stats, error) {
	if err := q.Check(); err != nil {
		return storage.Stats{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := storage.Stats{ManagerID: q.ManagerID, Criteria: map[string]float64{}, Trend: []storage.TrendPoint{}}
	for _, c := range s.sorted(func(c storage.Call) bool { return c.ManagerID == q.ManagerID && c.Report != nil }) {
		st.Count++
		st.Average += float64(c.Report.TotalScore)
	}
	if st.Count > 0 {
		st.Average /= float64(st.Count)
	}
	return st, nil
}

func (s *memStore) Managers(ctx context.Context, q storage.ManagerQuery) ([]storage.ManagerSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := map[string]*storage.ManagerSummary{}
	var out []storage.ManagerSummary
	for _, c := range s.sorted(func(c storage.Call) bool { return c.Report != nil }) {
		m := byID[c.ManagerID]
		if m == nil {
			m = &storage.ManagerSummary{ManagerID: c.ManagerID, LastAt: c.CreatedAt}
			byID[c.ManagerID] = m
		}
		m.Count++
		m.Average += float64(c.Report.TotalScore)
	}
	for _, m := range byID {
		m.Average /= float64(m.Count)
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b storage.ManagerSummary) int {
		if c := cmp.Compare(b.Average, a.Average); c != 0 {
			return c
		}
		return strings.Compare(a.ManagerID, b.ManagerID)
	})
	return out, nil
}

// storeOnly hides the ManagerLister of a store.
type storeOnly struct{ storage.Store }

// wav returns a valid PCM WAV file with n zero samples.
func wav(n int) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(36+2*n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)} {
		_ = binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, uint32(2*n))
	b.Write(make([]byte, 2*n))
	return b.Bytes()
}

// seenAudio records what a fake transcriber received.
type seenAudio struct {
	Filename, ContentType string
	Size                  int64
	Bytes                 []byte
	File                  string // the path when Data is an *os.File
}

// fakeTranscriber returns a fixed dialog and records the audio it read.
func fakeTranscriber(seen *seenAudio, err error) transcribe.Transcriber {
	return transcribe.TranscriberFunc(func(ctx context.Context, a transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
		if err != nil {
			return transcribe.Transcript{}, err
		}
		b, rerr := io.ReadAll(a.Reader())
		if rerr != nil {
			return transcribe.Transcript{}, rerr
		}
		*seen = seenAudio{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, Bytes: b}
		if f, ok := a.Data.(*os.File); ok {
			seen.File = f.Name()
		}
		return transcribe.Transcript{Language: "ru", Source: "fake-stt", Segments: []transcribe.Segment{
			{Speaker: transcribe.RoleManager, Text: "Добрый день! Чем могу помочь?", Start: transcribe.Seconds(0), End: transcribe.Seconds(2)},
			{Speaker: transcribe.RoleClient, Text: "Хочу узнать цену.", Start: transcribe.Seconds(2.5), End: transcribe.Seconds(4)},
		}}, nil
	})
}

// fakeFetcher serves one recording for any URL, or fails.
type fakeFetcher struct {
	data []byte
	err  error
}

func (f fakeFetcher) Fetch(ctx context.Context, url string) (transcribe.Audio, func(), error) {
	if f.err != nil {
		return transcribe.Audio{}, nil, f.err
	}
	return transcribe.AudioFromBytes("rec.wav", f.data), func() {}, nil
}

// env is one handler under test with its parts.
type env struct {
	t       *testing.T
	h       *httpapi.Handler
	store   *memStore
	router  routers.Router
	doc     *openapi3.T
	tempDir string
	reg     *prometheus.Registry
	seen    *seenAudio
	logs    *bytes.Buffer
}

type envOpts struct {
	scorer      score.Scorer
	transcriber transcribe.Transcriber
	fetcher     audit.Fetcher
	noStore     bool
	store       storage.Store
	auditOpts   []audit.Option
	cfg         httpapi.Config
}

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	e := &env{t: t, store: newMemStore(), tempDir: t.TempDir(), reg: prometheus.NewRegistry(), seen: &seenAudio{}, logs: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(e.logs, nil))
	if o.scorer == nil {
		o.scorer = fakeScorer{}
	}
	opts := append([]audit.Option{audit.WithLogger(logger)}, o.auditOpts...)
	if !o.noStore {
		var st storage.Store = e.store
		if o.store != nil {
			st = o.store
		}
		opts = append(opts, audit.WithStore(st))
	}
	if o.transcriber != nil {
		opts = append(opts, audit.WithTranscriber(o.transcriber))
	}
	if o.fetcher != nil {
		opts = append(opts, audit.WithFetcher(o.fetcher))
	}
	a, err := audit.New(o.scorer, opts...)
	require.NoError(t, err)
	cfg := o.cfg
	cfg.Auditor = a
	cfg.TempDir = e.tempDir
	cfg.Registerer = e.reg
	cfg.Logger = logger
	if cfg.Version == "" {
		cfg.Version = "test"
	}
	e.h, err = httpapi.New(cfg)
	require.NoError(t, err)
	e.doc, e.router = servedSpec(t, e.h)
	return e
}

// servedSpec loads the document the handler serves at /openapi.json.
func servedSpec(t *testing.T, h http.Handler) (*openapi3.T, routers.Router) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return doc, router
}

// do serves req and validates the response against the served OpenAPI
// document: every test response goes through here.
func (e *env) do(req *http.Request) *httptest.ResponseRecorder {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	validateResponse(e.t, e.doc, e.router, req, rec)
	return rec
}

func validateResponse(t *testing.T, doc *openapi3.T, router routers.Router, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	route, params, err := router.FindRoute(req)
	if err != nil {
		// Not an operation of the document (an unknown path or a wrong
		// method): the answer must still be the documented error shape.
		require.GreaterOrEqual(t, rec.Code, 400, "an undocumented route answered %d", rec.Code)
		var v any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), rec.Body.String())
		require.NoError(t, doc.Components.Schemas["Error"].Value.VisitJSON(v), rec.Body.String())
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		// Statuses the document does not list for the operation fail.
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(rec.Body.Bytes())
	require.NoError(t, openapi3filter.ValidateResponse(context.Background(), in), "%s %s → %d %s", req.Method, req.URL, rec.Code, rec.Body.String())
}

func jsonReq(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), rec.Body.String())
	return v
}

// errBody is the decoded error shape.
type errBody struct {
	Error struct {
		Status  int                    `json:"status"`
		Code    string                 `json:"code"`
		Message string                 `json:"message"`
		Fields  []callaudit.FieldError `json:"fields"`
	} `json:"error"`
}

// requireError checks the status and that the body is the error shape with
// the matching status and code.
func requireError(t *testing.T, rec *httptest.ResponseRecorder, status int, code callaudit.Kind) errBody {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	b := decode[errBody](t, rec)
	require.Equal(t, status, b.Error.Status)
	require.Equal(t, string(code), b.Error.Code)
	require.NotEmpty(t, b.Error.Message)
	return b
}

// tempFiles lists what is left in the upload directory.
func (e *env) tempFiles() []string {
	m, err := filepath.Glob(filepath.Join(e.tempDir, "*"))
	require.NoError(e.t, err)
	return m
}

type cfgT = httpapi.Config

// cfgWith returns a Config changed by f.
func cfgWith(f func(*cfgT)) httpapi.Config {
	var c httpapi.Config
	f(&c)
	return c
}
