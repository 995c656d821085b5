package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerTiming checks that every answer, success or error, carries the
// server's own time as Server-Timing "app;dur=<ms>".
func TestServerTiming(t *testing.T) {
	e := newEnv(t, envOpts{})
	tests := []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"analysis", jsonReq(http.MethodPost, "/analyze_call", mustJSON(map[string]string{"dialog_text": "Менеджер: Добрый день!\nКлиент: Здравствуйте.", "content_mode": "Manager+"})), http.StatusOK},
		{"health", httptest.NewRequest(http.MethodGet, "/healthz", nil), http.StatusOK},
		{"validation error", jsonReq(http.MethodPost, "/analyze_call", `{"dialog_text": ""}`), http.StatusUnprocessableEntity},
		{"unknown route", httptest.NewRequest(http.MethodGet, "/nope", nil), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(tt.req)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			v := rec.Header().Get("Server-Timing")
			dur, ok := strings.CutPrefix(v, "app;dur=")
			require.True(t, ok, "Server-Timing %q", v)
			ms, err := strconv.ParseFloat(dur, 64)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, ms, 0.0)
		})
	}
}
