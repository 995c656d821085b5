// Package mango takes calls from Mango Office's virtual PBX (ВАТС) into
// the telephony intake (adapters/intake), from the events its API sends
// (MangoOffice_VPBX_API v1.9; sections cited as §):
//
//   - every request, both ways, is a form with vpbx_api_key, sign and
//     json, where sign = sha256(vpbx_api_key + json + vpbx_api_salt) in
//     lower-case hex (§2.4.3); it is checked over the json value as
//     received, never re-encoded;
//   - POST <url>/events/summary (§3.1.6), the end of a call: direction,
//     number, employee (to.extension inbound, from.extension outbound),
//     talk_time (0: no conversation), entry_result (0: missed);
//   - POST <url>/events/recording (§3.1.4): the recording's progress,
//     numbered by seq (older ones are dropped); completion_code 4002
//     means too short to keep, 22xx that the account is restricted;
//   - POST <url>/events/record/added (§3.1.8): the recording is stored
//     and "ready to download by API", though "depending on load it is
//     sometimes not at once": this event accepts the call, joined with the
//     summary by entry_id;
//   - the recording is downloaded by POST /vpbx/queries/recording/post
//     with {"recording_id", "action":"download"} (§3.5.1), which answers
//     302 to a one-time link on files.mango-office.ru that is fetched at
//     once (and never stored), through the SSRF-safe fetcher;
//   - "access to call recordings" is limited to 10 requests a second per
//     product (§1.4.2); over it Mango answers 429.
//
// Other events (/events/call, /events/record/tagged, ...) are answered and
// ignored. One call (entry_id) is audited once, from its first stored
// recording. What Mango answers for a recording that is not ready yet is
// not documented: a 404 is taken for that and asked again after
// DefaultPollDelay.
package mango

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/transcribe"
)

// Defaults of a zero Config.
const (
	DefaultBaseURL = "https://app.mango-office.ru/vpbx"
	// DefaultPerSecond is §1.4.2's limit on access to recordings, per
	// product.
	DefaultPerSecond = 10
	// DefaultPollDelay is how long to wait for a recording the API does
	// not have yet; Mango documents no figure (UNCONFIRMED).
	DefaultPollDelay = 30 * time.Second
)

// Config configures the Mango Office intake. API's BaseURL defaults to
// DefaultBaseURL, its PerSecond to DefaultPerSecond.
type Config struct {
	intake.Common
	intake.API
	// APIKey is the product's vpbx_api_key ("Уникальный код вашей ВАТС").
	APIKey string
	// Salt is vpbx_api_salt ("Ключ для создания подписи"); never sent.
	Salt string
}

// Vendor is the Mango Office intake. It is safe for concurrent use.
type Vendor struct {
	intake.Base
	cfg Config
}

var _ intake.Vendor = (*Vendor)(nil)

// New checks cfg and returns the vendor; files downloads the one-time
// links the API redirects to (the server's SSRF-safe fetcher).
func New(cfg Config, files audit.Fetcher) (*Vendor, error) {
	var missing []callaudit.FieldError
	for _, f := range [][2]string{{"APIKey", cfg.APIKey}, {"Salt", cfg.Salt}} {
		if f[1] == "" {
			missing = append(missing, callaudit.FieldError{Field: f[0], Message: "is required (the API settings of the personal cabinet)"})
		}
	}
	base, err := intake.NewBase(cfg.API, intake.Defaults{Service: "Mango Office", BaseURL: DefaultBaseURL, PerSecond: DefaultPerSecond},
		files, missing, cfg.APIKey, cfg.Salt)
	if err != nil {
		return nil, err
	}
	cfg.PollDelay = cmp.Or(cfg.PollDelay, DefaultPollDelay)
	return &Vendor{Base: base, cfg: cfg}, nil
}

// Name is "mango": its URL is <server>/intake/mango.
func (v *Vendor) Name() string { return "mango" }

// Settings are the common settings.
func (v *Vendor) Settings() intake.Common { return v.cfg.Common }

// Sign is the sign of json: sha256(vpbx_api_key + json + vpbx_api_salt)
// in lower-case hex (§2.4.3).
func Sign(apiKey, json, salt string) string {
	sum := sha256.Sum256([]byte(apiKey + json + salt))
	return hex.EncodeToString(sum[:])
}

// party is the from and to of §3.1.6.
type party struct {
	Extension string `json:"extension"`
	Number    string `json:"number"`
}

// event holds the fields of the events this package reads.
type event struct {
	EntryID       string          `json:"entry_id"`
	CallDirection int             `json:"call_direction"`
	From          party           `json:"from"`
	To            party           `json:"to"`
	CreateTime    int64           `json:"create_time"`
	TalkTime      int64           `json:"talk_time"`
	EndTime       int64           `json:"end_time"`
	EntryResult   json.RawMessage `json:"entry_result"`
	RecordingID   string          `json:"recording_id"`
	State         string          `json:"recording_state"`
	Seq           json.Number     `json:"seq"`
	Extension     string          `json:"extension"`
	Completion    json.Number     `json:"completion_code"`
	Recipient     string          `json:"recipient"`
}

// Receive checks the form's key and sign and reads the event its path
// names.
func (v *Vendor) Receive(r *http.Request, body []byte) (intake.Event, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return intake.Event{}, intake.Malformed("the body is not a form")
	}
	key, sign, js := form.Get("vpbx_api_key"), form.Get("sign"), form.Get("json")
	if !intake.Equal(key, v.cfg.APIKey) || !intake.Equal(strings.ToLower(sign), Sign(v.cfg.APIKey, js, v.cfg.Salt)) {
		return intake.Event{}, intake.Unauthorized("the vpbx_api_key or the sign of the Mango Office event is wrong")
	}
	path := intake.Subpath(r)
	if strings.TrimSpace(js) == "" {
		return intake.Event{}, nil // the cabinet's connection check
	}
	var e event
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&e); err != nil {
		return intake.Event{}, intake.Malformed("the json of the Mango Office event cannot be read")
	}
	switch path {
	case "/events/summary":
		return summary(e), nil
	case "/events/recording":
		return recording(e), nil
	case "/events/record/added":
		return intake.Event{Kind: "record/added:" + e.RecordingID, CallKey: e.EntryID, Recording: e.RecordingID}, nil
	}
	return intake.Event{}, nil
}

// summary reads §3.1.6: the employee is the answering one (to) on an
// inbound call and the caller (from) otherwise.
func summary(e event) intake.Event {
	f := intake.Facts{}
	switch e.CallDirection {
	case 1:
		f.Direction, f.Employee, f.Phone = intake.Inbound, e.To.Extension, e.From.Number
	case 2:
		f.Direction, f.Employee, f.Phone = intake.Outbound, e.From.Extension, e.To.Number
	default:
		f.Direction, f.Employee, f.Phone = intake.Internal, e.From.Extension, e.To.Extension
	}
	if e.CreateTime > 0 {
		f.Started = time.Unix(e.CreateTime, 0).UTC()
	}
	switch {
	case e.TalkTime == 0 || string(e.EntryResult) == "0" || string(e.EntryResult) == `"0"`:
		f.NoTalk = true
	case e.EndTime > e.TalkTime:
		f.Talk = time.Duration(e.EndTime-e.TalkTime) * time.Second
	}
	return intake.Event{Kind: "summary", CallKey: e.EntryID, Facts: f}
}

// recording reads §3.1.4: ordered by seq per recording; completion codes
// 4002 (shorter than the PBX keeps) and 22xx (account restricted) mean
// no recording will come, nor does one sent only by e-mail.
func recording(e event) intake.Event {
	seq, _ := e.Seq.Int64()
	f := intake.Facts{Employee: e.Extension}
	if e.State == "Completed" {
		code := e.Completion.String()
		switch {
		case code == "4002":
			f.Skip = intake.ReasonTooShort
		case strings.HasPrefix(code, "22"), e.Recipient == "Mail":
			f.Skip = intake.ReasonNotRecorded
		}
	}
	return intake.Event{Kind: "recording:" + e.RecordingID, CallKey: e.EntryID, Seq: seq, Facts: f}
}

// Fetch asks the API for the recording (§3.5.1) and downloads the
// one-time link it redirects to.
func (v *Vendor) Fetch(ctx context.Context, rec intake.Recording) (transcribe.Audio, func(), error) {
	js, err := json.Marshal(map[string]string{"recording_id": rec.ID, "action": "download"})
	if err != nil {
		return transcribe.Audio{}, nil, err
	}
	form := url.Values{"vpbx_api_key": {v.cfg.APIKey}, "sign": {Sign(v.cfg.APIKey, string(js), v.cfg.Salt)}, "json": {string(js)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.BaseURL+"/queries/recording/post", strings.NewReader(form.Encode()))
	if err != nil {
		return transcribe.Audio{}, nil, callaudit.Wrap(err, callaudit.KindNotConfigured, "mango.Fetch", "the Mango Office API address cannot be used")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	link, resp, err := v.API.Redirect(req, "mango.Fetch")
	switch {
	case callaudit.KindOf(err) == callaudit.KindNotFound:
		return transcribe.Audio{}, nil, intake.NotReady(v.cfg.PollDelay, "Mango Office answered 404")
	case err != nil:
		return transcribe.Audio{}, nil, err
	case link == "":
		return transcribe.Audio{}, nil, callaudit.Errorf(callaudit.KindUpstream, "Mango Office answered %s without the recording's link", strconv.Itoa(resp.Status))
	}
	return v.Files.Fetch(ctx, link)
}
