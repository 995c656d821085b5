// Package audit is the pipeline that turns a call into a stored report:
// validate → fetch (for a URL) → transcribe (for audio) → score → save.
//
// An Auditor is built with New from a score.Scorer and options; it needs no
// framework and is safe for concurrent use:
//
//	a, err := audit.New(checklist.New(), audit.WithStore(memory.New()))
//	rep, err := a.Audit(ctx, audit.Input{DialogText: "Менеджер: Добрый день! ..."})
//
// Errors are *callaudit.Error values whose Kind a server maps to a status.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// DefaultMaxDialogBytes limits a text dialog: about four hours of speech.
const DefaultMaxDialogBytes = 512 << 10

// Input is one call to audit. Exactly one of DialogText, Transcript, Audio
// and AudioURL is given.
type Input struct {
	// DialogText is a plain-text dialog with speaker labels.
	DialogText string `json:"dialog_text"`
	// Transcript is an already transcribed call.
	Transcript *transcribe.Transcript `json:"-"`
	// Audio is a recording; it needs a Transcriber.
	Audio *transcribe.Audio `json:"-"`
	// AudioURL is a recording to fetch; it needs a Fetcher and a Transcriber.
	AudioURL string `json:"file_url" validate:"omitempty,max=4096,http_url"`
	// Mode in any spelling score.ParseMode accepts; empty is Manager+.
	Mode string `json:"content_mode"`
	// CallID identifies the call; empty generates one. Saving a call with
	// an existing id replaces that call.
	CallID    string `json:"call_id" validate:"omitempty,max=200"`
	ManagerID string `json:"manager_id" validate:"omitempty,max=200"`
	// Language of the report ("ru", "en"); empty follows the dialog.
	Language string `json:"language" validate:"omitempty,bcp47_language_tag"`
	// Prompt is a vocabulary hint for speech-to-text.
	Prompt string `json:"-" validate:"max=2000"`
	// Source is recorded with the call ("text", "audio", "url",
	// "webhook"); empty derives it from the input.
	Source string `json:"-"`
}

// Fetcher downloads a recording from a URL, e.g. an SSRF-safe HTTP fetcher.
// Implementations are safe for concurrent use; release frees what the
// audio holds (a temporary file) and is called once the audio is no longer
// needed.
type Fetcher interface {
	Fetch(ctx context.Context, url string) (audio transcribe.Audio, release func(), err error)
}

// Auditor runs the pipeline. It is safe for concurrent use.
type Auditor struct {
	scorer         score.Scorer
	transcriber    transcribe.Transcriber
	store          storage.Store
	fetcher        Fetcher
	now            func() time.Time
	newID          func() string
	maxDialogBytes int
	logger         *slog.Logger
	redactStore    bool
}

// Option configures an Auditor.
type Option func(*Auditor)

// WithTranscriber enables audio input.
func WithTranscriber(t transcribe.Transcriber) Option { return func(a *Auditor) { a.transcriber = t } }

// WithStore saves every report.
func WithStore(s storage.Store) Option { return func(a *Auditor) { a.store = s } }

// WithFetcher enables AudioURL input.
func WithFetcher(f Fetcher) Option { return func(a *Auditor) { a.fetcher = f } }

// WithClock sets the clock used for CreatedAt (tests).
func WithClock(now func() time.Time) Option { return func(a *Auditor) { a.now = now } }

// WithIDGenerator sets how call ids are made when the input has none.
func WithIDGenerator(f func() string) Option { return func(a *Auditor) { a.newID = f } }

// WithMaxDialogBytes changes DefaultMaxDialogBytes.
func WithMaxDialogBytes(n int) Option { return func(a *Auditor) { a.maxDialogBytes = n } }

// WithLogger sets the logger for failures the caller does not see.
func WithLogger(l *slog.Logger) Option { return func(a *Auditor) { a.logger = l } }

// New returns an Auditor that scores with s.
func New(s score.Scorer, opts ...Option) (*Auditor, error) {
	if s == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "audit.New: a scorer is required")
	}
	a := &Auditor{
		scorer:         s,
		now:            time.Now,
		newID:          NewID,
		maxDialogBytes: DefaultMaxDialogBytes,
		logger:         slog.Default(),
	}
	for _, o := range opts {
		o(a)
	}
	if a.maxDialogBytes <= 0 {
		return nil, callaudit.Errorf(callaudit.KindInvalid, "audit.New: the dialog limit must be positive")
	}
	return a, nil
}

// CanTranscribe reports whether audio input is configured.
func (a *Auditor) CanTranscribe() bool { return a.transcriber != nil }

// CanFetch reports whether URL input is configured.
func (a *Auditor) CanFetch() bool { return a.fetcher != nil && a.transcriber != nil }

// Scorer returns the configured scorer, e.g. for a server to list its
// rubric when it is a score.RubricScorer.
func (a *Auditor) Scorer() score.Scorer { return a.scorer }

// Store returns the configured store, or nil.
func (a *Auditor) Store() storage.Store { return a.store }

// MaxDialogBytes returns the dialog size limit.
func (a *Auditor) MaxDialogBytes() int { return a.maxDialogBytes }

// NewID returns a random 128-bit call id in hex.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Audit validates the input, transcribes it when needed, scores it and
// saves the call when a Store is configured. The report carries the call
// id, the transcript and the conversation metrics.
//
// Errors: KindInvalid (bad input, unknown mode, nothing to analyse),
// KindTooLarge (dialog over the limit), KindNotConfigured (audio without a
// transcriber, URL without a fetcher), the kinds of the transcriber, scorer
// and store, and KindCanceled/KindTimeout when ctx ends. When scoring
// succeeded but saving failed, Audit returns the report together with the
// error so that the work is not lost.
func (a *Auditor) Audit(ctx context.Context, in Input) (*score.Report, error) {
	start := a.now()
	mode, err := a.check(in)
	if err != nil {
		return nil, err
	}
	var timings score.Timings
	tr, source, err := a.transcript(ctx, in, &timings)
	if err != nil {
		return nil, err
	}
	if tr.Words() == 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: inputField(in), Message: "has no words to analyse"})
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}

	scoreStart := time.Now()
	rep, err := a.scorer.Score(ctx, score.Request{Transcript: tr, Mode: mode, Language: in.Language})
	if err != nil {
		if ctx.Err() != nil {
			return nil, canceled(ctx.Err())
		}
		return nil, err
	}
	if rep == nil {
		return nil, callaudit.Errorf(callaudit.KindInternal, "the scorer returned no report")
	}
	timings.ScoreMS = time.Since(scoreStart).Milliseconds()

	id := in.CallID
	if id == "" {
		id = a.newID()
	}
	rep.ID = id
	if rep.Metrics.Segments != len(tr.Segments) {
		// Scorers that look at the conversation (the checklist) have
		// computed the metrics already; the rest get them here.
		rep.Metrics = transcribe.ComputeMetrics(tr)
	}
	rep.Transcript = &tr
	rep.Meta.CallID = id
	rep.Meta.ManagerID = in.ManagerID
	rep.Meta.Mode = mode
	if rep.Meta.Language == "" {
		rep.Meta.Language = score.ReportLanguage(score.Request{Transcript: tr, Language: in.Language})
	}
	rep.Meta.CreatedAt = a.now().UTC()
	timings.TotalMS = rep.Meta.CreatedAt.Sub(start).Milliseconds()
	rep.Meta.Timings = timings
	// Only audio went through the transcriber; Source may be any label
	// (e.g. "webhook"), so it cannot tell.
	if rep.Meta.Transcriber == "" && (in.Audio != nil || in.AudioURL != "") {
		rep.Meta.Transcriber = tr.Source
	}

	if a.redactStore {
		maskReport(rep, tr)
	}
	if a.store != nil {
		call := storage.Call{
			ID:           id,
			ManagerID:    in.ManagerID,
			Mode:         mode,
			Language:     rep.Meta.Language,
			Status:       storage.StatusDone,
			Source:       source,
			RecordingURL: in.AudioURL,
			Report:       rep,
			CreatedAt:    rep.Meta.CreatedAt,
		}
		if err := a.store.Save(ctx, call); err != nil {
			a.logger.Error("audit: saving the report failed", "call_id", id, "err", err)
			return rep, callaudit.Wrap(err, callaudit.KindOf(err), "audit.Save", "the call was analysed but could not be saved: "+callaudit.MessageOf(err))
		}
	}
	return rep, nil
}

// check validates the input and parses the mode. A dialog over the limit
// is reported alone (it is a different kind of error, 413); every other
// problem is collected into one KindInvalid error, so that a caller fixes
// all fields in one round trip.
func (a *Auditor) check(in Input) (score.Mode, error) {
	if n := len(in.DialogText); n > a.maxDialogBytes {
		return "", &callaudit.Error{Kind: callaudit.KindTooLarge, Message: "dialog_text is " + byteSize(n) + "; the limit is " + byteSize(a.maxDialogBytes), Fields: []callaudit.FieldError{{Field: "dialog_text", Message: "too large"}}}
	}
	var fields []callaudit.FieldError
	if err := Validate(in); err != nil {
		if callaudit.KindOf(err) != callaudit.KindInvalid {
			return "", err
		}
		fields = append(fields, callaudit.FieldsOf(err)...)
	}
	given := 0
	for _, ok := range []bool{strings.TrimSpace(in.DialogText) != "", in.Transcript != nil, in.Audio != nil, in.AudioURL != ""} {
		if ok {
			given++
		}
	}
	switch {
	case given == 0:
		fields = append(fields, callaudit.FieldError{Field: inputField(in), Message: "is required and must not be empty"})
	case given > 1:
		fields = append(fields, callaudit.FieldError{Field: "input", Message: "give exactly one of dialog text, transcript, audio or URL"})
	}
	if !utf8.ValidString(in.DialogText) {
		fields = append(fields, callaudit.FieldError{Field: "dialog_text", Message: "must be valid UTF-8 text"})
	}
	if in.Audio != nil && in.Audio.Size <= 0 {
		fields = append(fields, callaudit.FieldError{Field: "audio", Message: "the file is empty"})
	}
	mode, err := score.ParseMode(in.Mode)
	if err != nil {
		fields = append(fields, callaudit.FieldsOf(err)...)
	}
	if len(fields) > 0 {
		return "", callaudit.Invalid(fields...)
	}
	return mode, nil
}

// transcript produces the transcript of the input and names its source.
func (a *Auditor) transcript(ctx context.Context, in Input, t *score.Timings) (transcribe.Transcript, string, error) {
	src := func(def string) string {
		if in.Source != "" {
			return in.Source
		}
		return def
	}
	switch {
	case in.Transcript != nil:
		return *in.Transcript, src("transcript"), nil
	case in.Audio != nil:
		tr, err := a.transcribe(ctx, *in.Audio, in, t)
		return tr, src("audio"), err
	case in.AudioURL != "":
		if !a.CanFetch() {
			return transcribe.Transcript{}, "", callaudit.Errorf(callaudit.KindNotConfigured, "analysing a recording by URL needs a URL fetcher and a speech-to-text transcriber, and none is configured")
		}
		fetchStart := time.Now()
		audio, release, err := a.fetcher.Fetch(ctx, in.AudioURL)
		if err != nil {
			if ctx.Err() != nil {
				return transcribe.Transcript{}, "", canceled(ctx.Err())
			}
			return transcribe.Transcript{}, "", err
		}
		if release != nil {
			defer release()
		}
		t.FetchMS = time.Since(fetchStart).Milliseconds()
		tr, err := a.transcribe(ctx, audio, in, t)
		return tr, src("url"), err
	}
	tr := transcribe.ParseDialog(in.DialogText)
	return tr, src("text"), nil
}

func (a *Auditor) transcribe(ctx context.Context, audio transcribe.Audio, in Input, t *score.Timings) (transcribe.Transcript, error) {
	if a.transcriber == nil {
		return transcribe.Transcript{}, callaudit.Errorf(callaudit.KindNotConfigured, "audio needs a speech-to-text transcriber, and none is configured")
	}
	start := time.Now()
	tr, err := a.transcriber.Transcribe(ctx, audio, transcribe.Options{Language: in.Language, Prompt: in.Prompt})
	if err != nil {
		if ctx.Err() != nil {
			return tr, canceled(ctx.Err())
		}
		return tr, err
	}
	t.TranscribeMS = time.Since(start).Milliseconds()
	return tr, nil
}

func inputField(in Input) string {
	switch {
	case in.Audio != nil:
		return "audio"
	case in.AudioURL != "":
		return "file_url"
	case in.Transcript != nil:
		return "transcript"
	}
	return "dialog_text"
}

func canceled(err error) error {
	kind := callaudit.KindCanceled
	msg := "the request was canceled"
	if errors.Is(err, context.DeadlineExceeded) {
		kind, msg = callaudit.KindTimeout, "the analysis did not finish in time"
	}
	return callaudit.Wrap(err, kind, "audit", msg)
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
