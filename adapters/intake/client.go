package intake

import (
	"context"
	"crypto/subtle"
	"io"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/send"
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
