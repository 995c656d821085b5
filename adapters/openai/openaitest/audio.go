package openaitest

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/callaudit/callaudit/transcribe"
)

// MaxUploadBytes is the API's upload limit for audio files (25 MB).
const MaxUploadBytes = 26_214_400

// AudioExtensions are the file extensions the transcription API accepts.
var AudioExtensions = []string{"flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"}

// AudioCall is a parsed transcription request.
type AudioCall struct {
	Model          string
	Filename       string
	FileSize       int64
	ResponseFormat string // as sent; "" means json
	Language       string
	Prompt         string
	Temperature    string
	// ChunkingStrategy is chunking_strategy as sent ("auto" or JSON).
	ChunkingStrategy string
	// TimestampGranularities are the timestamp_granularities[] values.
	TimestampGranularities []string
	// Format is the container recognised from the file's bytes.
	Format transcribe.Format
}

// Transcription is what a TranscriptionResponder answers.
type Transcription struct {
	Text string
	// Language is the detected language as whisper names it ("english",
	// "russian"); verbose_json only.
	Language string
	Duration float64
	Segments []TranscriptionSegment
}

// TranscriptionSegment is one verbose_json segment.
type TranscriptionSegment struct {
	Start, End float64
	Text       string
}

// TranscriptionResponder scripts transcription answers. It is called
// concurrently.
type TranscriptionResponder func(call *AudioCall) Transcription

// SetTranscription replaces the transcription responder; nil restores
// the default two-segment answer.
func (s *Server) SetTranscription(f TranscriptionResponder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transcription = f
}

var whisperLanguages = map[string]string{"en": "english", "ru": "russian", "de": "german", "fr": "french", "es": "spanish", "uk": "ukrainian"}

func defaultTranscription(call *AudioCall) Transcription {
	lang := whisperLanguages[call.Language]
	if lang == "" {
		lang = "english"
	}
	segs := []TranscriptionSegment{
		{Start: 0, End: 2.5, Text: " Good afternoon, this is Anna from TaskFlow."},
		{Start: 2.8, End: 5.0, Text: " Hello, yes, I have a minute."},
	}
	var text strings.Builder
	for _, sg := range segs {
		text.WriteString(sg.Text)
	}
	return Transcription{Text: strings.TrimSpace(text.String()), Language: lang, Duration: 5.0, Segments: segs}
}

func (s *Server) handleTranscription(w http.ResponseWriter, r *http.Request) {
	done, ok := s.begin(w, r)
	defer done()
	if !ok {
		return
	}
	rec := Request{}
	status := s.serveTranscription(w, r, &rec)
	s.record(r, rec, status)
}

func (s *Server) serveTranscription(w http.ResponseWriter, r *http.Request, rec *Request) int {
	bad := func(status int, msg, param, code string) int {
		writeError(w, status, msg, "invalid_request_error", param, code)
		return status
	}
	if r.Method != http.MethodPost {
		return bad(http.StatusMethodNotAllowed, "Invalid method for URL ("+r.Method+" "+r.URL.Path+")", "", "")
	}
	if !s.checkAuth(w, r) {
		return http.StatusUnauthorized
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return bad(http.StatusBadRequest, "Invalid Content-Type header ("+mt+"), expected multipart/form-data.", "", "")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return bad(http.StatusBadRequest, "Could not parse multipart form", "", "")
	}
	call := &AudioCall{}
	gotFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bad(http.StatusBadRequest, "Could not parse multipart form", "", "")
		}
		name := part.FormName()
		if name == "file" {
			gotFile = true
			call.Filename = part.FileName()
			head := make([]byte, transcribe.SniffLen)
			n, _ := io.ReadFull(part, head)
			rest, err := io.Copy(io.Discard, io.LimitReader(part, MaxUploadBytes+1))
			if err != nil {
				return bad(http.StatusBadRequest, "Could not parse multipart form", "", "")
			}
			call.FileSize = int64(n) + rest
			if call.FileSize > MaxUploadBytes {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Maximum content size limit (%d) exceeded (%d bytes read)", MaxUploadBytes, call.FileSize), "server_error", "", "")
				return http.StatusRequestEntityTooLarge
			}
			call.Format, _ = transcribe.SniffFormat(head[:n])
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 1<<20))
		if err != nil {
			return bad(http.StatusBadRequest, "Could not parse multipart form", "", "")
		}
		switch name {
		case "model":
			call.Model = string(v)
		case "response_format":
			call.ResponseFormat = string(v)
		case "language":
			call.Language = string(v)
		case "prompt":
			call.Prompt = string(v)
		case "temperature":
			call.Temperature = string(v)
		case "chunking_strategy":
			call.ChunkingStrategy = string(v)
		case "timestamp_granularities[]":
			call.TimestampGranularities = append(call.TimestampGranularities, string(v))
		}
	}
	rec.Model, rec.Audio = call.Model, call
	if call.Model == "" {
		return bad(http.StatusBadRequest, "you must provide a model parameter", "", "")
	}
	formats, known := TranscriptionFormats[call.Model]
	if !known {
		return bad(http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", call.Model), "", "model_not_found")
	}
	if !gotFile {
		return bad(http.StatusBadRequest, "Missing required parameter: 'file'.", "file", "missing_required_parameter")
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(call.Filename)), ".")
	if !slices.Contains(AudioExtensions, ext) {
		return bad(http.StatusBadRequest, "Invalid file format. Supported formats: ['"+strings.Join(AudioExtensions, "', '")+"']", "file", "invalid_value")
	}
	if call.Format.Ext == "" {
		return bad(http.StatusBadRequest, "Audio file might be corrupted or unsupported", "file", "invalid_value")
	}
	format := call.ResponseFormat
	if format == "" {
		format = "json"
	}
	if !slices.Contains(formats, format) {
		return bad(http.StatusBadRequest, fmt.Sprintf("response_format '%s' is not compatible with model '%s'. Use %s.", format, call.Model, "'"+strings.Join(formats, "' or '")+"'"), "response_format", "unsupported_value")
	}
	if len(call.TimestampGranularities) > 0 && format != "verbose_json" {
		return bad(http.StatusBadRequest, "timestamp_granularities[] is only supported with response_format 'verbose_json'.", "timestamp_granularities", "invalid_value")
	}
	for _, g := range call.TimestampGranularities {
		if g != "segment" && g != "word" {
			return bad(http.StatusBadRequest, fmt.Sprintf("Invalid value: '%s'. Supported values are: 'word' and 'segment'.", g), "timestamp_granularities[]", "invalid_value")
		}
	}

	s.mu.Lock()
	responder := s.transcription
	s.mu.Unlock()
	if responder == nil {
		responder = defaultTranscription
	}
	t := responder(call)
	switch format {
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, t.Text+"\n")
	case "srt", "vtt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, subtitles(format, t))
	case "verbose_json":
		segs := make([]map[string]any, 0, len(t.Segments))
		for i, sg := range t.Segments {
			segs = append(segs, map[string]any{
				"id": i, "seek": 0, "start": sg.Start, "end": sg.End, "text": sg.Text,
				"tokens": []int{}, "temperature": 0.0, "avg_logprob": -0.2,
				"compression_ratio": 1.2, "no_speech_prob": 0.01,
			})
		}
		body := map[string]any{
			"task": "transcribe", "language": t.Language, "duration": t.Duration,
			"text": t.Text, "segments": segs,
			"usage": map[string]any{"type": "duration", "seconds": int(t.Duration + 0.999)},
		}
		if slices.Contains(call.TimestampGranularities, "word") {
			body["words"] = wordTimestamps(t.Segments)
		}
		if !slices.Contains(call.TimestampGranularities, "segment") && len(call.TimestampGranularities) > 0 {
			// Asking for words only leaves segments out, as the API does.
			delete(body, "segments")
		}
		writeJSON(w, http.StatusOK, body)
	default:
		usage := map[string]any{"type": "duration", "seconds": int(t.Duration + 0.999)}
		if call.Model != "whisper-1" {
			out := EstimateTokens(t.Text)
			in := int(t.Duration*10) + 1
			usage = map[string]any{"type": "tokens", "input_tokens": in, "output_tokens": out, "total_tokens": in + out,
				"input_token_details": map[string]any{"text_tokens": 0, "audio_tokens": in}}
		}
		writeJSON(w, http.StatusOK, map[string]any{"text": t.Text, "usage": usage})
	}
	return http.StatusOK
}

func subtitles(format string, t Transcription) string {
	var b strings.Builder
	if format == "vtt" {
		b.WriteString("WEBVTT\n\n")
	}
	sep := ","
	if format == "vtt" {
		sep = "."
	}
	stamp := func(sec float64) string {
		ms := int(sec*1000 + 0.5)
		return fmt.Sprintf("%02d:%02d:%02d%s%03d", ms/3600000, ms/60000%60, ms/1000%60, sep, ms%1000)
	}
	for i, sg := range t.Segments {
		if format == "srt" {
			fmt.Fprintf(&b, "%d\n", i+1)
		}
		fmt.Fprintf(&b, "%s --> %s\n%s\n\n", stamp(sg.Start), stamp(sg.End), strings.TrimSpace(sg.Text))
	}
	return b.String()
}

// wordTimestamps spreads each segment's time evenly over its words.
func wordTimestamps(segs []TranscriptionSegment) []map[string]any {
	var out []map[string]any
	for _, sg := range segs {
		words := strings.Fields(sg.Text)
		step := (sg.End - sg.Start) / float64(max(len(words), 1))
		for i, w := range words {
			out = append(out, map[string]any{"word": w, "start": sg.Start + float64(i)*step, "end": sg.Start + float64(i+1)*step})
		}
	}
	return out
}
