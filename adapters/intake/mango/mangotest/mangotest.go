// Package mangotest is a fake of Mango Office's side of the intake, built
// from the documented payloads in testdata/ (see its README for the
// sections): it sends a call's events in Mango's order, signed as Mango
// signs them, and serves the API's recording download (302 to a one-time
// link) within the documented rate limit.
package mangotest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/adapters/intake/mango"
)

//go:embed testdata/*.json
var testdata embed.FS

// Config configures the fake.
type Config struct {
	// APIKey and Salt are the product's vpbx_api_key and vpbx_api_salt.
	APIKey, Salt string
	// PerSecond and Burst are the API's limit; 0 is §1.4.2's 10 a second.
	PerSecond float64
	Burst     int
}

// Fake is Mango Office: its events and its API (serving
// /vpbx/queries/recording/post; BaseURL is its base).
type Fake struct {
	*intaketest.Side
	cfg Config
}

// New starts the fake; Close it.
func New(cfg Config) *Fake {
	if cfg.PerSecond <= 0 {
		cfg.PerSecond = mango.DefaultPerSecond
	}
	f := &Fake{cfg: cfg}
	f.Side = intaketest.NewSide(http.HandlerFunc(f.serveAPI), cfg.PerSecond, cmp.Or(cfg.Burst, int(cfg.PerSecond)), string(intaketest.Doc(testdata, "rate_limit.json")))
	return f
}

// BaseURL is the API's base, for mango.Config.BaseURL.
func (f *Fake) BaseURL() string { return f.API.URL + "/vpbx" }

// sign is §2.4.3's sha256(vpbx_api_key + json + vpbx_api_salt), hex.
func (f *Fake) sign(js string) string {
	return fmt.Sprintf("%x", sha256.Sum256([]byte(f.cfg.APIKey+js+f.cfg.Salt)))
}

// from returns a documented payload with fields replaced, as JSON.
func from(name string, set map[string]any) string {
	b, _ := json.Marshal(intaketest.FromDoc(testdata, name, set))
	return string(b)
}

// serveAPI is §3.5.1: the form's sign is checked, the limit kept, and a
// ready recording answered 302 to its one-time link; one not ready yet
// is a 404.
func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/vpbx/queries/recording/post" {
		http.NotFound(w, r)
		return
	}
	if !f.Limit.Allow(w) {
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	js := r.PostForm.Get("json")
	if r.PostForm.Get("vpbx_api_key") != f.cfg.APIKey || r.PostForm.Get("sign") != f.sign(js) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var q struct {
		RecordingID string `json:"recording_id"`
		Action      string `json:"action"`
	}
	if json.Unmarshal([]byte(js), &q) != nil || (q.Action != "download" && q.Action != "play") {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	link, _ := f.Recordings.Poll(q.RecordingID)
	if link == "" {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, link, http.StatusFound)
}

// Call is one call the fake makes.
type Call struct {
	EntryID, RecordingID string
	// Inbound: a customer calls Extension; otherwise Extension calls out.
	Inbound   bool
	Extension string
	Number    string
	// Talk is the conversation's length; 0 is a missed call (no
	// recording).
	Talk time.Duration
	// NotReady is how many download requests find the recording not
	// ready yet.
	NotReady int
}

// Events returns the call's events in Mango's order (§3.1's diagrams):
// the leg appears and connects, the recording starts, the leg
// disconnects, the recording completes, the summary, and once the file
// is stored, record/added. A missed call has no recording events.
func (f *Fake) Events(c Call) [][2]string {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC).Unix()
	direction, caller, to := 2, map[string]any{"extension": c.Extension, "number": "sip:" + c.Extension + "@example.mangosip.ru"}, map[string]any{"number": c.Number}
	if c.Inbound {
		direction, caller, to = 1, map[string]any{"number": c.Number}, map[string]any{"extension": c.Extension, "number": "74950000000"}
	}
	leg := c.EntryID + ":leg1"
	call := func(seq int, state string) [2]string {
		return [2]string{"/events/call", from("call.json", map[string]any{"entry_id": c.EntryID, "call_id": leg, "seq": seq, "call_state": state, "from": caller, "to": to, "timestamp": start + int64(seq)})}
	}
	rec := func(seq int, state string, extra map[string]any) [2]string {
		set := map[string]any{"entry_id": c.EntryID, "call_id": leg, "recording_id": c.RecordingID, "seq": seq, "recording_state": state, "extension": c.Extension}
		for k, v := range extra {
			set[k] = v
		}
		return [2]string{"/events/recording", from("recording_started.json", set)}
	}
	talk := int64(c.Talk / time.Second)
	summary := map[string]any{"entry_id": c.EntryID, "call_direction": direction, "from": caller, "to": to,
		"create_time": start, "forward_time": start, "talk_time": start + 2, "end_time": start + 2 + talk, "entry_result": 1}
	if c.Talk == 0 {
		summary["talk_time"], summary["entry_result"], summary["end_time"] = 0, 0, start+20
		return [][2]string{call(1, "Appeared"), call(2, "Disconnected"), {"/events/summary", from("summary.json", summary)}}
	}
	f.Recordings.Add(c.RecordingID, c.NotReady)
	return [][2]string{
		call(1, "Appeared"), call(2, "Connected"), rec(1, "Started", nil), call(3, "Disconnected"),
		rec(2, "Completed", map[string]any{"completion_code": 1000, "recipient": "Cloud"}),
		{"/events/summary", from("summary.json", summary)},
		{"/events/record/added", from("record_added.json", map[string]any{"entry_id": c.EntryID, "recording_id": c.RecordingID, "timestamp": start + 3 + talk})},
	}
}

// Send sends the call's events in order and returns the answers.
func (f *Fake) Send(ctx context.Context, c Call) ([]intaketest.Answer, error) {
	var out []intaketest.Answer
	for _, e := range f.Events(c) {
		a, err := f.Post(ctx, e[0], e[1])
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Post sends one event (path under the target, its json) signed as Mango
// signs.
func (f *Fake) Post(ctx context.Context, path, js string) (intaketest.Answer, error) {
	return f.PostSigned(ctx, path, js, f.sign(js))
}

// PostSigned sends one event with the sign given (a wrong one, say).
func (f *Fake) PostSigned(ctx context.Context, path, js, sign string) (intaketest.Answer, error) {
	return f.Side.Send(ctx, path, url.Values{"vpbx_api_key": {f.cfg.APIKey}, "sign": {sign}, "json": {js}}, nil)
}
