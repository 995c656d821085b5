// Package bitrix24test is a fake Bitrix24 portal for the telephony
// intake's tests, built from the payloads Bitrix24 documents (quoted in
// testdata/, with the documentation section each comes from):
//
//   - it sends the telephony events of a call to a handler URL in
//     Bitrix24's order (OnVoximplantCallInit, OnVoximplantCallStart when
//     answered, ONVOXIMPLANTCALLEND), form-encoded with PHP-style nested
//     keys, once each (Bitrix24 does not redeliver), the end event carrying
//     auth[member_id] and auth[application_token];
//   - it serves voximplant.statistic.get on an inbound webhook
//     ({URL}/rest/1/{code}/), answering an empty result while the call is
//     not in the history yet, CALL_RECORD_URL "" until its recording is
//     attached, then the URL of the recording, which it serves itself
//     (answering 404 for a configured number of downloads first);
//   - it serves crm.timeline.comment.add on the same webhook, through
//     writebacktest.Bitrix24 (the fake the write-back adapter is tested
//     with), so the comments can be read back;
//   - it keeps Bitrix24's limit, a leaky bucket per portal (50 deep,
//     draining 2 a second by default), answering 503 QUERY_LIMIT_EXCEEDED
//     over it.
//
// It listens on loopback only and is safe for concurrent use.
package bitrix24test

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

//go:embed testdata/onvoximplantcallend.json
var endSample []byte

//go:embed testdata/voximplant.statistic.get.json
var statSample []byte

// Call is one call the portal knows. Zero fields take the documented
// sample's values.
type Call struct {
	// ID is CALL_ID.
	ID string
	// Type is CALL_TYPE: 1 outgoing, 2 incoming.
	Type int
	// Phone is PHONE_NUMBER, the client's number.
	Phone string
	// UserID is PORTAL_USER_ID, the operator.
	UserID int
	// Duration is CALL_DURATION in seconds.
	Duration int
	// FailedCode is CALL_FAILED_CODE: "200" answered, "304" missed.
	FailedCode string
	// EntityType and EntityID are CRM_ENTITY_TYPE (CONTACT, COMPANY,
	// LEAD) and CRM_ENTITY_ID.
	EntityType string
	EntityID   int
	// HistoryAfter is how many voximplant.statistic.get answers have no
	// record of the call («An empty array means there are no records
	// matching the FILTER conditions») before it is there.
	HistoryAfter int
	// ReadyAfter is how many answers with the record show no recording
	// URL (CALL_RECORD_URL "") before it appears.
	ReadyAfter int
	// MissingFor is how many downloads of the recording URL answer 404
	// before the file is there.
	MissingFor int
	// NoRecording keeps the recording URL empty for good.
	NoRecording bool
}

// counts are what the portal saw of one call.
type counts struct {
	polls, fetches, downloads int
	// last is when a request about the call was last answered.
	last time.Time
}

// Limit is the leaky bucket of the portal's REST API.
type Limit struct {
	// Depth is how many requests the bucket holds (X in limits.md).
	Depth int
	// Drain is how many requests leave it per second (Y).
	Drain float64
}

// DefaultLimit is the documented limit of a non-Enterprise plan.
var DefaultLimit = Limit{Depth: 50, Drain: 2}

// Portal is the fake Bitrix24 portal.
type Portal struct {
	*httptest.Server
	// MemberID and AppToken are the portal's auth[member_id] and the
	// outbound webhook's application token.
	MemberID, AppToken string

	code     string
	comments *writebacktest.Bitrix24
	limit    Limit

	mu        sync.Mutex
	calls     map[string]*Call
	seen      map[string]*counts
	level     float64
	last      time.Time
	limited   int
	handlerID int
}

// New starts a portal with random credentials and DefaultLimit.
func New() *Portal { return NewWithLimit(DefaultLimit) }

// NewWithLimit starts a portal that keeps limit.
func NewWithLimit(limit Limit) *Portal {
	p := &Portal{code: random(8), MemberID: random(16), AppToken: random(16), limit: limit,
		comments: writebacktest.NewBitrix24(), calls: map[string]*Call{}, seen: map[string]*counts{}, handlerID: 1061}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

// Close stops the portal and its comment store.
func (p *Portal) Close() {
	p.Server.Close()
	p.comments.Close()
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// WebhookURL is the inbound webhook, as Bitrix24 shows it:
// {portal}/rest/1/{code}/.
func (p *Portal) WebhookURL() string { return p.URL + "/rest/1/" + p.code + "/" }

// Code is the inbound webhook's secret code.
func (p *Portal) Code() string { return p.code }

// AddCall makes the portal know c (its statistics record and recording).
func (p *Portal) AddCall(c Call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cp := c
	p.calls[c.ID] = &cp
	p.seen[c.ID] = &counts{}
}

// Comments are the timeline comments written, in order.
func (p *Portal) Comments() []writebacktest.BitrixComment { return p.comments.Comments() }

// Polls is how many voximplant.statistic.get requests asked for callID.
func (p *Portal) Polls(callID string) int { return p.count(callID).polls }

// Last is when a request about callID (its statistics, its recording)
// was last answered.
func (p *Portal) Last(callID string) time.Time { return p.count(callID).last }

// Fetches is how many requests for callID's recording URL there were,
// 404s included; Downloads how many got the file.
func (p *Portal) Fetches(callID string) int { return p.count(callID).fetches }

// Downloads is how many times callID's recording was downloaded.
func (p *Portal) Downloads(callID string) int { return p.count(callID).downloads }

func (p *Portal) count(callID string) counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.seen[callID]; ok {
		return *c
	}
	return counts{}
}

// Limited is how many requests the portal refused with
// QUERY_LIMIT_EXCEEDED.
func (p *Portal) Limited() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limited
}

// sampleData is the documented event's data with c's values.
func (p *Portal) sample(c Call) (map[string]any, error) {
	var ev map[string]any
	if err := json.Unmarshal(endSample, &ev); err != nil {
		return nil, err
	}
	data := ev["data"].(map[string]any)
	set := func(k, v string) {
		if v != "" && v != "0" {
			data[k] = v
		}
	}
	set("CALL_ID", c.ID)
	set("CALL_TYPE", strconv.Itoa(c.Type))
	set("PHONE_NUMBER", c.Phone)
	set("PORTAL_USER_ID", strconv.Itoa(c.UserID))
	data["CALL_DURATION"] = strconv.Itoa(c.Duration)
	set("CALL_FAILED_CODE", c.FailedCode)
	if c.FailedCode == "200" {
		data["CALL_FAILED_REASON"] = ""
	}
	auth := ev["auth"].(map[string]any)
	auth["member_id"] = p.MemberID
	auth["application_token"] = p.AppToken
	ev["ts"] = strconv.FormatInt(time.Now().Unix(), 10)
	p.mu.Lock()
	p.handlerID++
	ev["event_handler_id"] = strconv.Itoa(p.handlerID)
	p.mu.Unlock()
	return ev, nil
}

// EndEvent is the ONVOXIMPLANTCALLEND of the known call id, as the
// portal would post it form-encoded, with token as
// auth[application_token].
func (p *Portal) EndEvent(callID, token string) url.Values {
	p.mu.Lock()
	c, ok := p.calls[callID]
	p.mu.Unlock()
	if !ok {
		panic("bitrix24test: unknown call " + callID)
	}
	ev, err := p.sample(*c)
	if err != nil {
		panic(err)
	}
	ev["auth"].(map[string]any)["application_token"] = token
	return Form(ev)
}

// Form flattens an event as PHP's http_build_query does: nested keys in
// brackets (data[CALL_ID]=…, auth[member_id]=…).
func Form(ev map[string]any) url.Values {
	out := url.Values{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		m, nested := v.(map[string]any)
		if !nested {
			out.Set(prefix, fmt.Sprint(v))
			return
		}
		for k, sub := range m {
			walk(prefix+"["+k+"]", sub)
		}
	}
	for k, v := range ev {
		walk(k, v)
	}
	return out
}

// Events are the events of the known call id in Bitrix24's order: init,
// start when the call was answered, end.
func (p *Portal) Events(callID string) []url.Values {
	p.mu.Lock()
	c, ok := p.calls[callID]
	p.mu.Unlock()
	if !ok {
		panic("bitrix24test: unknown call " + callID)
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	events := []url.Values{Form(map[string]any{"event": "ONVOXIMPLANTCALLINIT", "event_handler_id": "1059", "ts": now,
		"data": map[string]any{"CALL_ID": c.ID, "CALL_TYPE": strconv.Itoa(max(c.Type, 1)), "ACCOUNT_SEARCH_ID": "reg133788", "PHONE_NUMBER": c.Phone, "CALLER_ID": c.Phone}})}
	if c.FailedCode == "200" {
		events = append(events, Form(map[string]any{"event": "ONVOXIMPLANTCALLSTART", "event_handler_id": "1060", "ts": now,
			"data": map[string]any{"CALL_ID": c.ID, "USER_ID": strconv.Itoa(c.UserID)}}))
	}
	return append(events, p.EndEvent(callID, p.AppToken))
}

// Post sends events to handler, one request each, as the portal's queue
// server does, and returns the handler's status for each.
func Post(ctx context.Context, handler string, events ...url.Values) ([]int, error) {
	var statuses []int
	for _, form := range events {
		a, err := intaketest.PostForm(ctx, handler, form, http.Header{"User-Agent": {"Bitrix24 Webhook Engine"}})
		if err != nil {
			return statuses, err
		}
		statuses = append(statuses, a.Status)
	}
	return statuses, nil
}

// Finish sends the events of the known call id to handler in Bitrix24's
// order and returns the handler's status for each (init, start when the
// call was answered, end).
func (p *Portal) Finish(ctx context.Context, handler, callID string) ([]int, error) {
	return Post(ctx, handler, p.Events(callID)...)
}

// allow is the leaky bucket: false when the request overflows it.
func (p *Portal) allow() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if !p.last.IsZero() {
		p.level = max(0, p.level-now.Sub(p.last).Seconds()*p.limit.Drain)
	}
	p.last = now
	if p.level+1 > float64(p.limit.Depth) {
		p.limited++
		return false
	}
	p.level++
	return true
}

func apiError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (p *Portal) serve(w http.ResponseWriter, r *http.Request) {
	if id, ok := strings.CutPrefix(r.URL.Path, "/records/"); ok {
		p.serveRecord(w, strings.TrimSuffix(id, ".mp3"))
		return
	}
	prefix := "/rest/1/" + p.code + "/"
	method, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		apiError(w, http.StatusUnauthorized, "INVALID_CREDENTIALS", "Invalid request credentials")
		return
	}
	if !p.allow() {
		apiError(w, http.StatusServiceUnavailable, "QUERY_LIMIT_EXCEEDED", "Too many requests")
		return
	}
	switch strings.TrimSuffix(method, ".json") {
	case "voximplant.statistic.get":
		p.serveStatistic(w, r)
	case "crm.timeline.comment.add":
		// The comment store is the write-back adapter's fake, behind its
		// own webhook code.
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/rest/1/" + p.comments.Code() + "/crm.timeline.comment.add.json"
		p.comments.Config.Handler.ServeHTTP(w, r2)
	default:
		apiError(w, http.StatusNotFound, "ERROR_METHOD_NOT_FOUND", "Method not found!")
	}
}

// serveStatistic answers voximplant.statistic.get, which takes its
// parameters as JSON (the documented cURL examples) or form-encoded
// (FILTER[CALL_ID]=…), filtered by CALL_ID.
func (p *Portal) serveStatistic(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		apiError(w, http.StatusMethodNotAllowed, "ERROR_METHOD", "method "+r.Method)
		return
	}
	var callID string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var in struct {
			Filter map[string]any `json:"FILTER"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			apiError(w, http.StatusBadRequest, "ERROR_ARGUMENT", "body is not JSON")
			return
		}
		callID, _ = in.Filter["CALL_ID"].(string)
	} else {
		_ = r.ParseForm()
		callID = r.Form.Get("FILTER[CALL_ID]")
	}
	var out map[string]any
	if err := json.Unmarshal(statSample, &out); err != nil {
		apiError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", err.Error())
		return
	}
	p.mu.Lock()
	c, ok := p.calls[callID]
	var rec map[string]any
	if ok {
		seen := p.seen[callID]
		seen.polls++
		seen.last = time.Now()
		ok = seen.polls > c.HistoryAfter
	}
	if ok {
		rec = out["result"].([]any)[0].(map[string]any)
		rec["CALL_ID"] = c.ID
		rec["CALL_TYPE"] = strconv.Itoa(max(c.Type, 1))
		rec["PHONE_NUMBER"] = c.Phone
		rec["PORTAL_USER_ID"] = strconv.Itoa(c.UserID)
		rec["CALL_DURATION"] = strconv.Itoa(c.Duration)
		rec["CALL_FAILED_CODE"] = c.FailedCode
		rec["CRM_ENTITY_TYPE"] = c.EntityType
		rec["CRM_ENTITY_ID"] = strconv.Itoa(c.EntityID)
		// Empty until the recording is attached, then its file's URL.
		rec["CALL_RECORD_URL"] = ""
		if !c.NoRecording && p.seen[callID].polls > c.HistoryAfter+c.ReadyAfter {
			rec["CALL_RECORD_URL"] = p.URL + "/records/" + url.PathEscape(c.ID) + ".mp3"
		}
	}
	p.mu.Unlock()
	if ok {
		out["result"], out["total"] = []any{rec}, 1
	} else {
		out["result"], out["total"] = []any{}, 0
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// serveRecord serves a call's recording: 404 for its first MissingFor
// requests, then a short WAV.
func (p *Portal) serveRecord(w http.ResponseWriter, callID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, known := p.calls[callID]
	if !known || c.NoRecording {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	seen := p.seen[callID]
	seen.fetches++
	seen.last = time.Now()
	if seen.fetches <= c.MissingFor {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	seen.downloads++
	w.Header().Set("Content-Type", "audio/wav")
	_, _ = w.Write(transcribetest.WAV(1, 8000, 1))
}
