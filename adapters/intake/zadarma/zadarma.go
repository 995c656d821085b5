// Package zadarma takes calls from Zadarma's cloud PBX into the telephony
// intake (adapters/intake), from its PBX notifications as its official
// library documents them (github.com/zadarma/user-api-v1: lib/Webhook,
// lib/Client.php, lib/Api.php):
//
//   - notifications are form POSTs with an event field; the Signature
//     header is base64(hex(HMAC-SHA1(string, API secret))) over a string
//     that depends on the event: caller_id.called_did.call_start for
//     NOTIFY_START, NOTIFY_INTERNAL and NOTIFY_END,
//     internal.destination.call_start for NOTIFY_OUT_START and
//     NOTIFY_OUT_END, pbx_call_id.call_id_with_rec for NOTIFY_RECORD;
//   - NOTIFY_END / NOTIFY_OUT_END end a call: internal (the extension),
//     duration, disposition ("answered", "busy", "cancel", "no answer",
//     ...), is_recorded; NOTIFY_RECORD says the recording
//     (call_id_with_rec) of pbx_call_id is saved: it accepts the call,
//     joined with the end by pbx_call_id (the two are separate requests
//     in no documented order: a NOTIFY_RECORD that comes first is
//     accepted and its job waits a while for the NOTIFY_END,
//     intake.Event.Await); Zadarma numbers no
//     notification, so the first of each is kept and a resend dropped;
//   - the URL is checked by a GET with zd_echo, answered with its value;
//   - the recording is requested by GET /v1/pbx/record/request/ with
//     call_id and lifetime (the API's own signed Authorization header,
//     key:base64(hex(HMAC-SHA1(method + params + md5(params))))), which
//     answers the link to download; Zadarma advises downloading "in 40
//     seconds after the notification, as certain time period is needed
//     for the file to be saved": a recording not found is asked for again
//     after DefaultPollDelay.
//
// The API's rate limit is taken as 100 requests a minute (a figure seen
// in integrations, UNCONFIRMED in Zadarma's own documentation), and the
// answer for a recording not saved yet (a 404, or an error status) is
// UNCONFIRMED too.
package zadarma

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/transcribe"
)

// RecordMethod is the API method that hands out a recording's link.
const RecordMethod = "/v1/pbx/record/request/"

// Defaults of a zero Config.
const (
	DefaultBaseURL = "https://api.zadarma.com"
	// DefaultPerSecond is 100 requests a minute (UNCONFIRMED).
	DefaultPerSecond = 100.0 / 60
	// DefaultPollDelay is Zadarma's advice: 40 seconds for the file to be
	// saved.
	DefaultPollDelay = 40 * time.Second
	// DefaultLinkLifetime is the shortest lifetime the API allows for a
	// download link (180 s): it is fetched at once.
	DefaultLinkLifetime = 180
)

// Config configures the Zadarma intake; API's BaseURL defaults to
// DefaultBaseURL and its PerSecond to DefaultPerSecond.
type Config struct {
	intake.Common
	intake.API
	// APIKey and Secret are the API's key and secret (my.zadarma.com,
	// Settings → API); Secret signs the notifications too.
	APIKey, Secret string
}

// Vendor is the Zadarma intake, safe for concurrent use.
type Vendor struct {
	cfg Config
	intake.Base
}

var _ intake.Vendor = (*Vendor)(nil)

// New returns the vendor for cfg, downloading recordings' links through
// files (the server's SSRF-safe fetcher).
func New(cfg Config, files audit.Fetcher) (*Vendor, error) {
	var missing []callaudit.FieldError
	if cfg.APIKey == "" || cfg.Secret == "" {
		missing = []callaudit.FieldError{{Field: "APIKey", Message: "and Secret are required"}}
	}
	base, err := intake.NewBase(cfg.API, intake.Defaults{Service: "Zadarma", BaseURL: DefaultBaseURL, PerSecond: DefaultPerSecond}, files, missing, cfg.Secret)
	if err != nil {
		return nil, err
	}
	if cfg.PollDelay <= 0 {
		cfg.PollDelay = DefaultPollDelay
	}
	return &Vendor{cfg: cfg, Base: base}, nil
}

// Name is "zadarma": its URL is <server>/intake/zadarma.
func (v *Vendor) Name() string { return "zadarma" }

// Settings are the common settings.
func (v *Vendor) Settings() intake.Common { return v.cfg.Common }

// Signature is base64 of the hex HMAC-SHA1 of s under secret, as
// Zadarma's library computes both the notifications' Signature and the
// API's Authorization (PHP's hash_hmac returns hex).
func Signature(s, secret string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(m.Sum(nil))))
}

// SignedString is the string an event's Signature is computed over, or
// false for an event without one.
func SignedString(form url.Values) (string, bool) {
	g := form.Get
	switch g("event") {
	case "NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_END":
		return g("caller_id") + g("called_did") + g("call_start"), true
	case "NOTIFY_OUT_START", "NOTIFY_OUT_END":
		return g("internal") + g("destination") + g("call_start"), true
	case "NOTIFY_RECORD":
		return g("pbx_call_id") + g("call_id_with_rec"), true
	}
	return "", false
}

// endEvents are the Kinds of the notifications that end a call.
var endEvents = []string{"NOTIFY_END", "NOTIFY_OUT_END"}

// maxEcho bounds the zd_echo answered.
const maxEcho = 256

// Receive answers the URL check, verifies a notification's Signature
// and reads the events the intake uses.
func (v *Vendor) Receive(r *http.Request, body []byte) (intake.Event, error) {
	if echo := r.URL.Query().Get("zd_echo"); r.Method == http.MethodGet && echo != "" && len(echo) <= maxEcho {
		return intake.Event{Reply: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			_, _ = w.Write([]byte(echo))
		}}, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return intake.Event{}, intake.Malformed("the body is not a form")
	}
	signed, ok := SignedString(form)
	if !ok {
		return intake.Event{}, nil // an event the intake does not use
	}
	if !intake.Equal(r.Header.Get("Signature"), Signature(signed, v.cfg.Secret)) {
		return intake.Event{}, intake.Unauthorized("the Signature of the Zadarma notification is wrong")
	}
	g := form.Get
	switch event := g("event"); event {
	case "NOTIFY_END", "NOTIFY_OUT_END":
		f := intake.Facts{Direction: intake.Inbound, Employee: g("internal"), Phone: g("caller_id")}
		if event == "NOTIFY_OUT_END" {
			f.Direction, f.Phone = intake.Outbound, g("destination")
		}
		secs, _ := strconv.Atoi(g("duration"))
		f.Talk = time.Duration(secs) * time.Second
		switch {
		case g("disposition") != "answered":
			f.NoTalk = true
		case g("is_recorded") == "0":
			f.Skip = intake.ReasonNotRecorded
		}
		return intake.Event{Kind: event, CallKey: g("pbx_call_id"), Facts: f}, nil
	case "NOTIFY_RECORD":
		rec := g("call_id_with_rec")
		// NOTIFY_END names the extension; the two come in no documented
		// order, so a NOTIFY_RECORD that overtook it waits for it.
		return intake.Event{Kind: "NOTIFY_RECORD:" + rec, CallKey: g("pbx_call_id"), Recording: rec, Await: endEvents}, nil
	}
	return intake.Event{}, nil
}

// Authorization is the API's Authorization header for a request of
// method with params (format=json included): key:Signature(method +
// params + md5(params)), params sorted and form-encoded.
func Authorization(key, secret, method string, params url.Values) string {
	enc := params.Encode()
	sum := md5.Sum([]byte(enc))
	return key + ":" + Signature(method+enc+hex.EncodeToString(sum[:]), secret)
}

// Fetch asks the API for the recording's link and downloads it.
func (v *Vendor) Fetch(ctx context.Context, rec intake.Recording) (transcribe.Audio, func(), error) {
	params := url.Values{"call_id": {rec.ID}, "format": {"json"}, "lifetime": {strconv.Itoa(DefaultLinkLifetime)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.BaseURL+RecordMethod+"?"+params.Encode(), nil)
	if err != nil {
		return transcribe.Audio{}, nil, callaudit.Wrap(err, callaudit.KindNotConfigured, "zadarma.Fetch", "the Zadarma API address cannot be used")
	}
	req.Header.Set("Authorization", Authorization(v.cfg.APIKey, v.cfg.Secret, RecordMethod, params))
	resp, err := v.API.Do(req, "zadarma.Fetch")
	if callaudit.KindOf(err) == callaudit.KindNotFound {
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "Zadarma has no file yet")
	}
	if err != nil {
		return transcribe.Audio{}, nil, err
	}
	var answer struct {
		Status  string `json:"status"`
		Message string `json:"message"`
		Link    string `json:"link"`
	}
	if err := json.Unmarshal(resp.Body, &answer); err != nil {
		return transcribe.Audio{}, nil, callaudit.Errorf(callaudit.KindUpstream, "Zadarma's answer for the recording cannot be read")
	}
	if answer.Status != "success" || answer.Link == "" {
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "Zadarma answered "+answer.Status+": "+answer.Message)
	}
	return v.Files.Fetch(ctx, answer.Link)
}
