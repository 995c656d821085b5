package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func TestMain(m *testing.M) {
	// kin-openapi's text/csv decoder assumes commas; the export uses ";" by
	// default, which its decoder misreads. The document describes the CSV
	// as a string, so read it as one.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	os.Exit(m.Run())
}

// errScorer fails every request, with err or by panicking: it injects the
// failures the real scorers (score/checklist, adapters/openai) report.
type errScorer struct {
	err   error
	panic bool
}

func (f errScorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	if f.panic {
		panic("scorer exploded with sk-secret-token")
	}
	return nil, f.err
}

// pagedStore caps every page, whatever the filter asks, so that multi-page
// walks are exercised with a few calls.
type pagedStore struct {
	storage.Store
	cap int
}

func (s pagedStore) List(ctx context.Context, f storage.Filter) (storage.Page, error) {
	if f.Limit == 0 || f.Limit > s.cap {
		f.Limit = s.cap
	}
	return s.Store.List(ctx, f)
}

// failingSave refuses every Save.
type failingSave struct {
	storage.Store
	err error
}

func (s failingSave) Save(context.Context, storage.Call) error { return s.err }

// storeOnly hides the ManagerLister of a store.
type storeOnly struct{ storage.Store }

// wav returns a short valid WAV recording.
func wav() []byte { return transcribetest.WAV(0.05, 8000, 1) }

// recordingSTT is a transcribetest.Fake that also notes the path of the
// temporary file an upload arrives in.
type recordingSTT struct {
	*transcribetest.Fake
	mu    sync.Mutex
	files []string
}

func newSTT() *recordingSTT {
	r := &recordingSTT{Fake: &transcribetest.Fake{}}
	r.Func = func(ctx context.Context, a transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
		if f, ok := a.Data.(*os.File); ok {
			r.mu.Lock()
			r.files = append(r.files, f.Name())
			r.mu.Unlock()
		}
		return transcribetest.SampleTranscript(), nil
	}
	return r
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
	store   storage.Store // where the auditor saves
	router  routers.Router
	doc     *openapi3.T
	tempDir string
	reg     *prometheus.Registry
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
	e := &env{t: t, store: memory.New(), tempDir: t.TempDir(), reg: prometheus.NewRegistry(), logs: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(e.logs, nil))
	if o.scorer == nil {
		o.scorer = checklist.New()
	}
	opts := append([]audit.Option{audit.WithLogger(logger)}, o.auditOpts...)
	if o.store != nil {
		e.store = o.store
	}
	if !o.noStore {
		opts = append(opts, audit.WithStore(e.store))
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
		validateErrorBody(t, doc, rec)
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

// validateErrorBody checks a response against the document's Error schema.
func validateErrorBody(t *testing.T, doc *openapi3.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), rec.Body.String())
	require.NoError(t, doc.Components.Schemas["Error"].Value.VisitJSON(v), rec.Body.String())
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
