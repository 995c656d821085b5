// Package bitrix24 is the intake of Bitrix24's telephony: a portal's
// outbound webhook (or app) posts ONVOXIMPLANTCALLEND when a call ends and
// is written to the call history; the intake checks the event's
// auth[application_token] against the token kept for its auth[member_id],
// accepts the call into the durable queue at once (Bitrix24 does not
// send an event twice), and the job then asks voximplant.statistic.get
// for the call's CALL_RECORD_URL (polling, with River's snooze, while the
// history has no record of the call, the URL is empty or it answers 404)
// and downloads the recording. The result is written back as a comment in the
// timeline of the call's CRM record (CRM_ENTITY_TYPE, CRM_ENTITY_ID of
// the same statistics record) by Notifier, which wraps the write-back
// adapter adapters/writeback/bitrix24.
//
// Sources (quoted in bitrix24test/testdata/SOURCES.md): the Bitrix24 REST
// documentation (bitrix24/b24restdocs) pages on-voximplant-call-end.md,
// voximplant-statistic-get.md, events/safe-event-handlers.md,
// events/index.md and limits.md.
package bitrix24

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/transcribe"
)

// Name is the vendor's name: the route /intake/bitrix24/… and the prefix
// of its call ids.
const Name = "bitrix24"

// The intake's limit, under the documented one: the REST API's leaky
// bucket drains 2 requests a second and holds 50 (limits.md,
// non-Enterprise plans); the burst leaves 10 for requests in flight and
// the portal's other integrations, which share the bucket.
const (
	DefaultRate  = 2
	DefaultBurst = 40
	// DefaultPollDelay is how long the job waits before asking again for
	// a recording URL the history does not show yet. Bitrix24 documents
	// no delay; the recording is usually attached within seconds of the
	// call's end.
	DefaultPollDelay = 20 * time.Second
)

// Config configures the Bitrix24 intake.
type Config struct {
	intake.Common
	// WebhookURL is an inbound webhook with the telephony scope
	// (https://{portal}/rest/{user}/{code}/), for voximplant.statistic.get.
	// The write-back's webhook (with the crm scope too) may be the same.
	WebhookURL string
	// Tokens are the application tokens per member_id.
	Tokens Tokens
	// Rate and Burst keep the portal's REST limit; 0 are DefaultRate and
	// DefaultBurst.
	Rate  float64
	Burst int
	// Timeout bounds one REST request; 0 is send.DefaultTimeout.
	Timeout time.Duration
	// Transport replaces http.DefaultTransport for the REST API (tests).
	Transport http.RoundTripper
}

// Vendor is the Bitrix24 side of the intake. It is safe for concurrent
// use.
type Vendor struct {
	cfg     Config
	stats   *Statistics
	fetcher audit.Fetcher
}

// New checks cfg and returns the vendor, which downloads the recordings
// with fetcher (the SSRF-safe one of the server). Errors are KindInvalid naming the
// field, never showing a token or the webhook URL.
func New(cfg Config, fetcher audit.Fetcher) (*Vendor, error) {
	if cfg.WebhookURL == "" {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "WebhookURL", Message: "is required: an inbound webhook with the telephony scope"})
	}
	if len(cfg.Tokens.byMember) == 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "Tokens", Message: "is required: the outbound webhook's application token per portal member_id"})
	}
	if fetcher == nil {
		return nil, callaudit.Errorf(callaudit.KindInvalid, "bitrix24.New: a fetcher is required")
	}
	v := &Vendor{cfg: cfg, fetcher: fetcher}
	v.cfg.PollDelay = cmp.Or(cfg.PollDelay, DefaultPollDelay)
	v.stats = NewStatistics(cfg.WebhookURL, cmp.Or(cfg.Rate, DefaultRate), cmp.Or(cfg.Burst, DefaultBurst), cfg.Timeout, cfg.Transport)
	return v, nil
}

// Name is "bitrix24".
func (v *Vendor) Name() string { return Name }

// Settings are the common settings.
func (v *Vendor) Settings() intake.Common { return v.cfg.Common }

// Receive reads one event. Events other than ONVOXIMPLANTCALLEND (the
// call's init and start, sent without authorization data) are answered and
// dropped; the end event must carry the member's application token (else
// 403, as «Security in Handlers» says) and accepts the call, whose
// recording the job then looks up. A missed call (CALL_FAILED_CODE other
// than 200) or one without talk is kept as such and counted, not audited.
func (v *Vendor) Receive(_ *http.Request, body []byte) (intake.Event, error) {
	ev, err := ParseEvent(body)
	if err != nil {
		return intake.Event{}, intake.Malformed("the Bitrix24 event is not a form with an event name")
	}
	if ev.Name != EventCallEnd {
		return intake.Event{}, nil
	}
	if err := v.cfg.Tokens.Check(ev); err != nil {
		return intake.Event{}, err
	}
	if ev.CallID == "" {
		return intake.Event{}, intake.Malformed("the ONVOXIMPLANTCALLEND event has no data[CALL_ID]")
	}
	facts := intake.Facts{Employee: ev.UserID, Phone: ev.Phone, Talk: time.Duration(ev.Duration) * time.Second,
		NoTalk: Missed(ev.FailedCode, ev.Duration) != "", Direction: direction(ev.CallType)}
	if t, err := time.Parse(time.RFC3339, ev.StartDate); err == nil {
		facts.Started = t
	}
	return intake.Event{Kind: "end", CallKey: ev.CallID, Facts: facts, Recording: ev.CallID}, nil
}

// direction maps CALL_TYPE: 1 outgoing, 2 incoming, 3 incoming with
// redirection, 4 callback (the portal calls out), 5 informational.
func direction(callType int) intake.Direction {
	switch callType {
	case 2, 3:
		return intake.Inbound
	case 1, 4, 5:
		return intake.Outbound
	}
	return ""
}

// Fetch looks the call up in the statistics and downloads its recording:
// NotReady while the history has no record of the call, shows no
// CALL_RECORD_URL, or the URL answers 404,
// the REST limit kept by the limiter and, over it, Bitrix24's
// QUERY_LIMIT_EXCEEDED retried as a rate limit.
func (v *Vendor) Fetch(ctx context.Context, rec intake.Recording) (transcribe.Audio, func(), error) {
	r, err := v.stats.Get(ctx, rec.ID)
	if errors.Is(err, ErrNoRecord) {
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "the call history has no record of the call yet")
	}
	if err != nil {
		return transcribe.Audio{}, nil, err
	}
	if r.RecordURL == "" {
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "the call history shows no CALL_RECORD_URL yet")
	}
	audio, release, err := v.fetcher.Fetch(ctx, r.RecordURL)
	if callaudit.KindOf(err) == callaudit.KindNotFound {
		// The URL is known before the file is there (the record is
		// attached to the call after it ends).
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "the CALL_RECORD_URL answers 404")
	}
	return audio, release, err
}
