// Package intaketest has what the vendors' fakes (adapters/intake/*/*test)
// share: the vendor side's store of recordings (ready after a number of
// polls, downloaded through one-time links), a rate limit that answers
// 429, a form poster, and Env, the real pipeline (SQLite store, River
// queue, fake OpenAI, signed write-back receiver) the end-to-end tests run
// a fake against.
package intaketest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/time/rate"

	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// Recordings is a vendor's store of call recordings. Each is ready after
// a number of polls; a ready one is handed out as a one-time link on the
// store's file server (Mango's files.mango-office.ru: "after the first
// access the links are invalid"), which serves a short WAV. Safe for
// concurrent use.
type Recordings struct {
	Files *httptest.Server
	audio []byte

	mu        sync.Mutex
	recs      map[string]*recording
	links     map[string]string // one-time token → recording id
	downloads map[string]int
}

type recording struct {
	notReady int // polls still answered "not ready"
	polls    int
}

// NewRecordings starts the file server; Close it (Files.Close).
func NewRecordings() *Recordings {
	r := &Recordings{audio: transcribetest.WAV(1, 8000, 1), recs: map[string]*recording{}, links: map[string]string{}, downloads: map[string]int{}}
	r.Files = httptest.NewServer(http.HandlerFunc(r.serveFile))
	return r
}

// Add stores a recording that the first notReady polls find not ready.
func (r *Recordings) Add(id string, notReady int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs[id] = &recording{notReady: notReady}
}

// Poll is one request for the recording: known reports whether it exists
// at all; link is a fresh one-time link when it is ready, "" before.
func (r *Recordings) Poll(id string) (link string, known bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.recs[id]
	if !ok {
		return "", false
	}
	rec.polls++
	if rec.polls <= rec.notReady {
		return "", true
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	r.links[token] = id
	return r.Files.URL + "/files/" + token, true
}

// Polls returns how many times the recording was asked for.
func (r *Recordings) Polls(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec, ok := r.recs[id]; ok {
		return rec.polls
	}
	return 0
}

// Downloads returns how many times the recording's file was served.
func (r *Recordings) Downloads(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.downloads[id]
}

func (r *Recordings) serveFile(w http.ResponseWriter, req *http.Request) {
	token := strings.TrimPrefix(req.URL.Path, "/files/")
	r.mu.Lock()
	id, ok := r.links[token]
	delete(r.links, token) // one access only
	if ok {
		r.downloads[id]++
	}
	r.mu.Unlock()
	if !ok {
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	_, _ = w.Write(r.audio)
}

// RateLimit is a vendor's documented request limit: a token bucket that
// answers 429 with the vendor's body once it is exceeded, and counts
// what it refused.
type RateLimit struct {
	lim     *rate.Limiter
	body    string
	refused atomic.Int64
}

// NewRateLimit allows perSecond requests a second in bursts of burst;
// body is the vendor's documented 429 answer.
func NewRateLimit(perSecond float64, burst int, body string) *RateLimit {
	return &RateLimit{lim: rate.NewLimiter(rate.Limit(perSecond), max(1, burst)), body: body}
}

// Allow takes a request's token, or answers 429 and returns false.
func (l *RateLimit) Allow(w http.ResponseWriter) bool {
	if l.lim.Allow() {
		return true
	}
	l.refused.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = io.WriteString(w, l.body)
	return false
}

// Refused returns how many requests were answered 429.
func (l *RateLimit) Refused() int { return int(l.refused.Load()) }

// Answer is what the intake answered an event.
type Answer struct {
	Status int
	Body   string
}

// PostForm posts form (url-encoded, in the order of keys given) to
// target with the extra headers, as a vendor does.
func PostForm(ctx context.Context, target string, form url.Values, header http.Header) (Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return Answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return Answer{Status: resp.StatusCode, Body: string(b)}, nil
}

// Doc reads a documented payload from a fake's testdata (an embedded
// FS); a missing one panics, as the fake cannot work without it.
func Doc(fsys fs.FS, name string) []byte {
	b, err := fs.ReadFile(fsys, "testdata/"+name)
	if err != nil {
		panic("intaketest: " + err.Error())
	}
	return b
}

// FromDoc returns a documented JSON payload with fields set (a nil value
// removes the field): how the fakes make their events from the
// documentation's examples.
func FromDoc(fsys fs.FS, name string, set map[string]any) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(Doc(fsys, name), &m); err != nil {
		panic("intaketest: " + name + ": " + err.Error())
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// Side is what every fake vendor has: the intake's URL it sends to, its
// API server within its rate limit, and its recordings. Embed it.
type Side struct {
	// Target is where events go: the intake's <server>/intake/<vendor>.
	Target     string
	API        *httptest.Server
	Recordings *Recordings
	Limit      *RateLimit
}

// NewSide starts a vendor's API (api, behind no limit of its own: call
// Limit.Allow in it) with its rate limit and its recordings' file server.
func NewSide(api http.Handler, perSecond float64, burst int, tooMany string) *Side {
	return &Side{API: httptest.NewServer(api), Recordings: NewRecordings(), Limit: NewRateLimit(perSecond, burst, tooMany)}
}

// Close stops the servers.
func (s *Side) Close() {
	s.API.Close()
	s.Recordings.Files.Close()
}

// Send posts a form to the Target's path, as the vendor does.
func (s *Side) Send(ctx context.Context, path string, form url.Values, header http.Header) (Answer, error) {
	return PostForm(ctx, s.Target+path, form, header)
}

// AllOK is err, or an error naming the first answer that is not 200: what
// a fake's Send returned, checked where require cannot be called (another
// goroutine).
func AllOK(answers []Answer, err error) error {
	if err != nil {
		return err
	}
	for i, a := range answers {
		if a.Status != http.StatusOK {
			return fmt.Errorf("event %d answered %d: %s", i, a.Status, a.Body)
		}
	}
	return nil
}

// WriteJSON writes v as the JSON answer of a fake's API.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
