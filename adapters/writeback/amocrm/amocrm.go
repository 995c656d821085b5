// Package amocrm writes call results into amoCRM (Kommo) as a text note
// on the record the call belongs to, through REST API v4:
//
//	POST {base}/api/v4/leads/{id}/notes
//	Authorization: Bearer {long-lived token}
//	[{"note_type": "common", "params": {"text": "..."}}]
//
// The record comes from the call id (see adapters/writeback/crmref):
// "lead-4821" or "4821" is lead 4821, "contact-12" contact 12. amoCRM has
// no idempotency key for notes; a queue that delivers each result once
// keeps notes single, and a retry after a lost answer may add a second.
package amocrm

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/crmref"
	"github.com/callaudit/callaudit/storage"
)

// paths maps the record types a call id may name to amoCRM's API paths;
// amoCRM calls deals leads.
var paths = map[string]string{
	"lead": "leads", "deal": "leads", "contact": "contacts", "company": "companies", "customer": "customers",
}

var types = []string{"lead", "deal", "contact", "company", "customer"}

// Config configures the amoCRM adapter.
type Config struct {
	// BaseURL is the account's address, https://{subdomain}.amocrm.ru.
	BaseURL string
	// Token is a long-lived access token of a private integration.
	Token string
	// EntityType is the record type for call ids that name none
	// (default "lead").
	EntityType string
	// CallIDPattern finds the record in a call id (default
	// crmref.DefaultPattern).
	CallIDPattern string
	// PublicURL is the server's public base URL, for the link in the
	// note; optional.
	PublicURL string
	// Timeout bounds one request (default send.DefaultTimeout, 30s).
	Timeout time.Duration
	// HTTPClient replaces the default client.
	HTTPClient *http.Client
}

// Configured reports whether any amoCRM setting is present; New then
// says what else is missing.
func (c Config) Configured() bool { return c.BaseURL != "" || c.Token != "" }

// Notifier adds notes in amoCRM. It is safe for concurrent use.
type Notifier struct {
	base   string
	token  string
	target *crmref.Target
}

// New checks the configuration and returns a Notifier. Errors are
// KindInvalid naming the Config field, never showing the token.
func New(cfg Config) (*Notifier, error) {
	u, err := url.Parse(cfg.BaseURL)
	if cfg.BaseURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "BaseURL",
			Message: "must be the account's address, like https://example.amocrm.ru"})
	}
	if cfg.Token == "" {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "Token",
			Message: "is required: a long-lived token of a private integration in amoCRM"})
	}
	t, err := crmref.NewTarget(crmref.TargetConfig{CallIDPattern: cfg.CallIDPattern, EntityType: cfg.EntityType, DefaultType: "lead",
		Types: types, PublicURL: cfg.PublicURL, HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout, Service: "amoCRM", Secrets: []string{cfg.Token}})
	if err != nil {
		return nil, err
	}
	return &Notifier{base: strings.TrimRight(cfg.BaseURL, "/"), token: cfg.Token, target: t}, nil
}

// Name identifies the adapter in logs and statuses.
func (n *Notifier) Name() string { return "amocrm" }

type noteParams struct {
	Text string `json:"text"`
}

type newNote struct {
	NoteType string     `json:"note_type"`
	Params   noteParams `json:"params"`
}

// Notify adds the note about the call to its record.
func (n *Notifier) Notify(ctx context.Context, call storage.Call) error {
	ref, text, err := n.target.Note(call)
	if err != nil {
		return err
	}
	body, err := json.Marshal([]newNote{{NoteType: "common", Params: noteParams{Text: text}}})
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInternal, "amocrm.Notify", "cannot encode the note")
	}
	endpoint := n.base + "/api/v4/" + paths[ref.Type] + "/" + ref.ID + "/notes"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInternal, "amocrm.Notify", "cannot build the amoCRM request")
	}
	req.Header.Set("Authorization", "Bearer "+n.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	_, err = n.target.Client.Do(req, "amocrm.Notify")
	return err
}
