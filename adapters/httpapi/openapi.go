package httpapi

import (
	"context"
	_ "embed"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/callaudit/callaudit"
)

// openapiYAML is the API description, written by hand next to the handlers
// it describes; tests validate every handler response against it.
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the API description as a parsed OpenAPI 3 document, e.g.
// for a client generator or a test that validates responses.
func OpenAPI(version string) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInternal, "httpapi.OpenAPI", "the embedded OpenAPI document does not load")
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInternal, "httpapi.OpenAPI", "the embedded OpenAPI document is invalid")
	}
	if version != "" {
		doc.Info.Version = version
	}
	return doc, nil
}

// specJSON renders the document served at /openapi.json.
func specJSON(version string) ([]byte, error) {
	doc, err := OpenAPI(version)
	if err != nil {
		return nil, err
	}
	b, err := doc.MarshalJSON()
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInternal, "httpapi.OpenAPI", "cannot render the OpenAPI document")
	}
	return b, nil
}

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*") // a public description; lets other docs tools load it
	_, _ = w.Write(h.spec)
}
