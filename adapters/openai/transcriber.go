package openai

import (
	"context"
	"errors"
	"io"
	"path"
	"slices"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
)

// Response formats the Transcriber can ask for.
const (
	FormatVerboseJSON = "verbose_json" // text with timestamped segments (whisper-1)
	FormatJSON        = "json"         // text only (gpt-4o transcribe family)
	FormatText        = "text"         // plain text
	// FormatDiarizedJSON is speaker segments (speaker label, start, end,
	// text) from a diarizing model (gpt-4o-transcribe-diarize). go-openai
	// v1.43 has no constant for it and would read its answer as plain
	// text; the Transcriber sends its own request (upload.go) and decodes
	// the answer itself.
	FormatDiarizedJSON = "diarized_json"
)

var transcribeFormats = map[string]goopenai.AudioResponseFormat{
	FormatVerboseJSON:  goopenai.AudioResponseFormatVerboseJSON,
	FormatJSON:         goopenai.AudioResponseFormatJSON,
	FormatText:         goopenai.AudioResponseFormatText,
	FormatDiarizedJSON: goopenai.AudioResponseFormat(FormatDiarizedJSON),
}

// Diarizing reports whether model is a diarizing transcription model
// (gpt-4o-transcribe-diarize): it labels speakers with diarized_json,
// needs a chunking strategy and accepts no prompt.
func Diarizing(model string) bool { return strings.Contains(model, "diarize") }

// UploadExtensions are the file extensions OpenAI accepts for audio.
var UploadExtensions = []string{"flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"}

// timestampless reports whether a model answers json/text only: the
// gpt-4o transcribe family and its announced successor gpt-transcribe.
// Any other name (whisper-1, whisper models behind compatible servers)
// is assumed to give verbose_json with segments.
func timestampless(model string) bool {
	return strings.HasPrefix(model, "gpt-") && strings.Contains(model, "transcribe")
}

// Transcriber transcribes recordings with OpenAI's audio transcriptions
// endpoint. It implements transcribe.Transcriber and is safe for
// concurrent use. Like the Scorer it retries and limits concurrency
// itself, per HTTP request (a slot is held per attempt, not during
// backoff); wrapping it in transcribe.WithRetry as well would multiply
// the attempts.
//
// Unlike the Scorer it does not send its request through go-openai:
// go-openai builds the whole multipart upload in memory, which for 24 MiB
// pieces sent in parallel is hundreds of MiB. The request is the same
// (form, URL, headers, HTTP client) but its body is streamed from
// Audio.Data, and answers and errors are decoded into go-openai's types
// (see upload.go).
type Transcriber struct {
	up     *upstream
	model  string
	format string
	prompt string
}

var _ transcribe.Transcriber = (*Transcriber)(nil)

// NewTranscriber returns a Transcriber. The response format follows the
// model (Config.TranscribeFormat): asking a gpt-4o transcribe model for
// verbose_json is a KindInvalid error here rather than on every call.
func NewTranscriber(cfg Config, opts ...Option) (*Transcriber, error) {
	cfg = cfg.withDefaults()
	format := cfg.TranscribeFormat
	if format == "" {
		switch {
		case Diarizing(cfg.TranscribeModel):
			format = FormatDiarizedJSON
		case timestampless(cfg.TranscribeModel):
			format = FormatJSON
		default:
			format = FormatVerboseJSON
		}
	}
	if _, ok := transcribeFormats[format]; !ok {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "TranscribeFormat", Message: "must be verbose_json, json, text or diarized_json"})
	}
	if format == FormatDiarizedJSON && !Diarizing(cfg.TranscribeModel) {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "TranscribeFormat",
			Message: "diarized_json needs a diarizing model such as gpt-4o-transcribe-diarize, not " + cfg.TranscribeModel})
	}
	if format == FormatVerboseJSON && timestampless(cfg.TranscribeModel) {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "TranscribeFormat",
			Message: "model " + cfg.TranscribeModel + " returns json or text only, without timestamps; use json, or whisper-1 for verbose_json"})
	}
	up, err := newUpstream(cfg, cfg.TranscribeTimeout)
	if err != nil {
		return nil, err
	}
	_ = buildOptions(opts)
	return &Transcriber{up: up, model: cfg.TranscribeModel, format: format, prompt: cfg.TranscribePrompt}, nil
}

// Transcribe sends the recording in one request. Recordings over
// MaxUploadBytes are a KindTooLarge error (wrap the transcriber in transcribe/audio.Chunked to split
// long WAV and MP3 recordings, as the reference server does);
// empty audio is KindInvalid; audio in a format OpenAI does not accept is
// KindUnsupported. The file is sent with the extension of the format its
// bytes show, whatever its name says. With verbose_json the transcript has
// one segment per timestamped whisper segment; with diarized_json one per
// speaker segment, its Label the model's speaker ("A", "B", or a known
// speaker's name) and its role unknown, for transcribe.AssignRoles to
// decide; otherwise one segment with the whole text.
func (t *Transcriber) Transcribe(ctx context.Context, audio transcribe.Audio, opts transcribe.Options) (transcribe.Transcript, error) {
	const op = "openai.Transcribe"
	if err := ctx.Err(); err != nil {
		return transcribe.Transcript{}, contextError(op, err)
	}
	if audio.Data == nil || audio.Size <= 0 {
		return transcribe.Transcript{}, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "the recording is empty", Code: callaudit.CodeRecordingEmpty})
	}
	if audio.Size > MaxUploadBytes {
		return transcribe.Transcript{}, callaudit.Errorf(callaudit.KindTooLarge,
			"the recording is %d bytes; OpenAI accepts at most %d bytes (25 MB) per file", audio.Size, MaxUploadBytes)
	}
	name, err := uploadName(audio)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	prompt := strings.TrimSpace(strings.Join([]string{t.prompt, opts.Prompt}, " "))
	if Diarizing(t.model) {
		// "prompt … is not supported when using gpt-4o-transcribe-diarize"
		// (API reference): the vocabulary hint is left out.
		prompt = ""
	}
	req := goopenai.AudioRequest{
		Model:    t.model,
		FilePath: name,
		Prompt:   prompt,
		Language: transcribe.NormalizeLanguage(opts.Language),
		Format:   transcribeFormats[t.format],
	}
	if Diarizing(t.model) {
		// Diarizing models refuse audio over 30 s without a chunking strategy.
		req.ChunkingStrategy = "auto"
	}
	if t.format == FormatVerboseJSON {
		req.TimestampGranularities = []goopenai.TranscriptionTimestampGranularity{goopenai.TranscriptionTimestampGranularitySegment}
	}
	// The form's small parts are built once; the file is streamed.
	form, err := newTranscriptionForm(req, audio.Data, audio.Size)
	if err != nil {
		return transcribe.Transcript{}, callaudit.Wrap(err, callaudit.KindInvalid, op, "the transcription request cannot be built")
	}
	var resp transcription
	err = t.up.do(ctx, op, func(ctx context.Context) error {
		// Every attempt reads the file afresh from audio.Data: a retry
		// re-sends the whole file.
		var err error
		resp, err = t.up.createTranscription(ctx, req, form)
		return err
	})
	if err != nil {
		return transcribe.Transcript{}, err
	}
	return t.transcript(resp, req.Language)
}

// uploadName picks the filename to send: the sniffed format's extension
// when the bytes are recognised, else the name's own extension when
// OpenAI accepts it.
func uploadName(audio transcribe.Audio) (string, error) {
	head := make([]byte, min(int64(transcribe.SniffLen), audio.Size))
	n, err := audio.Data.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", callaudit.Wrap(err, callaudit.KindInvalid, "openai.Transcribe", "the recording cannot be read")
	}
	if f, ok := transcribe.SniffFormat(head[:n]); ok {
		return transcribe.WithExt(audio.Filename, f.Ext), nil
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(audio.Filename)), ".")
	if slices.Contains(UploadExtensions, ext) {
		return transcribe.WithExt(audio.Filename, ext), nil
	}
	return "", callaudit.Errorf(callaudit.KindUnsupported,
		"the recording is not in a format OpenAI accepts (%s)", strings.Join(UploadExtensions, ", "))
}

// whisperLanguages maps the language names whisper's verbose_json reports
// to codes.
var whisperLanguages = map[string]string{
	"russian": "ru", "english": "en", "ukrainian": "uk", "kazakh": "kk", "belarusian": "be",
	"german": "de", "french": "fr", "spanish": "es", "italian": "it", "polish": "pl", "turkish": "tr",
}

func (t *Transcriber) transcript(resp transcription, requested string) (transcribe.Transcript, error) {
	out := transcribe.Transcript{Source: "openai:" + t.model, Language: requested, Segments: []transcribe.Segment{}}
	if l := strings.ToLower(strings.TrimSpace(resp.Language)); l != "" {
		if code, ok := whisperLanguages[l]; ok {
			out.Language = code
		} else {
			out.Language = transcribe.NormalizeLanguage(l)
		}
	}
	if resp.Duration > 0 {
		out.Duration = transcribe.Seconds(resp.Duration)
	}
	for i, s := range resp.Segments {
		text := strings.TrimSpace(s.Text)
		if text == "" {
			continue
		}
		start := max(s.Start, 0)
		end := max(s.End, start)
		seg := transcribe.Segment{Speaker: transcribe.RoleUnknown, Text: text,
			Start: transcribe.Seconds(start), End: transcribe.Seconds(end)}
		if i < len(resp.Speakers) {
			seg.Label = diarizedLabel(resp.Speakers[i])
		}
		out.Segments = append(out.Segments, seg)
	}
	if len(out.Segments) == 0 {
		if text := strings.TrimSpace(resp.Text); text != "" {
			out.Segments = append(out.Segments, transcribe.Segment{Speaker: transcribe.RoleUnknown, Text: text})
		}
	}
	if len(out.Segments) == 0 {
		return transcribe.Transcript{}, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "no speech was recognised in the recording", Code: callaudit.CodeNoSpeech})
	}
	if out.Language == "" {
		out.Language = transcribe.DetectLanguage(resp.Text)
	}
	return out, nil
}

// diarizedLabel is a diarized_json speaker as a Segment.Label: the API's
// letters become "Speaker A", "Speaker B", so that a label is never a
// bare letter that reads as a role (the dialog parser takes "M" and "C"
// for manager and client); known speakers' names stay as they are.
func diarizedLabel(speaker string) string {
	speaker = strings.TrimSpace(speaker)
	if len(speaker) == 1 && speaker[0] >= 'A' && speaker[0] <= 'Z' {
		return "Speaker " + speaker
	}
	return speaker
}
