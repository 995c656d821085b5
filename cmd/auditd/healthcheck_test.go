package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProbeURL(t *testing.T) {
	tests := []struct {
		addr    string
		ready   bool
		want    string
		wantErr string
	}{
		{"127.0.0.1:8000", false, "http://127.0.0.1:8000/healthz", ""},
		{"0.0.0.0:8000", false, "http://127.0.0.1:8000/healthz", ""},
		{":9000", true, "http://127.0.0.1:9000/readyz", ""},
		{"[::]:8000", false, "http://[::1]:8000/healthz", ""},
		{"auditd.internal:8000", false, "http://auditd.internal:8000/healthz", ""},
		{"127.0.0.1:0", false, "", "no fixed port"},
		{"8000", false, "", "missing port"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := probeURL(tt.addr, tt.ready)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// auditd healthcheck against a real server listening on the wildcard
// address, as in the container: 0 while it runs, 1 once it is gone.
func TestHealthcheckCommand(t *testing.T) {
	p := start(t, t.TempDir(), "AUDIT_ADDR=0.0.0.0:0", "AUDIT_ADMIN_PASSWORD=health-Admin-3")
	_, port, err := net.SplitHostPort(strings.TrimPrefix(p.base, "http://"))
	require.NoError(t, err)
	env := []string{"AUDIT_ADDR=0.0.0.0:" + port}

	code, out, errOut := runBinary(t, t.TempDir(), env, "healthcheck")
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"status":"ok"`)
	code, out, errOut = runBinary(t, t.TempDir(), env, "healthcheck", "-ready")
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"status":"ready"`)

	require.Equal(t, 0, p.stop(t))
	code, _, errOut = runBinary(t, t.TempDir(), env, "healthcheck", "-timeout", "2s")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "connection refused")
}

func TestHealthcheckFailures(t *testing.T) {
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"not ready"}`, http.StatusServiceUnavailable)
	}))
	defer sick.Close()
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"unhealthy answer", []string{"AUDIT_ADDR=" + sick.Listener.Addr().String()}, nil, 1, "503 Service Unavailable"},
		{"port 0", []string{"AUDIT_ADDR=127.0.0.1:0"}, nil, 2, "no fixed port"},
		{"bad configuration", []string{"AUDIT_ADDR=127.0.0.1:1", "AUDIT_LOG_LEVEL=loud"}, nil, 2, "AUDIT_LOG_LEVEL"},
		{"bad flag", nil, []string{"-url", "x"}, 2, "Usage: auditd healthcheck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runBinary(t, t.TempDir(), tt.env, append([]string{"healthcheck"}, tt.args...)...)
			assert.Equal(t, tt.code, code, errOut)
			assert.Contains(t, errOut, tt.want)
		})
	}
}
