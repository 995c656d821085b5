// Package openaitest is a fake OpenAI API for tests: an httptest server
// that checks each request the way the real API does and answers in the
// real API's shapes, so that code passing against it works against
// api.openai.com. Point any OpenAI client at Server.URL (it ends in /v1)
// with Server.APIKey.
//
// It serves POST /v1/chat/completions and POST /v1/audio/transcriptions.
// Requests are checked for bearer auth, known model names, required
// fields, the strict structured-output schema rules (CheckStrictSchema),
// the multipart file field with a supported extension and decodable
// content, the 25 MB upload limit, the response formats each
// transcription model allows and the rules of diarization
// (gpt-4o-transcribe-diarize: diarized_json speaker segments,
// chunking_strategy, no prompt, known speakers); mistakes get 4xx answers in the API's error
// shape. Answers are valid against the request's JSON schema (or
// scripted per test with SetChat/SetTranscription), carry usage figures
// (estimated with EstimateTokens, with prompt caching simulated for
// repeated prefixes of 1024+ tokens), and Fail injects 429s with
// Retry-After, 5xx errors, delays and dropped connections. Every request
// is recorded for assertions (Requests).
//
// The server is safe for many concurrent requests and can run outside
// tests (e.g. a load harness) since NewServer needs no *testing.T.
package openaitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAPIKey is the key a Server accepts unless WithAPIKey says otherwise.
const DefaultAPIKey = "sk-test-openaitest-0123456789abcdef"

// DefaultChatModels are the chat models the fake knows. Models whose name
// starts with "gpt-5" or "o" are reasoning models and, like the real API,
// reject a temperature other than 1.
var DefaultChatModels = []string{
	"gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
	"gpt-5", "gpt-5-mini", "gpt-5-nano", "o3-mini", "o4-mini",
}

// TranscriptionFormats are the response formats each transcription model
// accepts. whisper-1 is the only one with verbose_json (timestamped
// segments); the gpt-4o family returns json or text. gpt-transcribe, the
// announced successor, is assumed to follow the gpt-4o family.
var TranscriptionFormats = map[string][]string{
	"whisper-1":                 {"json", "text", "srt", "verbose_json", "vtt"},
	"gpt-4o-transcribe":         {"json", "text"},
	"gpt-4o-mini-transcribe":    {"json", "text"},
	"gpt-4o-transcribe-diarize": {"json", "text", "diarized_json"},
	"gpt-transcribe":            {"json", "text"},
}

// Request is one recorded request.
type Request struct {
	Method string
	Path   string // as received, e.g. "/v1/chat/completions"
	// Authorized is true when the bearer key matched.
	Authorized bool
	Model      string
	// Status is the HTTP status answered (0 for a dropped connection).
	Status int
	// Chat is the parsed body of a chat completion request.
	Chat *ChatCall
	// Audio is the parsed form of a transcription request.
	Audio *AudioCall
	Time  time.Time
}

// Fault is a scripted failure for one upcoming request.
type Fault struct {
	// Path limits the fault to requests whose path ends with it
	// ("/chat/completions"); empty matches any request.
	Path string
	// Status is the HTTP status to answer (429, 500, 503, …); 0 with
	// Drop or Delay only delays or drops.
	Status int
	// RetryAfter is sent as the Retry-After header when non-empty
	// (seconds, e.g. "2", or an HTTP date).
	RetryAfter string
	// Message, Type and Code fill the error body; defaults follow the
	// status.
	Message, Type, Code string
	// Delay waits before answering (or dropping), ending early if the
	// client goes away.
	Delay time.Duration
	// Drop closes the connection without any answer.
	Drop bool
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey sets the bearer key the server accepts.
func WithAPIKey(key string) Option { return func(s *Server) { s.APIKey = key } }

// WithDelay makes every answer wait d (a stand-in for model latency).
func WithDelay(d time.Duration) Option { return func(s *Server) { s.delay.Store(int64(d)) } }

// WithChatModels replaces the chat models the server knows.
func WithChatModels(models ...string) Option {
	return func(s *Server) { s.chatModels = models }
}

// WithChat sets the chat responder (see SetChat).
func WithChat(f ChatResponder) Option { return func(s *Server) { s.chat = f } }

// WithTranscription sets the transcription responder (see SetTranscription).
func WithTranscription(f TranscriptionResponder) Option {
	return func(s *Server) { s.transcription = f }
}

// WithListener serves on l instead of a new loopback port, e.g. to run
// the fake at a fixed address for a process started separately.
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// Server is a running fake. Close it when done.
type Server struct {
	// URL is the API base URL, ending in /v1 (go-openai's BaseURL).
	URL string
	// APIKey is the accepted bearer key.
	APIKey string

	srv           *httptest.Server
	chatModels    []string
	delay         atomic.Int64
	inFlight      atomic.Int64
	maxInFlight   atomic.Int64
	mu            sync.Mutex
	requests      []Request
	faults        []Fault
	chat          ChatResponder
	transcription TranscriptionResponder
	chatCalls     int
	cache         map[[32]byte]bool
	listener      net.Listener
}

// NewServer starts a fake on a loopback port.
func NewServer(opts ...Option) *Server {
	s := &Server{
		APIKey:     DefaultAPIKey,
		chatModels: DefaultChatModels,
		cache:      map[[32]byte]bool{},
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", s.handleChat)
	mux.HandleFunc("/v1/audio/transcriptions", s.handleTranscription)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(r, Request{}, http.StatusNotFound)
		writeError(w, http.StatusNotFound, "Invalid URL ("+r.Method+" "+r.URL.Path+")", "invalid_request_error", "", "")
	})
	s.srv = httptest.NewUnstartedServer(mux)
	if s.listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = s.listener
	}
	s.srv.Start()
	s.URL = s.srv.URL + "/v1"
	return s
}

// Close shuts the server down, ending open connections.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Client returns an *http.Client that reaches the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// OpenAIClient is an HTTP client whose every connection reaches the fake,
// for a Config with OpenAI's own host over plain HTTP
// ("http://api.openai.com/v1"): code that tells OpenAI from other
// servers by the base URL sees OpenAI, and nothing reaches the internet.
func (s *Server) OpenAIClient() *http.Client {
	dial := &net.Dialer{}
	addr := s.srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial.DialContext(ctx, network, addr)
	}}}
}

// SetDelay changes the delay before every answer.
func (s *Server) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// Fail queues faults; each is used by the next request it matches.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Requests returns a copy of the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// Reset forgets recorded requests, queued faults and the prompt cache.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests, s.faults, s.chatCalls = nil, nil, 0
	s.cache = map[[32]byte]bool{}
}

// InFlight returns the number of requests the server is handling now
// (one held by a Fault's Delay counts until it is answered or dropped).
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// MaxInFlight returns the largest number of requests the server was
// handling at the same time.
func (s *Server) MaxInFlight() int { return int(s.maxInFlight.Load()) }

func (s *Server) record(r *http.Request, rec Request, status int) {
	rec.Method, rec.Path, rec.Status, rec.Time = r.Method, r.URL.Path, status, time.Now()
	rec.Authorized = s.authorized(r)
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
}

func (s *Server) authorized(r *http.Request) bool {
	return r.Header.Get("Authorization") == "Bearer "+s.APIKey
}

// begin counts the request in flight, applies the delay and a queued
// fault. It returns false when the request has been answered already.
func (s *Server) begin(w http.ResponseWriter, r *http.Request) (done func(), ok bool) {
	n := s.inFlight.Add(1)
	for {
		m := s.maxInFlight.Load()
		if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	done = func() { s.inFlight.Add(-1) }
	// Read the body before any delay: net/http notices a client that went
	// away (and cancels r.Context) only once the body has been consumed.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUploadBytes+1<<20))
	if err != nil {
		s.record(r, Request{}, http.StatusRequestEntityTooLarge)
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Maximum content size limit (%d) exceeded", MaxUploadBytes), "server_error", "", "")
		return done, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !sleep(r.Context(), time.Duration(s.delay.Load())) {
		s.record(r, Request{}, 0)
		return done, false
	}
	f, found := s.takeFault(r.URL.Path)
	if !found {
		return done, true
	}
	if !sleep(r.Context(), f.Delay) {
		s.record(r, Request{}, 0)
		return done, false
	}
	switch {
	case f.Drop:
		s.record(r, Request{}, 0)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return done, false
			}
		}
		panic(http.ErrAbortHandler)
	case f.Status != 0:
		s.record(r, Request{}, f.Status)
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		msg, typ, code := f.Message, f.Type, f.Code
		if msg == "" {
			msg, typ, code = defaultFault(f.Status)
		}
		writeError(w, f.Status, msg, typ, "", code)
		return done, false
	}
	return done, true
}

func defaultFault(status int) (msg, typ, code string) {
	switch {
	case status == http.StatusTooManyRequests:
		return "Rate limit reached for requests. Please try again in 1s.", "requests", "rate_limit_exceeded"
	case status == http.StatusServiceUnavailable:
		return "The engine is currently overloaded, please try again later", "server_error", ""
	case status >= 500:
		return "The server had an error while processing your request. Sorry about that!", "server_error", ""
	}
	return http.StatusText(status), "invalid_request_error", ""
}

func (s *Server) takeFault(path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Path == "" || strings.HasSuffix(path, f.Path) {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// checkAuth answers 401 the way the API does, echoing a masked key.
func (s *Server) checkAuth(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if s.authorized(r) {
		return true
	}
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(key) == "" {
		writeError(w, http.StatusUnauthorized, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (i.e. user: YOUR_KEY, password: nothing).", "invalid_request_error", "", "")
		return false
	}
	writeError(w, http.StatusUnauthorized, "Incorrect API key provided: "+maskKey(key)+". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "", "invalid_api_key")
	return false
}

// maskKey shows a key the way the API's 401 message does: a few leading
// and trailing characters. Clients must not pass this text on.
func maskKey(key string) string {
	if len(key) <= 8 {
		return strings.Repeat("*", len(key))
	}
	return key[:3] + strings.Repeat("*", 10) + key[len(key)-4:]
}

func writeError(w http.ResponseWriter, status int, msg, typ, param, code string) {
	body := map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}
	if param != "" {
		body["param"] = param
	}
	if code != "" {
		body["code"] = code
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req_"+randomHex(12))
	w.Header().Set("Openai-Processing-Ms", "1")
	w.Header().Set("X-Ratelimit-Limit-Requests", "10000")
	w.Header().Set("X-Ratelimit-Remaining-Requests", "9999")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
