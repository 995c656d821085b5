package httpapi

import (
	"embed"
	"io/fs"
	"net/http"
)

// swaggerUI holds the swagger-ui assets (see swaggerui/README.md for their
// version and licence). They are embedded so that /docs works offline.
//
//go:embed swaggerui/swagger-ui-bundle.js swaggerui/swagger-ui.css swaggerui/favicon-32x32.png swaggerui/init.js swaggerui/LICENSE swaggerui/NOTICE
var swaggerUI embed.FS

// docsHTML is the /docs page. Asset paths are relative so that the page
// works when the handler is mounted under a prefix.
const docsHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>callaudit API</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/init.js"></script>
</body>
</html>
`

// docsCSP allows only the embedded assets; swagger-ui sets inline styles
// and shows data: images.
const docsCSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"

func (h *Handler) docsPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", docsCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(docsHTML))
}

// docsSlash sends /docs/ on to /docs with a permanent redirect (308):
// the page's relative asset paths resolve only from /docs. The Location is
// relative too, so that it holds under a mount prefix.
func docsSlash(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Location", "../docs")
	w.WriteHeader(http.StatusPermanentRedirect)
}

// docsAssets serves the embedded swagger-ui files.
func docsAssets() http.Handler {
	sub, err := fs.Sub(swaggerUI, "swaggerui")
	if err != nil {
		panic(err) // the embedded path is fixed at build time
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The files change only with a new build.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
