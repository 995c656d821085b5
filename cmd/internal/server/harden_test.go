package server

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/callaudit/callaudit/storage/storagetest"
)

// startServer runs the whole server with env over the test defaults and
// returns its address.
func startServer(t *testing.T, env map[string]string) string {
	t.Helper()
	cfg := testConfig(t, env)
	logs := &syncBuffer{}
	app := fx.New(options(t, cfg, slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, app.Start(context.Background()))
	t.Cleanup(func() { _ = app.Stop(context.Background()) })
	return listenAddr(t, logs.String())
}

// rawRequest sends text over a new connection and returns the status
// line of the answer, or the read error.
func rawRequest(t *testing.T, addr, text string, wait time.Duration) (string, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, text)
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(wait)))
	return bufio.NewReader(c).ReadString('\n')
}

// The findings of the security probe (issue 18), against the real server.
func TestHardenedServer(t *testing.T) {
	addr := startServer(t, map[string]string{
		"AUDIT_PUBLIC_URL":        "https://audit.example.com/",
		"AUDIT_ALLOWED_HOSTS":     "intranet.corp",
		"AUDIT_JSON_READ_TIMEOUT": "300ms",
	})
	base := "http://" + addr

	t.Run("Host names", func(t *testing.T) {
		for host, want := range map[string]int{
			addr: 200, "localhost": 200, "audit.example.com": 200, "intranet.corp:8000": 200,
			"rebound.evil.example": 421, "audit.example.com.evil.example": 421,
		} {
			req, err := http.NewRequest(http.MethodGet, base+"/calls", nil)
			require.NoError(t, err)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, want, resp.StatusCode, host)
		}
	})

	t.Run("cross-site upload and text", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, err := mw.CreateFormFile("audio", "a.wav")
		require.NoError(t, err)
		_, _ = fw.Write([]byte("RIFF"))
		require.NoError(t, mw.Close())
		for _, r := range []struct{ path, ctype, body string }{
			{"/analyze_audio_call", mw.FormDataContentType(), body.String()},
			{"/analyze_call", "text/plain", `{"dialog_text":"Менеджер: Добрый день!"}`},
		} {
			req, err := http.NewRequest(http.MethodPost, base+r.path, strings.NewReader(r.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", r.ctype)
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, r.path)
		}
	})

	t.Run("no Content-Type", func(t *testing.T) {
		resp, err := http.Post(base+"/analyze_call", "", strings.NewReader(`{"dialog_text":"Менеджер: Добрый день!"}`))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
	})

	t.Run("NUL and bidi ids", func(t *testing.T) {
		for _, body := range []string{
			`{"dialog_text":"Менеджер: Добрый день!","call_id":"nul\u0000id"}`,
			`{"dialog_text":"Менеджер: Добрый день!","manager_id":"m\u202ex"}`,
		} {
			resp, err := http.Post(base+"/analyze_call", "application/json", strings.NewReader(body))
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, body)
		}
		for _, path := range []string{"/calls/nul%00id", "/calls?manager_id=m%00x", "/managers/m%00x/stats", "/calls/a%E2%80%AEb"} {
			resp, err := http.Get(base + path)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, path)
		}
	})

	t.Run("declared 2 GB on a JSON route", func(t *testing.T) {
		start := time.Now()
		line, err := rawRequest(t, addr, "POST /analyze_call HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n{\"dialog_text\":\"", 5*time.Second)
		require.NoError(t, err)
		assert.Contains(t, line, " 413 ")
		assert.Less(t, time.Since(start), 2*time.Second)
	})

	t.Run("declared over the upload limit", func(t *testing.T) {
		line, err := rawRequest(t, addr, "POST /analyze_audio_call HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 99999999999\r\n\r\n--x\r\n", 5*time.Second)
		require.NoError(t, err)
		// Without speech-to-text the route answers 503 first; either way
		// nothing of the body is waited for.
		assert.Regexp(t, ` (413|503) `, line)
	})

	t.Run("a trickled JSON body does not hold the connection", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		_, err = io.WriteString(c, "POST /analyze_call HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		require.NoError(t, err)
		start := time.Now()
		require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
		// The answer (a 400: the body could not be read) or the close
		// comes after the JSON read timeout, not the 15-minute one.
		_, _ = io.ReadAll(c)
		assert.Less(t, time.Since(start), 3*time.Second)
	})
}

// A cap on connections: clients over it wait until one closes.
func TestMaxConnections(t *testing.T) {
	addr := startServer(t, map[string]string{"AUDIT_MAX_CONNECTIONS": "2"})
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		// A request in flight so that the server has accepted it.
		_, err = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
		require.NoError(t, err)
		_, err = bufio.NewReader(c).ReadString('\n')
		require.NoError(t, err)
		held = append(held, c)
	}
	_, err := rawRequest(t, addr, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", 300*time.Millisecond)
	require.Error(t, err, "a third connection is not served while two are open")
	held[0].Close()
	line, err := rawRequest(t, addr, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", 5*time.Second)
	require.NoError(t, err)
	assert.Contains(t, line, " 200 ")
	held[1].Close()
}

// The startup log and the failure, for every form of PostgreSQL string
// with a password, hold no password (nothing listens on port 1).
func TestStartupLogHidesDatabasePasswords(t *testing.T) {
	const pw = "Hunter2-Secret"
	for _, dsn := range []string{
		"postgres://audit:" + pw + "@127.0.0.1:1/audit?sslmode=disable&connect_timeout=2",
		"postgres://audit@127.0.0.1:1/audit?sslmode=disable&connect_timeout=2&password=" + pw,
		"postgresql://audit@127.0.0.1:1/audit?sslmode=disable&connect_timeout=2&sslpassword=" + pw,
		"host=127.0.0.1 port=1 user=audit password=" + pw + " dbname=audit sslmode=disable connect_timeout=2",
		"host=127.0.0.1 port=1 password='" + pw + " x' sslmode=disable connect_timeout=2",
		"postgres://audit:" + pw + "@127.0.0.1:notaport/audit",
		"mysql://root:" + pw + "@127.0.0.1/audit",
	} {
		t.Run(strings.ReplaceAll(dsn, pw, "PW"), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			t.Setenv("AUDIT_DATABASE_URL", dsn)
			t.Setenv("AUDIT_ADDR", "127.0.0.1:0")
			t.Setenv("AUDIT_LOG_LEVEL", "debug")
			var logs bytes.Buffer
			assert.NotEqual(t, ExitOK, Run(filepath.Join(dir, ".env"), &logs))
			assert.NotEmpty(t, logs.String())
			assert.NotContains(t, logs.String(), pw)
			assert.NotContains(t, logs.String(), "Hunter2")
			files, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, files, "no SQLite file was made from the string")
		})
	}
}

// freshPostgres creates an empty database on the test server and returns
// its URL; it is dropped after the test.
func freshPostgres(t *testing.T) string {
	return storagetest.PostgresDatabase(t, os.Getenv, "harden_test_")
}

// On PostgreSQL a NUL in an id made the save fail (SQLSTATE 22021) under
// a 200, and the lookups answer 500; now each is a 422 before the
// database is asked, and a good id still round-trips.
func TestIDsOnPostgres(t *testing.T) {
	base := "http://" + startServer(t, map[string]string{"AUDIT_DATABASE_URL": freshPostgres(t)})
	post := func(body string) int {
		resp, err := http.Post(base+"/analyze_call", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnprocessableEntity, post(`{"dialog_text":"Менеджер: Добрый день!","call_id":"nul\u0000id"}`))
	assert.Equal(t, http.StatusUnprocessableEntity, post(`{"dialog_text":"Менеджер: Добрый день!","manager_id":"m\u0000x"}`))
	for _, path := range []string{"/calls/nul%00id", "/calls?manager_id=m%00x", "/managers/m%00x/stats", "/calls?format=csv&manager_id=m%00x"} {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, path)
	}
	require.Equal(t, http.StatusOK, post(`{"dialog_text":"Менеджер: Добрый день!","call_id":"звонок 17/2026","manager_id":"анна"}`))
	resp, err := http.Get(base + "/calls/" + url.PathEscape("звонок 17/2026"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
