package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
)

// The WHATWG URL standard's IPv4 forms, read as browsers and curl read
// them (expected values from the standard's examples and
// web-platform-tests' url data).
func TestParseIPv4Host(t *testing.T) {
	tests := []struct {
		host string
		want string // "" for a name; "!" for a numeric host that is no address
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0X7F000001", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0177.0.0.01", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0x7f.0.0.0x1", "127.0.0.1"},
		{"127.0.0.1.", "127.0.0.1"},
		{"0", "0.0.0.0"},
		{"0x", "0.0.0.0"},
		{"169.254.43518", "169.254.169.254"},
		{"0xa9fea9fe", "169.254.169.254"},
		{"３２３２２３５５２１", "192.168.0.1"}, // full-width digits
		{"10.0.0.0x1", "10.0.0.1"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", "!"},
		{"256.0.0.1", "!"},
		{"1.2.3.4.5", "!"},
		{"089.0.0.1", "!"},
		{"0x1g.0.0.1", ""}, // last part 1 is a number, first is not: refused below
		{"1.2.3.09", "!"},
		{"example.com", ""},
		{"1.example", ""},
		{"example.0x", "!"},
		{"pbx-01", ""},
		{"0x7g", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			addr, ok, err := parseIPv4Host(tt.host)
			switch tt.want {
			case "":
				if ok {
					assert.Error(t, err, "a host ending in a number is an address or refused")
					return
				}
				assert.False(t, ok)
			case "!":
				assert.True(t, ok)
				assert.Error(t, err)
			default:
				require.NoError(t, err)
				assert.True(t, ok)
				assert.Equal(t, tt.want, addr.String())
			}
		})
	}
}

// Numeric hosts are checked as the addresses they are, never looked up:
// refused as internal by default, fetched from when the address is
// allowed (no DNS server would know a name like 2130706433).
func TestFetchNumericHosts(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write(wav)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()
	forms := []string{"2130706433", "0x7f000001", "0177.0.0.1", "127.1", "127.0.0.1.", "0x7f.1"}
	for _, h := range forms {
		u := fmt.Sprintf("http://%s:%d/a.wav", h, port)
		t.Run("refused "+h, func(t *testing.T) {
			f := newFetcher(t, Config{TempDir: t.TempDir(), Retry: retry.Policy{Attempts: 1}})
			for _, err := range []error{f.CheckURL(u), func() error { _, _, err := f.Fetch(context.Background(), u); return err }()} {
				require.Error(t, err)
				code, _ := callaudit.CodeOf(err)
				assert.Equal(t, callaudit.CodeFetchInternalAddress, code, err.Error())
			}
		})
		t.Run("allowed "+h, func(t *testing.T) {
			f := newFetcher(t, testConfig(t))
			require.NoError(t, f.CheckURL(u))
			audio, release, err := f.Fetch(context.Background(), u)
			require.NoError(t, err)
			defer release()
			assert.Equal(t, int64(len(wav)), audio.Size)
		})
	}
	assert.Equal(t, int32(len(forms)), hits.Load(), "only the allowed fetches connected")

	t.Run("redirect to a numeric host", func(t *testing.T) {
		redir := httptest.NewServer(http.RedirectHandler(fmt.Sprintf("http://2130706433:%d/a.wav", port), http.StatusFound))
		defer redir.Close()
		// The redirecting server is allowed by name; its target is not.
		f := newFetcher(t, Config{AllowHosts: []string{"localhost"}, TempDir: t.TempDir(), Retry: retry.Policy{Attempts: 1}})
		rport := redir.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()
		_, _, err := f.Fetch(context.Background(), fmt.Sprintf("http://localhost:%d/r", rport))
		require.Error(t, err)
		code, _ := callaudit.CodeOf(err)
		assert.Equal(t, callaudit.CodeFetchInternalAddress, code, err.Error())
	})
	t.Run("not an address", func(t *testing.T) {
		f := newFetcher(t, testConfig(t))
		for _, u := range []string{"http://256.0.0.1/a.wav", "http://1.2.3.4.5/a.wav", "http://4294967296/a.wav"} {
			require.Error(t, f.CheckURL(u), u)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(f.CheckURL(u)))
		}
	})
}

// CheckURL answers without the network what Fetch would refuse first.
func TestCheckURL(t *testing.T) {
	f := newFetcher(t, Config{TempDir: t.TempDir()})
	for u, ok := range map[string]bool{
		"https://pbx.example.com/a.wav":      true,
		"http://93.184.216.34/a.wav":         true,
		"ftp://pbx.example.com/a.wav":        false,
		"/relative.wav":                      false,
		"http://localhost:8000/a.wav":        false,
		"http://rec.localhost/a.wav":         false,
		"http://[::1]/a.wav":                 false,
		"http://169.254.169.254/latest/meta": false,
		"http://0xa9fea9fe/latest/meta":      false,
		"http://10.0.0.7/a.wav":              false,
		"http://[::ffff:10.0.0.7]/a.wav":     false,
	} {
		err := f.CheckURL(u)
		if ok {
			assert.NoError(t, err, u)
			continue
		}
		require.Error(t, err, u)
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), u)
	}
	private := newFetcher(t, Config{TempDir: t.TempDir(), AllowPrivate: true})
	assert.NoError(t, private.CheckURL("http://10.0.0.7/a.wav"))
}
