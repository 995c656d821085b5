package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"
)

// This file sends POST /audio/transcriptions by hand. go-openai builds
// the whole multipart body in a bytes.Buffer before sending it (a 24 MiB
// piece costs 24-48 MiB of heap per request, times the concurrent
// pieces), so a server transcribing long recordings would hold them in
// memory several times over. The API is the same: the form go-openai
// would send (the same fields, file name and part headers), the same HTTP
// client, URL and headers, and answers and errors decoded into
// go-openai's own types, so that upstream.translate sees exactly what
// CreateTranscription would have returned. Only the body differs: it is
// streamed from the recording's io.ReaderAt.

// maxErrorBody bounds how much of an error answer is read; the API's
// error objects are a few hundred bytes.
const maxErrorBody = 1 << 20

// transcriptionForm is a multipart body whose only large part is the
// file: the small parts before and after it are built once and the file
// is read from its ReaderAt on every attempt.
type transcriptionForm struct {
	contentType string
	head, tail  []byte // everything before and after the file's bytes
	data        io.ReaderAt
	size        int64
}

// newTranscriptionForm lays out req the way go-openai's audioMultipartForm
// does, except that the file part comes last: the API reads the fields
// whatever their order, and a server can refuse a bad field before the
// upload has been read. req.Reader is ignored; the file is data[0:size].
func newTranscriptionForm(req goopenai.AudioRequest, data io.ReaderAt, size int64) (*transcriptionForm, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields := [][2]string{{"model", req.Model}}
	if req.Prompt != "" {
		fields = append(fields, [2]string{"prompt", req.Prompt})
	}
	if req.Format != "" {
		fields = append(fields, [2]string{"response_format", string(req.Format)})
	}
	if req.Temperature != 0 {
		fields = append(fields, [2]string{"temperature", fmt.Sprintf("%.2f", req.Temperature)})
	}
	if req.Language != "" {
		fields = append(fields, [2]string{"language", req.Language})
	}
	for _, g := range req.TimestampGranularities {
		fields = append(fields, [2]string{"timestamp_granularities[]", string(g)})
	}
	if req.ChunkingStrategy != nil {
		// A string ("auto") is sent as is, anything else as JSON, as
		// go-openai does.
		v, ok := req.ChunkingStrategy.(string)
		if !ok {
			b, err := json.Marshal(req.ChunkingStrategy)
			if err != nil {
				return nil, fmt.Errorf("marshaling chunking_strategy: %w", err)
			}
			v = string(b)
		}
		fields = append(fields, [2]string{"chunking_strategy", v})
	}
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, fmt.Errorf("writing %s: %w", f[0], err)
		}
	}
	// The file part's headers as go-openai's CreateFormFileReader writes
	// them: the API rejects a file part without a Content-Type.
	ctype := mime.TypeByExtension(filepath.Ext(req.FilePath))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", multipart.FileContentDisposition("file", filepath.Base(req.FilePath)))
	h.Set("Content-Type", ctype)
	if _, err := w.CreatePart(h); err != nil {
		return nil, err
	}
	// The multipart writer does not buffer: what it has written so far is
	// everything up to the file's first byte, and Close adds only the
	// closing boundary, so the body's length is known without reading the
	// file.
	head := bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &transcriptionForm{contentType: w.FormDataContentType(), head: head, tail: bytes.Clone(buf.Bytes()), data: data, size: size}, nil
}

// body returns a fresh reader over the whole form.
func (f *transcriptionForm) body() io.ReadCloser {
	return io.NopCloser(io.MultiReader(bytes.NewReader(f.head), io.NewSectionReader(f.data, 0, f.size), bytes.NewReader(f.tail)))
}

func (f *transcriptionForm) length() int64 { return int64(len(f.head)) + f.size + int64(len(f.tail)) }

// createTranscription is goopenai.Client.CreateTranscription with a
// streamed body: the same URL, headers and HTTP client (with its
// Retry-After capture), and the same answers and errors.
// transcription is an answer of the endpoint: go-openai's AudioResponse,
// with the speaker of each segment when the answer is diarized_json.
type transcription struct {
	goopenai.AudioResponse
	// Speakers holds one label per AudioResponse.Segments entry for a
	// diarized_json answer, else nil.
	Speakers []string
}

// diarizedResponse is the diarized_json answer (TranscriptionDiarized in
// the API reference), which go-openai does not know: its segment ids are
// strings and each segment names its speaker.
type diarizedResponse struct {
	Task     string  `json:"task"`
	Duration float64 `json:"duration"`
	Text     string  `json:"text"`
	Segments []struct {
		ID      string  `json:"id"`
		Start   float64 `json:"start"`
		End     float64 `json:"end"`
		Speaker string  `json:"speaker"`
		Text    string  `json:"text"`
	} `json:"segments"`
}

func (d diarizedResponse) transcription() transcription {
	out := transcription{AudioResponse: goopenai.AudioResponse{Task: d.Task, Duration: d.Duration, Text: d.Text}}
	out.Segments = make([]struct {
		ID               int     `json:"id"`
		Seek             int     `json:"seek"`
		Start            float64 `json:"start"`
		End              float64 `json:"end"`
		Text             string  `json:"text"`
		Tokens           []int   `json:"tokens"`
		Temperature      float64 `json:"temperature"`
		AvgLogprob       float64 `json:"avg_logprob"`
		CompressionRatio float64 `json:"compression_ratio"`
		NoSpeechProb     float64 `json:"no_speech_prob"`
		Transient        bool    `json:"transient"`
	}, len(d.Segments))
	out.Speakers = make([]string, len(d.Segments))
	for i, s := range d.Segments {
		out.Segments[i].ID, out.Segments[i].Start, out.Segments[i].End, out.Segments[i].Text = i, s.Start, s.End, s.Text
		out.Speakers[i] = s.Speaker
	}
	return out
}

func (u *upstream) createTranscription(ctx context.Context, req goopenai.AudioRequest, form *transcriptionForm) (transcription, error) {
	cfg := u.config
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(cfg.BaseURL, "/")+"/audio/transcriptions", form.body())
	if err != nil {
		return transcription{}, err
	}
	// A known length: the upload is not chunk-encoded, and a redirect
	// that must repeat the body can get a fresh one.
	hreq.ContentLength = form.length()
	hreq.GetBody = func() (io.ReadCloser, error) { return form.body(), nil }
	hreq.Header.Set("Content-Type", form.contentType)
	hreq.Header.Set("Accept", "application/json")
	if u.apiKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+u.apiKey)
	}
	if cfg.OrgID != "" {
		hreq.Header.Set("OpenAI-Organization", cfg.OrgID)
	}
	res, err := cfg.HTTPClient.Do(hreq)
	if err != nil {
		return transcription{}, err
	}
	defer res.Body.Close()
	if res.StatusCode < http.StatusOK || res.StatusCode >= http.StatusBadRequest {
		return transcription{}, apiError(res)
	}
	var out transcription
	switch {
	case req.Format == goopenai.AudioResponseFormat(FormatDiarizedJSON):
		var d diarizedResponse
		err = json.NewDecoder(res.Body).Decode(&d)
		out = d.transcription()
	case req.HasJSONResponse():
		err = json.NewDecoder(res.Body).Decode(&out.AudioResponse)
	default:
		var b []byte
		b, err = io.ReadAll(res.Body)
		out.Text = string(b)
	}
	if err != nil {
		return transcription{}, err
	}
	out.SetHeader(res.Header)
	return out, nil
}

// apiError turns a failed answer into the error go-openai's
// handleErrorResp returns: an *APIError when the body is the API's error
// object, else a *RequestError carrying the body.
func apiError(res *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	if err != nil {
		return fmt.Errorf("error, reading response body: %w", err)
	}
	var er goopenai.ErrorResponse
	err = json.Unmarshal(body, &er)
	if err != nil || er.Error == nil {
		re := &goopenai.RequestError{HTTPStatus: res.Status, HTTPStatusCode: res.StatusCode, Err: err, Body: body}
		if er.Error != nil {
			re.Err = er.Error
		}
		return re
	}
	er.Error.HTTPStatus = res.Status
	er.Error.HTTPStatusCode = res.StatusCode
	return er.Error
}
