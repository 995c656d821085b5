// Package yandex transcribes recordings with Yandex SpeechKit's
// asynchronous recognition, API v3 (transcribe.Transcriber), after the
// reference "SpeechKit Recognition API v3, REST: AsyncRecognizer"
// (yandex.cloud/en/docs/speechkit/stt-v3/api-ref/AsyncRecognizer) and the
// service's proto (yandex-cloud/cloudapi, yandex/cloud/ai/stt/v3):
//
//  1. POST https://stt.api.cloud.yandex.net/stt/v3/recognizeFileAsync with
//     {"content": <base64 audio>, "recognitionModel": {"model", "audioFormat",
//     "textNormalization", "languageRestriction", "audioProcessingType"}}
//     answers an Operation {"id", "done": false, …} (RecognizeFile);
//  2. GET https://operation.api.cloud.yandex.net/operations/{id} until
//     "done" is true; an "error" {"code", "message"} ends it;
//  3. GET /stt/v3/getRecognition?operationId={id} streams the results as
//     lines of {"result": StreamingResponse}: "final" utterances and
//     their "finalRefinement" (normalized text), each with its channel in
//     "channelTag" (GetRecognition).
//
// Authentication ("API authentication"): an API key as "Authorization:
// Api-Key <key>", or an IAM token as "Authorization: Bearer <token>" with
// the folder in "x-folder-id". IAM tokens live at most 12 hours: with
// Config.IAMTokenSource a rejected token is replaced once and the request
// sent again.
//
// The audio travels in the request body, which the service limits to
// 60 MB ("Quotas and limits": maximum file size when uploading in an API
// v3 request body), longer recordings need Object Storage and are not
// handled here. WAV PCM is sent as LINEAR16_PCM with its rate and channel
// count, MP3 and OGG Opus in their containers. The channels of a stereo
// recording are recognised apart: each channel's utterances are one
// speaker, the manager's set by Config.ManagerChannel or found from the
// text.
package yandex

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/poll"
	"github.com/callaudit/callaudit/adapters/internal/settings"
	"github.com/callaudit/callaudit/adapters/internal/sttchan"
	"github.com/callaudit/callaudit/adapters/internal/vendorhttp"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/transcribe"
)

// Defaults of a zero Config.
const (
	DefaultBaseURL      = "https://stt.api.cloud.yandex.net"
	DefaultOperationURL = "https://operation.api.cloud.yandex.net"
	DefaultModel        = "general"
	DefaultLanguage     = "ru-RU"
	DefaultPollInterval = 2 * time.Second
	DefaultTimeout      = 5 * time.Minute
)

// MaxContentBytes is the reference's limit on audio sent in the request
// body of API v3 (60 MB).
const MaxContentBytes int64 = 60_000_000

// Config configures the transcriber. Set APIKey, or IAMToken (or
// IAMTokenSource) with FolderID.
type Config struct {
	// APIKey of a service account with the ai.speechkit-stt.user role.
	// Never printed.
	APIKey string `json:"-"`
	// IAMToken is sent as a bearer token when there is no API key. Never printed.
	IAMToken string `json:"-"`
	// IAMTokenSource, when set, supplies IAM tokens (first, and again
	// once when the service rejects one as expired).
	IAMTokenSource func(ctx context.Context) (string, error) `json:"-"`
	// FolderID is sent as x-folder-id (required with an IAM token).
	FolderID string
	// BaseURL of the recognition API and OperationURL of the operation
	// service; empty are the defaults.
	BaseURL      string
	OperationURL string
	// Model is the recognition model (default "general").
	Model string
	// Language when a call gives none (default ru-RU).
	Language string
	// ManagerChannel is the manager's channel of stereo recordings, 0
	// (left) or 1 (right); -1 finds it from the text.
	ManagerChannel int
	// PollInterval is the first wait between operation checks (default
	// 2 s; the quota is 5 checks a second); later waits grow by half up
	// to 4×PollInterval.
	PollInterval time.Duration
	// MaxWait bounds the wait for one recognition (default
	// poll.DefaultLimit, 4 hours); past it Transcribe fails with
	// KindTimeout.
	MaxWait time.Duration
	// Timeout bounds one HTTP request (default 5 min, for a 60 MB upload).
	Timeout time.Duration
	// HTTPClient carries the requests; nil uses a new client.
	HTTPClient *http.Client `json:"-"`
	// Retry is the policy for 429, 5xx and timeouts of each request.
	Retry retry.Policy `json:"-"`
}

// String describes the configuration with the credentials redacted.
func (c Config) String() string {
	return fmt.Sprintf("yandex.Config{APIKey:%s IAMToken:%s FolderID:%q BaseURL:%q Model:%q}", settings.Redacted(c.APIKey), settings.Redacted(c.IAMToken), c.FolderID, c.BaseURL, c.Model)
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// LogValue redacts the credentials in structured logs.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

var service = vendorhttp.Service{Name: "Yandex SpeechKit API", Setting: "AUDIT_YANDEX_API_KEY"}

// Transcriber is the SpeechKit transcriber; safe for concurrent use.
type Transcriber struct {
	cfg    Config
	client *vendorhttp.Client
	iam    *iamToken
}

var _ transcribe.Transcriber = (*Transcriber)(nil)

// New returns a Transcriber; KindNotConfigured without credentials.
func New(cfg Config) (*Transcriber, error) {
	if cfg.APIKey == "" && cfg.IAMToken == "" && cfg.IAMTokenSource == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "Yandex SpeechKit is not configured: set AUDIT_YANDEX_API_KEY")
	}
	if cfg.APIKey == "" && cfg.FolderID == "" {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "Yandex SpeechKit with an IAM token needs the folder: set AUDIT_YANDEX_FOLDER_ID")
	}
	if err := sttchan.CheckManagerChannel(cfg.ManagerChannel); err != nil {
		return nil, err
	}
	cfg.BaseURL, cfg.OperationURL = settings.URL(cfg.BaseURL, DefaultBaseURL), settings.URL(cfg.OperationURL, DefaultOperationURL)
	cfg.Model, cfg.Language = cmp.Or(cfg.Model, DefaultModel), cmp.Or(cfg.Language, DefaultLanguage)
	cfg.PollInterval, cfg.Timeout = settings.Positive(cfg.PollInterval, DefaultPollInterval), settings.Positive(cfg.Timeout, DefaultTimeout)
	hc := cmp.Or(cfg.HTTPClient, &http.Client{})
	t := &Transcriber{cfg: cfg, iam: &iamToken{token: cfg.IAMToken, source: cfg.IAMTokenSource}}
	t.client = &vendorhttp.Client{HTTP: hc, Service: service, Message: apiMessage, Secrets: func() []string {
		return []string{cfg.APIKey, cfg.IAMToken, t.iam.current()}
	}}
	return t, nil
}

// apiMessage is the text of an error answer, a google.rpc.Status:
// {"code": 16, "message": "…", "details": []}.
func apiMessage(body []byte) string { return vendorhttp.JSONMessage(body, "message", "error") }

// The request and answers, the fields used here.
type (
	operation struct {
		ID    string `json:"id"`
		Done  bool   `json:"done"`
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	alternative struct {
		Text        string  `json:"text"`
		StartTimeMs msValue `json:"startTimeMs"`
		EndTimeMs   msValue `json:"endTimeMs"`
	}
	alternativeUpdate struct {
		Alternatives []alternative `json:"alternatives"`
		ChannelTag   string        `json:"channelTag"`
	}
	streamingResponse struct {
		Final           *alternativeUpdate `json:"final"`
		FinalRefinement *struct {
			NormalizedText *alternativeUpdate `json:"normalizedText"`
		} `json:"finalRefinement"`
		ChannelTag string `json:"channelTag"`
	}
)

// msValue is an int64 of the REST mapping, which writes int64 as a string.
type msValue int64

func (m *msValue) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*m = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	*m = msValue(n)
	return err
}

// format is what recognitionModel.audioFormat says, with the bytes sent.
type format struct {
	audioFormat    map[string]any
	channels       int
	offset, size   int64
	bytesPerSecond float64
}

func formatOf(a transcribe.Audio) (format, error) {
	p, err := sttchan.ProbeAudio(a)
	if err != nil {
		return format{}, err
	}
	switch p.Format.Ext {
	case "wav":
		w := p.WAV
		return format{audioFormat: map[string]any{"rawAudio": map[string]any{
			"audioEncoding": "LINEAR16_PCM", "sampleRateHertz": strconv.Itoa(w.SampleRate), "audioChannelCount": strconv.Itoa(w.Channels)}},
			channels: w.Channels, offset: w.DataOffset, size: w.DataSize, bytesPerSecond: float64(w.SampleRate * w.BlockAlign)}, nil
	case "mp3":
		return format{audioFormat: map[string]any{"containerAudio": map[string]any{"containerAudioType": "MP3"}}, channels: 1, size: a.Size}, nil
	case "ogg":
		return format{audioFormat: map[string]any{"containerAudio": map[string]any{"containerAudioType": "OGG_OPUS"}}, channels: 1, size: a.Size}, nil
	}
	return format{}, callaudit.Errorf(callaudit.KindUnsupported, "Yandex SpeechKit reads WAV, MP3 and OGG Opus recordings, not %s", p.Format.Ext)
}

// Transcribe recognises the recording (see the package doc). Errors: the
// kinds of sttchan.ProbeAudio for the audio, KindTooLarge over
// MaxContentBytes, KindUpstream for an operation that ends in an error,
// KindTimeout past Config.MaxWait, the kinds of vendorhttp for failed
// requests.
func (t *Transcriber) Transcribe(ctx context.Context, a transcribe.Audio, opts transcribe.Options) (transcribe.Transcript, error) {
	const op = "yandex.Transcribe"
	if err := ctx.Err(); err != nil {
		return transcribe.Transcript{}, vendorhttp.ContextError(op, err)
	}
	if a.Size > MaxContentBytes {
		return transcribe.Transcript{}, service.Coded(callaudit.KindTooLarge, callaudit.CodeUpstreamTooLarge, op, "", fmt.Errorf("%d bytes, over the 60 MB SpeechKit takes in a request", a.Size))
	}
	f, err := formatOf(a)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	lang := sttchan.Language(opts.Language, t.cfg.Language)
	model, _ := json.Marshal(map[string]any{
		"model":               t.cfg.Model,
		"audioFormat":         f.audioFormat,
		"textNormalization":   map[string]any{"textNormalization": "TEXT_NORMALIZATION_ENABLED", "profanityFilter": false, "literatureText": false},
		"languageRestriction": map[string]any{"restrictionType": "WHITELIST", "languageCode": []string{lang}},
		"audioProcessingType": "FULL_DATA",
	})
	prefix, suffix := `{"content":"`, `","recognitionModel":`+string(model)+`}`
	length := int64(len(prefix)+len(suffix)) + int64(base64.StdEncoding.EncodedLen(int(f.size)))
	var started operation
	err = t.call(ctx, op, func(h http.Header) vendorhttp.Request {
		h.Set("Content-Type", "application/json")
		return vendorhttp.Request{Method: http.MethodPost, URL: t.cfg.BaseURL + "/stt/v3/recognizeFileAsync", Header: h, ContentLength: length,
			Body: func() (io.Reader, error) {
				return io.MultiReader(strings.NewReader(prefix), newBase64Reader(io.NewSectionReader(a.Data, f.offset, f.size)), strings.NewReader(suffix)), nil
			}}
	}, &started)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	if err := t.wait(ctx, op, started.ID); err != nil {
		return transcribe.Transcript{}, err
	}
	var raw []byte
	err = t.call(ctx, op, func(h http.Header) vendorhttp.Request {
		return vendorhttp.Request{Method: http.MethodGet, URL: t.cfg.BaseURL + "/stt/v3/getRecognition?operationId=" + url.QueryEscape(started.ID), Header: h}
	}, &raw)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	us, err := parseResults(raw)
	if err != nil {
		return transcribe.Transcript{}, service.Coded(callaudit.KindUpstream, callaudit.CodeUpstreamFailed, op, "", err)
	}
	tr, err := sttchan.Result(us, f.channels, t.cfg.ManagerChannel, "yandex:"+t.cfg.Model, lang)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	if f.bytesPerSecond > 0 {
		d := float64(f.size) / f.bytesPerSecond
		tr.Duration = &d
	}
	return tr, nil
}

// parseResults reads the lines of getRecognition: the normalized
// refinements when there are any, else the final utterances.
func parseResults(raw []byte) ([]sttchan.Utterance, error) {
	var finals, refined []sttchan.Utterance
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		var line struct {
			Result streamingResponse `json:"result"`
		}
		err := dec.Decode(&line)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("getRecognition: %w", err)
		}
		r := line.Result
		add := func(to *[]sttchan.Utterance, u *alternativeUpdate) {
			if u == nil || len(u.Alternatives) == 0 {
				return
			}
			tag := u.ChannelTag
			if tag == "" {
				tag = r.ChannelTag
			}
			ch, _ := strconv.Atoi(tag)
			alt := u.Alternatives[0]
			*to = append(*to, sttchan.Utterance{Channel: ch, Text: alt.Text, Start: float64(alt.StartTimeMs) / 1000, End: float64(alt.EndTimeMs) / 1000})
		}
		add(&finals, r.Final)
		if r.FinalRefinement != nil {
			add(&refined, r.FinalRefinement.NormalizedText)
		}
	}
	if len(refined) > 0 {
		return refined, nil
	}
	return finals, nil
}

// call sends one request with retries and the credentials; an IAM token
// rejected with 401 is replaced once when there is a source.
func (t *Transcriber) call(ctx context.Context, op string, req func(http.Header) vendorhttp.Request, out any) error {
	return vendorhttp.Attempts(ctx, t.cfg.Retry, t.cfg.Timeout, func(actx context.Context) error {
		send := func(refresh bool) error {
			h, err := t.header(actx, refresh)
			if err != nil {
				return err
			}
			return t.client.Do(actx, op, req(h), out)
		}
		err := send(false)
		if vendorhttp.StatusOf(err) == http.StatusUnauthorized && t.cfg.APIKey == "" && t.cfg.IAMTokenSource != nil {
			err = send(true)
		}
		return err
	})
}

// header carries the credentials and the folder.
func (t *Transcriber) header(ctx context.Context, refresh bool) (http.Header, error) {
	h := http.Header{}
	if t.cfg.FolderID != "" {
		h.Set("x-folder-id", t.cfg.FolderID)
	}
	if t.cfg.APIKey != "" {
		h.Set("Authorization", "Api-Key "+t.cfg.APIKey)
		return h, nil
	}
	token, err := t.iam.get(ctx, refresh)
	if err != nil {
		return nil, err
	}
	h.Set("Authorization", "Bearer "+token)
	return h, nil
}

// wait polls the operation until it is done.
func (t *Transcriber) wait(ctx context.Context, op, id string) error {
	return poll.Until(ctx, service, op, "the recognition "+id, poll.Backoff{Interval: t.cfg.PollInterval, Limit: t.cfg.MaxWait}, func(ctx context.Context) (bool, error) {
		var o operation
		err := t.call(ctx, op, func(h http.Header) vendorhttp.Request {
			return vendorhttp.Request{Method: http.MethodGet, URL: t.cfg.OperationURL + "/operations/" + url.PathEscape(id), Header: h}
		}, &o)
		if err != nil {
			return false, err
		}
		if o.Error != nil {
			msg := vendorhttp.Redact(o.Error.Message, t.client.Secrets()...)
			return false, service.Coded(callaudit.KindUpstream, callaudit.CodeUpstreamRejected, op, "recognition failed: "+msg, fmt.Errorf("operation %s: code %d: %s", id, o.Error.Code, msg))
		}
		return o.Done, nil
	})
}
