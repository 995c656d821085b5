package fetch

import (
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/callaudit/callaudit"
)

// Host names that are numbers (2130706433, 0x7f000001, 0177.0.0.1, 127.1)
// are IPv4 addresses to browsers and curl, which follow the WHATWG URL
// standard, but not to Go's resolver, which would send them to DNS. The
// fetcher reads them the browsers' way, so that the address policy
// checks the address every other client would connect to, and no such
// name is ever looked up.

// parseIPv4Host applies the WHATWG host parser's IPv4 step to host (after
// the IDNA mapping that turns full-width digits into ASCII ones): ok is
// false for a host that does not end in a number, which is a name; err is
// set for one that does but is no valid address (which browsers refuse
// too).
func parseIPv4Host(host string) (addr netip.Addr, ok bool, err error) {
	if mapped, merr := idna.Lookup.ToASCII(host); merr == nil {
		host = mapped
	}
	host = strings.ToLower(host)
	if !endsInNumber(host) {
		return netip.Addr{}, false, nil
	}
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return netip.Addr{}, true, errNotIPv4
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, perr := ipv4Number(p)
		if perr != nil {
			return netip.Addr{}, true, errNotIPv4
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, true, errNotIPv4
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, true, errNotIPv4
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, nil
}

var errNotIPv4 = callaudit.Errorf(callaudit.KindInvalid, "not an IPv4 address")

// endsInNumber is the WHATWG "ends in a number checker".
func endsInNumber(host string) bool {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, err := ipv4Number(last)
	return err == nil && (strings.HasPrefix(last, "0x"))
}

// ipv4Number is the WHATWG IPv4 number parser: decimal, 0x hexadecimal,
// or 0-prefixed octal.
func ipv4Number(s string) (uint64, error) {
	if s == "" {
		return 0, errNotIPv4
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x"):
		s, base = s[2:], 16
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, nil
	}
	if strings.ContainsAny(s, "+-_") {
		return 0, errNotIPv4
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			// Too big for any address: still a number, refused later.
			return 1 << 40, nil
		}
		return 0, errNotIPv4
	}
	return n, nil
}

// normalizeHost rewrites u's host to the dotted address when it is a
// numeric IPv4 form, keeping the port; a numeric host that is no address
// is refused as browsers refuse it.
func normalizeHost(u *url.URL) error {
	host := u.Hostname()
	if strings.HasPrefix(u.Host, "[") {
		return nil // IPv6: Go parses it as browsers do
	}
	addr, ok, err := parseIPv4Host(host)
	switch {
	case err != nil:
		return invalidURL()
	case !ok:
		return nil
	}
	if port := u.Port(); port != "" {
		u.Host = net.JoinHostPort(addr.String(), port)
	} else {
		u.Host = addr.String()
	}
	return nil
}

func invalidURL() error {
	return callaudit.Invalid(callaudit.FieldError{Field: "file_url", Message: "must be an absolute http(s) URL", Code: callaudit.CodeHTTPURL})
}
