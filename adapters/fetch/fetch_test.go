package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// wav is a short valid recording.
var wav = transcribetest.WAV(0.25, 8000, 1)

// testConfig allows the loopback test server and keeps failures quick.
func testConfig(t *testing.T) Config {
	return Config{
		AllowHosts: []string{"127.0.0.1"},
		TempDir:    t.TempDir(),
		Retry:      retry.Policy{Attempts: 1},
	}
}

func newFetcher(t *testing.T, cfg Config) *Fetcher {
	t.Helper()
	f, err := New(cfg)
	require.NoError(t, err)
	return f
}

// assertNoTempFiles checks that nothing is left behind in dir.
func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "temporary files left behind")
}

func TestPolicyAddresses(t *testing.T) {
	tests := []struct {
		addr                    string
		byDefault, withPrivate  bool
		withHost127, withCIDR10 bool
	}{
		{"8.8.8.8", true, true, true, true},
		{"2001:4860:4860::8888", true, true, true, true},
		{"127.0.0.1", false, false, true, false},
		{"127.0.0.2", false, false, false, false},
		{"::1", false, false, false, false},
		{"::ffff:127.0.0.1", false, false, false, false},
		{"10.1.2.3", false, true, false, true},
		{"10.200.0.1", false, true, false, false},
		{"172.16.5.4", false, true, false, false},
		{"192.168.1.10", false, true, false, false},
		{"100.64.0.1", false, true, false, false},
		{"fd00::1", false, true, false, false},
		{"169.254.169.254", false, false, false, false},
		{"fe80::1", false, false, false, false},
		{"0.0.0.0", false, false, false, false},
		{"::", false, false, false, false},
		{"224.0.0.1", false, false, false, false},
		{"ff02::1", false, false, false, false},
		{"255.255.255.255", false, false, false, false},
	}
	policies := map[string]*policy{}
	for name, args := range map[string]struct {
		hosts   []string
		private bool
	}{
		"default": {nil, false},
		"private": {nil, true},
		"host127": {[]string{"127.0.0.1"}, false},
		"cidr10":  {[]string{"10.1.0.0/16"}, false},
	} {
		p, err := newPolicy(args.hosts, args.private)
		require.NoError(t, err)
		policies[name] = p
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			a := netip.MustParseAddr(tt.addr)
			assert.Equal(t, tt.byDefault, policies["default"].allowedAddr(a), "default")
			assert.Equal(t, tt.withPrivate, policies["private"].allowedAddr(a), "AllowPrivate")
			assert.Equal(t, tt.withHost127, policies["host127"].allowedAddr(a), "AllowHosts 127.0.0.1")
			assert.Equal(t, tt.withCIDR10, policies["cidr10"].allowedAddr(a), "AllowHosts 10.1.0.0/16")
		})
	}
}

func TestNewRejectsBadAllowHosts(t *testing.T) {
	for _, h := range []string{"http://pbx.lan", "10.0.0.0/99", "user@host", "a b"} {
		_, err := New(Config{AllowHosts: []string{h}})
		require.Error(t, err, h)
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), h)
	}
	_, err := New(Config{AllowHosts: []string{"pbx.office.lan", "10.0.0.5", "[::1]", "192.168.0.0/24", " "}})
	assert.NoError(t, err)
}

func TestFetchHappyPath(t *testing.T) {
	body := wav
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A misleading name and content type: the format comes from the bytes.
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	cfg := testConfig(t)
	f := newFetcher(t, cfg)

	audio, release, err := f.Fetch(context.Background(), srv.URL+"/records/call-17.mp3?token=secret")
	require.NoError(t, err)
	assert.Equal(t, "call-17.wav", audio.Filename)
	assert.Equal(t, "audio/wav", audio.ContentType)
	assert.Equal(t, int64(len(body)), audio.Size)
	got, err := io.ReadAll(audio.Reader())
	require.NoError(t, err)
	assert.Equal(t, body, got)

	entries, err := os.ReadDir(cfg.TempDir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.True(t, strings.HasSuffix(entries[0].Name(), ".wav"), entries[0].Name())

	release()
	release() // a second call is harmless
	assertNoTempFiles(t, cfg.TempDir)
}

func TestFetchNamesFileWhenURLHasNoName(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 100)...))
	}))
	defer srv.Close()
	audio, release, err := newFetcher(t, testConfig(t)).Fetch(context.Background(), srv.URL+"/")
	require.NoError(t, err)
	defer release()
	assert.Equal(t, "audio.mp3", audio.Filename)
	assert.Equal(t, "audio/mpeg", audio.ContentType)
}

func TestFetchRefusesLoopbackByDefault(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write(wav)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()

	for _, u := range []string{
		srv.URL + "/a.wav",
		fmt.Sprintf("http://127.0.0.2:%d/a.wav", port),
		fmt.Sprintf("http://localhost:%d/a.wav", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/a.wav", port),
		"http://0.0.0.0:1/a.wav",
	} {
		t.Run(u, func(t *testing.T) {
			dir := t.TempDir()
			f := newFetcher(t, Config{TempDir: dir, Retry: retry.Policy{Attempts: 1}})
			_, _, err := f.Fetch(context.Background(), u)
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), err.Error())
			assert.Contains(t, callaudit.MessageOf(err), "list the host in AUDIT_FETCH_ALLOW_HOSTS")
			// AUDIT_FETCH_ALLOW_PRIVATE would not open a loopback address:
			// the message must not send the reader there.
			assert.Contains(t, callaudit.MessageOf(err), "AUDIT_FETCH_ALLOW_PRIVATE opens the private networks only, never loopback")
			assertNoTempFiles(t, dir)
		})
	}
	assert.Zero(t, hits.Load(), "a refused address must not be connected to")
}

func TestFetchAllowHostsByName(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(wav)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()
	f := newFetcher(t, Config{AllowHosts: []string{"LOCALHOST"}, TempDir: t.TempDir(), Retry: retry.Policy{Attempts: 1}})
	_, release, err := f.Fetch(context.Background(), fmt.Sprintf("http://localhost:%d/x", port))
	require.NoError(t, err)
	release()
}

func TestFetchRefusesRedirectToInternal(t *testing.T) {
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(wav)
	}))
	defer inner.Close()
	innerPort := inner.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()

	tests := []struct {
		name, location string
		wantMsg        string
	}{
		// Control refuses these before any packet leaves the machine.
		{"other loopback", fmt.Sprintf("http://127.0.0.2:%d/a.wav", innerPort), "internal address"},
		{"private", "http://10.1.2.3/a.wav", "internal address"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "internal address"},
		{"ipv6 loopback", fmt.Sprintf("http://[::1]:%d/a.wav", innerPort), "internal address"},
		{"scheme", "ftp://files.example.com/a.wav", "only http and https"},
		{"file scheme", "file:///etc/passwd", "only http and https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.RedirectHandler(tt.location, http.StatusFound))
			defer srv.Close()
			cfg := testConfig(t)
			_, _, err := newFetcher(t, cfg).Fetch(context.Background(), srv.URL+"/start")
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), err.Error())
			assert.Contains(t, callaudit.MessageOf(err), tt.wantMsg)
			assertNoTempFiles(t, cfg.TempDir)
		})
	}
}

func TestFetchRedirects(t *testing.T) {
	tests := []struct {
		name         string
		maxRedirects int
		chain        int // redirects before the file
		wantHits     int32
		wantErr      bool
	}{
		{"within the default", 0, 5, 6, false},
		{"loop bounded by default", 0, 1000, DefaultMaxRedirects + 1, true},
		{"loop bounded by config", 2, 1000, 3, true},
		{"disabled", -1, 1, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := hits.Add(1)
				if int(n) <= tt.chain {
					http.Redirect(w, r, fmt.Sprintf("/hop%d", n), http.StatusFound)
					return
				}
				_, _ = w.Write(wav)
			}))
			defer srv.Close()
			cfg := testConfig(t)
			cfg.MaxRedirects = tt.maxRedirects
			_, release, err := newFetcher(t, cfg).Fetch(context.Background(), srv.URL+"/start")
			assert.Equal(t, tt.wantHits, hits.Load())
			if tt.wantErr {
				require.Error(t, err)
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
				assert.Contains(t, callaudit.MessageOf(err), "redirect")
				return
			}
			require.NoError(t, err)
			release()
		})
	}
}

func TestFetchSizeLimit(t *testing.T) {
	body := transcribetest.WAV(8, 8000, 1) // 128 KB
	limit := int64(len(body) / 2)
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"content length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			_, _ = w.Write(body)
		}},
		{"streamed without length", func(w http.ResponseWriter, r *http.Request) {
			fl := w.(http.Flusher)
			for off := 0; off < len(body); off += 4096 {
				if _, err := w.Write(body[off:min(off+4096, len(body))]); err != nil {
					return
				}
				fl.Flush()
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			cfg := testConfig(t)
			cfg.MaxBytes = limit
			_, _, err := newFetcher(t, cfg).Fetch(context.Background(), srv.URL+"/big.wav")
			require.Error(t, err)
			assert.Equal(t, callaudit.KindTooLarge, callaudit.KindOf(err), err.Error())
			assert.Contains(t, callaudit.MessageOf(err), byteSize(limit))
			assertNoTempFiles(t, cfg.TempDir)
		})
	}
	t.Run("exactly the limit", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
		defer srv.Close()
		cfg := testConfig(t)
		cfg.MaxBytes = int64(len(body))
		audio, release, err := newFetcher(t, cfg).Fetch(context.Background(), srv.URL+"/ok.wav")
		require.NoError(t, err)
		defer release()
		assert.Equal(t, int64(len(body)), audio.Size)
	})
}
