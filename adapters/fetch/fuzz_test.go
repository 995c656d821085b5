package fetch

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/callaudit/callaudit"
)

// FuzzCheckURL feeds arbitrary URLs to the URL policy: it never panics,
// refuses only with KindInvalid, and never lets through a URL whose host
// is an internal address in any numeric form a browser reads; what it
// reads as an address is one browsers read the same (a dotted quad
// parses back to itself).
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://pbx.example.com/rec/a.wav?token=x", "http://127.0.0.1:8000/a.wav", "http://2130706433/", "http://0x7f000001/",
		"http://0177.0.0.1/", "http://127.1/", "http://127.0.0.1./", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/",
		"http://0xa9fea9fe/", "http://３２３２２３５５２１/", "http://localhost/", "http://a.localhost./", "ftp://x/", "http://4294967296/",
		"http://1.2.3.4.5/", "http://0x/", "http://example.0x/", "http://user:pw@10.0.0.1:99/", "//no-scheme/a.wav", "http://%31%32%37.1/", "",
	} {
		f.Add(s)
	}
	fe, err := New(Config{TempDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := fe.CheckURL(raw)
		if err != nil {
			if k := callaudit.KindOf(err); k != callaudit.KindInvalid {
				t.Fatalf("kind %s for %q: %v", k, raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			t.Fatalf("accepted an unparsable URL %q", raw)
		}
		host := u.Hostname()
		addr, isIP, aerr := parseIPv4Host(host)
		if !isIP {
			if a, e := netip.ParseAddr(host); e == nil {
				addr, isIP = a, true
			}
		} else if aerr != nil {
			t.Fatalf("accepted a numeric host that is no address: %q", raw)
		}
		if isIP && !fe.policy.allowedAddr(addr.Unmap()) {
			t.Fatalf("accepted %q, whose host is the internal address %s", raw, addr)
		}
		if isIP && addr.Is4() {
			if back, _, err := parseIPv4Host(addr.String()); err != nil || back != addr {
				t.Fatalf("%s does not parse back to itself", addr)
			}
		}
		if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
			t.Fatalf("accepted the loopback name in %q", raw)
		}
	})
}
