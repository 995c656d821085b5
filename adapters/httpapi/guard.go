package httpapi

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/callaudit/callaudit"
)

// kindMisdirected is the kind of a 421: a request for a host name this
// server does not answer. Local to the HTTP layer, like a 405.
const kindMisdirected callaudit.Kind = "misdirected"

// GuardConfig says which requests Guard lets through.
type GuardConfig struct {
	// AllowedHosts are the host names (the Host header without its port,
	// case-insensitive) the server answers. Empty allows any host; a
	// non-empty list also allows the loopback names (localhost and
	// *.localhost) and every IP address literal, which DNS rebinding cannot
	// forge (a rebound page sends its own name), and "*" allows any host.
	AllowedHosts []string
	// TrustedOrigins are origins ("https://crm.example.com") whose
	// cross-site requests may change state, e.g. a CRM page that posts to
	// the API from the user's browser.
	TrustedOrigins []string
}

// Guard returns the one middleware that decides whether a request may
// reach the API at all, whoever mounts it (New applies it to the Handler;
// a program mounting its own routes beside it, e.g. a login form, wraps
// them with the same one):
//
//   - a Host outside cfg.AllowedHosts is refused with 421 (a web page
//     whose name was rebound to the server's address cannot read it);
//   - a state-changing request (not GET, HEAD or OPTIONS) sent cross-site
//     by a browser is refused with 403, with http.CrossOriginProtection
//     (Sec-Fetch-Site, else Origin against Host), whatever authenticates
//     it (a session cookie, local mode, nothing). Requests from programs,
//     which send neither header, pass, as do same-origin ones from the web
//     UI and requests with an Authorization header (API tokens: a browser
//     cannot add one cross-site without a CORS preflight, which this
//     server never grants).
//
// It is the server's one cross-origin check: the Handler applies it before
// authentication, so authorize needs none of its own.
//
// Refusals use the JSON error shape. Guard fails only on a malformed
// trusted origin.
func Guard(cfg GuardConfig) (func(http.Handler) http.Handler, error) {
	g, err := newEdgeGuard(cfg)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := g.check(r); err != nil {
				writeError(w, err, requestLanguage(r, ""), nil)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// edgeGuard is Guard's state, also used by Handler.ServeHTTP directly so that
// its refusals are counted and logged like every other answer.
type edgeGuard struct {
	any   bool
	hosts map[string]bool
	cop   *http.CrossOriginProtection
}

func newEdgeGuard(cfg GuardConfig) (*edgeGuard, error) {
	g := &edgeGuard{any: len(cfg.AllowedHosts) == 0, hosts: map[string]bool{}, cop: http.NewCrossOriginProtection()}
	for _, h := range cfg.AllowedHosts {
		h = normalHost(h)
		if h == "*" {
			g.any = true
		}
		if h != "" {
			g.hosts[h] = true
		}
	}
	for _, o := range cfg.TrustedOrigins {
		if err := g.cop.AddTrustedOrigin(strings.TrimRight(o, "/")); err != nil {
			return nil, callaudit.Errorf(callaudit.KindInvalid, "httpapi: trusted origin %q: must be scheme://host[:port]", o)
		}
	}
	return g, nil
}

// check returns the refusal of r, or nil.
func (g *edgeGuard) check(r *http.Request) error {
	if !g.hostAllowed(r.Host) {
		return callaudit.Coded(kindMisdirected, codeHostNotAllowed, "this server does not answer for the host name of the request; add it to AUDIT_ALLOWED_HOSTS", nil)
	}
	if r.Header.Get("Authorization") != "" {
		// An API token's request: a browser never adds Authorization
		// cross-site on its own (it would need a CORS preflight, which
		// this server does not grant), so it is a program's.
		return nil
	}
	if err := g.cop.Check(r); err != nil {
		e := callaudit.Coded(callaudit.KindForbidden, codeCrossOrigin, "cross-origin request refused: send it from this server's own pages, or use an API token", nil)
		e.Op, e.Err = "httpapi.Guard", err
		return e
	}
	return nil
}

func (g *edgeGuard) hostAllowed(hostport string) bool {
	if g.any {
		return true
	}
	h := normalHost(hostport)
	switch {
	case h == "":
		// HTTP/1.0 without Host: no browser sends that.
		return true
	case g.hosts[h], h == "localhost", strings.HasSuffix(h, ".localhost"):
		return true
	}
	return net.ParseIP(h) != nil
}

// normalHost is the lower-case host name of a Host value or a URL, without
// its port, brackets or final dot.
func normalHost(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil {
			s = u.Host
		}
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	return strings.TrimSuffix(strings.Trim(s, "[]"), ".")
}
