package httpapi_test

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
)

func TestHealthAndReadiness(t *testing.T) {
	notReady := errors.New("database ping: connection refused to 10.0.0.5 password=hunter2")
	tests := []struct {
		name   string
		ready  func(context.Context) error
		path   string
		status int
		want   string
	}{
		{"healthz", nil, "/healthz", 200, "ok"},
		{"readyz without check", nil, "/readyz", 200, "ready"},
		{"readyz ready", func(context.Context) error { return nil }, "/readyz", 200, "ready"},
		{"readyz not ready", func(context.Context) error { return notReady }, "/readyz", 503, ""},
		{"readyz not configured", func(context.Context) error {
			return callaudit.Errorf(callaudit.KindNotConfigured, "migrations are pending")
		}, "/readyz", 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{cfg: cfgWith(func(c *cfgT) { c.Ready = tt.ready })})
			rec := e.do(httptest.NewRequest(http.MethodGet, tt.path, nil))
			if tt.status != 200 {
				b := requireError(t, rec, tt.status, callaudit.KindUnavailable)
				assert.NotContains(t, rec.Body.String(), "hunter2")
				assert.Contains(t, b.Error.Message, "not ready")
				return
			}
			require.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.want, decode[map[string]string](t, rec)["status"])
		})
	}
}

func TestConfigEndpoint(t *testing.T) {
	tests := []struct {
		name           string
		o              envOpts
		stt, url, hist bool
	}{
		{"text only", envOpts{noStore: true}, false, false, false},
		{"audio", envOpts{transcriber: newSTT()}, true, false, true},
		{"audio and URL", envOpts{transcriber: newSTT(), fetcher: fakeFetcher{}}, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.cfg = cfgWith(func(c *cfgT) { c.MaxAudioBytes = 1234; c.Version = "v1.2.3" })
			e := newEnv(t, tt.o)
			rec := e.do(httptest.NewRequest(http.MethodGet, "/config", nil))
			require.Equal(t, http.StatusOK, rec.Code)
			c := decode[httpapi.Capabilities](t, rec)
			assert.Equal(t, tt.stt, c.Transcription)
			assert.Equal(t, tt.url, c.URLFetch)
			assert.Equal(t, tt.hist, c.History)
			assert.Equal(t, int64(1234), c.MaxAudioBytes)
			assert.Equal(t, audit.DefaultMaxDialogBytes, c.MaxDialogBytes)
			assert.Equal(t, "v1.2.3", c.Version)
			assert.Contains(t, c.Scorer, checklist.Name)
			assert.Len(t, c.Modes, 3)
			assert.Equal(t, []string{"ru", "en"}, c.Languages)
		})
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	e := newEnv(t, envOpts{})
	b := requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/nope", nil)), http.StatusNotFound, callaudit.KindNotFound)
	assert.Contains(t, b.Error.Message, "/nope")

	rec := e.do(httptest.NewRequest(http.MethodGet, "/analyze_call", nil))
	b = requireError(t, rec, http.StatusMethodNotAllowed, "method_not_allowed")
	assert.Contains(t, rec.Header().Get("Allow"), "POST")
	assert.Contains(t, b.Error.Message, "POST")

	rec = e.do(jsonReq(http.MethodPut, "/calls/x", "")) // DELETE /calls/{id} is erasure
	requireError(t, rec, http.StatusMethodNotAllowed, "method_not_allowed")
	assert.Contains(t, rec.Header().Get("Allow"), "GET")
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, envOpts{})
	scorer := decode[httpapi.Capabilities](t, e.do(httptest.NewRequest(http.MethodGet, "/config", nil))).Scorer
	for range 2 {
		rec := e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Добрый день!"}`))
		require.Equal(t, http.StatusOK, rec.Code)
	}
	e.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Добрый день!","content_mode":"x"}`))

	rec := e.do(httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	text := rec.Body.String()
	assert.Contains(t, text, `callaudit_http_requests_total{code="200",route="POST /analyze_call"} 2`)
	assert.Contains(t, text, `callaudit_http_requests_total{code="422",route="POST /analyze_call"} 1`)
	assert.Contains(t, text, `callaudit_audits_total{mode="Manager+",outcome="ok",scorer="`+scorer+`"} 2`)
	assert.Contains(t, text, `callaudit_audits_total{mode="invalid",outcome="invalid",scorer="`+scorer+`"} 1`)
	assert.Contains(t, text, `callaudit_audit_total_score_count{mode="Manager+"} 2`)
	assert.Contains(t, text, "callaudit_http_request_duration_seconds_bucket")

	up := newEnv(t, envOpts{scorer: errScorer{err: callaudit.Errorf(callaudit.KindUpstream, "model 500")}})
	up.do(jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text":"Менеджер: Добрый день!"}`))
	n, err := testutil.GatherAndCount(up.reg, "callaudit_upstream_errors_total")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestMetricsSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, err := audit.New(checklist.New())
	require.NoError(t, err)
	for range 2 {
		// A second handler on the same registry adopts the collectors.
		_, err := httpapi.New(httpapi.Config{Auditor: a, Registerer: reg})
		require.NoError(t, err)
	}
	_, err = httpapi.New(httpapi.Config{Auditor: a, Registerer: prometheus.WrapRegistererWith(prometheus.Labels{"x": "y"}, reg)})
	require.Error(t, err, "a Registerer that is not a Gatherer needs a Gatherer")
}

func TestNewErrors(t *testing.T) {
	_, err := httpapi.New(httpapi.Config{})
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))
	a, err := audit.New(checklist.New())
	require.NoError(t, err)
	_, err = httpapi.New(httpapi.Config{Auditor: a, MaxAudioBytes: -1})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

func TestOpenAPIDocument(t *testing.T) {
	e := newEnv(t, envOpts{cfg: cfgWith(func(c *cfgT) { c.Version = "9.9.9" })})
	rec := e.do(httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "9.9.9", e.doc.Info.Version)

	// Every API route is documented, with its errors.
	for _, route := range []struct{ method, path string }{
		{"POST", "/analyze_call"}, {"POST", "/analyze_audio_call"}, {"POST", "/analyze_audio_by_url"},
		{"GET", "/calls"}, {"GET", "/calls/{id}"}, {"GET", "/managers"}, {"GET", "/managers/{id}/stats"},
		{"GET", "/rubric"}, {"GET", "/config"}, {"GET", "/healthz"}, {"GET", "/readyz"}, {"GET", "/metrics"},
		{"GET", "/openapi.json"}, {"GET", "/docs"}, {"DELETE", "/calls/{id}"}, {"POST", "/erasure"},
	} {
		item := e.doc.Paths.Value(route.path)
		require.NotNil(t, item, route.path)
		op := item.GetOperation(route.method)
		require.NotNil(t, op, "%s %s", route.method, route.path)
		assert.NotEmpty(t, op.Summary)
	}
	for _, path := range []string{"/analyze_call", "/analyze_audio_call", "/analyze_audio_by_url"} {
		op := e.doc.Paths.Value(path).Post
		for _, status := range []int{400, 413, 415, 422, 429, 500, 502, 503, 504} {
			assert.NotNil(t, op.Responses.Status(status), "%s documents %d", path, status)
		}
	}
	// The error codes documented are the kinds the status table knows.
	codes := e.doc.Components.Schemas["Error"].Value.Properties["error"].Value.Properties["code"].Value.Enum
	for _, k := range []callaudit.Kind{callaudit.KindInvalid, callaudit.KindMalformed, callaudit.KindUnauthorized, callaudit.KindForbidden,
		callaudit.KindNotFound, callaudit.KindConflict, callaudit.KindTooLarge, callaudit.KindUnsupported, callaudit.KindRateLimited,
		callaudit.KindUpstream, callaudit.KindUnavailable, callaudit.KindNotConfigured, callaudit.KindTimeout, callaudit.KindInternal} {
		assert.Contains(t, codes, any(string(k)))
	}

	doc, err := httpapi.OpenAPI("")
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{callaudit.Errorf(callaudit.KindMalformed, "x"), 400},
		{callaudit.Errorf(callaudit.KindUnauthorized, "x"), 401},
		{callaudit.Errorf(callaudit.KindForbidden, "x"), 403},
		{callaudit.Errorf(callaudit.KindNotFound, "x"), 404},
		{callaudit.Errorf(callaudit.KindConflict, "x"), 409},
		{callaudit.Errorf(callaudit.KindTooLarge, "x"), 413},
		{callaudit.Errorf(callaudit.KindUnsupported, "x"), 415},
		{callaudit.Errorf(callaudit.KindInvalid, "x"), 422},
		{callaudit.Errorf(callaudit.KindRateLimited, "x"), 429},
		{callaudit.Errorf(callaudit.KindUpstream, "x"), 502},
		{callaudit.Errorf(callaudit.KindUnavailable, "x"), 503},
		{callaudit.Errorf(callaudit.KindNotConfigured, "x"), 503},
		{callaudit.Errorf(callaudit.KindTimeout, "x"), 504},
		{context.DeadlineExceeded, 504},
		{errors.New("boom"), 500},
		{callaudit.Errorf("made-up", "x"), 500},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, httpapi.StatusOf(tt.err), "%v", tt.err)
	}
}

func TestDocsPage(t *testing.T) {
	e := newEnv(t, envOpts{})
	rec := e.do(httptest.NewRequest(http.MethodGet, "/docs", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	html := rec.Body.String()
	assert.NotContains(t, html, "http://", "no CDN: every asset is served by the handler")
	assert.NotContains(t, html, "https://")
	assert.NotEmpty(t, rec.Header().Get("Content-Security-Policy"))
	for _, asset := range []struct{ path, ctype string }{
		{"docs/assets/swagger-ui-bundle.js", "javascript"},
		{"docs/assets/swagger-ui.css", "text/css"},
		{"docs/assets/init.js", "javascript"},
		{"docs/assets/favicon-32x32.png", "image/png"},
	} {
		assert.Contains(t, html, asset.path)
		// Static files are not operations of the document, so they are
		// served directly rather than through e.do.
		r := httptest.NewRecorder()
		e.h.ServeHTTP(r, httptest.NewRequest(http.MethodGet, "/"+asset.path, nil))
		require.Equal(t, http.StatusOK, r.Code, asset.path)
		assert.Contains(t, r.Header().Get("Content-Type"), asset.ctype)
		assert.Greater(t, r.Body.Len(), 100)
	}
	r := httptest.NewRecorder()
	e.h.ServeHTTP(r, httptest.NewRequest(http.MethodGet, "/docs/assets/init.js", nil))
	assert.Contains(t, r.Body.String(), `"openapi.json"`, "the docs load the served document")
}

// /docs/ is the documentation too: a permanent redirect to /docs, whose
// relative asset paths resolve only from there, also under a mount
// prefix. Other paths under /docs/ stay unknown.
func TestDocsSlashRedirects(t *testing.T) {
	e := newEnv(t, envOpts{})
	// Not an operation of the document (its linter refuses a trailing
	// slash), so served without e.do's check against it.
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs/", nil))
	require.Equal(t, http.StatusPermanentRedirect, rec.Code, rec.Body.String())
	base, err := url.Parse("http://audit.example/docs/")
	require.NoError(t, err)
	loc, err := base.Parse(rec.Header().Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "/docs", loc.Path)
	page := e.do(httptest.NewRequest(http.MethodGet, loc.Path, nil))
	assert.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), "swagger-ui")

	// HEAD too.
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/docs/", nil))
	assert.Equal(t, http.StatusPermanentRedirect, rec.Code)

	// Under a prefix the redirect stays under it.
	mounted := http.StripPrefix("/audit", e.h)
	rec = httptest.NewRecorder()
	mounted.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/audit/docs/", nil))
	require.Equal(t, http.StatusPermanentRedirect, rec.Code)
	base, err = url.Parse("http://audit.example/audit/docs/")
	require.NoError(t, err)
	loc, err = base.Parse(rec.Header().Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "/audit/docs", loc.Path)

	rec = e.do(httptest.NewRequest(http.MethodGet, "/docs/nothing", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "not_found", decode[errBody](t, rec).Error.Code)
}

func TestUIMount(t *testing.T) {
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ui:"+r.URL.Path) })
	e := newEnv(t, envOpts{cfg: cfgWith(func(c *cfgT) { c.UI = ui })})
	for _, p := range []string{"/", "/static/app.js"} {
		// The UI is not part of the API document; only its mounting is checked.
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		assert.Equal(t, "ui:"+p, rec.Body.String())
	}
	without := newEnv(t, envOpts{})
	requireError(t, without.do(httptest.NewRequest(http.MethodGet, "/", nil)), http.StatusNotFound, callaudit.KindNotFound)
}

// TestUploadStreams sends a 64 MiB recording through an io.Pipe (nothing
// holds it whole) and checks that the handler does not buffer it either:
// the bytes allocated while serving stay far below the upload's size.
func TestUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 64 MiB to a temporary file")
	}
	const size = 64 << 20
	var got int64
	stt := transcribe.TranscriberFunc(func(ctx context.Context, a transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
		n, err := io.Copy(io.Discard, a.Reader())
		got = n
		return transcribe.Transcript{Segments: []transcribe.Segment{{Speaker: transcribe.RoleManager, Text: "Добрый день!"}}}, err
	})
	e := newEnv(t, envOpts{transcriber: stt})

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("audio", "big.wav")
		if err == nil {
			_, err = io.Copy(fw, io.MultiReader(strings.NewReader(string(wav())), io.LimitReader(zeros{}, size-int64(len(wav())))))
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req := httptest.NewRequest(http.MethodPost, "/analyze_audio_call", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rec := e.do(req)
	runtime.ReadMemStats(&after)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, int64(size), got)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d bytes while serving a %d-byte upload", allocated, size)
	assert.Less(t, allocated, uint64(size/8), "allocated %d bytes to serve a %d-byte upload", allocated, size)
	assert.Empty(t, e.tempFiles())
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		status  int
		code    callaudit.Kind
		message string
		hidden  string
		retry   string
		nfields int
	}{
		{"plain error", errors.New("pq: password authentication failed for user admin"), 500, callaudit.KindInternal, "internal error", "password", "", 0},
		{"unknown kind", callaudit.Errorf("strange", "odd"), 500, callaudit.KindInternal, "odd", "", "", 0},
		{"validation", callaudit.Invalid(callaudit.FieldError{Field: "a", Message: "is required"}, callaudit.FieldError{Field: "b", Message: "is too long"}), 422, callaudit.KindInvalid, "a: is required; b: is too long", "", "", 2},
		{"unavailable with wait", &callaudit.Error{Kind: callaudit.KindUnavailable, Message: "busy", RetryAfter: 3 * time.Second}, 503, callaudit.KindUnavailable, "busy", "", "3", 0},
		{"wait on a 502 is not sent", &callaudit.Error{Kind: callaudit.KindUpstream, Message: "bad gateway", RetryAfter: 3 * time.Second}, 502, callaudit.KindUpstream, "bad gateway", "", "", 0},
	}
	doc, err := httpapi.OpenAPI("")
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpapi.WriteError(rec, tt.err)
			validateErrorBody(t, doc, rec)
			b := requireError(t, rec, tt.status, tt.code)
			assert.Equal(t, tt.message, b.Error.Message)
			assert.Len(t, b.Error.Fields, tt.nfields)
			assert.Equal(t, tt.retry, rec.Header().Get("Retry-After"))
			if tt.hidden != "" {
				assert.NotContains(t, rec.Body.String(), tt.hidden)
			}
		})
	}
}
