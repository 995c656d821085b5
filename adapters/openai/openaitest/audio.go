package openaitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
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
	// KnownSpeakerNames and KnownSpeakerReferences are the
	// known_speaker_names[] and known_speaker_references[] values
	// (diarization only).
	KnownSpeakerNames, KnownSpeakerReferences []string
	// Duration is the recording's length in seconds when the fake can
	// tell it from the bytes (PCM WAV), else 0.
	Duration float64
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

// TranscriptionSegment is one verbose_json or diarized_json segment.
type TranscriptionSegment struct {
	Start, End float64
	Text       string
	// Speaker is the diarized_json speaker label; empty labels are given
	// the API's sequential letters (A, B, …) by turn: a responder that
	// leaves them empty gets speakers alternating per segment.
	Speaker string
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
			if info, err := audio.ParseWAV(bytes.NewReader(head[:n]), call.FileSize); err == nil && info.SampleRate > 0 {
				call.Duration = info.Duration()
			}
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
		case "known_speaker_names[]":
			call.KnownSpeakerNames = append(call.KnownSpeakerNames, string(v))
		case "known_speaker_references[]":
			call.KnownSpeakerReferences = append(call.KnownSpeakerReferences, string(v))
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
	if status := checkDiarization(call, bad); status != 0 {
		return status
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
	case "diarized_json":
		writeJSON(w, http.StatusOK, diarized(call, t))
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

// Diarization as the API reference describes it (API reference, Audio >
// Create transcription, https://platform.openai.com/docs/api-reference/audio/createTranscription):
//
//   - "chunking_strategy: "auto" | VadConfig | null … If unset, the audio
//     is transcribed as a single block. Required when using
//     gpt-4o-transcribe-diarize for inputs longer than 30 seconds." The
//     fake knows the length of PCM WAV only; any other recording sent to
//     a diarizing model without a chunking strategy is taken as longer.
//   - "prompt … This field is not supported when using
//     gpt-4o-transcribe-diarize." (the API answers "Prompt is not
//     supported for diarization models").
//   - "known_speaker_names … Up to 4 speakers are supported."
//     "known_speaker_references … audio samples (as data URLs) … matching
//     known_speaker_names[]".
//   - "response_format … For gpt-4o-transcribe-diarize, the supported
//     formats are json, text, and diarized_json, with diarized_json
//     required to receive speaker annotations." (TranscriptionFormats).
//   - TranscriptionDiarized: {task: "transcribe", duration, text,
//     segments: [{type: "transcript.text.segment", id, start, end,
//     speaker, text}], usage}. "speaker: Speaker label for this segment.
//     When known speakers are provided, the label matches
//     known_speaker_names[]. Otherwise speakers are labeled sequentially
//     using capital letters (A, B, …)."

// maxKnownSpeakers is the API's limit on known_speaker_names[].
const maxKnownSpeakers = 4

// diarizing reports whether model is a diarizing transcription model.
func diarizing(model string) bool { return strings.Contains(model, "diarize") }

// checkDiarization refuses what the API refuses in a diarization
// request; 0 is accepted.
func checkDiarization(call *AudioCall, bad func(status int, msg, param, code string) int) int {
	if !diarizing(call.Model) {
		if len(call.KnownSpeakerNames) > 0 || len(call.KnownSpeakerReferences) > 0 {
			return bad(http.StatusBadRequest, fmt.Sprintf("known_speaker_names is only supported for diarization models, not '%s'.", call.Model), "known_speaker_names", "unsupported_parameter")
		}
		return 0
	}
	if call.Prompt != "" {
		return bad(http.StatusBadRequest, "Prompt is not supported for diarization models.", "prompt", "unsupported_parameter")
	}
	switch cs := call.ChunkingStrategy; {
	case cs == "":
		if call.Duration == 0 || call.Duration > 30 {
			return bad(http.StatusBadRequest, "chunking_strategy is required for diarization models when the input audio is longer than 30 seconds.", "chunking_strategy", "missing_required_parameter")
		}
	case cs == "auto":
	default:
		var vad struct {
			Type string `json:"type"`
		}
		if json.Unmarshal([]byte(cs), &vad) != nil || vad.Type != "server_vad" {
			return bad(http.StatusBadRequest, "Invalid value for 'chunking_strategy': expected 'auto' or an object with type 'server_vad'.", "chunking_strategy", "invalid_value")
		}
	}
	if len(call.KnownSpeakerNames) > maxKnownSpeakers {
		return bad(http.StatusBadRequest, fmt.Sprintf("Too many known speakers: at most %d are supported.", maxKnownSpeakers), "known_speaker_names", "invalid_value")
	}
	if len(call.KnownSpeakerNames) != len(call.KnownSpeakerReferences) {
		return bad(http.StatusBadRequest, "known_speaker_names and known_speaker_references must have the same length.", "known_speaker_references", "invalid_value")
	}
	for _, ref := range call.KnownSpeakerReferences {
		if !strings.HasPrefix(ref, "data:audio/") || !strings.Contains(ref, ";base64,") {
			return bad(http.StatusBadRequest, "known_speaker_references must be data URLs of audio (data:audio/...;base64,...).", "known_speaker_references", "invalid_value")
		}
	}
	return 0
}

// diarized is the diarized_json answer: the segments with their speaker
// labels, unlabelled ones alternating A, B by segment, and labels mapped
// onto known_speaker_names[] in order of first appearance.
func diarized(call *AudioCall, t Transcription) map[string]any {
	names := map[string]string{}
	label := func(raw string, i int) string {
		if raw == "" {
			raw = string(rune('A' + i%2))
		}
		if n, ok := names[raw]; ok {
			return n
		}
		n := raw
		if k := len(names); k < len(call.KnownSpeakerNames) {
			n = call.KnownSpeakerNames[k]
		} else if len(call.KnownSpeakerNames) == 0 {
			n = string(rune('A' + len(names)))
		}
		names[raw] = n
		return n
	}
	segs := make([]map[string]any, 0, len(t.Segments))
	for i, sg := range t.Segments {
		segs = append(segs, map[string]any{
			"type": "transcript.text.segment", "id": fmt.Sprintf("seg_%d", i),
			"start": sg.Start, "end": sg.End, "speaker": label(sg.Speaker, i), "text": strings.TrimSpace(sg.Text),
		})
	}
	out := EstimateTokens(t.Text)
	in := int(t.Duration*10) + 1
	return map[string]any{
		"task": "transcribe", "duration": t.Duration, "text": t.Text, "segments": segs,
		"usage": map[string]any{"type": "tokens", "input_tokens": in, "output_tokens": out, "total_tokens": in + out,
			"input_token_details": map[string]any{"text_tokens": 0, "audio_tokens": in}},
	}
}
