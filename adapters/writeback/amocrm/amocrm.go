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
	"github.com/callaudit/callaudit/adapters/env"
	"github.com/callaudit/callaudit/adapters/writeback/crmref"
	"github.com/callaudit/callaudit/adapters/writeback/note"
	"github.com/callaudit/callaudit/adapters/writeback/send"
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
	// BaseURL is the account's address, https://{subdomain}.amocrm.ru
	// (AUDIT_AMOCRM_BASE_URL, or AUDIT_AMOCRM_SUBDOMAIN alone).
	BaseURL string
	// Token is a long-lived access token of a private integration
	// (AUDIT_AMOCRM_TOKEN).
	Token string
	// EntityType is the record type for call ids that name none
	// (AUDIT_AMOCRM_ENTITY_TYPE, default "lead").
	EntityType string
	// CallIDPattern finds the record in a call id
	// (AUDIT_AMOCRM_CALL_ID_PATTERN, default crmref.DefaultPattern).
	CallIDPattern string
	// PublicURL is the server's public base URL, for the link in the note
	// (AUDIT_PUBLIC_URL); optional.
	PublicURL string
	// Timeout bounds one request (AUDIT_AMOCRM_TIMEOUT, default 30s).
	Timeout time.Duration
	// HTTPClient replaces the default client.
	HTTPClient *http.Client
}

// ConfigFromEnv reads the configuration; see Config for the variables.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	r := env.New(getenv)
	cfg := Config{
		BaseURL:       r.String("AUDIT_AMOCRM_BASE_URL"),
		Token:         r.String("AUDIT_AMOCRM_TOKEN"),
		EntityType:    r.String("AUDIT_AMOCRM_ENTITY_TYPE"),
		CallIDPattern: r.String("AUDIT_AMOCRM_CALL_ID_PATTERN"),
		PublicURL:     r.String("AUDIT_PUBLIC_URL"),
		Timeout:       send.DefaultTimeout,
	}
	if sub := r.String("AUDIT_AMOCRM_SUBDOMAIN"); cfg.BaseURL == "" && sub != "" {
		cfg.BaseURL = "https://" + sub + ".amocrm.ru"
	}
	r.Duration("AUDIT_AMOCRM_TIMEOUT", &cfg.Timeout)
	return cfg, r.Err()
}

// Configured reports whether any amoCRM setting is present; New then
// says what else is missing.
func (c Config) Configured() bool { return c.BaseURL != "" || c.Token != "" }

// Notifier adds notes in amoCRM. It is safe for concurrent use.
type Notifier struct {
	base      string
	token     string
	publicURL string
	match     *crmref.Matcher
	client    send.Client
}

// New checks the configuration and returns a Notifier. Errors are
// KindInvalid naming the environment variable, never showing the token.
func New(cfg Config) (*Notifier, error) {
	u, err := url.Parse(cfg.BaseURL)
	if cfg.BaseURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "AUDIT_AMOCRM_BASE_URL",
			Message: "must be the account's address, like https://example.amocrm.ru (or set AUDIT_AMOCRM_SUBDOMAIN)"})
	}
	if cfg.Token == "" {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "AUDIT_AMOCRM_TOKEN",
			Message: "is required: a long-lived token of a private integration in amoCRM"})
	}
	entityType := cfg.EntityType
	if entityType == "" {
		entityType = "lead"
	}
	m, err := crmref.NewMatcher(cfg.CallIDPattern, entityType, types, "AUDIT_AMOCRM_CALL_ID_PATTERN")
	if err != nil {
		return nil, err
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = send.NewHTTPClient(cfg.Timeout)
	}
	return &Notifier{base: strings.TrimRight(cfg.BaseURL, "/"), token: cfg.Token, publicURL: cfg.PublicURL, match: m,
		client: send.Client{HTTP: httpClient, Service: "amoCRM", Secrets: []string{cfg.Token}}}, nil
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

// Notify adds the note about the call (note.Text) to its record.
func (n *Notifier) Notify(ctx context.Context, call storage.Call) error {
	ref, err := n.match.Match(call.ID)
	if err != nil {
		return err
	}
	body, err := json.Marshal([]newNote{{NoteType: "common", Params: noteParams{Text: note.Text(call, n.publicURL)}}})
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
	_, err = n.client.Do(req, "amocrm.Notify")
	return err
}
