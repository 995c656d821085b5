// Package amocrm is the intake of amoCRM's call notes: whatever telephony
// is connected to amoCRM adds a call note (call_in, call_out, with the
// recording in params.link) to the lead, and amoCRM posts its «note added»
// webhook. amoCRM signs no webhook, so the URL carries a secret
// (/intake/amocrm/{secret}); the intake checks it in constant time,
// accepts the call into the durable queue at once, and the job reads the
// note through API v4 (GET /api/v4/{leads|contacts}/{id}/notes/{note_id})
// and downloads params.link, polling while the note answers 204 No Content
// or the link 404. The result is written back as a note on the same lead
// through adapters/writeback/amocrm (the call id starts with the record:
// "lead-4821:amocrm-…"); Notifier wraps it to keep amoCRM's limit of 7
// requests a second.
//
// Sources (quoted in amocrmtest/testdata/SOURCES.md): amoCRM's webhooks-format,
// events-and-notes and calls-api pages, the official PHP SDK
// (amocrm/amocrm-api-php) and Kommo's limitations page.
package amocrm

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/adapters/writeback/crmref"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/transcribe"
)

// Name is the vendor's name: the route and the prefix of its call ids.
const Name = "amocrm"

// Defaults.
const (
	// DefaultRate is the intake's requests a second: one under amoCRM's
	// documented «not more than 7 requests per second», for requests in
	// flight and the account's other integrations.
	DefaultRate = 6
	// DefaultPollDelay is how long the job waits before downloading again
	// a recording link that answered 404: the telephony may upload it
	// after adding the note. Not documented by amoCRM.
	DefaultPollDelay = 30 * time.Second
	// MinSecretLength is the shortest path secret accepted.
	MinSecretLength = 16
)

// Config configures the amoCRM intake.
type Config struct {
	intake.Common
	// BaseURL is the account, https://{subdomain}.amocrm.ru; Token a
	// long-lived token (the write-back's may be the same).
	BaseURL, Token string
	// Secret is the last segment of the webhook URL pasted into amoCRM.
	Secret string
	// Rate keeps the API limit; 0 is DefaultRate.
	Rate float64
	// Timeout bounds one API request; 0 is send.DefaultTimeout.
	Timeout time.Duration
	// Transport replaces http.DefaultTransport for the API (tests).
	Transport http.RoundTripper
}

// Vendor is the amoCRM side of the intake. It is safe for concurrent use.
type Vendor struct {
	cfg     Config
	notes   *Notes
	fetcher audit.Fetcher
}

// New checks cfg and returns the vendor, which downloads the recordings
// with fetcher (the SSRF-safe one of the server). Errors are KindInvalid naming the
// field, never showing the token or the secret.
func New(cfg Config, fetcher audit.Fetcher) (*Vendor, error) {
	switch {
	case cfg.BaseURL == "" || !strings.HasPrefix(cfg.BaseURL, "http"):
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "BaseURL", Message: "must be the account's address, like https://example.amocrm.ru"})
	case cfg.Token == "":
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "Token", Message: "is required: a long-lived token of a private integration"})
	case len(cfg.Secret) < MinSecretLength:
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "Secret", Message: "must be at least " + strconv.Itoa(MinSecretLength) + " characters: amoCRM signs no webhook, the URL's secret is all that authenticates it"})
	case fetcher == nil:
		return nil, callaudit.Errorf(callaudit.KindInvalid, "amocrm.New: a fetcher is required")
	}
	cfg.Rate, cfg.PollDelay = cmp.Or(cfg.Rate, DefaultRate), cmp.Or(cfg.PollDelay, DefaultPollDelay)
	return &Vendor{cfg: cfg, fetcher: fetcher, notes: NewNotes(cfg.BaseURL, cfg.Token,
		intake.ClientConfig{PerSecond: cfg.Rate, Timeout: cfg.Timeout, Transport: cfg.Transport})}, nil
}

// Name is "amocrm".
func (v *Vendor) Name() string { return Name }

// Settings are the common settings.
func (v *Vendor) Settings() intake.Common { return v.cfg.Common }

// recordTypes maps the hook's entity to the record type the write-back
// adapter knows.
var recordTypes = map[string]string{"leads": "lead", "contacts": "contact"}

// hookText is the JSON the note hook's text holds for a call note (keys
// seen in live hooks, not documented); only DURATION is used, to tell a
// call without talk early.
type hookText struct {
	Duration *int `json:"DURATION"`
}

// Receive is ReceiveBatch's first event, or none.
func (v *Vendor) Receive(r *http.Request, body []byte) (intake.Event, error) {
	events, err := v.ReceiveBatch(r, body)
	if err != nil || len(events) == 0 {
		return intake.Event{}, err
	}
	return events[0], nil
}

// ReceiveBatch checks the path's secret (constant time) and reads every
// call note of the hook, one event each, keyed by the note id: a resend
// of the hook is dropped as a known call. Notes that are not calls
// (common notes, other events) are left out; a hook with none is
// answered and dropped.
func (v *Vendor) ReceiveBatch(r *http.Request, body []byte) ([]intake.Event, error) {
	if !intake.Equal(strings.TrimPrefix(intake.Subpath(r), "/"), v.cfg.Secret) {
		return nil, intake.Unauthorized("the amoCRM webhook URL's secret does not match")
	}
	hooks, err := ParseHook(body)
	if err != nil {
		return nil, intake.Malformed("the amoCRM webhook is not form-encoded")
	}
	var out []intake.Event
	for _, h := range hooks {
		if !h.Call() {
			continue
		}
		facts := intake.Facts{Direction: intake.Inbound, Employee: h.Responsible,
			CRM: &crmref.Ref{Type: recordTypes[h.Entity], ID: strconv.Itoa(h.EntityID)}}
		if h.NoteType == 11 {
			facts.Direction = intake.Outbound
		}
		var text hookText
		if json.Unmarshal([]byte(h.Text), &text) == nil && text.Duration != nil {
			facts.Talk = time.Duration(*text.Duration) * time.Second
			facts.NoTalk = *text.Duration <= 0
		}
		key := strconv.Itoa(h.NoteID)
		out = append(out, intake.Event{Kind: "note", CallKey: key, Facts: facts, Recording: h.Entity + "/" + strconv.Itoa(h.EntityID) + "/" + key})
	}
	return out, nil
}

// Fetch reads the note and downloads its recording: NotReady while amoCRM
// answers the note's read with 204 No Content (a note just added, not
// readable yet), while the note has no link yet, or while the link
// answers 404; the API limit kept by the limiter, amoCRM's 429 retried as
// a rate limit.
func (v *Vendor) Fetch(ctx context.Context, rec intake.Recording) (transcribe.Audio, func(), error) {
	entity, rest, _ := strings.Cut(rec.ID, "/")
	idText, noteText, _ := strings.Cut(rest, "/")
	entityID, _ := strconv.Atoi(idText)
	noteID, _ := strconv.Atoi(noteText)
	note, err := v.notes.Get(ctx, entity, entityID, noteID)
	if callaudit.KindOf(err) == callaudit.KindNotFound {
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "the call note is not readable yet: "+callaudit.MessageOf(err))
	}
	if err != nil {
		return transcribe.Audio{}, nil, err
	}
	switch reason := note.Skip(); {
	case reason != "":
		return transcribe.Audio{}, nil, intake.Skipped(reason)
	case note.Params.Link == "":
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "the call note has no recording link yet")
	}
	audio, release, err := v.fetcher.Fetch(ctx, note.Params.Link)
	if callaudit.KindOf(err) == callaudit.KindNotFound {
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "the recording link answers 404")
	}
	return audio, release, err
}

// Notifier is inner, the write-back to the same account
// (adapters/writeback/amocrm), keeping the account's rate limit with the
// intake's note reads. The call id already names the lead.
func (v *Vendor) Notifier(inner writeback.Notifier) *intake.WriteBack {
	return &intake.WriteBack{Inner: inner, Client: v.notes.client, Vendor: Name}
}
