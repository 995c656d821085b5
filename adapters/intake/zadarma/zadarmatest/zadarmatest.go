// Package zadarmatest is a fake of Zadarma's side of the intake, built
// from the fields its official library documents (testdata/ and its
// README): it sends a call's notifications in Zadarma's order with their
// Signature header, and serves GET /v1/pbx/record/request/ (checking the
// API's Authorization) within a rate limit, the file behind the link it
// answers.
package zadarmatest

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/adapters/intake/zadarma"
)

//go:embed testdata/*.json
var testdata embed.FS

// Config configures the fake.
type Config struct {
	// APIKey and Secret are the account's API key and secret.
	APIKey, Secret string
	// PerMinute is the API's limit; 0 is 100 a minute.
	PerMinute float64
	Burst     int
}

// Fake is Zadarma: its notifications, and its API at API.URL.
type Fake struct {
	cfg Config
	*intaketest.Side
}

// New starts the fake, to be closed with Close.
func New(cfg Config) *Fake {
	f := &Fake{cfg: cfg}
	perMinute := cmp.Or(cfg.PerMinute, 100)
	f.Side = intaketest.NewSide(http.HandlerFunc(f.serveAPI), perMinute/60, cfg.Burst, string(intaketest.Doc(testdata, "rate_limit.json")))
	return f
}

// serveAPI answers the record request: the Authorization must be the
// library's, the limit kept; a recording not saved yet is a 404 with the
// library's error shape.
func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != zadarma.RecordMethod {
		http.NotFound(w, r)
		return
	}
	if !f.Limit.Allow(w) {
		return
	}
	q := r.URL.Query()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != f.authorization(q) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"status":"error","message":"Not authorized"}`)
		return
	}
	link, _ := f.Recordings.Poll(q.Get("call_id"))
	if link == "" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(intaketest.Doc(testdata, "record_missing.json"))
		return
	}
	intaketest.WriteJSON(w, intaketest.FromDoc(testdata, "record_request.json", map[string]any{"link": link}))
}

// Call is one call the fake makes.
type Call struct {
	PBXCallID, RecordingID string
	Outbound               bool
	Internal, Number       string
	// Duration 0 is a call nobody answered (Disposition, "no answer"
	// when empty; no recording).
	Duration time.Duration
	// Disposition of an unanswered call: "busy", "cancel", "no answer",
	// "failed" (lib/Webhook/NotifyEnd.php).
	Disposition string
	// NotRecorded is an answered call the PBX did not record
	// (is_recorded 0, no NOTIFY_RECORD).
	NotRecorded bool
	// NotReady is how many record requests find the file not saved yet.
	NotReady int
}

// Events returns the call's notifications in Zadarma's order: the start,
// the end, and for an answered call the saved recording.
func (f *Fake) Events(c Call) []url.Values {
	start := "2026-03-02 10:00:00"
	var out []url.Values
	endDoc, end := "notify_end.json", map[string]any{"pbx_call_id": c.PBXCallID, "caller_id": c.Number, "internal": c.Internal, "call_start": start}
	if c.Outbound {
		endDoc, end = "notify_out_end.json", map[string]any{"pbx_call_id": c.PBXCallID, "destination": c.Number, "internal": c.Internal, "call_start": start}
	} else {
		out = append(out, form(intaketest.FromDoc(testdata, "notify_start.json", map[string]any{"pbx_call_id": c.PBXCallID, "caller_id": c.Number, "call_start": start})))
	}
	end["duration"], end["call_id_with_rec"] = fmt.Sprint(int(c.Duration/time.Second)), c.RecordingID
	switch {
	case c.Duration == 0:
		end["disposition"], end["is_recorded"], end["call_id_with_rec"] = cmp.Or(c.Disposition, "no answer"), "0", nil
		return append(out, form(intaketest.FromDoc(testdata, endDoc, end)))
	case c.NotRecorded:
		end["is_recorded"], end["call_id_with_rec"] = "0", nil
		return append(out, form(intaketest.FromDoc(testdata, endDoc, end)))
	}
	f.Recordings.Add(c.RecordingID, c.NotReady)
	return append(out, form(intaketest.FromDoc(testdata, endDoc, end)),
		form(intaketest.FromDoc(testdata, "notify_record.json", map[string]any{"pbx_call_id": c.PBXCallID, "call_id_with_rec": c.RecordingID})))
}

// sign is Zadarma's base64_encode(hash_hmac('sha1', s, secret)): PHP's
// hash_hmac gives the hex digest, which is what is base64-encoded.
func sign(s, secret string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%x", mac.Sum(nil)))
}

// signedString is the documented string of each event (lib/Webhook/*.php
// getSignatureString).
func signedString(n url.Values) string {
	switch n.Get("event") {
	case "NOTIFY_RECORD":
		return n.Get("pbx_call_id") + n.Get("call_id_with_rec")
	case "NOTIFY_OUT_START", "NOTIFY_OUT_END":
		return n.Get("internal") + n.Get("destination") + n.Get("call_start")
	}
	return n.Get("caller_id") + n.Get("called_did") + n.Get("call_start")
}

// authorization is Client::_getAuthHeader: the sorted, form-encoded
// parameters, signed with the method and their md5.
func (f *Fake) authorization(q url.Values) string {
	params := q.Encode()
	return f.cfg.APIKey + ":" + sign(zadarma.RecordMethod+params+fmt.Sprintf("%x", md5.Sum([]byte(params))), f.cfg.Secret)
}

func form(m map[string]any) url.Values {
	v := url.Values{}
	for k, x := range m {
		v.Set(k, fmt.Sprint(x))
	}
	return v
}

// Send sends the call's notifications in order and returns the answers.
func (f *Fake) Send(ctx context.Context, c Call) ([]intaketest.Answer, error) {
	var out []intaketest.Answer
	for _, n := range f.Events(c) {
		a, err := f.Post(ctx, n)
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Post sends one notification signed as Zadarma signs.
func (f *Fake) Post(ctx context.Context, n url.Values) (intaketest.Answer, error) {
	return f.PostSigned(ctx, n, sign(signedString(n), f.cfg.Secret))
}

// PostSigned sends one notification with the Signature given.
func (f *Fake) PostSigned(ctx context.Context, n url.Values, signature string) (intaketest.Answer, error) {
	return f.Side.Send(ctx, "", n, http.Header{"Signature": {signature}})
}
