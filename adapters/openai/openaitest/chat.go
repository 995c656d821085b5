package openaitest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Message is one chat message of a request.
type Message struct {
	Role    string
	Content string
}

// ChatCall is a parsed chat completion request, given to the ChatResponder
// and recorded in Request.Chat.
type ChatCall struct {
	// Index counts chat calls that passed validation, from 0.
	Index    int
	Model    string
	Messages []Message
	// ResponseFormat is "text", "json_object" or "json_schema"; empty
	// when the request had none.
	ResponseFormat string
	SchemaName     string
	Schema         json.RawMessage
	Strict         bool
	Temperature    *float64
	Seed           *int
	// MaxCompletionTokens is max_completion_tokens (or max_tokens).
	MaxCompletionTokens int
	// Body is the raw request body.
	Body json.RawMessage
}

// System returns the content of the system (or developer) messages.
func (c *ChatCall) System() string {
	var parts []string
	for _, m := range c.Messages {
		if m.Role == "system" || m.Role == "developer" {
			parts = append(parts, m.Content)
		}
	}
	return strings.Join(parts, "\n")
}

// LastUser returns the content of the last user message.
func (c *ChatCall) LastUser() string {
	for i := len(c.Messages) - 1; i >= 0; i-- {
		if c.Messages[i].Role == "user" {
			return c.Messages[i].Content
		}
	}
	return ""
}

// ChatReply is what a ChatResponder answers. An empty Content and Refusal
// means "generate": a value valid against the request's schema.
type ChatReply struct {
	Content string
	// Refusal makes the model refuse (message.refusal set, content null).
	Refusal string
	// FinishReason defaults to "stop".
	FinishReason string
	// OutOfSchema marks Content that deliberately breaks the request's
	// strict schema, to test a client's defences. The real API never
	// answers so ("Structured Outputs": with strict true the output
	// always matches the schema, save refusals and answers cut off at
	// max tokens), so without it the fake refuses to send a scripted
	// Content that does not validate against a strict schema: it answers
	// 500 naming the violation, and the test sees its script is wrong.
	OutOfSchema bool
}

// ChatResponder scripts chat answers. It is called concurrently.
type ChatResponder func(call *ChatCall) ChatReply

// SetChat replaces the chat responder; nil restores the generator.
func (s *Server) SetChat(f ChatResponder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = f
}

// Usage is the usage object of an answer.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
	CachedTokens     int `json:"-"`
}

var schemaName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// Snapshots the API reports for model aliases.
var snapshots = map[string]string{
	"gpt-4o-mini": "gpt-4o-mini-2024-07-18",
	"gpt-4o":      "gpt-4o-2024-08-06",
	"gpt-4.1":     "gpt-4.1-2025-04-14",
}

type chatBody struct {
	Model    *string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Temperature         *float64 `json:"temperature"`
	Seed                *int     `json:"seed"`
	MaxTokens           int      `json:"max_tokens"`
	MaxCompletionTokens int      `json:"max_completion_tokens"`
	Stream              bool     `json:"stream"`
	ResponseFormat      *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
			Strict *bool           `json:"strict"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

func isReasoning(model string) bool {
	return strings.HasPrefix(model, "gpt-5") || (len(model) > 1 && model[0] == 'o' && model[1] >= '0' && model[1] <= '9')
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	done, ok := s.begin(w, r)
	defer done()
	if !ok {
		return
	}
	rec := Request{}
	status := s.serveChat(w, r, &rec)
	s.record(r, rec, status)
}

// serveChat answers one chat request and returns the status it sent.
func (s *Server) serveChat(w http.ResponseWriter, r *http.Request, rec *Request) int {
	bad := func(status int, msg, param, code string) int {
		typ := "invalid_request_error"
		writeError(w, status, msg, typ, param, code)
		return status
	}
	if r.Method != http.MethodPost {
		return bad(http.StatusMethodNotAllowed, "Invalid method for URL ("+r.Method+" "+r.URL.Path+")", "", "")
	}
	if !s.checkAuth(w, r) {
		return http.StatusUnauthorized
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return bad(http.StatusRequestEntityTooLarge, "Request body too large.", "", "")
	}
	var body chatBody
	if err := json.Unmarshal(raw, &body); err != nil {
		return bad(http.StatusBadRequest, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.", "", "")
	}
	if body.Model == nil || *body.Model == "" {
		return bad(http.StatusBadRequest, "you must provide a model parameter", "", "")
	}
	model := *body.Model
	rec.Model = model
	if !slices.Contains(s.chatModels, model) {
		return bad(http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model), "", "model_not_found")
	}
	if body.Stream {
		return bad(http.StatusBadRequest, "openaitest does not implement streaming.", "stream", "")
	}
	if len(body.Messages) == 0 {
		return bad(http.StatusBadRequest, "[] is too short - 'messages'", "messages", "empty_array")
	}
	call := &ChatCall{Model: model, Temperature: body.Temperature, Seed: body.Seed, Body: raw,
		MaxCompletionTokens: max(body.MaxCompletionTokens, body.MaxTokens)}
	for i, m := range body.Messages {
		switch m.Role {
		case "system", "developer", "user", "assistant", "tool":
		default:
			return bad(http.StatusBadRequest, fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", m.Role), fmt.Sprintf("messages[%d].role", i), "invalid_value")
		}
		var content string
		if err := json.Unmarshal(m.Content, &content); err != nil {
			var parts []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if err := json.Unmarshal(m.Content, &parts); err != nil || (len(parts) == 0 && m.Role != "assistant") {
				return bad(http.StatusBadRequest, fmt.Sprintf("Invalid type for 'messages[%d].content': expected one of a string or array of objects.", i), fmt.Sprintf("messages[%d].content", i), "invalid_type")
			}
			for _, p := range parts {
				content += p.Text
			}
		}
		call.Messages = append(call.Messages, Message{Role: m.Role, Content: content})
	}
	if t := body.Temperature; t != nil {
		if *t < 0 || *t > 2 {
			return bad(http.StatusBadRequest, fmt.Sprintf("Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got %v instead.", *t), "temperature", "decimal_above_max_value")
		}
		if isReasoning(model) && *t != 1 {
			return bad(http.StatusBadRequest, fmt.Sprintf("Unsupported value: 'temperature' does not support %v with this model. Only the default (1) value is supported.", *t), "temperature", "unsupported_value")
		}
	}
	if rf := body.ResponseFormat; rf != nil {
		call.ResponseFormat = rf.Type
		switch rf.Type {
		case "text":
		case "json_object":
			mentions := false
			for _, m := range call.Messages {
				mentions = mentions || strings.Contains(strings.ToLower(m.Content), "json")
			}
			if !mentions {
				return bad(http.StatusBadRequest, "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages", "")
			}
		case "json_schema":
			js := rf.JSONSchema
			if js == nil {
				return bad(http.StatusBadRequest, "Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema", "missing_required_parameter")
			}
			if !schemaName.MatchString(js.Name) {
				return bad(http.StatusBadRequest, fmt.Sprintf("Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$', got %q.", js.Name), "response_format.json_schema.name", "invalid_value")
			}
			call.SchemaName, call.Schema = js.Name, js.Schema
			call.Strict = js.Strict != nil && *js.Strict
			if len(js.Schema) == 0 || string(js.Schema) == "null" {
				return bad(http.StatusBadRequest, "Missing required parameter: 'response_format.json_schema.schema'.", "response_format.json_schema.schema", "missing_required_parameter")
			}
			if call.Strict {
				if err := CheckStrictSchema(js.Schema); err != nil {
					return bad(http.StatusBadRequest, fmt.Sprintf("Invalid schema for response_format '%s': %s", js.Name, err), "response_format", "invalid_json_schema")
				}
			}
		default:
			return bad(http.StatusBadRequest, fmt.Sprintf("Invalid value: '%s'. Supported values are: 'json_object', 'json_schema', and 'text'.", rf.Type), "response_format.type", "invalid_value")
		}
	}
	rec.Chat = call

	s.mu.Lock()
	call.Index = s.chatCalls
	s.chatCalls++
	responder := s.chat
	s.mu.Unlock()

	var reply ChatReply
	if responder != nil {
		reply = responder(call)
	}
	if reply.Content == "" && reply.Refusal == "" {
		switch call.ResponseFormat {
		case "json_schema":
			gen, err := GenerateInstance(call.Schema)
			if err != nil {
				return bad(http.StatusBadRequest, err.Error(), "response_format", "")
			}
			reply.Content = string(gen)
		case "json_object":
			reply.Content = "{}"
		default:
			reply.Content = "This is a generated answer."
		}
	}
	if reply.FinishReason == "" {
		reply.FinishReason = "stop"
	}
	if call.ResponseFormat == "json_schema" && call.Strict && reply.Refusal == "" && reply.FinishReason != "length" && !reply.OutOfSchema {
		if err := ValidateInstance(call.Schema, json.RawMessage(reply.Content)); err != nil {
			writeError(w, http.StatusInternalServerError, "openaitest: the scripted reply does not match the request's strict schema (the real API never answers so; set ChatReply.OutOfSchema to mean it): "+err.Error(), "server_error", "", "")
			return http.StatusInternalServerError
		}
	}
	// Like the API, stop at max_completion_tokens, mid-JSON if need be.
	if limit := call.MaxCompletionTokens; limit > 0 && reply.Refusal == "" && EstimateTokens(reply.Content) > limit {
		r := []rune(reply.Content)
		for len(r) > 0 && EstimateTokens(string(r)) > limit {
			r = r[:len(r)*9/10]
		}
		reply.Content, reply.FinishReason = string(r), "length"
	}
	usage := s.chatUsage(call, reply)
	msg := map[string]any{"role": "assistant", "content": reply.Content, "refusal": nil, "annotations": []any{}}
	if reply.Refusal != "" {
		msg["content"], msg["refusal"] = nil, reply.Refusal
	}
	respModel := model
	if snap, ok := snapshots[model]; ok {
		respModel = snap
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":      "chatcmpl-" + randomHex(12),
		"object":  "chat.completion",
		"created": time.Now().Unix(),
		"model":   respModel,
		"choices": []any{map[string]any{
			"index": 0, "message": msg, "logprobs": nil, "finish_reason": reply.FinishReason,
		}},
		"usage": map[string]any{
			"prompt_tokens":     usage.PromptTokens,
			"completion_tokens": usage.CompletionTokens,
			"total_tokens":      usage.TotalTokens,
			"prompt_tokens_details": map[string]any{
				"cached_tokens": usage.CachedTokens, "audio_tokens": 0,
			},
			"completion_tokens_details": map[string]any{
				"reasoning_tokens": 0, "audio_tokens": 0,
				"accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
			},
		},
		"service_tier":       "default",
		"system_fingerprint": "fp_openaitest",
	})
	return http.StatusOK
}

// chatUsage estimates the usage of a call (messages and response schema)
// and simulates prompt caching:
// the longest 128-token step of the prompt (1024 tokens at least) that an
// earlier request already sent counts as cached.
func (s *Server) chatUsage(call *ChatCall, reply ChatReply) Usage {
	var b strings.Builder
	// The API puts a response schema into the prompt, ahead of the
	// messages; it counts as prompt tokens and belongs to the prefix.
	if len(call.Schema) > 0 {
		b.WriteString(call.SchemaName)
		b.WriteByte('\n')
		b.Write(call.Schema)
		b.WriteByte('\n')
	}
	for _, m := range call.Messages {
		b.WriteString(m.Role)
		b.WriteByte('\n')
		b.WriteString(m.Content)
		b.WriteByte('\n')
	}
	text := b.String()
	prompt := EstimateTokens(text) + tokensPerMessage*len(call.Messages) + tokensPerReply
	offsets, counts := cacheBoundaries(text)
	cached := 0
	s.mu.Lock()
	// Bound the simulated cache for long load runs.
	if len(s.cache) > 1<<20 {
		s.cache = map[[32]byte]bool{}
	}
	for i, off := range offsets {
		key := sha256.Sum256([]byte(call.Model + "\x00" + text[:off]))
		if s.cache[key] {
			cached = counts[i]
		}
		s.cache[key] = true
	}
	s.mu.Unlock()
	completion := EstimateTokens(reply.Content + reply.Refusal)
	return Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion, CachedTokens: min(cached, prompt)}
}
