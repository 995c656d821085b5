package openai

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// formPart is one parsed multipart part.
type formPart struct {
	Name, Filename, ContentType, Disposition, Content string
}

// parseForm reads a multipart body the way a server would.
func parseForm(t *testing.T, contentType string, body []byte) []formPart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	require.NoError(t, err)
	require.Equal(t, "multipart/form-data", mt)
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts []formPart
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		b, err := io.ReadAll(p)
		require.NoError(t, err)
		parts = append(parts, formPart{Name: p.FormName(), Filename: p.FileName(), ContentType: p.Header.Get("Content-Type"),
			Disposition: p.Header.Get("Content-Disposition"), Content: string(b)})
	}
	return parts
}

// captured is one request as it reached the transport.
type captured struct {
	header        http.Header
	url           string
	body          []byte
	contentLength int64
	chunked       bool
}

// captureTransport records requests and answers every one with status
// and body.
type captureTransport struct {
	status int
	answer string
	got    []captured
}

func (c *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	c.got = append(c.got, captured{header: req.Header.Clone(), url: req.URL.String(), body: b,
		contentLength: req.ContentLength, chunked: slices.Contains(req.TransferEncoding, "chunked")})
	return &http.Response{StatusCode: c.status, Status: http.StatusText(c.status), Header: http.Header{"X-Test": {"1"}},
		Body: io.NopCloser(strings.NewReader(c.answer)), Request: req}, nil
}

// TestStreamedTranscriptionMatchesGoOpenAI sends each request both ways,
// through go-openai's CreateTranscription and the streamed upload, and
// compares what the server would see: the same URL and headers, the same
// parts (order aside) with the same headers and content, and the same
// decoded answer.
func TestStreamedTranscriptionMatchesGoOpenAI(t *testing.T) {
	audio := transcribetest.WAV(0.5, 8000, 1)
	tests := []struct {
		name   string
		req    goopenai.AudioRequest
		answer string
	}{
		{"verbose_json with segments", goopenai.AudioRequest{Model: "whisper-1", FilePath: "call.wav", Prompt: "ТаскФлоу, CRM",
			Language: "ru", Format: goopenai.AudioResponseFormatVerboseJSON,
			TimestampGranularities: []goopenai.TranscriptionTimestampGranularity{goopenai.TranscriptionTimestampGranularitySegment}},
			`{"task":"transcribe","language":"russian","duration":2.5,"text":"Привет","segments":[{"id":0,"start":0,"end":2.5,"text":" Привет"}]}`},
		{"json, diarize with auto chunking", goopenai.AudioRequest{Model: "gpt-4o-transcribe-diarize", FilePath: "a.mp3",
			Format: goopenai.AudioResponseFormatJSON, ChunkingStrategy: "auto"}, `{"text":"hello"}`},
		{"chunking strategy object and temperature", goopenai.AudioRequest{Model: "gpt-4o-transcribe", FilePath: "dir/x.ogg",
			Temperature: 0.2, ChunkingStrategy: goopenai.TranscriptionChunkingStrategy{Type: "server_vad", SilenceDurationMs: 500}}, `{"text":"hi"}`},
		{"text, odd file name", goopenai.AudioRequest{Model: "whisper-1", FilePath: `we"ird\name.unknownext`,
			Format: goopenai.AudioResponseFormatText}, "plain text answer\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newUp := func(tr *captureTransport) *upstream {
				up, err := newUpstream(Config{APIKey: "sk-test-key", BaseURL: "http://api.example/v1/", OrgID: "org-1",
					HTTPClient: &http.Client{Transport: tr}}.withDefaults(), DefaultTranscribeTimeout)
				require.NoError(t, err)
				return up
			}
			viaLib := &captureTransport{status: 200, answer: tt.answer}
			libReq := tt.req
			libReq.Reader = bytes.NewReader(audio)
			want, err := newUp(viaLib).client.CreateTranscription(context.Background(), libReq)
			require.NoError(t, err)

			streamed := &captureTransport{status: 200, answer: tt.answer}
			form, err := newTranscriptionForm(tt.req, bytes.NewReader(audio), int64(len(audio)))
			require.NoError(t, err)
			got, err := newUp(streamed).createTranscription(context.Background(), tt.req, form)
			require.NoError(t, err)
			assert.Equal(t, want, got.AudioResponse)
			assert.Nil(t, got.Speakers, "speakers come only with diarized_json")
			assert.Equal(t, "1", got.Header().Get("X-Test"))

			require.Len(t, viaLib.got, 1)
			require.Len(t, streamed.got, 1)
			l, s := viaLib.got[0], streamed.got[0]
			assert.Equal(t, l.url, s.url)
			for _, h := range []string{"Authorization", "OpenAI-Organization", "Accept"} {
				assert.Equal(t, l.header.Get(h), s.header.Get(h), h)
			}
			assert.Equal(t, int64(len(s.body)), s.contentLength, "the length is announced")
			assert.False(t, s.chunked)

			lp := parseForm(t, l.header.Get("Content-Type"), l.body)
			sp := parseForm(t, s.header.Get("Content-Type"), s.body)
			require.NotEmpty(t, sp)
			assert.Equal(t, "file", sp[len(sp)-1].Name, "the file comes last")
			assert.Equal(t, string(audio), sp[len(sp)-1].Content)
			byName := func(a, b formPart) int { return strings.Compare(a.Name+a.Content, b.Name+b.Content) }
			slices.SortFunc(lp, byName)
			slices.SortFunc(sp, byName)
			assert.Equal(t, lp, sp)
		})
	}
}

// TestStreamedTranscriptionErrorsMatchGoOpenAI checks that failed answers
// become the very errors go-openai returns, which upstream.translate
// relies on.
func TestStreamedTranscriptionErrorsMatchGoOpenAI(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"API error with a string code", 400, `{"error":{"message":"Invalid file format.","type":"invalid_request_error","param":"file","code":"invalid_value"}}`},
		{"API error with a numeric code", 429, `{"error":{"message":"slow down","type":"requests","code":429}}`},
		{"not JSON", 502, "<html>Bad Gateway</html>"},
		{"JSON without an error object", 500, `{"detail":"oops"}`},
		{"empty body", 503, ""},
	}
	audio := transcribetest.WAV(0.2, 8000, 1)
	req := goopenai.AudioRequest{Model: "whisper-1", FilePath: "a.wav", Format: goopenai.AudioResponseFormatJSON}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			up, err := newUpstream(Config{APIKey: "k", BaseURL: srv.URL}.withDefaults(), DefaultTranscribeTimeout)
			require.NoError(t, err)
			libReq := req
			libReq.Reader = bytes.NewReader(audio)
			_, want := up.client.CreateTranscription(context.Background(), libReq)
			require.Error(t, want)
			form, err := newTranscriptionForm(req, bytes.NewReader(audio), int64(len(audio)))
			require.NoError(t, err)
			_, got := up.createTranscription(context.Background(), req, form)
			assert.Equal(t, want, got)
			assert.IsType(t, want, got)
		})
	}
}
