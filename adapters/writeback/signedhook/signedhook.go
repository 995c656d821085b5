// Package signedhook delivers call results to a URL of the operator's
// choice as Standard Webhooks: a JSON document signed with a whsec_
// secret (adapters/webhooks), so the receiver can check who sent it with
// any of the standard's libraries.
//
// The body is {"type", "timestamp", "data"} as the standard recommends;
// type is "call.audited" for a done call and "call.failed" otherwise, and
// data is a note.Summary. The webhook-id is derived from the call id and
// its status, so every retry of one result, after a crash too, carries
// the same id and the receiver can drop duplicates by it.
package signedhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/note"
	"github.com/callaudit/callaudit/adapters/writeback/send"
	"github.com/callaudit/callaudit/storage"
)

// Event types of the payload.
const (
	EventAudited = "call.audited"
	EventFailed  = "call.failed"
)

// Config configures the signed callback.
type Config struct {
	// URL receives the POSTs Empty: not configured.
	URL string
	// Secret signs them, whsec_ + base64.
	Secret string
	// PublicURL is the server's public base URL, for the link to the
	// call; optional.
	PublicURL string
	// Timeout bounds one attempt (default send.DefaultTimeout, 30s).
	Timeout time.Duration
	// HTTPClient replaces the default client (tests, proxies); Timeout is
	// then the client's business.
	HTTPClient *http.Client
	// Now is the clock for webhook-timestamp; nil means time.Now.
	Now func() time.Time
}

// Configured reports whether the callback is switched on.
func (c Config) Configured() bool { return c.URL != "" }

// Notifier posts signed call results. It is safe for concurrent use.
type Notifier struct {
	url       string
	publicURL string
	signer    *webhooks.Signer
	client    send.Client
	now       func() time.Time
}

// New checks the configuration and returns a Notifier. A missing URL or
// secret, a URL that is not http(s) or a secret that does not parse is
// KindInvalid naming the Config field; the secret is never shown.
func New(cfg Config) (*Notifier, error) {
	u, err := url.Parse(cfg.URL)
	if cfg.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "URL", Message: "must be an http or https URL"})
	}
	if cfg.Secret == "" {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "Secret",
			Message: "is required with the callback URL: whsec_ followed by base64 of 24 to 64 random bytes"})
	}
	signer, err := webhooks.NewSigner(cfg.Secret)
	if err != nil {
		// ParseSecret's own field error, which says what a valid secret
		// is, renamed to this Config's field.
		fields := slices.Clone(callaudit.FieldsOf(err))
		for i := range fields {
			fields[i].Field = "Secret"
		}
		return nil, callaudit.Invalid(fields...)
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = send.NewHTTPClient(cfg.Timeout)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Notifier{url: cfg.URL, publicURL: cfg.PublicURL, signer: signer, now: now,
		client: send.Client{HTTP: httpClient, Service: "the callback receiver (" + u.Host + ")"}}, nil
}

// Name identifies the adapter in logs and statuses.
func (n *Notifier) Name() string { return "callback" }

// Payload is the body of a callback.
type Payload struct {
	Type      string       `json:"type"`
	Timestamp time.Time    `json:"timestamp"`
	Data      note.Summary `json:"data"`
}

// MessageID returns the webhook-id of a call's result: stable for one
// call and status, different for another, and free of the dots the
// standard forbids in ids.
func MessageID(call storage.Call) string {
	sum := sha256.Sum256([]byte(call.ID + "\x00" + string(call.Status)))
	return "msg_" + hex.EncodeToString(sum[:16])
}

// Notify posts the call's result, signed. The receiver answering 2xx is
// success; other answers map to error kinds as adapters/writeback/send
// documents.
func (n *Notifier) Notify(ctx context.Context, call storage.Call) error {
	event := EventFailed
	if call.Status == storage.StatusDone && call.Report != nil {
		event = EventAudited
	}
	ts := call.UpdatedAt
	if ts.IsZero() {
		ts = n.now()
	}
	body, err := json.Marshal(Payload{Type: event, Timestamp: ts.UTC(), Data: note.Summarize(call, n.publicURL)})
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInternal, "signedhook.Notify", "cannot encode the callback")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInternal, "signedhook.Notify", "cannot build the callback request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "callaudit")
	// Signed at send time: each attempt carries a fresh timestamp, as the
	// standard asks, and the same id.
	n.signer.SetHeaders(req.Header, MessageID(call), n.now(), body)
	_, err = n.client.Do(req, "signedhook.Notify")
	return err
}
