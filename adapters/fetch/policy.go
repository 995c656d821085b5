package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"

	"code.dny.dev/ssrf"
)

// privatePrefixes are the networks AllowPrivate opens: RFC 1918, shared
// (CGNAT) space and IPv6 unique local addresses, where on-premises PBXs
// and recording servers live. Loopback, link-local (cloud metadata at
// 169.254.169.254), unspecified, multicast and the other special ranges
// stay closed even then; a single such address can still be named in
// AllowHosts.
var (
	privateV4 = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("100.64.0.0/10"),
	}
	privateV6 = []netip.Prefix{
		netip.MustParsePrefix("fc00::/7"),
	}
)

// errRefusedAddress marks a dial the address policy refused, so that the
// error can be told apart from an unreachable host.
var errRefusedAddress = errors.New("address refused by the fetch policy")

// policy decides which destinations the fetcher may connect to. The IP
// check runs in net.Dialer.Control, after name resolution and right before
// connect, so a name that resolves to a public address for a pre-check and
// to a private one for the connection (DNS rebinding) is still refused.
type policy struct {
	guard *ssrf.Guardian
	// names are host names (lower case) trusted without an address check:
	// on-premises servers whose names resolve to private addresses.
	names map[string]bool
}

// newPolicy builds the policy from AllowHosts and AllowPrivate. Entries of
// AllowHosts may be host names, IP addresses or CIDR prefixes.
func newPolicy(allowHosts []string, allowPrivate bool) (*policy, error) {
	p := &policy{names: make(map[string]bool)}
	var v4, v6 []netip.Prefix
	if allowPrivate {
		v4 = append(v4, privateV4...)
		v6 = append(v6, privateV6...)
	}
	for _, h := range allowHosts {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		var pfx netip.Prefix
		if addr, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
			pfx = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		} else if pf, err := netip.ParsePrefix(h); err == nil {
			pfx = pf.Masked()
		} else {
			if strings.ContainsAny(h, "/:@ ") {
				return nil, fmt.Errorf("allowed host %q is neither a host name, an IP address nor a CIDR prefix", h)
			}
			p.names[strings.ToLower(strings.TrimSuffix(h, "."))] = true
			continue
		}
		if pfx.Addr().Is4() {
			v4 = append(v4, pfx)
		} else {
			v6 = append(v6, pfx)
		}
	}
	p.guard = ssrf.New(
		// Any port: only public addresses are reachable by default, and
		// telephony servers do serve recordings on ports like 8080.
		ssrf.WithAnyPort(),
		ssrf.WithAllowedV4Prefixes(v4...),
		ssrf.WithAllowedV6Prefixes(v6...),
	)
	return p, nil
}

// control is the net.Dialer.Control hook.
func (p *policy) control(network, address string, _ syscall.RawConn) error {
	if err := p.guard.Safe(network, address, nil); err != nil {
		return fmt.Errorf("%w: %w", errRefusedAddress, err)
	}
	return nil
}

// allowedAddr reports whether a resolved address may be dialled, by the
// same guard as control; the tests check the address policy through it.
func (p *policy) allowedAddr(addr netip.Addr) bool {
	return p.guard.SafeAddr(addr) == nil
}

// dialer returns the DialContext of the transport: trusted names dial
// without the address check, everything else through the guarded dialer.
func (p *policy) dialer(d net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	open := d
	guarded := d
	guarded.Control = p.control
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err == nil && p.names[strings.ToLower(strings.TrimSuffix(host, "."))] {
			return open.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
}
