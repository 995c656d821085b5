// Package fetch downloads call recordings from URLs for the audit pipeline
// without letting the URL reach places it should not: an SSRF-safe
// audit.Fetcher.
//
// Only http and https are fetched. Loopback, private, link-local,
// unspecified, multicast, shared (CGNAT) and the other special-purpose
// addresses are refused by default; the check runs when each connection is
// dialled, after name resolution, so DNS rebinding does not get around it,
// and it applies to every redirect hop. On-premises telephony servers are
// opened with Config.AllowHosts (names, addresses or CIDR prefixes) or
// Config.AllowPrivate.
//
// Downloads are bounded in size, in time (connect, response headers,
// overall) and in pace (an idle timeout and a minimum throughput, so a
// server dripping a byte a second is cut off). The body streams to a
// temporary file, never to memory; its real format is recognised from its
// first bytes and the returned transcribe.Audio is named with the right
// extension. The release function deletes the file.
//
//	f, err := fetch.New(fetch.Config{})
//	a, err := audit.New(scorer, audit.WithFetcher(f), audit.WithTranscriber(t))
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/transcribe"
)

// Defaults of a zero Config.
const (
	DefaultMaxBytes          = 512 << 20
	DefaultMaxRedirects      = 5
	DefaultConnectTimeout    = 10 * time.Second
	DefaultHeaderTimeout     = 30 * time.Second
	DefaultTimeout           = 15 * time.Minute
	DefaultIdleTimeout       = 30 * time.Second
	DefaultMinBytesPerSecond = 32 << 10
	DefaultThroughputWindow  = 30 * time.Second
	DefaultUserAgent         = "callaudit-fetch/1 (+https://github.com/callaudit/callaudit)"
)

// Config tunes a Fetcher. The zero value is the safe default.
type Config struct {
	// AllowHosts opens destinations that the address policy refuses:
	// host names (trusted whatever they resolve to, e.g. "pbx.office.lan"),
	// IP addresses ("10.0.0.5", "127.0.0.1") or CIDR prefixes
	// ("10.20.0.0/16"). Env AUDIT_FETCH_ALLOW_HOSTS, comma-separated.
	AllowHosts []string
	// AllowPrivate opens the private networks (10/8, 172.16/12,
	// 192.168/16, 100.64/10, fc00::/7) for on-premises telephony servers.
	// Loopback and link-local stay closed. Env AUDIT_FETCH_ALLOW_PRIVATE.
	AllowPrivate bool
	// MaxBytes limits a recording; 0 means DefaultMaxBytes (512 MiB).
	MaxBytes int64
	// MaxRedirects bounds the redirects followed; 0 means
	// DefaultMaxRedirects, negative follows none.
	MaxRedirects int
	// ConnectTimeout bounds each TCP connect and TLS handshake.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait for response headers after the
	// request is sent.
	HeaderTimeout time.Duration
	// Timeout bounds a whole Fetch, retries included.
	Timeout time.Duration
	// IdleTimeout cuts a download off when no byte arrives for this long.
	IdleTimeout time.Duration
	// MinBytesPerSecond cuts a download off when fewer bytes than this
	// rate arrive over a ThroughputWindow; negative disables the check.
	MinBytesPerSecond int64
	// ThroughputWindow is the span over which MinBytesPerSecond is
	// measured; it forgives short stalls.
	ThroughputWindow time.Duration
	// TempDir holds downloads; empty is os.TempDir().
	TempDir string
	// UserAgent is sent with every request.
	UserAgent string
	// Retry retries transient failures (429, 5xx, timeouts). The zero
	// Policy uses retry's defaults; Attempts 1 disables retries.
	Retry retry.Policy
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MaxRedirects == 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	def(&c.ConnectTimeout, DefaultConnectTimeout)
	def(&c.HeaderTimeout, DefaultHeaderTimeout)
	def(&c.Timeout, DefaultTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.ThroughputWindow, DefaultThroughputWindow)
	if c.MinBytesPerSecond == 0 {
		c.MinBytesPerSecond = DefaultMinBytesPerSecond
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	return c
}

// Fetcher downloads recordings. It is safe for concurrent use.
type Fetcher struct {
	cfg    Config
	client *http.Client
	policy *policy
}

var _ audit.Fetcher = (*Fetcher)(nil)

// New returns a Fetcher. An AllowHosts entry that is not a host name, an
// address or a prefix is a KindInvalid error.
func New(cfg Config) (*Fetcher, error) {
	cfg = cfg.withDefaults()
	pol, err := newPolicy(cfg.AllowHosts, cfg.AllowPrivate)
	if err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindInvalid, "fetch.New", err.Error())
	}
	tr := &http.Transport{
		// No proxy: a proxy would make the policy check the proxy's
		// address instead of the destination's.
		Proxy:                  nil,
		DialContext:            pol.dialer(net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}),
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		ResponseHeaderTimeout:  cfg.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           32,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
		// Recordings are already compressed; asking for gzip would only
		// make the size limit apply to the compressed bytes.
		DisableCompression: true,
	}
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if cfg.MaxRedirects < 0 {
				return callaudit.Invalid(callaudit.FieldError{Field: "file_url", Code: callaudit.CodeFetchRedirectsOff,
					Message: "the server redirected to another address, and redirects are disabled; give the final address of the recording"})
			}
			if len(via) > cfg.MaxRedirects {
				max := strconv.Itoa(cfg.MaxRedirects)
				return callaudit.Invalid(callaudit.FieldError{Field: "file_url", Code: callaudit.CodeFetchRedirects, Params: map[string]string{"max": max},
					Message: "the server redirected more than " + max + " times; give the final address of the recording"})
			}
			if err := checkScheme(req.URL); err != nil {
				return err
			}
			return normalizeHost(req.URL)
		},
	}
	return &Fetcher{cfg: cfg, client: client, policy: pol}, nil
}

// Config returns the effective configuration, defaults filled in.
func (f *Fetcher) Config() Config { return f.cfg }

// Fetch downloads rawURL to a temporary file and returns it as audio; call
// release once the audio is no longer needed.
//
// Errors: KindInvalid (not an absolute http(s) URL, a refused address, too
// many redirects, a 4xx answer), KindNotFound (404/410), KindTooLarge,
// KindUnsupported (not audio), KindRateLimited (429, with RetryAfter),
// KindUnavailable (5xx, connection failures), KindTimeout (a time limit,
// or too slow a download) and KindCanceled. Messages name the host only,
// never the query string, which often carries an access token.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (transcribe.Audio, func(), error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return transcribe.Audio{}, nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, f.cfg.Timeout, errOverallTimeout)
	defer cancel()

	var out *download
	err = f.cfg.Retry.Do(ctx, func(ctx context.Context) error {
		d, err := f.once(ctx, u)
		out = d
		return err
	})
	if err != nil {
		if ctx.Err() != nil && callaudit.KindOf(err) == callaudit.KindInternal {
			err = f.contextError(ctx, u)
		}
		return transcribe.Audio{}, nil, err
	}
	return out.audio, out.release, nil
}

var (
	errOverallTimeout = errors.New("overall fetch timeout")
	errIdle           = errors.New("no data received within the idle timeout")
	errSlow           = errors.New("download slower than the minimum throughput")
)

// download is one successful attempt.
type download struct {
	audio   transcribe.Audio
	release func()
}

// once makes one attempt.
func (f *Fetcher) once(parent context.Context, u *url.URL) (*download, error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "file_url", Message: "must be an absolute http(s) URL", Code: callaudit.CodeHTTPURL})
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "audio/*, application/octet-stream;q=0.9, */*;q=0.5")

	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.transportError(ctx, u, err)
	}
	defer resp.Body.Close()
	host := resp.Request.URL.Host // the final hop's
	if err := statusError(resp, host); err != nil {
		return nil, err
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return nil, f.tooLarge(host, resp.ContentLength)
	}

	body := newWatchedReader(resp.Body, f.cfg, cancel)
	defer body.stop()

	// Sniff before writing anything, so that a web page or an error
	// document is refused after a few bytes instead of after the download.
	head := make([]byte, transcribe.SniffLen)
	n, err := io.ReadFull(body, head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, f.transportError(ctx, u, err)
	}
	if n == 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "file_url", Message: "the server at " + host + " returned an empty file", Code: callaudit.CodeFetchEmpty, Params: map[string]string{"host": host}})
	}
	format, ok := transcribe.SniffFormat(head)
	if !ok {
		return nil, notAudio(host, resp.Header.Get("Content-Type"))
	}

	file, err := os.CreateTemp(f.cfg.TempDir, "callaudit-fetch-*."+format.Ext)
	if err != nil {
		return nil, coded(callaudit.Wrap(err, callaudit.KindInternal, "fetch.Fetch", "cannot store the downloaded recording"), callaudit.CodeFetchStore, nil)
	}
	release := releaser(file)
	size, err := copyLimited(file, io.MultiReader(bytes.NewReader(head), body), f.cfg.MaxBytes)
	if err != nil {
		release()
		var tl errTooLarge
		if errors.As(err, &tl) {
			return nil, f.tooLarge(host, -1)
		}
		if isWriteError(err) {
			return nil, coded(callaudit.Wrap(err, callaudit.KindInternal, "fetch.Fetch", "cannot store the downloaded recording"), callaudit.CodeFetchStore, nil)
		}
		return nil, f.transportError(ctx, u, err)
	}
	return &download{
		audio: transcribe.Audio{
			Data:        file,
			Size:        size,
			Filename:    transcribe.WithExt(path.Base(u.Path), format.Ext),
			ContentType: format.MIME,
		},
		release: release,
	}, nil
}

// releaser closes and deletes the file, once.
func releaser(file *os.File) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = file.Close()
			_ = os.Remove(file.Name())
		})
	}
}

// parseURL reads an absolute http(s) URL, its numeric host read as an
// address (normalizeHost).
func parseURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, invalidURL()
	}
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	if err := normalizeHost(u); err != nil {
		return nil, err
	}
	return u, nil
}

// CheckURL refuses now, without any network access, what Fetch would
// refuse for rawURL before downloading: not an absolute http(s) URL, or a
// host that is an address (in any of the numeric forms browsers read) or
// a loopback name the policy refuses. A host name's addresses are only
// known once it is resolved, so Fetch checks them again when it
// connects. It implements audit.URLChecker.
func (f *Fetcher) CheckURL(rawURL string) error {
	u, err := parseURL(rawURL)
	if err != nil {
		return err
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if f.policy.names[host] {
		return nil
	}
	addr, err := netip.ParseAddr(host)
	switch {
	case err == nil && !f.policy.allowedAddr(addr.Unmap()):
	case err != nil && (host == "localhost" || strings.HasSuffix(host, ".localhost")) && !f.policy.allowedAddr(netip.IPv6Loopback()) && !f.policy.allowedAddr(netip.AddrFrom4([4]byte{127, 0, 0, 1})):
		// RFC 6761: always loopback, whatever DNS would say.
	default:
		return nil
	}
	return f.transportError(context.Background(), u, errRefusedAddress)
}

var _ audit.URLChecker = (*Fetcher)(nil)

func checkScheme(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return nil
	}
	scheme := strconv.Quote(u.Scheme)
	return callaudit.Invalid(callaudit.FieldError{Field: "file_url", Code: callaudit.CodeFetchScheme, Params: map[string]string{"scheme": scheme},
		Message: "scheme " + scheme + " is not allowed; only http and https URLs are fetched"})
}

// statusError maps a non-2xx answer to an error kind.
func statusError(resp *http.Response, host string) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	status := strconv.Itoa(code) + " " + http.StatusText(code)
	params := map[string]string{"host": host, "status": status}
	field := func(c callaudit.Code, msg string) error {
		return callaudit.Invalid(callaudit.FieldError{Field: "file_url", Message: msg, Code: c, Params: params})
	}
	switch {
	case code == http.StatusNotFound || code == http.StatusGone:
		return &callaudit.Error{Kind: callaudit.KindNotFound, Op: "fetch.Fetch",
			Message: "no recording at that URL: " + host + " answered " + status + "; check the link", Code: callaudit.CodeFetchNotFound, Params: params,
			Fields: []callaudit.FieldError{{Field: "file_url", Message: "not found", Code: callaudit.CodeFetchFieldNotFound}}}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return field(callaudit.CodeFetchRefused, host+" refused access ("+status+"); the link may have expired or need credentials")
	case code == http.StatusTooManyRequests:
		return &callaudit.Error{Kind: callaudit.KindRateLimited, Op: "fetch.Fetch",
			Message: host + " is rate limiting downloads (" + status + "); try again later", Code: callaudit.CodeFetchRateLimited, Params: params,
			RetryAfter: retry.ParseAfter(resp.Header, time.Now())}
	case code == http.StatusRequestTimeout:
		return coded(callaudit.Wrap(nil, callaudit.KindTimeout, "fetch.Fetch", host+" timed out answering ("+status+"); try again later"), callaudit.CodeFetchTimedOut, params)
	case code >= 500:
		return &callaudit.Error{Kind: callaudit.KindUnavailable, Op: "fetch.Fetch",
			Message: host + " failed to serve the recording (" + status + "); try again later", Code: callaudit.CodeFetchFailed, Params: params,
			RetryAfter: retry.ParseAfter(resp.Header, time.Now())}
	case code >= 300 && code < 400:
		return field(callaudit.CodeFetchNoLocation, host+" answered "+status+" without a usable Location")
	}
	return field(callaudit.CodeFetchStatus, host+" answered "+status+"; check the link")
}

func notAudio(host, contentType string) error {
	const formats = "WAV, MP3, FLAC, OGG/Opus, M4A/MP4, WebM"
	e := &callaudit.Error{Kind: callaudit.KindUnsupported, Op: "fetch.Fetch",
		Message: "the file at " + host + " is not a recognised audio recording; supported formats: " + formats,
		Code:    callaudit.CodeFetchNotAudio, Params: map[string]string{"host": host, "formats": formats},
		Fields: []callaudit.FieldError{{Field: "file_url", Message: "not an audio file", Code: callaudit.CodeFetchFieldNotAudio}}}
	if ct := strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]); ct != "" {
		e.Message = "the file at " + host + " is not a recognised audio recording (the server says " + ct + "); supported formats: " + formats
		e.Code, e.Params["type"] = callaudit.CodeFetchNotAudioType, ct
	}
	return e
}

func (f *Fetcher) tooLarge(host string, size int64) error {
	limit := byteSize(f.cfg.MaxBytes)
	e := &callaudit.Error{Kind: callaudit.KindTooLarge, Op: "fetch.Fetch",
		Message: "the recording at " + host + " is larger than the limit of " + limit,
		Code:    callaudit.CodeFetchTooLarge, Params: map[string]string{"host": host, "limit": limit},
		Fields: []callaudit.FieldError{{Field: "file_url", Message: "too large", Code: callaudit.CodeFieldTooLarge}}}
	if size > 0 {
		e.Message = "the recording at " + host + " is " + byteSize(size) + "; the limit is " + limit
		e.Code, e.Params["size"] = callaudit.CodeFetchTooLargeSize, byteSize(size)
	}
	return e
}

// transportError maps a failure to connect or to read to an error kind.
func (f *Fetcher) transportError(ctx context.Context, u *url.URL, err error) error {
	// Errors made by CheckRedirect come back wrapped in *url.Error.
	var ce *callaudit.Error
	if errors.As(err, &ce) {
		return ce
	}
	err = redactURLError(err)
	host := u.Host
	if cause := context.Cause(ctx); cause != nil {
		switch {
		case errors.Is(cause, errIdle):
			idle := f.cfg.IdleTimeout.String()
			return coded(callaudit.Wrap(err, callaudit.KindTimeout, "fetch.Fetch", host+" stopped sending the recording (nothing for "+idle+")"),
				callaudit.CodeFetchIdle, map[string]string{"host": host, "idle": idle})
		case errors.Is(cause, errSlow):
			rate := byteSize(f.cfg.MinBytesPerSecond)
			return coded(callaudit.Wrap(err, callaudit.KindTimeout, "fetch.Fetch", host+" sends the recording too slowly (under "+rate+"/s)"),
				callaudit.CodeFetchSlow, map[string]string{"host": host, "rate": rate})
		}
		return f.contextError(ctx, u)
	}
	if errors.Is(err, errRefusedAddress) {
		return &callaudit.Error{Kind: callaudit.KindInvalid, Op: "fetch.Fetch", Err: err,
			Message: "file_url: " + host + " (or a redirect from it) points to a loopback, private or otherwise internal address, which is not fetched; " +
				"to allow it list the host in AUDIT_FETCH_ALLOW_HOSTS (AUDIT_FETCH_ALLOW_PRIVATE opens the private networks only, never loopback or link-local)",
			Code: callaudit.CodeFetchInternalAddress, Params: map[string]string{"field": "file_url", "host": host},
			Fields: []callaudit.FieldError{{Field: "file_url", Message: "internal addresses are not allowed", Code: callaudit.CodeFetchFieldInternal}}}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return &callaudit.Error{Kind: callaudit.KindInvalid, Op: "fetch.Fetch", Err: err,
			Message: "file_url: the host " + u.Hostname() + " does not exist",
			Code:    callaudit.CodeFetchUnknownHost, Params: map[string]string{"field": "file_url", "host": u.Hostname()},
			Fields: []callaudit.FieldError{{Field: "file_url", Message: "unknown host", Code: callaudit.CodeFetchFieldUnknownHost}}}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return coded(callaudit.Wrap(err, callaudit.KindTimeout, "fetch.Fetch", host+" did not answer in time; try again later"), callaudit.CodeFetchNoAnswer, map[string]string{"host": host})
	}
	return coded(callaudit.Wrap(err, callaudit.KindUnavailable, "fetch.Fetch", "cannot download the recording from "+host+"; try again later"), callaudit.CodeFetchUnavailable, map[string]string{"host": host})
}

// contextError explains why ctx ended: the overall limit or the caller.
func (f *Fetcher) contextError(ctx context.Context, u *url.URL) error {
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errOverallTimeout):
		limit := f.cfg.Timeout.String()
		return coded(callaudit.Wrap(cause, callaudit.KindTimeout, "fetch.Fetch", "downloading from "+u.Host+" took longer than "+limit),
			callaudit.CodeFetchTooLong, map[string]string{"host": u.Host, "limit": limit})
	case errors.Is(cause, context.DeadlineExceeded):
		return coded(callaudit.Wrap(cause, callaudit.KindTimeout, "fetch.Fetch", "the download did not finish in time"), callaudit.CodeFetchTimeout, nil)
	}
	return coded(callaudit.Wrap(cause, callaudit.KindCanceled, "fetch.Fetch", "the request was canceled"), callaudit.CodeCanceled, nil)
}

// redactURLError strips the query and credentials from the URL that
// net/http puts into its errors, so that logs do not keep access tokens.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			ue.URL = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
		} else {
			ue.URL = "(url)"
		}
	}
	return err
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// coded gives e a message code for translation (see callaudit.Code).
func coded(e *callaudit.Error, code callaudit.Code, params map[string]string) *callaudit.Error {
	e.Code, e.Params = code, params
	return e
}
