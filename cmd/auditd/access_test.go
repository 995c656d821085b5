package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPublicAddressWithoutAccountsRefused: on 0.0.0.0 with no account the
// server does not start and says how to create the first admin.
func TestPublicAddressWithoutAccountsRefused(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runBinary(t, dir, []string{"AUDIT_ADDR=0.0.0.0:0"})
	assert.NotEqual(t, 0, code)
	assert.Contains(t, errOut, "refusing to start")
	assert.Contains(t, errOut, "callaudit user add --admin NAME")
	assert.Contains(t, errOut, "AUDIT_ADMIN_PASSWORD")
	assert.NotContains(t, errOut, `"listening"`)
	assert.NotContains(t, errOut, "msg=listening")
}

func getJSON(t *testing.T, client *http.Client, target string) (int, map[string]any) {
	t.Helper()
	resp, err := client.Get(target)
	require.NoError(t, err)
	defer resp.Body.Close()
	var v map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &v)
	return resp.StatusCode, v
}

// TestLoopbackWithoutAccountsIsLocalMode: the two-command start still
// works: on loopback with no account every request is served, and GET /me
// says local mode.
func TestLoopbackWithoutAccountsIsLocalMode(t *testing.T) {
	p := start(t, t.TempDir())
	code, me := getJSON(t, http.DefaultClient, p.base+"/me")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "local", me["kind"])
	assert.Equal(t, true, me["local_mode"])
	resp, body := postJSON(t, p.base+"/analyze_call", analyzeBody("local-1"))
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, p.logs.String(), "local mode")
}

// TestFirstAdminFromEnvironment: AUDIT_ADMIN_PASSWORD creates the first
// admin, who can sign in on a public address; anonymous requests are
// refused, and the password is in no log line and not in the database
// file.
func TestFirstAdminFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	const password = "first-admin-Pa55"
	p := start(t, dir, "AUDIT_ADDR=0.0.0.0:0", "AUDIT_ADMIN_PASSWORD="+password, "AUDIT_ADMIN_LOGIN=Boss")
	base := strings.Replace(p.base, "[::]", "127.0.0.1", 1)
	base = strings.Replace(base, "0.0.0.0", "127.0.0.1", 1)
	code, _ := getJSON(t, http.DefaultClient, base+"/calls")
	assert.Equal(t, http.StatusUnauthorized, code)

	resp, body := postJSON(t, base+"/login", `{"login":"boss","password":"`+password+`"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	u, _ := url.Parse(base)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	jar.SetCookies(u, resp.Cookies())
	client := &http.Client{Jar: jar}
	code, me := getJSON(t, client, base+"/me")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "admin", me["role"])
	code, _ = getJSON(t, client, base+"/calls")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, 0, p.stop(t))

	assert.NotContains(t, p.logs.String(), password)
	assert.Contains(t, p.logs.String(), "created the first admin")
	for _, name := range []string{"callaudit.db", "callaudit.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			assert.NotContains(t, string(data), password, "%s holds the password in clear", name)
		}
	}
}

// TestAuthOffIsLogged: AUDIT_AUTH=off starts anywhere, and says so.
func TestAuthOffIsLogged(t *testing.T) {
	p := start(t, t.TempDir(), "AUDIT_ADDR=0.0.0.0:0", "AUDIT_AUTH=off")
	assert.Contains(t, p.logs.String(), "AUDIT_AUTH=off")
	base := strings.Replace(strings.Replace(p.base, "[::]", "127.0.0.1", 1), "0.0.0.0", "127.0.0.1", 1)
	code, me := getJSON(t, http.DefaultClient, base+"/me")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "local", me["kind"])
	assert.Equal(t, false, me["accounts"])
}
