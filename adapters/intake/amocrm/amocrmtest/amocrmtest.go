// Package amocrmtest is a fake amoCRM account for the call-note intake's
// tests, built from amoCRM's documented payloads (testdata/, with the
// documentation section each comes from):
//
//   - a telephony integration adds a call note (call_in, call_out) to a
//     lead or contact; the account then posts the «note added» webhook,
//     form-encoded (leads[note][0][note][…]), unsigned, once;
//   - it serves GET /api/v4/{leads|contacts}/{id}/notes/{note_id} with the
//     bearer token, answering the note with its params.link, or 204 No
//     Content (amoCRM's empty result) for a note it does not have or
//     does not show yet;
//   - it serves the recording behind params.link, 404 until it is there;
//   - it takes POST /api/v4/{entity}/{id}/notes through
//     writebacktest.AmoCRM (the write-back adapter's fake), so the notes
//     written back can be read;
//   - it keeps amoCRM's limit of 7 requests a second, answering 429 over
//     it.
//
// It listens on loopback only and is safe for concurrent use.
package amocrmtest

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

//go:embed testdata/note_call_in.json
var noteSample []byte

// RequestsPerSecond is amoCRM's documented API limit.
const RequestsPerSecond = 7

// Note is a call note in the account. Zero fields take the sample's.
type Note struct {
	// ID is the note's id.
	ID int
	// Entity is "leads" or "contacts"; EntityID the record's id.
	Entity   string
	EntityID int
	// Out makes it call_out (else call_in).
	Out bool
	// Duration in seconds, Phone the client's number.
	Duration int
	Phone    string
	// Status is params.call_status (4 talked, 6 no answer, …).
	Status int
	// Responsible is the amoCRM user the call belongs to.
	Responsible int
	// NoLink leaves params.link empty (a call without recording).
	NoLink bool
	// MissingFor is how many recording downloads answer 404 first.
	MissingFor int
	// LinkAfter is how many API reads of the note show no params.link
	// before it appears (a telephony that adds the note first and the
	// recording's link later).
	LinkAfter int
	// EmptyFor is how many API reads of the note answer 204 No Content,
	// amoCRM's empty result, before the note can be read (a note the
	// hook announced before the API shows it); -1 answers 204 forever.
	EmptyFor int
}

// Account is the fake amoCRM account.
type Account struct {
	*httptest.Server
	// Token is the long-lived token the API accepts.
	Token string

	back    *writebacktest.AmoCRM
	limiter *rate.Limiter

	mu       sync.Mutex
	notes    map[int]*Note
	gets     map[int]int
	fetches  map[int]int
	last     map[int]time.Time
	refused  int
	accounts int
}

// New starts an account accepting token, limited to RequestsPerSecond.
func New(token string) *Account { return NewLimited(token, RequestsPerSecond) }

// NewLimited starts an account whose API takes perSecond requests a
// second (bursts of as many).
func NewLimited(token string, perSecond int) *Account {
	a := &Account{Token: token, back: writebacktest.NewAmoCRM(token), notes: map[int]*Note{},
		gets: map[int]int{}, fetches: map[int]int{}, last: map[int]time.Time{}, limiter: rate.NewLimiter(rate.Limit(perSecond), perSecond), accounts: 17079858}
	a.Server = httptest.NewServer(http.HandlerFunc(a.route))
	return a
}

// Close stops the account and its note store.
func (a *Account) Close() {
	a.Server.Close()
	a.back.Close()
}

// Add puts n into the account.
func (a *Account) Add(n Note) {
	a.mu.Lock()
	defer a.mu.Unlock()
	cp := n
	if cp.Entity == "" {
		cp.Entity = "leads"
	}
	a.notes[n.ID] = &cp
}

// Written are the notes written back, in order.
func (a *Account) Written() []writebacktest.AmoNote { return a.back.Notes() }

// NoteGets is how many API reads of note id there were.
func (a *Account) NoteGets(id int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gets[id]
}

// Fetches is how many recording downloads of note id were answered
// (404s included).
func (a *Account) Fetches(id int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.fetches[id]
}

// Last is when a request about note id (its API read, its recording)
// was last answered.
func (a *Account) Last(id int) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last[id]
}

// Refused is how many API requests went over the limit.
func (a *Account) Refused() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refused
}

// Hook is the form-encoded «note added» webhook of the notes ids, in one
// request as amoCRM lists several changes ([note][0], [note][1], … per
// record type).
func (a *Account) Hook(ids ...int) string {
	v := url.Values{}
	next := map[string]int{}
	for _, id := range ids {
		a.mu.Lock()
		n := *a.notes[id]
		a.mu.Unlock()
		elementType := map[string]string{"leads": "2", "contacts": "1"}[n.Entity]
		noteType := "10"
		if n.Out {
			noteType = "11"
		}
		text, _ := json.Marshal(map[string]any{"UNIQ": "uniq-" + strconv.Itoa(n.ID), "DURATION": n.Duration, "SRC": "fakepbx", "LINK": a.link(n), "PHONE": n.Phone})
		p := n.Entity + "[note][" + strconv.Itoa(next[n.Entity]) + "][note]"
		next[n.Entity]++
		v.Set(p+"[id]", strconv.Itoa(n.ID))
		v.Set(p+"[note_type]", noteType)
		v.Set(p+"[element_id]", strconv.Itoa(n.EntityID))
		v.Set(p+"[element_type]", elementType)
		v.Set(p+"[text]", string(text))
		v.Set(p+"[responsible_user_id]", strconv.Itoa(n.Responsible))
	}
	v.Set("account[id]", strconv.Itoa(a.accounts))
	v.Set("account[subdomain]", "example")
	return v.Encode()
}

// Send posts the webhook of the notes ids to destination, as the account
// does after the telephony adds them, and returns the status.
func (a *Account) Send(ctx context.Context, destination string, ids ...int) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, destination, strings.NewReader(a.Hook(ids...)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

func (a *Account) link(n Note) string {
	if n.NoLink {
		return ""
	}
	return a.URL + "/pbx/records/" + strconv.Itoa(n.ID) + ".mp3"
}

var notePath = regexp.MustCompile(`^/api/v4/(leads|contacts)/([0-9]+)/notes/([0-9]+)$`)

func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status), "status": status, "detail": detail})
}

func (a *Account) route(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/pbx/records/"); ok {
		a.recording(w, strings.TrimSuffix(rest, ".mp3"))
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/api/v4/") {
		problem(w, http.StatusNotFound, "no route")
		return
	}
	if !a.limiter.Allow() {
		a.mu.Lock()
		a.refused++
		a.mu.Unlock()
		// The status and any wait are not documented; a second is the
		// limit's own period.
		w.Header().Set("Retry-After", "1")
		problem(w, http.StatusTooManyRequests, "too many requests")
		return
	}
	if r.Method == http.MethodPost {
		a.back.Config.Handler.ServeHTTP(w, r)
		return
	}
	m := notePath.FindStringSubmatch(r.URL.Path)
	if m == nil || r.Method != http.MethodGet {
		problem(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+a.Token {
		problem(w, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	id, _ := strconv.Atoi(m[3])
	a.mu.Lock()
	n, ok := a.notes[id]
	if ok {
		a.gets[id]++
		a.last[id] = time.Now()
	}
	var note Note
	gets := a.gets[id]
	if ok {
		note = *n
		note.NoLink = note.NoLink || gets <= note.LinkAfter
	}
	a.mu.Unlock()
	if !ok || note.Entity != m[1] || strconv.Itoa(note.EntityID) != m[2] || note.EmptyFor < 0 || gets <= note.EmptyFor {
		// amoCRM answers an unknown note, or one not shown yet, with 204
		// No Content.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var out map[string]any
	_ = json.Unmarshal(noteSample, &out)
	out["id"], out["entity_id"], out["responsible_user_id"] = note.ID, note.EntityID, note.Responsible
	out["created_by"], out["updated_by"], out["account_id"] = note.Responsible, note.Responsible, a.accounts
	out["note_type"] = "call_in"
	if note.Out {
		out["note_type"] = "call_out"
	}
	params := out["params"].(map[string]any)
	params["uniq"], params["duration"], params["phone"], params["link"] = "uniq-"+strconv.Itoa(note.ID), note.Duration, note.Phone, a.link(note)
	params["call_status"] = note.Status
	out["_links"] = map[string]any{"self": map[string]any{"href": a.URL + r.URL.Path}}
	w.Header().Set("Content-Type", "application/hal+json")
	_ = json.NewEncoder(w).Encode(out)
}

func (a *Account) recording(w http.ResponseWriter, idText string) {
	id, _ := strconv.Atoi(idText)
	a.mu.Lock()
	n, ok := a.notes[id]
	a.fetches[id]++
	a.last[id] = time.Now()
	there := ok && !n.NoLink && a.fetches[id] > n.MissingFor
	a.mu.Unlock()
	if !there {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	_, _ = w.Write(transcribetest.WAV(1, 8000, 1))
}
