package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/storage/memory"
)

const dialogBody = `{"dialog_text":"Менеджер: Добрый день!"}`

// A page whose name was rebound to the server's address sends its own
// name as Host: refused with 421 unless the name is allowed.
func TestGuardHosts(t *testing.T) {
	e := newEnv(t, envOpts{cfg: cfgWith(func(c *cfgT) {
		c.Guard = httpapi.GuardConfig{AllowedHosts: []string{"audit.example.com", "Intranet.Local:8000", "example.com"}}
	})})
	tests := []struct {
		host   string
		status int
	}{
		{"audit.example.com", 200},
		{"AUDIT.example.com:443", 200},
		{"audit.example.com.", 200},
		{"intranet.local", 200},
		{"localhost:8000", 200},
		{"app.localhost", 200},
		{"127.0.0.1:8000", 200},
		{"[::1]:8000", 200},
		{"10.1.2.3", 200},
		{"evil.example", 421},
		{"audit.example.com.evil.example", 421},
		{"localhost.evil.example", 421},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			for _, req := range []*http.Request{httptest.NewRequest(http.MethodGet, "/calls", nil), jsonReq(http.MethodPost, "/analyze_call", dialogBody)} {
				req.Host = tt.host
				rec := e.do(req)
				if tt.status == 421 {
					b := requireError(t, rec, http.StatusMisdirectedRequest, "misdirected")
					assert.Contains(t, b.Error.Message, "AUDIT_ALLOWED_HOSTS")
					continue
				}
				assert.Equal(t, tt.status, rec.Code, rec.Body.String())
			}
		})
	}
	t.Run("no list allows any host", func(t *testing.T) {
		e := newEnv(t, envOpts{})
		req := httptest.NewRequest(http.MethodGet, "/calls", nil)
		req.Host = "evil.example"
		assert.Equal(t, http.StatusOK, e.do(req).Code)
	})
	t.Run("star allows any host", func(t *testing.T) {
		e := newEnv(t, envOpts{cfg: cfgWith(func(c *cfgT) { c.Guard.AllowedHosts = []string{"a.example", "*"} })})
		req := httptest.NewRequest(http.MethodGet, "/calls", nil)
		req.Host = "evil.example"
		assert.Equal(t, http.StatusOK, e.do(req).Code)
	})
}

// Every state-changing route refuses what a browser sends from another
// site; programs (no Origin, no Sec-Fetch-Site) and the server's own
// pages pass.
func TestGuardCrossSite(t *testing.T) {
	e := newEnv(t, envOpts{transcriber: newSTT(), fetcher: fakeFetcher{data: wav()}, cfg: cfgWith(func(c *cfgT) {
		c.Webhooks = &fakeQueue{store: memory.New()}
		c.Guard.TrustedOrigins = []string{"https://crm.example.com"}
	})})
	routes := []struct {
		path  string
		build func() *http.Request
	}{
		{"/analyze_call", func() *http.Request { return jsonReq(http.MethodPost, "/analyze_call", dialogBody) }},
		{"/analyze_audio_by_url", func() *http.Request {
			return jsonReq(http.MethodPost, "/analyze_audio_by_url", `{"file_url":"https://pbx.example/a.wav"}`)
		}},
		{"/analyze_audio_call", func() *http.Request { return uploadReq(t, file("a.wav", wav())) }},
		{"/webhook/new_call_recording", func() *http.Request {
			return jsonReq(http.MethodPost, "/webhook/new_call_recording", `{"call_id":"c1","recording_url":"https://pbx.example/a.wav"}`)
		}},
	}
	headers := []struct {
		name    string
		set     map[string]string
		refused bool
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, true},
		{"same-site other origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://other.example.com"}, true},
		{"old browser, foreign origin", map[string]string{"Origin": "https://evil.example"}, true},
		{"null origin", map[string]string{"Origin": "null"}, true},
		{"own page", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}, false},
		{"old browser, own origin", map[string]string{"Origin": "http://example.com"}, false},
		{"typed in the address bar", map[string]string{"Sec-Fetch-Site": "none"}, false},
		{"trusted origin", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://crm.example.com"}, false},
		{"program", nil, false},
		{"API token", map[string]string{"Authorization": "Bearer ca_x", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, false},
	}
	for _, rt := range routes {
		for _, hd := range headers {
			t.Run(rt.path+"/"+hd.name, func(t *testing.T) {
				req := rt.build()
				for k, v := range hd.set {
					req.Header.Set(k, v)
				}
				rec := e.do(req)
				if hd.refused {
					b := requireError(t, rec, http.StatusForbidden, callaudit.KindForbidden)
					assert.Contains(t, b.Error.Message, "cross-origin")
					return
				}
				assert.Less(t, rec.Code, 300, rec.Body.String())
			})
		}
	}
	t.Run("erasure routes", func(t *testing.T) {
		for _, req := range []*http.Request{httptest.NewRequest(http.MethodDelete, "/calls/c1", nil), jsonReq(http.MethodPost, "/erasure", `{"subject":"+79123456789","dry_run":false}`)} {
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Origin", "https://evil.example")
			requireError(t, e.do(req), http.StatusForbidden, callaudit.KindForbidden)
		}
	})
	t.Run("reads stay open", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/calls", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		assert.Equal(t, http.StatusOK, e.do(req).Code)
	})
	t.Run("bad trusted origin", func(t *testing.T) {
		_, err := httpapi.Guard(httpapi.GuardConfig{TrustedOrigins: []string{"crm.example.com/path"}})
		require.Error(t, err)
	})
}

// The exported middleware refuses as the Handler does, for routes mounted
// beside it.
func TestGuardMiddleware(t *testing.T) {
	mw, err := httpapi.Guard(httpapi.GuardConfig{AllowedHosts: []string{"audit.example.com"}})
	require.NoError(t, err)
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	for _, tt := range []struct {
		host, site string
		status     int
	}{
		{"audit.example.com", "", 204},
		{"evil.example", "", 421},
		{"audit.example.com", "cross-site", 403},
	} {
		req := httptest.NewRequest(http.MethodPost, "/login", nil)
		req.Host = tt.host
		if tt.site != "" {
			req.Header.Set("Sec-Fetch-Site", tt.site)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, tt.status, rec.Code, tt.host+" "+tt.site)
		if tt.status != 204 {
			assert.Contains(t, rec.Header().Get("Content-Type"), "application/json")
		}
	}
}

// JSON routes need a JSON media type: a body without Content-Type (what
// a page can send cross-site without asking) or text/plain is a 415.
func TestJSONRoutesNeedJSONMediaType(t *testing.T) {
	e := newEnv(t, envOpts{transcriber: newSTT(), fetcher: fakeFetcher{data: wav()}, cfg: cfgWith(func(c *cfgT) { c.Webhooks = &fakeQueue{store: memory.New()} })})
	bodies := map[string]string{
		"/analyze_call":               dialogBody,
		"/analyze_audio_by_url":       `{"file_url":"https://pbx.example/a.wav"}`,
		"/webhook/new_call_recording": `{"call_id":"c1","recording_url":"https://pbx.example/a.wav"}`,
	}
	for path, body := range bodies {
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
			t.Run(path+"/"+ct, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
				if ct != "" {
					req.Header.Set("Content-Type", ct)
				}
				b := requireError(t, e.do(req), http.StatusUnsupportedMediaType, callaudit.KindUnsupported)
				assert.Contains(t, b.Error.Message, "application/json")
			})
		}
		for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/vnd.crm+json"} {
			t.Run(path+"/"+ct, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
				req.Header.Set("Content-Type", ct)
				assert.Less(t, e.do(req).Code, 300)
			})
		}
	}
}
