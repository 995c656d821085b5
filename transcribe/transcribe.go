// Package transcribe turns a call into a Transcript: speaker turns with
// optional timestamps. It defines the Transcriber interface that
// speech-to-text adapters implement, parses plain-text dialogs into turns
// (ParseDialog), decides which speaker is the manager when the labels do
// not say (AssignRoles), and computes conversation metrics from any
// transcript (ComputeMetrics) without a model.
package transcribe

import (
	"bytes"
	"context"
	"io"
	"strings"
)

// Role is who speaks in a segment.
type Role string

// Speaker roles.
const (
	RoleManager Role = "manager"
	RoleClient  Role = "client"
	RoleUnknown Role = "unknown"
)

// Segment is one turn or utterance. Start and End are seconds from the
// start of the recording; nil when unknown (e.g. a pasted text dialog).
type Segment struct {
	Speaker Role `json:"speaker"`
	// Label is the speaker as the source named them when that is not
	// only a role: "SPEAKER_00", "Speaker A", "Ольга", "Менеджер Ольга".
	// Turns with the same Label are the same person.
	Label string   `json:"label,omitempty"`
	Text  string   `json:"text"`
	Start *float64 `json:"start,omitempty"`
	End   *float64 `json:"end,omitempty"`
}

// Timed reports whether the segment has both a start and an end time.
func (s Segment) Timed() bool { return s.Start != nil && s.End != nil }

// Seconds returns a pointer to v, for Segment.Start and Segment.End.
func Seconds(v float64) *float64 { return &v }

// Transcript is a call as a list of segments in spoken order.
type Transcript struct {
	// Language is a BCP 47 base language ("ru", "en") when known.
	Language string    `json:"language,omitempty"`
	Segments []Segment `json:"segments"`
	// Duration of the recording in seconds, when known.
	Duration *float64 `json:"duration,omitempty"`
	// RoleConfidence is how sure the speaker roles are, from 0 to 1: 1
	// when labels named them, lower when they were inferred from what the
	// speakers said (AssignRoles), 0 when not known or not assessed.
	RoleConfidence float64 `json:"role_confidence,omitempty"`
	// Source says where the transcript came from, e.g. "text" or
	// "openai:whisper-1"; informational.
	Source string `json:"source,omitempty"`
}

// Text renders the transcript as one labelled line per segment
// ("manager: ..."), the form scorers quote from.
func (t Transcript) Text() string {
	var b strings.Builder
	for i, s := range t.Segments {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(string(s.Speaker))
		b.WriteString(": ")
		b.WriteString(s.Text)
	}
	return b.String()
}

// Clone returns a deep copy of t: no segment or time is shared with t, so
// a store or a fake that hands transcripts out cannot be changed through
// them. A nil Segments stays nil.
func (t Transcript) Clone() Transcript {
	if t.Segments != nil {
		segs := make([]Segment, len(t.Segments))
		for i, s := range t.Segments {
			s.Start, s.End = cloneSeconds(s.Start), cloneSeconds(s.End)
			segs[i] = s
		}
		t.Segments = segs
	}
	t.Duration = cloneSeconds(t.Duration)
	return t
}

func cloneSeconds(p *float64) *float64 {
	if p == nil {
		return nil
	}
	return Seconds(*p)
}

// Words returns the number of words across all segments.
func (t Transcript) Words() int {
	n := 0
	for _, s := range t.Segments {
		n += len(strings.Fields(s.Text))
	}
	return n
}

// Audio is a recording to transcribe. Data is read through ReadAt so that a
// Transcriber can re-read it for a retry or read parts of it concurrently
// without holding the file in memory; *os.File and *bytes.Reader both fit.
type Audio struct {
	Data io.ReaderAt
	Size int64
	// Filename carries the extension that names the format ("call.mp3").
	Filename string
	// ContentType is the detected or declared MIME type, when known.
	ContentType string
}

// Reader returns a fresh reader over the whole recording.
func (a Audio) Reader() io.Reader { return io.NewSectionReader(a.Data, 0, a.Size) }

// AudioFromBytes wraps an in-memory recording.
func AudioFromBytes(filename string, data []byte) Audio {
	return Audio{Data: bytes.NewReader(data), Size: int64(len(data)), Filename: filename}
}

// Options tune one transcription.
type Options struct {
	// Language hint ("ru", "en"); empty lets the engine detect it.
	Language string
	// Prompt is optional vocabulary or context (product names, jargon).
	Prompt string
}

// Transcriber turns audio into a transcript.
//
// Contract (checked by transcribetest.Run):
//   - Safe for concurrent use by multiple goroutines.
//   - Returns promptly with an error whose callaudit.KindOf is KindCanceled
//     or KindTimeout (or that wraps ctx.Err()) once ctx is done.
//   - Empty or unreadable audio is an error of kind KindInvalid or
//     KindUnsupported, never an empty transcript with a nil error.
//   - Audio over the engine's limit is KindTooLarge, unless the
//     implementation splits it.
//   - Segments are in spoken order; Start/End, when set, are non-negative
//     and Start <= End.
//   - It does not modify the audio or keep a reference to it after
//     returning.
type Transcriber interface {
	Transcribe(ctx context.Context, audio Audio, opts Options) (Transcript, error)
}

// TranscriberFunc adapts a function to the Transcriber interface.
type TranscriberFunc func(ctx context.Context, audio Audio, opts Options) (Transcript, error)

// Transcribe calls f.
func (f TranscriberFunc) Transcribe(ctx context.Context, audio Audio, opts Options) (Transcript, error) {
	return f(ctx, audio, opts)
}
