package intake

import (
	"cmp"
	"context"
	"crypto/subtle"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/send"
	"github.com/callaudit/callaudit/audit"
)

// Equal compares a signature received with the one computed, in constant
// time (for equal lengths): what every Vendor.Receive checks with.
func Equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// ClientConfig configures a vendor's API client.
type ClientConfig struct {
	// Service names the vendor in messages ("Mango Office").
	Service string
	// PerSecond and Burst are the vendor's documented rate limit, kept by
	// a token bucket (golang.org/x/time/rate) shared by every request of
	// the client; PerSecond 0 is no limit. Burst 0 is 1: requests evenly
	// spaced, which stays under the vendor's own bucket whatever its
	// phase.
	PerSecond float64
	Burst     int
	// Timeout bounds one request; 0 is send.DefaultTimeout.
	Timeout time.Duration
	// Secrets are removed from anything that could reach an error.
	Secrets []string
	// Transport replaces http.DefaultTransport (tests).
	Transport http.RoundTripper
}

// Client calls a vendor's API: every request waits for the rate limiter
// first, redirects are not followed (see Redirect), and answers map to
// the project's error kinds as adapters/writeback/send documents (429
// with Retry-After, 5xx, timeouts are transient). Safe for concurrent
// use.
type Client struct {
	send    send.Client
	limiter *rate.Limiter
}

// NewClient returns the client cfg describes.
func NewClient(cfg ClientConfig) *Client {
	hc := send.NewHTTPClient(cfg.Timeout)
	if cfg.Transport != nil {
		hc.Transport = cfg.Transport
	}
	c := &Client{send: send.Client{HTTP: hc, Service: cfg.Service, Secrets: cfg.Secrets}}
	if cfg.PerSecond > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(cfg.PerSecond), max(1, cfg.Burst))
	}
	return c
}

// wait takes a token of the rate limit.
func (c *Client) wait(ctx context.Context) error {
	if c.limiter == nil {
		return nil
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return callaudit.Wrap(err, callaudit.KindCanceled, c.send.Service, "the request was canceled while waiting for the rate limit")
	}
	return nil
}

// Do sends req within the rate limit and returns a 2xx answer, or the
// error its status calls for.
func (c *Client) Do(req *http.Request, op string) (*send.Response, error) {
	if err := c.wait(req.Context()); err != nil {
		return nil, err
	}
	return c.send.Do(req, op)
}

// Redirect sends req within the rate limit and returns the Location of
// its 3xx answer (Mango's download answers 302 to a one-time file link).
// A 2xx answer without one is KindUpstream; other answers are the error
// their status calls for.
func (c *Client) Redirect(req *http.Request, op string) (string, *send.Response, error) {
	if err := c.wait(req.Context()); err != nil {
		return "", nil, err
	}
	resp, err := c.send.HTTP.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return "", nil, callaudit.Wrap(err, callaudit.KindCanceled, op, "the request was canceled")
		}
		return "", nil, callaudit.Wrap(callaudit.Errorf(callaudit.KindUnavailable, "%s", c.send.Redact(err.Error())), callaudit.KindUnavailable, op, c.send.Service+" is not reachable")
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch loc := resp.Header.Get("Location"); {
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "":
		u, err := req.URL.Parse(loc)
		if err != nil {
			return "", nil, callaudit.Errorf(callaudit.KindUpstream, "%s redirected to an address that cannot be read", c.send.Service)
		}
		return u.String(), nil, nil
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return "", &send.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
	}
	return "", nil, c.send.StatusError(resp.StatusCode, resp.Header, body, op)
}

// API are the settings of a vendor's API: embed it in the vendor's
// Config.
type API struct {
	// BaseURL is the API's address; empty is the vendor's.
	BaseURL string
	// PerSecond is the rate limit kept on the API; 0 is the vendor's
	// documented one.
	PerSecond float64
	// Timeout bounds one API request; 0 is send.DefaultTimeout.
	Timeout time.Duration
	// Transport replaces the API client's (tests).
	Transport http.RoundTripper
}

// Defaults are a vendor's name in messages, its API's address and its
// documented rate limit.
type Defaults struct {
	Service   string
	BaseURL   string
	PerSecond float64
}

// Base is what a vendor's Fetch works with: embed it in the vendor.
type Base struct {
	// BaseURL is the API's address, without a trailing slash.
	BaseURL string
	// API calls the vendor's API within its rate limit.
	API *Client
	// Files downloads the recordings' files (the server's SSRF-safe
	// fetcher).
	Files audit.Fetcher
}

// NewBase checks a vendor's settings (missing are the vendor's own
// complaints; a nil files is one more) and returns its Base, the API's
// client keeping d's rate limit unless api names another.
func NewBase(api API, d Defaults, files audit.Fetcher, missing []callaudit.FieldError, secrets ...string) (Base, error) {
	if files == nil {
		missing = append(missing, callaudit.FieldError{Field: "files", Message: "a fetcher for the recordings is required"})
	}
	if len(missing) > 0 {
		return Base{}, callaudit.Invalid(missing...)
	}
	b := Base{BaseURL: strings.TrimSuffix(cmp.Or(api.BaseURL, d.BaseURL), "/"), Files: files}
	b.API = NewClient(ClientConfig{Service: d.Service, PerSecond: cmp.Or(api.PerSecond, d.PerSecond), Timeout: api.Timeout,
		Secrets: secrets, Transport: api.Transport})
	return b, nil
}
