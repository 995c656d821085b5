// Package salutetest is a fake SaluteSpeech asynchronous recognition API
// for tests, after the reference "API асинхронного распознавания речи
// (HTTP)" (developers.sber.ru/docs/ru/salutespeech/recognition/recognition-async-http)
// and Sber's OAuth exchange at /api/v2/oauth (sberauthtest).
//
// It serves POST /rest/v1/data:upload, POST /rest/v1/speech:async_recognize,
// GET /rest/v1/task:get?id= and GET /rest/v1/data:download?response_file_id=
// in the reference's shapes ({"status":200,"result":{…}}; the result file
// is a JSON array of utterances). Like the real API it answers 401 for a
// missing, unknown or expired token ({"status":401,"message":"Token has
// expired"}), 413 for an upload over 1 GB (the documented limit), 400 for
// an unknown option (the gateway rejects unknown fields), an encoding,
// model or language it does not know, PCM without its sample_rate, and a
// request_file_id it never issued, 404 for an unknown task or result
// file. A recording that does not decode as its declared encoding ends
// its task in ERROR. Tasks stay RUNNING for WithDelay.
//
// It also serves synchronous recognition, POST /rest/v1/speech:recognize
// (reference "Распознать речь в аудио файле",
// developers.sber.ru/docs/ru/salutespeech/api/reference/rest/post-speech-recognition):
// the audio as the body, its encoding in Content-Type, the query
// parameters language (ru-RU, en-US, kk-KZ), model (general, callcenter),
// sample_rate, channels_count and enable_profanity_filter; it answers
// {"result": [sentences], "emotions": [{"negative","neutral","positive"}],
// "person_identity": {…}, "status": 200}, the first channel's speech
// only. It refuses, as 400, an unknown parameter value and PCM longer
// than the documented minute, and as 413 a body over the documented
// 2 MB (SyncMaxBytes); the reference states these limits, not the
// statuses. Synchronous answers are held for WithDelay.
package salutetest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit/adapters/internal/sberauth"
	"github.com/callaudit/callaudit/adapters/internal/sberauth/sberauthtest"
	"github.com/callaudit/callaudit/adapters/internal/vendortest"
	"github.com/callaudit/callaudit/transcribe"
)

// DefaultAuthKey is the authorization key the fake accepts.
const DefaultAuthKey = "ZmFrZS1jbGllbnQtaWQ6ZmFrZS1jbGllbnQtc2VjcmV0LXNhbHV0ZQ=="

// MaxUpload is the documented limit of one uploaded file (1 GB).
const MaxUpload int64 = 1 << 30

// SyncMaxBytes and SyncMaxSeconds are the documented limits of
// synchronous recognition ("Максимальный размер аудио – 2 Мб,
// максимальная длина – одна минута").
const SyncMaxBytes int64 = 2_000_000

// SyncMaxSeconds is the documented longest synchronous recording.
const SyncMaxSeconds = 60

// Options is a task's options as the request gave them.
type Options struct {
	Model           string         `json:"model"`
	AudioEncoding   string         `json:"audio_encoding"`
	SampleRate      int            `json:"sample_rate"`
	Language        string         `json:"language"`
	ChannelsCount   int            `json:"channels_count"`
	HypothesesCount int            `json:"hypotheses_count"`
	Hints           map[string]any `json:"hints"`
	// The reference's other options, accepted and ignored.
	EnableProfanityFilter    *bool          `json:"enable_profanity_filter"`
	MaxSpeechTimeout         string         `json:"max_speech_timeout"`
	NoSpeechTimeout          string         `json:"no_speech_timeout"`
	SpeakerSeparationOptions map[string]any `json:"speaker_separation_options"`
	InsightModels            []string       `json:"insight_models"`
}

// Task is what a responder sees: the options and the uploaded bytes.
type Task struct {
	Options Options
	Audio   []byte
	// ContentType of the upload.
	ContentType string
}

// Utterance is one recognised phrase of the result file.
type Utterance struct {
	Channel    int
	Text       string
	Start, End time.Duration
}

// Responder recognises a task.
type Responder func(Task) []Utterance

// Server is a running fake. Close it when done.
type Server struct {
	// URL is the REST base (…/rest/v1); OAuthURL the token exchange.
	URL, OAuthURL string
	AuthKey       string
	Issuer        *sberauthtest.Issuer

	srv       *httptest.Server
	responder Responder
	delay     time.Duration
	maxUpload int64
	mu        sync.Mutex
	files     map[string]upload
	tasks     map[string]*task
	results   map[string][]byte
	log       vendortest.Log[Request]
}

type upload struct {
	data        []byte
	contentType string
}

type task struct {
	id, fileID string
	options    Options
	created    time.Time
	failure    string
}

// Request is one recorded request.
type Request struct {
	Method, Path string
	Status       int
	// Options of a speech:async_recognize request, or the query of a
	// speech:recognize request (in the same fields).
	Options *Options
	// Token is the bearer token the request carried.
	Token string
}

// Option configures a Server.
type Option func(*Server)

// WithDelay keeps tasks RUNNING for d.
func WithDelay(d time.Duration) Option { return func(s *Server) { s.delay = d } }

// WithResponder replaces DefaultResponder.
func WithResponder(f Responder) Option { return func(s *Server) { s.responder = f } }

// WithMaxUpload lowers the upload limit, of synchronous requests too (to
// test the 413 without a 1 GB body).
func WithMaxUpload(n int64) Option { return func(s *Server) { s.maxUpload = n } }

// NewServer starts a fake.
func NewServer(opts ...Option) *Server {
	s := &Server{AuthKey: DefaultAuthKey, responder: DefaultResponder, maxUpload: MaxUpload,
		files: map[string]upload{}, tasks: map[string]*task{}, results: map[string][]byte{}}
	for _, o := range opts {
		o(s)
	}
	s.Issuer = sberauthtest.NewIssuer(s.AuthKey, sberauth.ScopeSaluteSpeech)
	mux := http.NewServeMux()
	mux.Handle(sberauthtest.Path, s.Issuer.Handler())
	mux.HandleFunc("POST /rest/v1/data:upload", s.authed(s.upload))
	mux.HandleFunc("POST /rest/v1/speech:recognize", s.authed(s.recognizeSync))
	mux.HandleFunc("POST /rest/v1/speech:async_recognize", s.authed(s.recognize))
	mux.HandleFunc("GET /rest/v1/task:get", s.authed(s.taskGet))
	mux.HandleFunc("GET /rest/v1/data:download", s.authed(s.download))
	s.srv = httptest.NewServer(mux)
	s.URL, s.OAuthURL = s.srv.URL+"/rest/v1", s.srv.URL+sberauthtest.Path
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns the API requests so far (not the token exchanges).
func (s *Server) Requests() []Request { return s.log.All() }

// DefaultResponder says one phrase per channel: the manager's greeting on
// channel 0 (or the only one), the client's question on channel 1.
func DefaultResponder(t Task) []Utterance {
	phrases := []string{"Добрый день, компания Окна Плюс, меня зовут Ольга, чем могу помочь?", "Здравствуйте, хочу узнать цену на пластиковые окна."}
	n := max(t.Options.ChannelsCount, 1)
	var out []Utterance
	for c := range n {
		start := time.Duration(c)*1500*time.Millisecond + 100*time.Millisecond
		out = append(out, Utterance{Channel: c, Text: phrases[c%2], Start: start, End: start + 1200*time.Millisecond})
	}
	return out
}

func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		rec := &Request{Method: r.Method, Path: r.URL.Path, Token: token}
		rw, done := s.log.Track(w, rec, func(r *Request) *int { return &r.Status })
		defer done()
		switch s.Issuer.Check(r.Header.Get("Authorization")) {
		case "expired":
			apiError(rw, http.StatusUnauthorized, "Token has expired")
			return
		case "missing":
			apiError(rw, http.StatusUnauthorized, "Unauthorized")
			return
		}
		h(rw, r, rec)
	}
}

// apiError and ok answer in the reference's envelope, with the
// X-Request-ID the service sets on every answer.
func apiError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("X-Request-ID", newID())
	vendortest.WriteJSON(w, status, map[string]any{"status": status, "message": msg})
}

func ok(w http.ResponseWriter, result any) {
	w.Header().Set("X-Request-ID", newID())
	vendortest.WriteJSON(w, http.StatusOK, map[string]any{"status": 200, "result": result})
}

func newID() string { return vendortest.HexID(16) }

// readAudio reads a body of audio of at most limit bytes, refusing a
// larger one (by its Content-Length before reading it) with 413 and an
// empty one with 400.
func readAudio(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if r.ContentLength > limit {
		apiError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	switch {
	case err != nil:
		apiError(w, http.StatusBadRequest, "cannot read the body")
		return nil, false
	case int64(len(data)) > limit:
		apiError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return nil, false
	case len(data) == 0:
		apiError(w, http.StatusBadRequest, "empty body")
		return nil, false
	}
	return data, true
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, _ *Request) {
	data, read := readAudio(w, r, s.maxUpload)
	if !read {
		return
	}
	id := newID()
	s.mu.Lock()
	s.files[id] = upload{data: data, contentType: r.Header.Get("Content-Type")}
	s.mu.Unlock()
	ok(w, map[string]any{"request_file_id": id})
}

var encodings = map[string]bool{"PCM_S16LE": true, "OPUS": true, "MP3": true, "FLAC": true, "ALAW": true, "MULAW": true}

// method is what a recognition method's reference allows of the options;
// at most 8 channels, the encodings page's limit for PCM_S16LE and FLAC
// ("Допустимые форматы и лимиты": "Максимальное количество каналов – 8").
type method struct {
	models, languages map[string]bool
	maxChannels       int
}

var (
	asyncMethod = method{models: map[string]bool{"general": true, "callcenter": true, "media": true, "ivr": true},
		languages: map[string]bool{"ru-RU": true, "en-US": true, "kk-KZ": true, "ky-KG": true, "uz-UZ": true}, maxChannels: 8}
	syncMethod = method{models: map[string]bool{"general": true, "callcenter": true},
		languages: map[string]bool{"ru-RU": true, "en-US": true, "kk-KZ": true}, maxChannels: 8}
)

// check fills the defaults of o and says what the method does not allow
// of it, or "".
func (m method) check(o *Options) string {
	o.Model, o.Language = cmp.Or(o.Model, "general"), cmp.Or(o.Language, "ru-RU")
	if o.ChannelsCount == 0 {
		o.ChannelsCount = 1
	}
	switch {
	case !encodings[o.AudioEncoding]:
		return fmt.Sprintf("unknown audio_encoding %q", o.AudioEncoding)
	case o.AudioEncoding == "PCM_S16LE" && (o.SampleRate < 8000 || o.SampleRate > 96000):
		return "sample_rate is required for PCM_S16LE (8000 to 96000)"
	case !m.models[o.Model]:
		return fmt.Sprintf("unknown model %q", o.Model)
	case !m.languages[o.Language]:
		return fmt.Sprintf("unknown language %q", o.Language)
	case o.ChannelsCount < 1 || o.ChannelsCount > m.maxChannels:
		return "channels_count out of range"
	}
	return ""
}

func (s *Server) recognize(w http.ResponseWriter, r *http.Request, rec *Request) {
	var req struct {
		Options       Options `json:"options"`
		RequestFileID string  `json:"request_file_id"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "invalid request: "+err.Error())
		return
	}
	o := req.Options
	rec.Options = &o
	if msg := asyncMethod.check(&o); msg != "" {
		apiError(w, http.StatusBadRequest, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	file, found := s.files[req.RequestFileID]
	if !found {
		apiError(w, http.StatusBadRequest, "unknown request_file_id")
		return
	}
	t := &task{id: newID(), options: o, created: time.Now()}
	if msg := decodes(file.data, o); msg != "" {
		t.failure = msg
	} else {
		t.fileID = newID()
		s.results[t.fileID] = resultFile(s.responder(Task{Options: o, Audio: file.data, ContentType: file.contentType}))
	}
	s.tasks[t.id] = t
	ok(w, map[string]any{"id": t.id, "created_at": t.created.Format(time.RFC3339Nano), "updated_at": t.created.Format(time.RFC3339Nano), "status": "NEW"})
}

// decodes says why data is not audio of the declared encoding, or "".
func decodes(data []byte, o Options) string {
	switch o.AudioEncoding {
	case "PCM_S16LE":
		if bytes.HasPrefix(data, []byte("RIFF")) {
			return "" // a WAV header is tolerated
		}
		if len(data)%(2*o.ChannelsCount) != 0 {
			return "audio decoding failed: PCM data is not whole 16-bit frames"
		}
	case "MP3":
		if f, ok := transcribe.SniffFormat(data[:min(len(data), 64)]); !ok || f.Ext != "mp3" {
			return "audio decoding failed: not MP3"
		}
	case "OPUS":
		if !bytes.HasPrefix(data, []byte("OggS")) {
			return "audio decoding failed: not Ogg Opus"
		}
	case "FLAC":
		if !bytes.HasPrefix(data, []byte("fLaC")) {
			return "audio decoding failed: not FLAC"
		}
	}
	return ""
}

// resultFile renders utterances as the reference's result file.
func resultFile(us []Utterance) []byte {
	out := make([]any, 0, len(us))
	dur := func(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }
	for _, u := range us {
		out = append(out, map[string]any{
			"results":               []any{map[string]any{"text": u.Text, "normalized_text": u.Text, "start": dur(u.Start), "end": dur(u.End)}},
			"eou":                   true,
			"emotions_result":       map[string]any{"positive": 0.1, "neutral": 0.8, "negative": 0.1},
			"processed_audio_start": dur(u.Start),
			"processed_audio_end":   dur(u.End),
			"backend_info":          map[string]any{"model_name": "callcenter", "model_version": "fake"},
			"channel":               u.Channel,
		})
	}
	b, _ := json.Marshal(out)
	return b
}

// find looks id up in one of the server's maps.
func find[T any](s *Server, m map[string]T, id string) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, found := m[id]
	return v, found
}

func (s *Server) taskGet(w http.ResponseWriter, r *http.Request, _ *Request) {
	t, found := find(s, s.tasks, r.URL.Query().Get("id"))
	if !found {
		apiError(w, http.StatusNotFound, "task not found")
		return
	}
	res := map[string]any{"id": t.id, "created_at": t.created.Format(time.RFC3339Nano), "updated_at": time.Now().Format(time.RFC3339Nano)}
	switch {
	case time.Since(t.created) < s.delay:
		res["status"] = "RUNNING"
	case t.failure != "":
		res["status"], res["error"] = "ERROR", t.failure
	default:
		res["status"], res["response_file_id"] = "DONE", t.fileID
	}
	ok(w, res)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, _ *Request) {
	data, found := find(s, s.results, r.URL.Query().Get("response_file_id"))
	if !found {
		apiError(w, http.StatusNotFound, "file not found")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}

// syncEncodings are the Content-Types of the encodings page
// ("Допустимые форматы и лимиты") by their audio_encoding.
var syncEncodings = map[string]string{"audio/x-pcm": "PCM_S16LE", "audio/ogg": "OPUS", "audio/mpeg": "MP3", "audio/flac": "FLAC", "audio/pcma": "ALAW", "audio/pcmu": "MULAW"}

func (s *Server) recognizeSync(w http.ResponseWriter, r *http.Request, rec *Request) {
	limit := min(s.maxUpload, SyncMaxBytes)
	if r.ContentLength > limit {
		apiError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	q := r.URL.Query()
	o := Options{Model: q.Get("model"), Language: q.Get("language")}
	o.SampleRate, _ = strconv.Atoi(q.Get("sample_rate"))
	o.ChannelsCount, _ = strconv.Atoi(q.Get("channels_count"))
	rec.Options = &o
	mediaType, params, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	o.AudioEncoding = syncEncodings[strings.TrimSpace(mediaType)]
	if o.AudioEncoding == "PCM_S16LE" && o.SampleRate == 0 {
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "rate="); ok {
				o.SampleRate, _ = strconv.Atoi(v)
			}
		}
	}
	for k := range q {
		switch k {
		case "language", "model", "sample_rate", "channels_count", "enable_profanity_filter":
		default:
			apiError(w, http.StatusBadRequest, fmt.Sprintf("unknown parameter %q", k))
			return
		}
	}
	if msg := syncMethod.check(&o); msg != "" {
		apiError(w, http.StatusBadRequest, msg)
		return
	}
	data, read := readAudio(w, r, limit)
	if !read {
		return
	}
	if o.AudioEncoding == "PCM_S16LE" && !bytes.HasPrefix(data, []byte("RIFF")) && len(data)/(2*o.ChannelsCount) > SyncMaxSeconds*o.SampleRate {
		apiError(w, http.StatusBadRequest, "audio is longer than 1 minute; use asynchronous recognition")
		return
	}
	if msg := decodes(data, o); msg != "" {
		apiError(w, http.StatusBadRequest, msg)
		return
	}
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			return
		}
	}
	sentences := []string{}
	for _, u := range s.responder(Task{Options: o, Audio: data, ContentType: r.Header.Get("Content-Type")}) {
		if u.Channel == 0 {
			sentences = append(sentences, u.Text)
		}
	}
	w.Header().Set("X-Request-ID", newID())
	vendortest.WriteJSON(w, http.StatusOK, map[string]any{"result": sentences,
		"emotions":        []any{map[string]any{"negative": 0.1, "neutral": 0.8, "positive": 0.1}},
		"person_identity": map[string]any{"age": "", "gender": "", "age_score": 0, "gender_score": 0},
		"status":          200})
}
