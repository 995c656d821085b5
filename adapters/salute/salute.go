// Package salute transcribes recordings with Sber's SaluteSpeech
// (transcribe.Transcriber), by its asynchronous HTTP API, after the
// reference "API асинхронного распознавания речи (HTTP)"
// (developers.sber.ru/docs/ru/salutespeech/recognition/recognition-async-http):
//
//  1. the authorization key is exchanged for a 30-minute token with scope
//     SALUTE_SPEECH_PERS (adapters/internal/sberauth; renewed before
//     expiry, a 401 retried once with a new token);
//  2. POST {base}/data:upload with the audio as the body answers
//     {"status":200,"result":{"request_file_id":"…"}};
//  3. POST {base}/speech:async_recognize {"options":{…},"request_file_id"}
//     answers the task {"result":{"id","status":"NEW",…}};
//  4. GET {base}/task:get?id=… until its status is DONE (or ERROR,
//     CANCELED), which carries response_file_id;
//  5. GET {base}/data:download?response_file_id=… answers the results:
//     a JSON array of utterances, each {"results":[{"text",
//     "normalized_text","start":"1.240s","end":"3.100s"}],"eou":true,
//     "channel":0,…}.
//
// Asynchronous recognition takes up to 1 GB (the reference: "Максимальный
// размер аудио – 1 Гб") of WAV (sent as raw PCM_S16LE with its rate and
// channels), MP3, OGG Opus or FLAC. A stereo WAV is recognised per
// channel (channels_count 2): each channel's utterances are one speaker,
// the manager's channel set by Config.ManagerChannel or found from the
// text.
//
// Short recordings take the synchronous method instead (POST
// {base}/speech:recognize, "Распознать речь в аудио файле"): a mono WAV of
// at most SyncMaxBytes (the reference's 2 MB) and SyncMaxSeconds (its one
// minute), with a model and language that method lists, is recognised
// with one request, the samples as the body and the options in the query,
// answered {"result": ["sentence", …], …}. That answer has no times, so
// its segments have no Start and End; Config.DisableSync keeps every
// recording on the asynchronous task. Stereo always takes the task: the
// synchronous method hears only the first channel.
//
// Sber's endpoints are served with certificates of the Russian Trusted
// Root CA: install it in the system store (or point SSL_CERT_FILE at it).
package salute

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/internal/poll"
	"github.com/callaudit/callaudit/adapters/internal/sberauth"
	"github.com/callaudit/callaudit/adapters/internal/settings"
	"github.com/callaudit/callaudit/adapters/internal/sttchan"
	"github.com/callaudit/callaudit/adapters/internal/vendorhttp"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/transcribe"
)

// Defaults of a zero Config.
const (
	DefaultBaseURL      = "https://smartspeech.sber.ru/rest/v1"
	DefaultModel        = "callcenter"
	DefaultLanguage     = "ru-RU"
	DefaultPollInterval = 2 * time.Second
	DefaultTimeout      = 2 * time.Minute
)

// MaxBytes is the reference's limit on one recording for asynchronous
// recognition (1 GB).
const MaxBytes int64 = 1 << 30

// Config configures the transcriber.
type Config struct {
	// AuthKey is the authorization key from Sber's developer console
	// (base64 of Client ID:Client Secret). Never printed.
	AuthKey string `json:"-"`
	// Scope of the key: SALUTE_SPEECH_PERS (default), SALUTE_SPEECH_CORP…
	Scope string
	// BaseURL of the REST API including /rest/v1; empty is DefaultBaseURL.
	BaseURL string
	// OAuthURL of the token exchange; empty is sberauth.DefaultURL.
	OAuthURL string
	// Model is the recognition model: "callcenter" (default, telephone
	// calls), "general", "media", "ivr".
	Model string
	// Language when a call gives none (default ru-RU).
	Language string
	// ManagerChannel is the manager's channel of stereo recordings, 0
	// (left) or 1 (right); -1 finds it from the text. The zero Config
	// means left: set -1 explicitly to infer.
	ManagerChannel int
	// PollInterval is the first wait between status checks (default
	// 2 s); later waits grow by half up to 4×PollInterval.
	PollInterval time.Duration
	// MaxWait bounds the wait for one task (default poll.DefaultLimit,
	// 4 hours); past it Transcribe fails with KindTimeout.
	MaxWait time.Duration
	// Timeout bounds one HTTP request (default 2 min); the whole
	// recognition is bounded by the caller's context.
	Timeout time.Duration
	// HTTPClient carries the requests; nil uses a new client.
	HTTPClient *http.Client `json:"-"`
	// Retry is the policy for 429, 5xx and timeouts of each request.
	Retry retry.Policy `json:"-"`
	// Now is the token clock; nil is time.Now.
	Now func() time.Time `json:"-"`
	// DisableSync sends every recording through the asynchronous task;
	// by default a short mono WAV (SyncMaxBytes, SyncMaxSeconds) is
	// recognised with one synchronous request, whose answer has no times.
	DisableSync bool
}

// String describes the configuration with the key redacted.
func (c Config) String() string {
	return fmt.Sprintf("salute.Config{AuthKey:%s Scope:%q BaseURL:%q Model:%q}", settings.Redacted(c.AuthKey), c.Scope, c.BaseURL, c.Model)
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// LogValue redacts the key in structured logs.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

var service = vendorhttp.Service{Name: "SaluteSpeech API", Setting: "AUDIT_SALUTE_AUTH_KEY"}

// Transcriber is the SaluteSpeech transcriber; safe for concurrent use.
type Transcriber struct {
	cfg    Config
	auth   *sberauth.Source
	client *vendorhttp.Client
}

var _ transcribe.Transcriber = (*Transcriber)(nil)

// New returns a Transcriber; KindNotConfigured without an authorization key.
func New(cfg Config) (*Transcriber, error) {
	if cfg.AuthKey == "" {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "SaluteSpeech is not configured: set AUDIT_SALUTE_AUTH_KEY")
	}
	if err := sttchan.CheckManagerChannel(cfg.ManagerChannel); err != nil {
		return nil, err
	}
	cfg.Scope, cfg.BaseURL = cmp.Or(cfg.Scope, sberauth.ScopeSaluteSpeech), settings.URL(cfg.BaseURL, DefaultBaseURL)
	cfg.Model, cfg.Language = cmp.Or(cfg.Model, DefaultModel), cmp.Or(cfg.Language, DefaultLanguage)
	cfg.PollInterval, cfg.Timeout = settings.Positive(cfg.PollInterval, DefaultPollInterval), settings.Positive(cfg.Timeout, DefaultTimeout)
	hc := cmp.Or(cfg.HTTPClient, &http.Client{})
	auth := sberauth.New(sberauth.Config{URL: cfg.OAuthURL, AuthKey: cfg.AuthKey, Scope: cfg.Scope, Now: cfg.Now}, hc, service)
	return &Transcriber{cfg: cfg, auth: auth,
		client: &vendorhttp.Client{HTTP: hc, Service: service, Message: apiMessage, Secrets: auth.Secrets}}, nil
}

// apiMessage is the text of an error answer: {"status":400,"message":"…"}.
func apiMessage(body []byte) string { return vendorhttp.JSONMessage(body, "message", "error") }

// encoding is what options.audio_encoding and the upload's Content-Type
// say about a recording, with the bytes to upload.
type encoding struct {
	name        string // PCM_S16LE, MP3, OPUS, FLAC
	contentType string
	sampleRate  int
	channels    int
	offset      int64 // of the uploaded bytes (a WAV's samples)
	size        int64
}

// post is a request that sends the recording's bytes to url.
func (e encoding) post(a transcribe.Audio, url, token string) vendorhttp.Request {
	return vendorhttp.Request{Method: http.MethodPost, URL: url, Header: vendorhttp.Bearer(token, "Content-Type", e.contentType),
		Body:          func() (io.Reader, error) { return io.NewSectionReader(a.Data, e.offset, e.size), nil },
		ContentLength: e.size}
}

// duration is a PCM recording's length in seconds, 0 when unknown.
func (e encoding) duration() float64 {
	if e.name != "PCM_S16LE" || e.sampleRate <= 0 || e.channels <= 0 {
		return 0
	}
	return float64(e.size) / float64(e.sampleRate*e.channels*2)
}

func encodingOf(a transcribe.Audio) (encoding, error) {
	p, err := sttchan.ProbeAudio(a)
	if err != nil {
		return encoding{}, err
	}
	switch p.Format.Ext {
	case "wav":
		w := p.WAV
		return encoding{name: "PCM_S16LE", contentType: fmt.Sprintf("audio/x-pcm;bit=16;rate=%d", w.SampleRate),
			sampleRate: w.SampleRate, channels: w.Channels, offset: w.DataOffset, size: w.DataSize}, nil
	case "mp3":
		return encoding{name: "MP3", contentType: "audio/mpeg", channels: 1, size: a.Size}, nil
	case "ogg":
		return encoding{name: "OPUS", contentType: "audio/ogg;codecs=opus", channels: 1, size: a.Size}, nil
	}
	return encoding{name: "FLAC", contentType: "audio/flac", channels: 1, size: a.Size}, nil
}

// The answers of the API, the fields used here.
type (
	uploadAnswer struct {
		Result struct {
			RequestFileID string `json:"request_file_id"`
		} `json:"result"`
	}
	taskAnswer struct {
		Result struct {
			ID             string `json:"id"`
			Status         string `json:"status"`
			ResponseFileID string `json:"response_file_id"`
			Error          string `json:"error"`
		} `json:"result"`
	}
	utterance struct {
		Results []struct {
			Text           string `json:"text"`
			NormalizedText string `json:"normalized_text"`
			Start          string `json:"start"`
			End            string `json:"end"`
		} `json:"results"`
		EOU     bool `json:"eou"`
		Channel int  `json:"channel"`
	}
)

// Transcribe recognises the recording (see the package doc), short ones
// synchronously. Errors: the kinds of sttchan.ProbeAudio for the audio,
// KindTooLarge over MaxBytes, KindUpstream for a task that ends in ERROR,
// KindTimeout past Config.MaxWait, the kinds of vendorhttp for failed
// requests.
func (t *Transcriber) Transcribe(ctx context.Context, a transcribe.Audio, opts transcribe.Options) (transcribe.Transcript, error) {
	const op = "salute.Transcribe"
	if err := ctx.Err(); err != nil {
		return transcribe.Transcript{}, vendorhttp.ContextError(op, err)
	}
	if a.Size > MaxBytes {
		return transcribe.Transcript{}, service.Coded(callaudit.KindTooLarge, callaudit.CodeUpstreamTooLarge, op, "", fmt.Errorf("%d bytes, over SaluteSpeech's 1 GB", a.Size))
	}
	enc, err := encodingOf(a)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	lang := sttchan.Language(opts.Language, t.cfg.Language)
	if t.synchronous(enc, lang) {
		return t.recognize(ctx, op, a, enc, lang)
	}
	var up uploadAnswer
	err = t.call(ctx, op, func(token string) vendorhttp.Request { return enc.post(a, t.cfg.BaseURL+"/data:upload", token) }, &up)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	options := map[string]any{"model": t.cfg.Model, "audio_encoding": enc.name, "language": lang,
		"hypotheses_count": 1, "channels_count": enc.channels}
	if enc.sampleRate > 0 {
		options["sample_rate"] = enc.sampleRate
	}
	if words := hints(opts.Prompt); len(words) > 0 {
		options["hints"] = map[string]any{"words": words}
	}
	body, _ := json.Marshal(map[string]any{"options": options, "request_file_id": up.Result.RequestFileID})
	var task taskAnswer
	err = t.call(ctx, op, func(token string) vendorhttp.Request {
		return vendorhttp.Request{Method: http.MethodPost, URL: t.cfg.BaseURL + "/speech:async_recognize",
			Header: vendorhttp.Bearer(token, "Content-Type", "application/json"),
			Body:   func() (io.Reader, error) { return bytes.NewReader(body), nil }}
	}, &task)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	fileID, err := t.wait(ctx, op, task.Result.ID)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	var result []utterance
	err = t.call(ctx, op, func(token string) vendorhttp.Request {
		return vendorhttp.Request{Method: http.MethodGet, URL: t.cfg.BaseURL + "/data:download?response_file_id=" + url.QueryEscape(fileID),
			Header: vendorhttp.Bearer(token)}
	}, &result)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	var us []sttchan.Utterance
	for _, u := range result {
		if len(u.Results) == 0 || !u.EOU {
			continue
		}
		r := u.Results[0]
		text := r.NormalizedText
		if strings.TrimSpace(text) == "" {
			text = r.Text
		}
		us = append(us, sttchan.Utterance{Channel: u.Channel, Text: text, Start: seconds(r.Start), End: seconds(r.End)})
	}
	return t.finish(sttchan.Transcript(us, enc.channels, t.cfg.ManagerChannel, "salute:"+t.cfg.Model), enc, lang)
}

// finish is KindInvalid for a transcript without speech, else the
// transcript with its language and, for PCM, its duration.
func (t *Transcriber) finish(tr transcribe.Transcript, enc encoding, lang string) (transcribe.Transcript, error) {
	tr, err := sttchan.Finish(tr, lang)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	if d := enc.duration(); d > 0 {
		tr.Duration = &d
	}
	return tr, nil
}

// call sends one request with retries and the token (renewed once on 401).
func (t *Transcriber) call(ctx context.Context, op string, req func(token string) vendorhttp.Request, out any) error {
	return vendorhttp.Attempts(ctx, t.cfg.Retry, t.cfg.Timeout, func(ctx context.Context) error {
		return t.auth.Do(ctx, func(ctx context.Context, token string) error {
			return t.client.Do(ctx, op, req(token), out)
		})
	})
}

// wait polls the task until it is done and returns its result file.
func (t *Transcriber) wait(ctx context.Context, op, id string) (string, error) {
	var fileID string
	err := poll.Until(ctx, service, op, "the task "+id, poll.Backoff{Interval: t.cfg.PollInterval, Limit: t.cfg.MaxWait}, func(ctx context.Context) (bool, error) {
		var task taskAnswer
		err := t.call(ctx, op, func(token string) vendorhttp.Request {
			return vendorhttp.Request{Method: http.MethodGet, URL: t.cfg.BaseURL + "/task:get?id=" + url.QueryEscape(id), Header: vendorhttp.Bearer(token)}
		}, &task)
		if err != nil {
			return false, err
		}
		switch task.Result.Status {
		case "DONE":
			fileID = task.Result.ResponseFileID
			return true, nil
		case "ERROR", "CANCELED":
			msg := vendorhttp.Redact(task.Result.Error, t.auth.Secrets()...)
			return false, service.Coded(callaudit.KindUpstream, callaudit.CodeUpstreamRejected, op, "recognition "+strings.ToLower(task.Result.Status)+": "+msg, fmt.Errorf("task %s: %s", task.Result.Status, msg))
		}
		return false, nil
	})
	return fileID, err
}

// seconds parses the reference's durations ("1.240s").
func seconds(s string) float64 {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0
	}
	return d.Seconds()
}

// hints are the prompt's words as recognition hints (options.hints.words).
func hints(prompt string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(prompt, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if w = strings.TrimSpace(w); w != "" && len(out) < 100 {
			out = append(out, w)
		}
	}
	return out
}
