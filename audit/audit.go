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
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/energy"
)

// DefaultMaxDialogBytes limits a text dialog: about four hours of speech.
const DefaultMaxDialogBytes = 512 << 10

// Input is one call to audit. Exactly one of DialogText, Transcript, Audio
// and AudioURL is given. It is a plain Go value: a server maps its own
// request fields onto it, and the field errors of Check and Audit name
// the Go fields ("DialogText", "AudioURL", "CallID"), which the server
// translates back to its own names.
type Input struct {
	// DialogText is a plain-text dialog with speaker labels.
	DialogText string
	// Transcript is an already transcribed call.
	Transcript *transcribe.Transcript
	// Audio is a recording; it needs a Transcriber.
	Audio *transcribe.Audio
	// AudioURL is a recording to fetch; it needs a Fetcher and a Transcriber.
	AudioURL string `validate:"omitempty,max=4096,http_url"`
	// Mode in any spelling score.ParseMode accepts; empty is Manager+.
	Mode string
	// CallID identifies the call; empty generates one. Saving a call with
	// an existing id replaces that call. Ids are at most MaxIDLength
	// characters and ValidID (printable, no control or bidi characters).
	CallID    string `validate:"omitempty,max=200,id"`
	ManagerID string `validate:"omitempty,max=200,id"`
	// Language of the report: one of score.SupportedLanguages ("ru",
	// "en", in any case, "en-US" too); empty follows the dialog.
	Language string
	// Prompt is a vocabulary hint for speech-to-text.
	Prompt string `validate:"max=2000"`
	// Direction is who dialled, when the intake knows it: evidence for
	// which unlabelled speaker is the manager (transcribe.AssignRoles).
	Direction transcribe.Direction `validate:"omitempty,oneof=inbound outbound"`
	// Source is recorded with the call; empty derives it from the input.
	// SourceURL and SourceWebhook make AudioURL required, SourceWebhook
	// CallID (the idempotency key) too.
	Source storage.Source
	// Checkpoint, when set, keeps the transcript of an Audio or AudioURL
	// input between runs of the same work: Audit scores the transcript it
	// holds instead of fetching and transcribing again, and saves the
	// transcript there once it is made. The webhook queue sets it, so that
	// a job run again after a crash does not pay for a second
	// transcription. An Auditor with WithStoreRedaction ignores it: the
	// checkpoint would hold the transcript unmasked.
	Checkpoint Checkpoint
}

// Checkpoint keeps one input's transcript between runs (see
// Input.Checkpoint). Its errors only cost a transcription: Audit logs
// them and goes on.
type Checkpoint interface {
	LoadTranscript(ctx context.Context) (tr transcribe.Transcript, ok bool, err error)
	SaveTranscript(ctx context.Context, tr transcribe.Transcript) error
}

// Fetcher downloads a recording from a URL, e.g. an SSRF-safe HTTP fetcher.
// Implementations are safe for concurrent use; release frees what the
// audio holds (a temporary file) and is called once the audio is no longer
// needed.
type Fetcher interface {
	Fetch(ctx context.Context, url string) (audio transcribe.Audio, release func(), err error)
}

// URLChecker is what a Fetcher may also do: refuse a URL at once, without
// network access, that Fetch would refuse (a scheme, an internal
// address), so that a server can answer it before anything else, even
// when the recording could not be transcribed. Optional: callers
// type-assert it.
type URLChecker interface {
	CheckURL(url string) error
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
	energy         *energy.Config
	rubric         RubricFunc
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

// WithEnergy enables Measure: stereo WAV recordings measured from their
// channels' energy (package transcribe/energy), for a server without
// speech-to-text.
func WithEnergy(cfg energy.Config) Option { return func(a *Auditor) { a.energy = &cfg } }

// WithLogger sets the logger for failures the caller does not see.
func WithLogger(l *slog.Logger) Option { return func(a *Auditor) { a.logger = l } }

// RubricFunc picks the rubric an input is scored with, e.g. the
// scorecard of the manager's team: it is passed to the scorer as
// score.Request.Rubric, and a rubric with a Name is recorded in the
// report's Meta.Scorecard and Meta.ScorecardVersion (unless the scorer
// set them). A nil rubric is the scorer's own for the mode; an error
// fails the analysis.
type RubricFunc func(ctx context.Context, in Input, mode score.Mode) (*score.Rubric, error)

// WithRubricFunc sets how the rubric of each input is picked.
func WithRubricFunc(f RubricFunc) Option { return func(a *Auditor) { a.rubric = f } }

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

// CanMeasure reports whether Measure is configured (WithEnergy).
func (a *Auditor) CanMeasure() bool { return a.energy != nil }

// Measure measures the recording of an Audio or AudioURL input (fetched
// with the fetcher) from its two channels' energy, without speech-to-text
// and without scoring or saving anything: talk time and share of each
// side, silences, overlaps and interruptions, the longest monologue (see
// package transcribe/energy). The input is validated as by Audit.
//
// Errors: those of Check; KindNotConfigured without WithEnergy, or for a
// URL without a fetcher; the fetcher's; energy.ErrNotStereo
// (KindUnsupported) when the recording is not a two-channel WAV.
func (a *Auditor) Measure(ctx context.Context, in Input) (*energy.Result, error) {
	if a.energy == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "audit.Measure: measuring recordings is not configured")
	}
	if _, err := check(in, a.maxDialogBytes); err != nil {
		return nil, err
	}
	var rec transcribe.Audio
	switch {
	case in.Audio != nil:
		rec = *in.Audio
	case in.AudioURL != "" && a.fetcher != nil:
		audio, release, err := a.fetcher.Fetch(ctx, in.AudioURL)
		if err != nil {
			if ctx.Err() != nil {
				return nil, canceled(ctx.Err())
			}
			return nil, err
		}
		if release != nil {
			defer release()
		}
		rec = audio
	case in.AudioURL != "":
		return nil, callaudit.Coded(callaudit.KindNotConfigured, callaudit.CodeFetcherMissing, "analysing a recording by URL needs a URL fetcher and a speech-to-text transcriber, and none is configured", nil)
	default:
		return nil, callaudit.Errorf(callaudit.KindInvalid, "audit.Measure: only a recording (Audio or AudioURL) can be measured")
	}
	res, err := energy.AnalyzeAudio(rec, *a.energy)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	return &res, nil
}

// CanFetch reports whether URL input can be audited: a fetcher and a
// transcriber are configured. CanMeasureURL is the same for Measure.
func (a *Auditor) CanFetch() bool { return a.fetcher != nil && a.transcriber != nil }

// CanMeasureURL reports whether Measure accepts an AudioURL input: a
// fetcher is configured and so is measuring (WithEnergy), with or without
// a transcriber.
func (a *Auditor) CanMeasureURL() bool { return a.fetcher != nil && a.energy != nil }

// CheckURL refuses what the fetcher would refuse for url before
// downloading it, when the fetcher is a URLChecker; nil otherwise (and
// without a fetcher).
func (a *Auditor) CheckURL(url string) error {
	if c, ok := a.fetcher.(URLChecker); ok && url != "" {
		return c.CheckURL(url)
	}
	return nil
}

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
	mode, err := check(in, a.maxDialogBytes)
	if err != nil {
		return nil, err
	}
	var timings score.Timings
	tr, source, err := a.transcript(ctx, in, &timings)
	if err != nil {
		return nil, err
	}
	if in.DialogText == "" {
		// Speakers a transcriber or a caller labelled without roles
		// (diarized "Speaker A", a stereo channel, a name) get theirs
		// from what they say; the text parser has done it already.
		tr = transcribe.AssignRoles(tr, in.Direction)
	}
	if tr.Words() == 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: inputField(in), Message: "has no words to analyse", Code: callaudit.CodeNoWords})
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}

	id := in.CallID
	if id == "" {
		id = a.newID()
	}
	rubric, err := a.rubricFor(ctx, in, mode)
	if err != nil {
		return nil, err
	}
	rep, err := a.scoreTranscript(ctx, tr, mode, id, in, rubric, start, timings)
	if err != nil {
		return nil, err
	}
	// Only audio went through the transcriber; Source may be
	// SourceWebhook, so it cannot tell.
	if rep.Meta.Transcriber == "" && (in.Audio != nil || in.AudioURL != "") {
		rep.Meta.Transcriber = tr.Source
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

// rubricFor is the rubric the input is scored with: WithRubricFunc's
// choice, or nil (the scorer's own for the mode).
func (a *Auditor) rubricFor(ctx context.Context, in Input, mode score.Mode) (*score.Rubric, error) {
	if a.rubric == nil {
		return nil, nil
	}
	r, err := a.rubric(ctx, in, mode)
	if err != nil {
		if ctx.Err() != nil {
			return nil, canceled(ctx.Err())
		}
		return nil, err
	}
	return r, nil
}

// scoreTranscript scores tr with rubric (nil: the scorer's own) and
// completes the report as Audit returns it: the call id, metrics, the
// transcript, the meta (with the scorecard of a named rubric) and the
// timings since start, masked with WithStoreRedaction.
func (a *Auditor) scoreTranscript(ctx context.Context, tr transcribe.Transcript, mode score.Mode, id string, in Input, rubric *score.Rubric, start time.Time, timings score.Timings) (*score.Report, error) {
	scoreStart := time.Now()
	rep, err := a.scorer.Score(ctx, score.Request{Transcript: tr, Mode: mode, Language: in.Language, Rubric: rubric})
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
	if rep.Meta.Scorecard == "" && rubric != nil && rubric.Name != "" {
		rep.Meta.Scorecard, rep.Meta.ScorecardVersion = rubric.Name, rubric.Version
	}
	rep.Meta.CreatedAt = a.now().UTC()
	timings.TotalMS = rep.Meta.CreatedAt.Sub(start).Milliseconds()
	rep.Meta.Timings = timings
	if a.redactStore {
		maskReport(rep, tr)
	}
	return rep, nil
}

// Check validates in as Audit does before any work, with the
// DefaultMaxDialogBytes limit (an Auditor applies its own,
// WithMaxDialogBytes), so that a caller that queues the input for later
// (a webhook) refuses now what Audit would refuse then.
//
// A dialog over the limit is KindTooLarge, reported alone; every other
// problem is collected into one KindInvalid error, so that a caller fixes
// all fields in one round trip. Field errors name the Input's Go fields
// ("DialogText", "AudioURL", "CallID", "Mode", "Language") and carry a
// callaudit.Code for translation.
func Check(in Input) error {
	_, err := check(in, DefaultMaxDialogBytes)
	return err
}

// check is Check with a dialog limit; it returns the parsed mode.
func check(in Input, maxDialogBytes int) (score.Mode, error) {
	if n := len(in.DialogText); n > maxDialogBytes {
		size, limit := byteSize(n), byteSize(maxDialogBytes)
		return "", &callaudit.Error{
			Kind: callaudit.KindTooLarge, Code: callaudit.CodeDialogTooLarge, Params: map[string]string{"field": "DialogText", "size": size, "limit": limit},
			Message: "DialogText is " + size + "; the limit is " + limit,
			Fields:  []callaudit.FieldError{{Field: "DialogText", Message: "too large", Code: callaudit.CodeFieldTooLarge}},
		}
	}
	var fields []callaudit.FieldError
	if err := Validate(in); err != nil {
		if callaudit.KindOf(err) != callaudit.KindInvalid {
			return "", err
		}
		fields = append(fields, callaudit.FieldsOf(err)...)
	}
	if in.Source == storage.SourceWebhook && in.CallID == "" {
		// The call id is a webhook's idempotency key.
		fields = append(fields, callaudit.FieldError{Field: "CallID", Message: "is required", Code: callaudit.CodeRequired})
	}
	given := 0
	for _, ok := range []bool{strings.TrimSpace(in.DialogText) != "", in.Transcript != nil, in.Audio != nil, in.AudioURL != ""} {
		if ok {
			given++
		}
	}
	switch {
	case given == 0 && (in.Source == storage.SourceWebhook || in.Source == storage.SourceURL):
		// A URL call lacks its URL, not a dialog.
		fields = append(fields, callaudit.FieldError{Field: "AudioURL", Message: "is required", Code: callaudit.CodeRequired})
	case given == 0:
		fields = append(fields, callaudit.FieldError{Field: inputField(in), Message: "is required and must not be empty", Code: callaudit.CodeEmpty})
	case given > 1:
		fields = append(fields, callaudit.FieldError{Field: "Input", Message: "give exactly one of dialog text, transcript, audio or URL", Code: callaudit.CodeOneInput})
	}
	if !utf8.ValidString(in.DialogText) {
		fields = append(fields, callaudit.FieldError{Field: "DialogText", Message: "must be valid UTF-8 text", Code: callaudit.CodeNotUTF8})
	}
	if in.Audio != nil && in.Audio.Size <= 0 {
		fields = append(fields, callaudit.FieldError{Field: "Audio", Message: "the file is empty", Code: callaudit.CodeFileEmpty})
	}
	if in.Language != "" && !slices.Contains(score.SupportedLanguages, transcribe.NormalizeLanguage(in.Language)) {
		fields = append(fields, languageError())
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

// languageError names the languages a report can be written in: a
// language no scorer writes would silently come back in another one.
func languageError() callaudit.FieldError {
	langs := strings.Join(score.SupportedLanguages, ", ")
	return callaudit.FieldError{Field: "Language", Message: "must be one of: " + langs, Code: callaudit.CodeLanguageUnsupported, Params: map[string]string{"languages": langs}}
}

// transcript produces the transcript of the input and names its source,
// from the input's checkpoint when it holds one.
func (a *Auditor) transcript(ctx context.Context, in Input, t *score.Timings) (transcribe.Transcript, storage.Source, error) {
	cp := in.Checkpoint
	if cp == nil || (in.Audio == nil && in.AudioURL == "") || a.redactStore {
		// With store redaction the database never holds the unmasked
		// transcript, not even for the length of one job.
		return a.makeTranscript(ctx, in, t)
	}
	tr, ok, err := cp.LoadTranscript(ctx)
	switch {
	case err != nil:
		a.logger.Warn("audit: reading the transcript checkpoint failed; transcribing again", "call_id", in.CallID, "err", err)
	case ok:
		src := in.Source
		if src == "" {
			src = storage.SourceURL
			if in.Audio != nil {
				src = storage.SourceAudio
			}
		}
		return tr, src, nil
	}
	tr, src, err := a.makeTranscript(ctx, in, t)
	if err == nil {
		if serr := cp.SaveTranscript(ctx, tr); serr != nil {
			a.logger.Warn("audit: saving the transcript checkpoint failed", "call_id", in.CallID, "err", serr)
		}
	}
	return tr, src, err
}

// makeTranscript produces the transcript: the one given, parsed text, or
// audio (fetched first for a URL) through the transcriber.
func (a *Auditor) makeTranscript(ctx context.Context, in Input, t *score.Timings) (transcribe.Transcript, storage.Source, error) {
	src := func(def storage.Source) storage.Source {
		if in.Source != "" {
			return in.Source
		}
		return def
	}
	switch {
	case in.Transcript != nil:
		return *in.Transcript, src(storage.SourceTranscript), nil
	case in.Audio != nil:
		tr, err := a.transcribe(ctx, *in.Audio, in, t)
		return tr, src(storage.SourceAudio), err
	case in.AudioURL != "":
		if !a.CanFetch() {
			return transcribe.Transcript{}, "", callaudit.Coded(callaudit.KindNotConfigured, callaudit.CodeFetcherMissing, "analysing a recording by URL needs a URL fetcher and a speech-to-text transcriber, and none is configured", nil)
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
		return tr, src(storage.SourceURL), err
	}
	tr := transcribe.ParseDialogDirection(in.DialogText, in.Direction)
	return tr, src(storage.SourceText), nil
}

func (a *Auditor) transcribe(ctx context.Context, audio transcribe.Audio, in Input, t *score.Timings) (transcribe.Transcript, error) {
	if a.transcriber == nil {
		return transcribe.Transcript{}, callaudit.Coded(callaudit.KindNotConfigured, callaudit.CodeTranscriberMissing, "audio needs a speech-to-text transcriber, and none is configured", nil)
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

// inputField is the Go field path of the input given.
func inputField(in Input) string {
	switch {
	case in.Audio != nil:
		return "Audio"
	case in.AudioURL != "":
		return "AudioURL"
	case in.Transcript != nil:
		return "Transcript"
	}
	return "DialogText"
}

func canceled(err error) error {
	e := callaudit.Wrap(err, callaudit.KindCanceled, "audit", "the request was canceled")
	e.Code = callaudit.CodeCanceled
	if errors.Is(err, context.DeadlineExceeded) {
		e.Kind, e.Message, e.Code = callaudit.KindTimeout, "the analysis did not finish in time", callaudit.CodeAnalysisTimeout
	}
	return e
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
