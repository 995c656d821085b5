package openaitest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func client(srv *openaitest.Server, key string) *goopenai.Client {
	cc := goopenai.DefaultConfig(key)
	cc.BaseURL = srv.URL
	return goopenai.NewClientWithConfig(cc)
}

var strictSchema = json.RawMessage(`{"type":"object","properties":{"score":{"type":"integer"},"note":{"type":["string","null"]}},"required":["score","note"],"additionalProperties":false}`)

func chatRequest(model string, schema json.RawMessage) goopenai.ChatCompletionRequest {
	return goopenai.ChatCompletionRequest{
		Model:    model,
		Messages: []goopenai.ChatCompletionMessage{{Role: "system", Content: "Score it."}, {Role: "user", Content: "hello"}},
		ResponseFormat: &goopenai.ChatCompletionResponseFormat{Type: goopenai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &goopenai.ChatCompletionResponseFormatJSONSchema{Name: "s", Schema: schema, Strict: true}},
	}
}

func apiError(t *testing.T, err error) *goopenai.APIError {
	t.Helper()
	var e *goopenai.APIError
	require.ErrorAs(t, err, &e)
	return e
}

func TestChatValidation(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	// go-openai decodes a null code as 0.
	tests := []struct {
		name     string
		key      string
		req      goopenai.ChatCompletionRequest
		status   int
		code     any
		contains string
	}{
		{"no key", "", chatRequest("gpt-4o-mini", strictSchema), 401, 0, "didn't provide an API key"},
		{"wrong key", "sk-wrong-key-123456", chatRequest("gpt-4o-mini", strictSchema), 401, "invalid_api_key", "Incorrect API key"},
		{"unknown model", srv.APIKey, chatRequest("gpt-9", strictSchema), 404, "model_not_found", "gpt-9"},
		{"no messages", srv.APIKey, goopenai.ChatCompletionRequest{Model: "gpt-4o-mini"}, 400, "empty_array", "messages"},
		{"nullable schema", srv.APIKey, chatRequest("gpt-4o-mini", json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","nullable":true}},"required":["a"],"additionalProperties":false}`)), 400, "invalid_json_schema", "nullable"},
		{"reasoning model without temperature", srv.APIKey, chatRequest("o4-mini", strictSchema), 200, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client(srv, tt.key).CreateChatCompletion(context.Background(), tt.req)
			if tt.status == 200 {
				require.NoError(t, err)
				require.NoError(t, openaitest.ValidateInstance(strictSchema, json.RawMessage(resp.Choices[0].Message.Content)))
				return
			}
			e := apiError(t, err)
			assert.Equal(t, tt.status, e.HTTPStatusCode)
			assert.Equal(t, tt.code, e.Code)
			assert.Contains(t, e.Message, tt.contains)
			if tt.key != "" {
				assert.NotContains(t, e.Message, tt.key, "the key is echoed masked only")
			}
		})
	}
}

func TestChatRawValidation(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	tests := []struct {
		name, body, contains string
		status               int
	}{
		{"not JSON", `{`, "could not parse the JSON body", 400},
		{"no model", `{"messages":[{"role":"user","content":"hi"}]}`, "must provide a model", 400},
		{"temperature on gpt-5", `{"model":"gpt-5","temperature":0.2,"messages":[{"role":"user","content":"hi"}]}`, "Only the default (1)", 400},
		{"temperature too high", `{"model":"gpt-4o-mini","temperature":2.5,"messages":[{"role":"user","content":"hi"}]}`, "temperature", 400},
		{"json_object without the word", `{"model":"gpt-4o-mini","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"hi"}]}`, "must contain the word 'json'", 400},
		{"bad schema name", `{"model":"gpt-4o-mini","response_format":{"type":"json_schema","json_schema":{"name":"a b","schema":{"type":"object"}}},"messages":[{"role":"user","content":"hi"}]}`, "name", 400},
		{"bad role", `{"model":"gpt-4o-mini","messages":[{"role":"boss","content":"hi"}]}`, "Invalid value: 'boss'", 400},
		{"plain text", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`, "generated answer", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+srv.APIKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.status, resp.StatusCode, "%s", body)
			assert.Contains(t, string(body), tt.contains)
			if tt.status != 200 {
				var shape struct {
					Error struct {
						Message string  `json:"message"`
						Type    string  `json:"type"`
						Param   *string `json:"param"`
						Code    *string `json:"code"`
					} `json:"error"`
				}
				require.NoError(t, json.Unmarshal(body, &shape))
				assert.NotEmpty(t, shape.Error.Message)
				assert.Equal(t, "invalid_request_error", shape.Error.Type)
			}
		})
	}
}

func TestChatAnswers(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	c := client(srv, srv.APIKey)
	resp, err := c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	require.NoError(t, err)
	assert.Equal(t, "gpt-4o-mini-2024-07-18", resp.Model)
	require.Len(t, resp.Choices, 1)
	assert.Equal(t, goopenai.FinishReasonStop, resp.Choices[0].FinishReason)
	require.NoError(t, openaitest.ValidateInstance(strictSchema, json.RawMessage(resp.Choices[0].Message.Content)))
	assert.Positive(t, resp.Usage.PromptTokens)
	assert.Equal(t, resp.Usage.PromptTokens+resp.Usage.CompletionTokens, resp.Usage.TotalTokens)
	require.NotNil(t, resp.Usage.PromptTokensDetails)
	assert.Zero(t, resp.Usage.PromptTokensDetails.CachedTokens, "prompts under 1024 tokens are never cached")

	// Scripted answers and refusals; the call is recorded.
	srv.SetChat(func(call *openaitest.ChatCall) openaitest.ChatReply {
		if call.Index%2 == 0 {
			return openaitest.ChatReply{Refusal: "I can't."}
		}
		return openaitest.ChatReply{Content: `{"score":7,"note":null}`}
	})
	resp, err = c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	require.NoError(t, err)
	assert.Equal(t, `{"score":7,"note":null}`, resp.Choices[0].Message.Content)
	resp, err = c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	require.NoError(t, err)
	assert.Equal(t, "I can't.", resp.Choices[0].Message.Refusal)
	assert.Empty(t, resp.Choices[0].Message.Content)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "hello", reqs[2].Chat.LastUser())
	assert.True(t, reqs[2].Authorized)

	// Prompt caching: a long prompt sent twice reports a cached prefix.
	long := chatRequest("gpt-4o-mini", strictSchema)
	long.Messages[0].Content = strings.Repeat("Static instructions for the auditor. ", 200)
	first, err := c.CreateChatCompletion(context.Background(), long)
	require.NoError(t, err)
	second, err := c.CreateChatCompletion(context.Background(), long)
	require.NoError(t, err)
	assert.Zero(t, first.Usage.PromptTokensDetails.CachedTokens)
	cached := second.Usage.PromptTokensDetails.CachedTokens
	assert.GreaterOrEqual(t, cached, openaitest.CacheMinTokens)
	assert.Zero(t, (cached-openaitest.CacheMinTokens)%openaitest.CacheStepTokens, "cache hits come in 128-token steps")
	assert.LessOrEqual(t, cached, second.Usage.PromptTokens)
}

func TestFaults(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	c := client(srv, srv.APIKey)
	srv.Fail(
		openaitest.Fault{Path: "/audio/transcriptions", Status: 500}, // not for chat: skipped
		openaitest.Fault{Status: 429, RetryAfter: "7"},
		openaitest.Fault{Status: 503},
		openaitest.Fault{Drop: true},
	)
	_, err := c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	e := apiError(t, err)
	assert.Equal(t, 429, e.HTTPStatusCode)
	assert.Equal(t, "rate_limit_exceeded", e.Code)

	_, err = c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	assert.Equal(t, 503, apiError(t, err).HTTPStatusCode)

	_, err = c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	require.Error(t, err)
	var apiErr *goopenai.APIError
	assert.False(t, errors.As(err, &apiErr), "a dropped connection has no API error")

	_, err = c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	require.NoError(t, err, "faults are used up")

	// Retry-After is a header.
	srv.Fail(openaitest.Fault{Status: 429, RetryAfter: "7"})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(`{}`))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "7", resp.Header.Get("Retry-After"))

	// A delayed answer ends when the client gives up.
	srv.Fail(openaitest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.CreateChatCompletion(ctx, chatRequest("gpt-4o-mini", strictSchema))
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestConcurrentRequests(t *testing.T) {
	srv := openaitest.NewServer(openaitest.WithDelay(20 * time.Millisecond))
	defer srv.Close()
	c := client(srv, srv.APIKey)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			_, err := c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, srv.Requests(), 64)
	assert.Greater(t, srv.MaxInFlight(), 1, "requests overlap while delayed")
}

func multipartBody(t *testing.T, fields map[string]string, filename string, file []byte) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		require.NoError(t, err)
		_, err = fw.Write(file)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return &b, mw.FormDataContentType()
}

func TestTranscriptionValidation(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	wav := transcribetest.WAV(1, 8000, 1)
	tests := []struct {
		name     string
		fields   map[string]string
		filename string
		file     []byte
		status   int
		contains string
	}{
		{"whisper verbose_json", map[string]string{"model": "whisper-1", "response_format": "verbose_json", "timestamp_granularities[]": "segment"}, "a.wav", wav, 200, `"segments"`},
		{"whisper words", map[string]string{"model": "whisper-1", "response_format": "verbose_json", "timestamp_granularities[]": "word"}, "a.wav", wav, 200, `"words":[{"end":`},
		{"gpt-4o json", map[string]string{"model": "gpt-4o-transcribe"}, "a.wav", wav, 200, `"text"`},
		{"text", map[string]string{"model": "gpt-4o-mini-transcribe", "response_format": "text"}, "a.wav", wav, 200, "Good afternoon"},
		{"srt", map[string]string{"model": "whisper-1", "response_format": "srt"}, "a.wav", wav, 200, "00:00:00,000 --> 00:00:02,500"},
		{"verbose_json on gpt-4o", map[string]string{"model": "gpt-4o-transcribe", "response_format": "verbose_json"}, "a.wav", wav, 400, "not compatible"},
		{"granularities without verbose_json", map[string]string{"model": "whisper-1", "timestamp_granularities[]": "segment"}, "a.wav", wav, 400, "verbose_json"},
		{"no model", map[string]string{}, "a.wav", wav, 400, "model"},
		{"unknown model", map[string]string{"model": "whisper-2"}, "a.wav", wav, 404, "whisper-2"},
		{"no file", map[string]string{"model": "whisper-1"}, "", nil, 400, "'file'"},
		{"bad extension", map[string]string{"model": "whisper-1"}, "a.txt", wav, 400, "Invalid file format"},
		{"no extension", map[string]string{"model": "whisper-1"}, "audio", wav, 400, "Invalid file format"},
		{"not audio", map[string]string{"model": "whisper-1"}, "a.mp3", []byte("hello world, not audio at all"), 400, "corrupted or unsupported"},
		{"over 25 MB", map[string]string{"model": "whisper-1"}, "a.wav", append(wav, make([]byte, openaitest.MaxUploadBytes)...), 413, "26214400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := multipartBody(t, tt.fields, tt.filename, tt.file)
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/audio/transcriptions", body)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+srv.APIKey)
			req.Header.Set("Content-Type", ct)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.status, resp.StatusCode, "%s", got)
			assert.Contains(t, string(got), tt.contains)
		})
	}
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Equal(t, "a.wav", reqs[0].Audio.Filename)
	assert.Equal(t, "wav", reqs[0].Audio.Format.Ext)
}

func TestTranscriptionViaGoOpenAI(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	srv.SetTranscription(func(call *openaitest.AudioCall) openaitest.Transcription {
		return openaitest.Transcription{Text: "Добрый день", Language: "russian", Duration: 1.5,
			Segments: []openaitest.TranscriptionSegment{{Start: 0.1, End: 1.4, Text: " Добрый день"}}}
	})
	resp, err := client(srv, srv.APIKey).CreateTranscription(context.Background(), goopenai.AudioRequest{
		Model: goopenai.Whisper1, FilePath: "call.wav", Reader: bytes.NewReader(transcribetest.WAV(1, 8000, 1)),
		Format: goopenai.AudioResponseFormatVerboseJSON, Language: "ru", Prompt: "CRM",
		TimestampGranularities: []goopenai.TranscriptionTimestampGranularity{goopenai.TranscriptionTimestampGranularitySegment},
	})
	require.NoError(t, err)
	assert.Equal(t, "russian", resp.Language)
	require.Len(t, resp.Segments, 1)
	assert.InDelta(t, 0.1, resp.Segments[0].Start, 1e-9)
	a := srv.Requests()[0].Audio
	assert.Equal(t, "ru", a.Language)
	assert.Equal(t, "CRM", a.Prompt)
}

func TestWithListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := openaitest.NewServer(openaitest.WithListener(l))
	defer srv.Close()
	assert.Equal(t, "http://"+l.Addr().String()+"/v1", srv.URL)
	_, err = client(srv, srv.APIKey).CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	require.NoError(t, err)
}

// TestDiarization: the fake answers diarized_json in the API's
// TranscriptionDiarized shape and refuses what the API reference says the
// API refuses for diarization.
func TestDiarization(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	short, long := transcribetest.WAV(5, 8000, 1), transcribetest.WAV(31, 8000, 1)
	ref := "data:audio/wav;base64,UklGRg=="
	const diarize = "gpt-4o-transcribe-diarize"
	tests := []struct {
		name     string
		fields   [][2]string
		file     []byte
		status   int
		contains string
	}{
		{"diarized", [][2]string{{"model", diarize}, {"response_format", "diarized_json"}, {"chunking_strategy", "auto"}}, long, 200,
			`"speaker":"A"`},
		{"short without chunking", [][2]string{{"model", diarize}, {"response_format", "diarized_json"}}, short, 200, `"type":"transcript.text.segment"`},
		{"long without chunking", [][2]string{{"model", diarize}, {"response_format", "diarized_json"}}, long, 400, "chunking_strategy"},
		{"server_vad", [][2]string{{"model", diarize}, {"response_format", "diarized_json"}, {"chunking_strategy", `{"type":"server_vad","threshold":0.5}`}}, long, 200, `"speaker":"B"`},
		{"bad chunking", [][2]string{{"model", diarize}, {"chunking_strategy", "fast"}}, short, 400, "chunking_strategy"},
		{"on whisper", [][2]string{{"model", "whisper-1"}, {"response_format", "diarized_json"}}, short, 400, "not compatible"},
		{"on gpt-4o-transcribe", [][2]string{{"model", "gpt-4o-transcribe"}, {"response_format", "diarized_json"}}, short, 400, "not compatible"},
		{"prompt", [][2]string{{"model", diarize}, {"chunking_strategy", "auto"}, {"prompt", "CRM"}}, short, 400, "Prompt is not supported"},
		{"granularities", [][2]string{{"model", diarize}, {"chunking_strategy", "auto"}, {"response_format", "diarized_json"}, {"timestamp_granularities[]", "segment"}}, short, 400, "verbose_json"},
		{"known speakers", [][2]string{{"model", diarize}, {"chunking_strategy", "auto"}, {"response_format", "diarized_json"},
			{"known_speaker_names[]", "agent"}, {"known_speaker_references[]", ref}, {"known_speaker_names[]", "customer"}, {"known_speaker_references[]", ref}}, short, 200, `"speaker":"customer"`},
		{"names without references", [][2]string{{"model", diarize}, {"chunking_strategy", "auto"}, {"known_speaker_names[]", "agent"}}, short, 400, "same length"},
		{"five known speakers", [][2]string{{"model", diarize}, {"chunking_strategy", "auto"},
			{"known_speaker_names[]", "a"}, {"known_speaker_names[]", "b"}, {"known_speaker_names[]", "c"}, {"known_speaker_names[]", "d"}, {"known_speaker_names[]", "e"}}, short, 400, "at most 4"},
		{"reference not a data URL", [][2]string{{"model", diarize}, {"chunking_strategy", "auto"}, {"known_speaker_names[]", "agent"}, {"known_speaker_references[]", "https://x/a.wav"}}, short, 400, "data URLs"},
		{"known speakers on whisper", [][2]string{{"model", "whisper-1"}, {"known_speaker_names[]", "agent"}}, short, 400, "diarization models"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			for _, f := range tt.fields {
				require.NoError(t, mw.WriteField(f[0], f[1]))
			}
			fw, err := mw.CreateFormFile("file", "call.wav")
			require.NoError(t, err)
			_, _ = fw.Write(tt.file)
			require.NoError(t, mw.Close())
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/audio/transcriptions", &b)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+srv.APIKey)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.status, resp.StatusCode, "%s", got)
			assert.Contains(t, string(got), tt.contains)
			if tt.status == 200 && strings.Contains(string(got), "segments") {
				var d struct {
					Task     string  `json:"task"`
					Duration float64 `json:"duration"`
					Text     string  `json:"text"`
					Segments []struct {
						Type, ID, Speaker, Text string
						Start, End              float64
					} `json:"segments"`
				}
				require.NoError(t, json.Unmarshal(got, &d))
				assert.Equal(t, "transcribe", d.Task)
				require.Len(t, d.Segments, 2)
				assert.NotEqual(t, d.Segments[0].Speaker, d.Segments[1].Speaker, "two speakers")
				assert.Less(t, d.Segments[0].Start, d.Segments[1].Start)
			}
		})
	}
}

// TestScriptedRepliesKeepTheStrictSchema: like the real API, the fake
// never sends a strict structured output that breaks the schema; a script
// that tries gets a 500 naming the violation, unless it marks the reply
// as deliberately out of schema.
func TestScriptedRepliesKeepTheStrictSchema(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	c := client(srv, srv.APIKey)
	out := false
	srv.SetChat(func(*openaitest.ChatCall) openaitest.ChatReply {
		return openaitest.ChatReply{Content: `{"score":"seven","note":null}`, OutOfSchema: out}
	})
	_, err := c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	e := apiError(t, err)
	assert.Equal(t, 500, e.HTTPStatusCode)
	assert.Contains(t, e.Message, "strict schema")
	assert.Contains(t, e.Message, "score")

	out = true
	resp, err := c.CreateChatCompletion(context.Background(), chatRequest("gpt-4o-mini", strictSchema))
	require.NoError(t, err)
	assert.Equal(t, `{"score":"seven","note":null}`, resp.Choices[0].Message.Content)
}
