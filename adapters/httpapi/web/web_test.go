package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi/web"
)

func get(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestHandler(t *testing.T) {
	h := web.Handler()

	page := get(t, h, http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, page.StatusCode)
	html := body(t, page)
	// Every asset the page names is served, under a content-hash version.
	refs := regexp.MustCompile(`"(/static/[^"?]+)\?v=([0-9a-f]{12})"`).FindAllStringSubmatch(html, -1)
	require.Len(t, refs, 3, "favicon, stylesheet and script are versioned")
	versions := map[string]string{}
	for _, r := range refs {
		versions[r[1]] = r[2]
	}
	assert.NotContains(t, html, "http://", "no external asset")
	assert.NotContains(t, html, "https://", "no external asset")

	tests := []struct {
		name, method, target string
		header               http.Header
		status               int
		contentType          string
		cache                string
	}{
		{"page", http.MethodGet, "/", nil, http.StatusOK, "text/html; charset=utf-8", "no-cache"},
		{"page head", http.MethodHead, "/", nil, http.StatusOK, "text/html; charset=utf-8", "no-cache"},
		{"script", http.MethodGet, "/static/app.js", nil, http.StatusOK, "text/javascript; charset=utf-8", "public, max-age=3600"},
		{"versioned script", http.MethodGet, "/static/app.js?v=" + versions["/static/app.js"], nil, http.StatusOK, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"stylesheet", http.MethodGet, "/static/app.css", nil, http.StatusOK, "text/css; charset=utf-8", "public, max-age=3600"},
		{"icon", http.MethodGet, "/static/favicon.svg", nil, http.StatusOK, "image/svg+xml", "public, max-age=3600"},
		{"unknown asset", http.MethodGet, "/static/nope.js", nil, http.StatusNotFound, "", ""},
		{"directory", http.MethodGet, "/static/", nil, http.StatusNotFound, "", ""},
		{"traversal", http.MethodGet, "/static/../web.go", nil, http.StatusNotFound, "", ""},
		{"other path", http.MethodGet, "/calls", nil, http.StatusNotFound, "", ""},
		{"post", http.MethodPost, "/", nil, http.StatusMethodNotAllowed, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, h, tc.method, tc.target, tc.header)
			assert.Equal(t, tc.status, resp.StatusCode)
			if tc.status != http.StatusOK {
				return
			}
			assert.Equal(t, tc.contentType, resp.Header.Get("Content-Type"))
			assert.Equal(t, tc.cache, resp.Header.Get("Cache-Control"))
			assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			csp := resp.Header.Get("Content-Security-Policy")
			assert.Contains(t, csp, "script-src 'self'")
			assert.NotContains(t, csp, "unsafe-inline")

			// The ETag revalidates: the same content is a 304 with no body.
			etag := resp.Header.Get("ETag")
			require.NotEmpty(t, etag)
			again := get(t, h, tc.method, tc.target, http.Header{"If-None-Match": {etag}})
			assert.Equal(t, http.StatusNotModified, again.StatusCode)
			assert.Empty(t, body(t, again))
		})
	}

	t.Run("gzip", func(t *testing.T) {
		plain := body(t, get(t, h, http.MethodGet, "/static/app.js", nil))
		for _, tc := range []struct {
			accept string
			gzip   bool
		}{
			{"gzip, deflate, br", true},
			{"br;q=1.0, gzip;q=0.8", true},
			{"*", true},
			{"gzip;q=0", false},
			{"gzip; q=0.000", false},
			{"br", false},
			{"", false},
		} {
			resp := get(t, h, http.MethodGet, "/static/app.js", http.Header{"Accept-Encoding": {tc.accept}})
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "Accept-Encoding", resp.Header.Get("Vary"))
			if !tc.gzip {
				assert.Empty(t, resp.Header.Get("Content-Encoding"), tc.accept)
				assert.Equal(t, plain, body(t, resp), tc.accept)
				continue
			}
			assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"), tc.accept)
			raw := body(t, resp)
			assert.Less(t, len(raw), len(plain)/2)
			zr, err := gzip.NewReader(strings.NewReader(raw))
			require.NoError(t, err)
			b, err := io.ReadAll(zr)
			require.NoError(t, err)
			assert.Equal(t, plain, string(b), "the same script, compressed")
			etag := resp.Header.Get("ETag")
			assert.NotEqual(t, get(t, h, http.MethodGet, "/static/app.js", nil).Header.Get("ETag"), etag, "each encoding has its own validator")
		}
	})

	t.Run("versions follow content", func(t *testing.T) {
		for path, v := range versions {
			resp := get(t, h, http.MethodGet, path, nil)
			require.Equal(t, http.StatusOK, resp.StatusCode, path)
			assert.True(t, strings.HasPrefix(strings.Trim(resp.Header.Get("ETag"), `"`), v), "%s: version %s is its ETag's prefix", path, v)
		}
	})
}
