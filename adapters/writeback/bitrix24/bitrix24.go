// Package bitrix24 writes call results into Bitrix24 as a comment in the
// timeline of the CRM record the call belongs to, through an inbound REST
// webhook (https://{portal}/rest/{user}/{code}/):
//
//	POST {webhook}/crm.timeline.comment.add.json
//	fields[ENTITY_ID]=77&fields[ENTITY_TYPE]=deal&fields[COMMENT]=...
//
// The record comes from the call id (see adapters/writeback/crmref):
// "deal-77" or "77" is deal 77 with the default type, "lead-5" lead 5.
// The webhook URL is a credential (its code authorizes the calls): it
// never appears in errors. Bitrix24 has no idempotency key for comments; a
// queue that delivers each result once keeps them single.
package bitrix24

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/crmref"
	"github.com/callaudit/callaudit/adapters/writeback/send"
	"github.com/callaudit/callaudit/storage"
)

// Method is the REST method the adapter calls.
const Method = "crm.timeline.comment.add"

// types are the ENTITY_TYPE values crm.timeline.comment.add documents.
var types = []string{"lead", "deal", "contact", "company", "order"}

// Config configures the Bitrix24 adapter.
type Config struct {
	// WebhookURL is the inbound webhook with the crm scope,
	// https://{portal}/rest/{user}/{code}/.
	WebhookURL string
	// EntityType is the record type for call ids that name none
	// (default "deal").
	EntityType string
	// CallIDPattern finds the record in a call id (default
	// crmref.DefaultPattern).
	CallIDPattern string
	// PublicURL is the server's public base URL, for the link in the
	// comment; optional.
	PublicURL string
	// Timeout bounds one request (default send.DefaultTimeout, 30s).
	Timeout time.Duration
	// HTTPClient replaces the default client.
	HTTPClient *http.Client
}

// Configured reports whether the adapter is switched on.
func (c Config) Configured() bool { return c.WebhookURL != "" }

// Notifier adds timeline comments in Bitrix24. It is safe for concurrent
// use.
type Notifier struct {
	endpoint string
	target   *crmref.Target
}

// New checks the configuration and returns a Notifier. Errors are
// KindInvalid naming the Config field, never showing the URL.
func New(cfg Config) (*Notifier, error) {
	u, err := url.Parse(cfg.WebhookURL)
	if cfg.WebhookURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		!strings.Contains(u.Path, "/rest/") {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "WebhookURL",
			Message: "must be an inbound webhook URL like https://portal.bitrix24.ru/rest/1/<code>/"})
	}
	// The path holds the webhook code: redact it wherever it might show.
	t, err := crmref.NewTarget(crmref.TargetConfig{CallIDPattern: cfg.CallIDPattern, EntityType: cfg.EntityType, DefaultType: "deal",
		Types: types, PublicURL: cfg.PublicURL, HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout,
		Service: "Bitrix24 (" + u.Host + ")", Secrets: []string{cfg.WebhookURL, strings.Trim(u.Path, "/")}})
	if err != nil {
		return nil, err
	}
	return &Notifier{endpoint: strings.TrimRight(cfg.WebhookURL, "/") + "/" + Method + ".json", target: t}, nil
}

// Name identifies the adapter in logs and statuses.
func (n *Notifier) Name() string { return "bitrix24" }

// errorCode is the shape of Bitrix24's error codes.
var errorCode = regexp.MustCompile(`^[A-Za-z0-9_ ]{1,64}$`)

// answer is Bitrix24's JSON reply: a result, or an error code.
type answer struct {
	Result      json.RawMessage `json:"result"`
	Error       string          `json:"error"`
	Description string          `json:"error_description"`
}

// Notify adds the comment about the call (note.Text) to its record's
// timeline.
func (n *Notifier) Notify(ctx context.Context, call storage.Call) error {
	const op = "bitrix24.Notify"
	ref, text, err := n.target.Note(call)
	if err != nil {
		return err
	}
	form := url.Values{}
	form.Set("fields[ENTITY_ID]", ref.ID)
	form.Set("fields[ENTITY_TYPE]", ref.Type)
	form.Set("fields[COMMENT]", text)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInternal, op, "cannot build the Bitrix24 request")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := n.target.Client.Do(req, op)
	if err != nil {
		return rateLimit(err)
	}
	var a answer
	if err := json.Unmarshal(resp.Body, &a); err != nil || a.Error != "" || len(a.Result) == 0 || string(a.Result) == "false" {
		// A 2xx that is not a result is a refusal all the same. The error
		// code is Bitrix24's vocabulary (ACCESS_DENIED), safe to show.
		code := cmp.Or(a.Error, "no result")
		if !errorCode.MatchString(code) {
			code = "an unexpected answer"
		}
		return &callaudit.Error{Kind: callaudit.KindInvalid, Op: op,
			Message: "Bitrix24 refused the comment (" + code + "); check the webhook's crm scope and the record",
			Err:     &send.AnswerError{Status: resp.Status, Body: n.target.Client.Redact(string(resp.Body[:min(len(resp.Body), 300)]))}}
	}
	return nil
}

// rateLimit turns Bitrix24's QUERY_LIMIT_EXCEEDED, which arrives as a 503,
// into the rate limit it is. Its bucket drains two requests a second, so a
// short wait is enough.
func rateLimit(err error) error {
	var ae *send.AnswerError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || !strings.Contains(ae.Body, "QUERY_LIMIT_EXCEEDED") {
		return err
	}
	return &callaudit.Error{Kind: callaudit.KindRateLimited, Op: "bitrix24.Notify", Err: err,
		Message:    "Bitrix24 is rate limiting requests (QUERY_LIMIT_EXCEEDED); the delivery will be retried",
		RetryAfter: max(callaudit.RetryAfterOf(err), time.Second)}
}
