package openai

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/semaphore"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
)

// upstream is what the scorer and the transcriber share: a go-openai
// client, the retry policy (go-openai does not retry), a limit on
// concurrent requests, and the translation of errors into callaudit kinds.
type upstream struct {
	client *goopenai.Client
	// config is the client's configuration, for the one request built by
	// hand (the streamed transcription upload): same HTTP client, base
	// URL and organization.
	config  goopenai.ClientConfig
	policy  retry.Policy
	sem     *semaphore.Weighted
	apiKey  string
	timeout time.Duration
	// server names the API in its errors: empty for OpenAI's own, else
	// the origin of the base URL.
	server string
	// origin is the base URL's scheme://host[:port], OpenAI's too: what
	// the logged text of a transport error keeps of the request URL.
	origin string
}

func newUpstream(cfg Config, timeout time.Duration) (*upstream, error) {
	if !cfg.Enabled() {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "OpenAI is not configured: set OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server)")
	}
	cc := goopenai.DefaultConfig(cfg.APIKey)
	cc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cc.OrgID = cfg.OrgID
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &headerCapture{base: base}
	cc.HTTPClient = hc
	return &upstream{
		client:  goopenai.NewClientWithConfig(cc),
		config:  cc,
		policy:  cfg.Retry,
		sem:     semaphore.NewWeighted(int64(cfg.MaxConcurrency)),
		apiKey:  cfg.APIKey,
		timeout: timeout,
		server:  serverOrigin(cfg),
		origin:  origin(cc.BaseURL),
	}, nil
}

// serverOrigin is scheme://host[:port] of a base URL that is not OpenAI's,
// for messages: never its path, query or user info, which may hold
// secrets. It is empty for OpenAI, and the setting's name for a URL that
// does not parse.
func serverOrigin(cfg Config) string {
	if cfg.isOpenAI() {
		return ""
	}
	return cmp.Or(origin(cfg.BaseURL), "OPENAI_BASE_URL")
}

// origin is scheme://host[:port] of raw, empty when it does not parse.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// redactRequest is the text of a transport error with the request URL
// net/http puts in it cut to the base URL's origin and the API operation
// (the URL's last path element): the base URL's path may hold a proxy's
// token, its user info a password. Keys are removed as by redact.
func (u *upstream) redactRequest(err error) string {
	s := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		op := ""
		if p, perr := url.Parse(ue.URL); perr == nil {
			op = path.Base(p.Path)
		}
		short := cmp.Or(u.origin, "OPENAI_BASE_URL") + "/…/" + op
		s = strings.NewReplacer(strconv.Quote(ue.URL), strconv.Quote(short), ue.URL, short).Replace(s)
	}
	return u.redact(s)
}

// transportError is the error of a request that got no answer (kind
// KindTimeout or KindUnavailable): it names the OpenAI API, or any other
// server by its origin, so that a local server's outage does not read as
// OpenAI's.
func (u *upstream) transportError(op string, cause error, timeout bool) error {
	switch {
	case u.server == "" && timeout:
		return coded(callaudit.Wrap(cause, callaudit.KindTimeout, op, "the OpenAI API did not answer in time"), callaudit.CodeUpstreamTimeout, service)
	case u.server == "":
		return coded(callaudit.Wrap(cause, callaudit.KindUnavailable, op, "the OpenAI API is unreachable or closed the connection"), callaudit.CodeUpstreamUnreachable, service)
	case timeout:
		return coded(callaudit.Wrap(cause, callaudit.KindTimeout, op, "the server at "+u.server+" did not answer in time"), callaudit.CodeServerTimeout, map[string]string{"host": u.server})
	}
	return coded(callaudit.Wrap(cause, callaudit.KindUnavailable, op, "the server at "+u.server+" is unreachable or closed the connection"), callaudit.CodeServerUnreachable, map[string]string{"host": u.server})
}

// do runs call with retries. Each attempt holds one slot of the
// concurrency limit (not while backing off) and has its own timeout.
func (u *upstream) do(ctx context.Context, op string, call func(ctx context.Context) error) error {
	return u.policy.Do(ctx, func(ctx context.Context) error {
		if err := u.sem.Acquire(ctx, 1); err != nil {
			return contextError(op, ctx.Err())
		}
		defer u.sem.Release(1)
		info := &responseInfo{}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, responseInfoKey{}, info), u.timeout)
		defer cancel()
		err := call(actx)
		if err == nil {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return contextError(op, cerr)
		}
		return u.translate(op, err, info)
	})
}

func contextError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return coded(callaudit.Wrap(err, callaudit.KindTimeout, op, "the operation timed out"), callaudit.CodeTimeout, nil)
	}
	return coded(callaudit.Wrap(err, callaudit.KindCanceled, op, "the request was canceled"), callaudit.CodeCanceled, nil)
}

// responseInfo is filled by headerCapture for the attempt whose context
// carries it: go-openai's errors do not expose response headers, and
// Retry-After lives there.
type responseInfo struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
	requestID  string
}

type responseInfoKey struct{}

type headerCapture struct{ base http.RoundTripper }

func (h *headerCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if info, ok := req.Context().Value(responseInfoKey{}).(*responseInfo); ok {
		info.mu.Lock()
		info.status = resp.StatusCode
		info.retryAfter = retry.ParseAfter(resp.Header, time.Now())
		info.requestID = resp.Header.Get("X-Request-Id")
		info.mu.Unlock()
	}
	return resp, nil
}

// upstreamError is an API error with secrets removed from its text; it
// replaces go-openai's error as the cause so that logs never see a key
// (OpenAI's 401 message echoes part of it).
type upstreamError struct {
	Status    int
	Code      string
	Type      string
	Param     string
	RequestID string
	msg       string
}

func (e *upstreamError) Error() string {
	s := fmt.Sprintf("openai: status %d", e.Status)
	if e.Code != "" {
		s += " code " + e.Code
	}
	if e.RequestID != "" {
		s += " request " + e.RequestID
	}
	return s + ": " + e.msg
}

// keyPattern matches key-shaped text: OpenAI keys, bearer tokens, and the
// masked key OpenAI's 401 message echoes for keys of any shape.
var keyPattern = regexp.MustCompile(`(sk-[A-Za-z0-9_*\-]{3,}|Bearer\s+\S+|(?i:api key provided:)\s*\S+)`)

// redact removes the API key and anything shaped like one.
func (u *upstream) redact(s string) string {
	if u.apiKey != "" {
		s = strings.ReplaceAll(s, u.apiKey, "[REDACTED]")
	}
	s = keyPattern.ReplaceAllString(s, "[REDACTED]")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// translate maps go-openai and transport errors to callaudit kinds.
func (u *upstream) translate(op string, err error, info *responseInfo) error {
	info.mu.Lock()
	retryAfter, requestID := info.retryAfter, info.requestID
	info.mu.Unlock()

	var apiErr *goopenai.APIError
	var reqErr *goopenai.RequestError
	switch {
	case errors.As(err, &apiErr):
		code := ""
		if apiErr.Code != nil {
			code = fmt.Sprint(apiErr.Code)
		}
		ue := &upstreamError{Status: apiErr.HTTPStatusCode, Code: code, Type: apiErr.Type, RequestID: requestID, msg: u.redact(apiErr.Message)}
		if apiErr.Param != nil {
			ue.Param = *apiErr.Param
		}
		return u.statusError(op, ue, retryAfter)
	case errors.As(err, &reqErr):
		ue := &upstreamError{Status: reqErr.HTTPStatusCode, RequestID: requestID, msg: u.redact(string(reqErr.Body))}
		return u.statusError(op, ue, retryAfter)
	}
	cause := errors.New(u.redactRequest(err))
	var netErr net.Error
	switch {
	case isClientValidation(err):
		// go-openai refused to send a request the model would reject.
		return coded(callaudit.Wrap(err, callaudit.KindInvalid, op, "the configured model does not accept these request settings: "+err.Error()),
			callaudit.CodeModelSettings, map[string]string{"detail": err.Error()})
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return u.transportError(op, cause, true)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &netErr) || isSyntaxError(err):
		// A dropped connection, a refused dial or a cut-off answer.
		return u.transportError(op, cause, false)
	}
	return coded(callaudit.Wrap(cause, callaudit.KindUpstream, op, "the OpenAI API request failed"), callaudit.CodeUpstreamFailed, service)
}

// isClientValidation reports go-openai's own checks of a request against
// the model's known limits.
func isClientValidation(err error) bool {
	for _, target := range []error{
		goopenai.ErrReasoningModelLimitationsOther, goopenai.ErrReasoningModelLimitationsLogprobs,
		goopenai.ErrReasoningModelMaxTokensDeprecated, goopenai.ErrReasoningSamplingUnsupported,
		goopenai.ErrReasoningEffortUnsupported, goopenai.ErrChatCompletionInvalidModel,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func isSyntaxError(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

func (u *upstream) statusError(op string, ue *upstreamError, retryAfter time.Duration) error {
	e := &callaudit.Error{Op: op, Err: ue}
	// The same texts name OpenAI, or another server by its origin ([host],
	// which the HTTP layer names in the request's language). The
	// upstream's own text stays English in every language.
	name, account := "the OpenAI API", "the OpenAI account"
	e.Params = map[string]string{"service": "OpenAI API", "account": "OpenAI", "setting": "OPENAI_API_KEY", "detail": ue.msg}
	if u.server != "" {
		name, account = "the server at "+u.server, "the "+u.server+" account"
		e.Params["service"], e.Params["account"], e.Params["host"] = "server at "+u.server, u.server, u.server
	}
	switch s := ue.Status; {
	// A rejected key or a refused project is the server's configuration,
	// not the caller's credentials: not_configured (503) rather than a
	// 401/403 that would tell the API's client to authenticate itself,
	// and, like an exhausted quota, a reason for score.Fallback to step in.
	case s == http.StatusUnauthorized:
		e.Kind, e.Message, e.Code = callaudit.KindNotConfigured, name+" rejected the API key (check OPENAI_API_KEY)", callaudit.CodeUpstreamKeyRejected
	case s == http.StatusForbidden:
		e.Kind, e.Message, e.Code = callaudit.KindNotConfigured, name+" refused access: "+ue.msg, callaudit.CodeUpstreamRefused
	case s == http.StatusNotFound:
		e.Kind, e.Message, e.Code = callaudit.KindNotConfigured, name+" does not know the configured model or endpoint: "+ue.msg, callaudit.CodeUpstreamUnknownModel
	case s == http.StatusRequestEntityTooLarge:
		e.Kind, e.Message, e.Code = callaudit.KindTooLarge, name+" rejected the upload as too large", callaudit.CodeUpstreamTooLarge
	case s == http.StatusTooManyRequests && ue.Code == "insufficient_quota":
		// Retrying an exhausted quota cannot help.
		e.Kind, e.Message, e.Code = callaudit.KindNotConfigured, account+" has no quota left", callaudit.CodeUpstreamNoQuota
	case s == http.StatusTooManyRequests:
		e.Kind, e.Message, e.Code, e.RetryAfter = callaudit.KindRateLimited, name+" is rate limiting requests; try again later", callaudit.CodeUpstreamRateLimited, retryAfter
	case s == http.StatusRequestTimeout || s == http.StatusGatewayTimeout:
		e.Kind, e.Message, e.Code, e.RetryAfter = callaudit.KindTimeout, name+" timed out", callaudit.CodeUpstreamTimedOut, retryAfter
	case s == http.StatusBadGateway || s == http.StatusServiceUnavailable:
		e.Kind, e.Message, e.Code, e.RetryAfter = callaudit.KindUnavailable, name+" is unavailable; try again later", callaudit.CodeUpstreamUnavailable, retryAfter
	case s >= 500:
		e.Kind, e.Message, e.Code, e.RetryAfter = callaudit.KindUpstream, name+" failed to process the request", callaudit.CodeUpstreamServerError, retryAfter
	case ue.Param == "file" || strings.Contains(strings.ToLower(ue.msg), "file format"):
		e.Kind, e.Message, e.Code = callaudit.KindUnsupported, name+" cannot read the recording: "+ue.msg, callaudit.CodeUpstreamUnreadable
	default:
		e.Kind, e.Message, e.Code = callaudit.KindInvalid, name+" rejected the request: "+ue.msg, callaudit.CodeUpstreamRejected
	}
	return e
}

// service names OpenAI in the params of its coded errors.
var service = map[string]string{"service": "OpenAI API"}

// coded gives e a message code for translation (see callaudit.Code).
func coded(e *callaudit.Error, code callaudit.Code, params map[string]string) *callaudit.Error {
	e.Code, e.Params = code, params
	return e
}
