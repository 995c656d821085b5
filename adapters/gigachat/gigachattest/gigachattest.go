// Package gigachattest is a fake GigaChat API for tests, after the REST
// reference (developers.sber.ru/docs/ru/gigachat/api/reference/rest):
// Sber's OAuth exchange at /api/v2/oauth (sberauthtest) and
// POST /api/v1/chat/completions ("Получить ответ модели на сообщения").
//
// Like the real API it answers 401 {"status":401,"message":"Token has
// expired"} for an expired access token and 401 for a missing or unknown
// one, 404 for an unknown model, 413 {"status":413,"message":"Payload too
// large"} for a prompt over the model's context window (the error page,
// "Описание ошибок": "Превышен максимальный размер входных данных", the
// prompt's tokens must be fewer than the model's context; counted here
// with tokens.Estimate against WithContextTokens), and 422 for requests its reference does
// not allow: no messages, an unknown role, a system message after the
// first, a function without a name or with parameters outside the
// documented subset of JSON Schema (type, description, properties,
// required, items, enum: no $ref, $defs or type unions), a function_call
// naming no given function. Answers follow the reference's ChatCompletion:
// a forced function call comes back as message.function_call with
// arguments as a JSON object and finish_reason "function_call". Fail
// scripts error answers; every request is recorded.
package gigachattest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit/adapters/internal/sberauth"
	"github.com/callaudit/callaudit/adapters/internal/sberauth/sberauthtest"
	"github.com/callaudit/callaudit/adapters/internal/tokens"
	"github.com/callaudit/callaudit/adapters/internal/vendortest"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
)

// DefaultAuthKey is the authorization key the fake accepts.
const DefaultAuthKey = "ZmFrZS1jbGllbnQtaWQ6ZmFrZS1jbGllbnQtc2VjcmV0LWdpZ2FjaGF0"

// DefaultContextTokens is the context window the fake allows: 32k
// tokens, the size adapters/gigachat plans for (its
// DefaultMaxTranscriptTokens).
const DefaultContextTokens = 32_768

// DefaultModels are the models the fake knows (the reference's GET /models).
var DefaultModels = []string{"GigaChat", "GigaChat-Pro", "GigaChat-Max", "GigaChat-2", "GigaChat-2-Pro", "GigaChat-2-Max"}

// Message is one chat message of a request.
type Message struct {
	Role         string          `json:"role"`
	Content      string          `json:"content"`
	FunctionCall json.RawMessage `json:"function_call,omitempty"`
	Name         string          `json:"name,omitempty"`
}

// Function is one function of a request.
type Function struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
}

// ChatCall is a parsed chat request.
type ChatCall struct {
	Model        string          `json:"model"`
	Messages     []Message       `json:"messages"`
	Functions    []Function      `json:"functions"`
	FunctionCall json.RawMessage `json:"function_call"`
	Temperature  *float64        `json:"temperature"`
	Stream       bool            `json:"stream"`
}

// System is the first system message's text.
func (c *ChatCall) System() string {
	for _, m := range c.Messages {
		if m.Role == "system" {
			return m.Content
		}
	}
	return ""
}

// LastUser is the last user message's text.
func (c *ChatCall) LastUser() string {
	for i := len(c.Messages) - 1; i >= 0; i-- {
		if c.Messages[i].Role == "user" {
			return c.Messages[i].Content
		}
	}
	return ""
}

// Forced is the function the request forces, or "".
func (c *ChatCall) Forced() string {
	var fc struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(c.FunctionCall, &fc) == nil {
		return fc.Name
	}
	return ""
}

// Reply is a scripted answer: the forced function's arguments (a JSON
// object) or text content.
type Reply struct {
	Arguments    json.RawMessage
	Content      string
	FinishReason string
}

// Responder answers a chat call.
type Responder func(*ChatCall) Reply

// Request is one recorded request.
type Request struct {
	Path   string
	Status int
	Chat   *ChatCall
}

// Fault is a scripted error answer for the next chat request(s).
type Fault struct {
	Status     int
	Message    string
	RetryAfter string
	// Times is how many requests get it (0 is 1).
	Times int
}

// Server is a running fake. Close it when done.
type Server struct {
	// URL is the API base (…/api/v1); OAuthURL the token exchange.
	URL, OAuthURL string
	AuthKey       string
	Issuer        *sberauthtest.Issuer

	srv       *httptest.Server
	models    []string
	responder Responder
	delay     time.Duration
	context   int
	mu        sync.Mutex
	faults    []Fault
	log       vendortest.Log[Request]
}

// Option configures a Server.
type Option func(*Server)

// WithResponder replaces SimulatedModel.
func WithResponder(f Responder) Option { return func(s *Server) { s.responder = f } }

// WithDelay makes every chat answer wait d, ending early if the client goes away.
func WithDelay(d time.Duration) Option { return func(s *Server) { s.delay = d } }

// WithContextTokens sets the context window over which a prompt is
// refused with 413 (default DefaultContextTokens).
func WithContextTokens(n int) Option { return func(s *Server) { s.context = n } }

// NewServer starts a fake.
func NewServer(opts ...Option) *Server {
	s := &Server{AuthKey: DefaultAuthKey, models: DefaultModels, responder: SimulatedModel, context: DefaultContextTokens}
	for _, o := range opts {
		o(s)
	}
	s.Issuer = sberauthtest.NewIssuer(s.AuthKey, sberauth.ScopeGigaChat)
	mux := http.NewServeMux()
	mux.Handle(sberauthtest.Path, s.Issuer.Handler())
	mux.HandleFunc("/api/v1/chat/completions", s.chat)
	s.srv = httptest.NewServer(mux)
	s.URL, s.OAuthURL = s.srv.URL+"/api/v1", s.srv.URL+sberauthtest.Path
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Fail scripts error answers for the next chat requests.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, f)
}

// Requests returns the chat requests so far.
func (s *Server) Requests() []Request { return s.log.All() }

func apiError(w http.ResponseWriter, status int, msg string) {
	vendortest.WriteJSON(w, status, map[string]any{"status": status, "message": msg})
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	rec := Request{Path: r.URL.Path}
	defer func() { s.log.Add(rec) }()
	fail := func(status int, msg string) { rec.Status = status; apiError(w, status, msg) }
	if r.Method != http.MethodPost {
		fail(http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	switch s.Issuer.Check(r.Header.Get("Authorization")) {
	case "expired":
		fail(http.StatusUnauthorized, "Token has expired")
		return
	case "missing":
		fail(http.StatusUnauthorized, "Unauthorized")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		fail(http.StatusBadRequest, "Content-Type must be application/json")
		return
	}
	var call ChatCall
	if err := json.NewDecoder(r.Body).Decode(&call); err != nil {
		fail(http.StatusBadRequest, "invalid JSON: "+err.Error())
		return
	}
	rec.Chat = &call
	if f, ok := s.nextFault(); ok {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		fail(f.Status, f.Message)
		return
	}
	if !contains(s.models, call.Model) {
		fail(http.StatusNotFound, "No such model")
		return
	}
	if msg := checkCall(&call); msg != "" {
		fail(http.StatusUnprocessableEntity, msg)
		return
	}
	prompt := 0
	for _, m := range call.Messages {
		prompt += tokens.Estimate(m.Content)
	}
	for _, f := range call.Functions {
		prompt += tokens.Estimate(string(f.Parameters))
	}
	if prompt >= s.context {
		fail(http.StatusRequestEntityTooLarge, "Payload too large")
		return
	}
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			rec.Status = 0
			return
		}
	}
	reply := s.responder(&call)
	msg := map[string]any{"role": "assistant", "content": reply.Content}
	finish := reply.FinishReason
	if reply.Arguments != nil {
		name := call.Forced()
		if name == "" && len(call.Functions) > 0 {
			name = call.Functions[0].Name
		}
		msg["function_call"] = map[string]any{"name": name, "arguments": reply.Arguments}
		msg["functions_state_id"] = "77d3fb14-457a-46ba-937e-8d856156d003"
		if finish == "" {
			finish = "function_call"
		}
	}
	if finish == "" {
		finish = "stop"
	}
	completion := tokens.Estimate(reply.Content + string(reply.Arguments))
	rec.Status = http.StatusOK
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"choices": []any{map[string]any{"message": msg, "index": 0, "finish_reason": finish}},
		"created": time.Now().Unix(),
		"model":   call.Model + ":2.0.28.2",
		"object":  "chat.completion",
		"usage":   map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion, "precached_prompt_tokens": 0},
	})
}

func (s *Server) nextFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	f := s.faults[0]
	f.Times--
	if f.Times == 0 {
		s.faults = s.faults[1:]
	} else {
		s.faults[0].Times = f.Times
	}
	return f, true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

var functionName = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// checkCall returns what the reference does not allow in call, or "".
func checkCall(call *ChatCall) string {
	if len(call.Messages) == 0 {
		return "messages must not be empty"
	}
	for i, m := range call.Messages {
		switch m.Role {
		case "system":
			if i != 0 {
				return "the system message must be the first one"
			}
		case "user", "assistant", "function":
		default:
			return fmt.Sprintf("messages[%d].role: unknown role %q", i, m.Role)
		}
	}
	if call.Stream {
		return "this fake does not stream"
	}
	names := map[string]bool{}
	for i, f := range call.Functions {
		if !functionName.MatchString(f.Name) {
			return fmt.Sprintf("functions[%d].name is invalid", i)
		}
		var params map[string]any
		if err := json.Unmarshal(f.Parameters, &params); err != nil || params["type"] != "object" {
			return fmt.Sprintf("functions[%d].parameters must be an object schema", i)
		}
		if msg := checkSubset(params, "parameters"); msg != "" {
			return fmt.Sprintf("functions[%d].%s", i, msg)
		}
		names[f.Name] = true
	}
	if len(call.FunctionCall) > 0 && string(call.FunctionCall) != "null" {
		var mode string
		if json.Unmarshal(call.FunctionCall, &mode) == nil {
			if mode != "auto" && mode != "none" {
				return "function_call must be auto, none or {\"name\": …}"
			}
		} else if !names[call.Forced()] {
			return "function_call names no function of the request"
		}
	}
	return ""
}

// schemaKeys are the keywords the reference describes for parameters.
var schemaKeys = map[string]bool{"type": true, "description": true, "properties": true, "required": true, "items": true, "enum": true}

// checkSubset walks a parameters schema for keywords outside the subset.
func checkSubset(node map[string]any, path string) string {
	for k, v := range node {
		if !schemaKeys[k] {
			return fmt.Sprintf("%s: unsupported keyword %q", path, k)
		}
		if k == "type" {
			if _, ok := v.(string); !ok {
				return path + ".type must be a string"
			}
		}
	}
	if props, ok := node["properties"].(map[string]any); ok {
		for name, sub := range props {
			m, ok := sub.(map[string]any)
			if !ok {
				return path + ".properties." + name + " must be an object"
			}
			if msg := checkSubset(m, path+".properties."+name); msg != "" {
				return msg
			}
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		return checkSubset(items, path+".items")
	}
	return ""
}

// SimulatedModel answers like a well-behaved model: the forced
// function's arguments from openaitest.SimulatedReport (valid against its
// parameters, prose in the language asked for, quotes from the first
// transcript line).
func SimulatedModel(call *ChatCall) Reply {
	var params json.RawMessage
	for _, f := range call.Functions {
		if f.Name == call.Forced() {
			params = f.Parameters
		}
	}
	args, err := openaitest.SimulatedReport(params, call.System(), call.LastUser())
	if err != nil {
		return Reply{Content: "no function to call"}
	}
	return Reply{Arguments: args}
}
