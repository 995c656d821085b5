// Package web is the reference server's browser UI: one page that pastes
// or uploads a call for analysis and browses the stored history, managers
// and per-call reports, talking only to the JSON API of adapters/httpapi.
//
// Everything is embedded (HTML, CSS and one vanilla JavaScript file) so the
// UI works with no internet access and no build step. Mount Handler at
// "GET /{$}" and "GET /static/" of any mux; httpapi.Config.UI does that.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed index.html static
var files embed.FS

// contentSecurityPolicy allows only this origin's scripts, styles and API:
// the UI never needs a third party, and any injected markup cannot run.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// asset is one embedded file with the validator a browser revalidates with
// and, for text worth compressing, its gzip form made once at start-up.
type asset struct {
	body        []byte
	gz          []byte // nil when not worth it
	etag        string
	contentType string
}

var (
	loadOnce sync.Once
	page     asset
	assets   map[string]asset // by URL path, "/static/app.js"
)

// load reads the embedded files once. index.html refers to its assets with
// a content hash in the query string, so a new release is never mixed with
// a cached old script, while unchanged assets stay cached.
func load() {
	assets = map[string]asset{}
	_ = fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		assets["/"+p] = newAsset(b, contentTypeOf(p))
		return nil
	})
	b, _ := files.ReadFile("index.html")
	for p, a := range assets {
		ref := []byte(`"` + p + `"`)
		b = bytes.ReplaceAll(b, ref, []byte(`"`+p+"?v="+strings.Trim(a.etag, `"`)[:12]+`"`))
	}
	page = newAsset(b, "text/html; charset=utf-8")
}

func newAsset(b []byte, ct string) asset {
	sum := sha256.Sum256(b)
	a := asset{body: b, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, contentType: ct}
	if len(b) >= 1024 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		if zw.Close() == nil && buf.Len() < len(b)*9/10 {
			a.gz = buf.Bytes()
		}
	}
	return a
}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a non-zero quality.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "*" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		if q == "q=0" || strings.HasPrefix(q, "q=0.") && strings.Trim(q[4:], "0") == "" {
			return false
		}
		return true
	}
	return false
}

// contentTypeOf names the types of the files this package ships; the
// system MIME table differs between machines and may lack some.
func contentTypeOf(p string) string {
	switch path.Ext(p) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".ico":
		return "image/x-icon"
	}
	return "application/octet-stream"
}

// Handler serves the page at "/" and its assets under "/static/". Other
// paths are 404, and methods other than GET and HEAD are 405, so that it
// can also be mounted on a catch-all pattern.
func Handler() http.Handler {
	loadOnce.Do(load)
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var (
		a     asset
		cache string
	)
	switch p := r.URL.Path; {
	case p == "/" || p == "/index.html":
		// The page is small and names the current asset versions: always
		// revalidate it.
		a, cache = page, "no-cache"
	default:
		var ok bool
		if a, ok = assets[p]; !ok {
			http.NotFound(w, r)
			return
		}
		cache = "public, max-age=3600"
		if r.URL.Query().Get("v") != "" {
			// A versioned URL never changes its content.
			cache = "public, max-age=31536000, immutable"
		}
	}
	h := w.Header()
	body, etag := a.body, a.etag
	if a.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			// The encoded bytes are a different representation, so they
			// get their own validator.
			body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", cache)
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	// ServeContent answers If-None-Match against the ETag with 304 and
	// handles HEAD and Range.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
