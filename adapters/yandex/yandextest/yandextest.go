// Package yandextest is a fake of Yandex SpeechKit's asynchronous
// recognition, API v3, for tests, after the REST reference
// (yandex.cloud/en/docs/speechkit/stt-v3/api-ref/AsyncRecognizer:
// RecognizeFile, GetRecognition), the operation service
// (GET /operations/{id}) and the proto of yandex-cloud/cloudapi
// (yandex/cloud/ai/stt/v3/stt.proto), all on one loopback server.
//
// Like the real API it answers errors as google.rpc.Status JSON
// ({"code": 16, "message": …, "details": []}): 401 for a missing or wrong
// API key, an unknown or expired IAM token ("The token has expired"; the
// reference's "Response status codes": 16/401 UNAUTHENTICATED, "check
// that you are using the correct account, API key, and IAM token, and
// that the token has not expired"), 403 for a folder the token may not
// use (7/403 PERMISSION_DENIED), 400
// for an IAM token without x-folder-id, for a body that is not the
// RecognizeFileRequest (unknown fields, not exactly one of content and
// uri, not exactly one audio format, an unknown encoding, rate, container,
// model or language), 404 for an unknown operation or results asked for
// before the operation is done. Audio over the 60 MB the reference allows
// in a request body is refused with 413 (the reference states the limit,
// not the status). Audio that does not decode as its declared format ends
// the operation with an error. Operations stay running for WithDelay.
package yandextest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit/adapters/internal/vendortest"
	"github.com/callaudit/callaudit/transcribe"
)

// Credentials the fake accepts unless told otherwise.
const (
	DefaultAPIKey   = "AQVNfake-yandex-api-key-0123456789abcdef"
	DefaultIAMToken = "t1.fake-iam-token-9euAhq2Nk3Nl"
	DefaultFolderID = "b1gfakefolder0000000"
)

// MaxContentBytes is the reference's limit of audio in a request body.
const MaxContentBytes = 60_000_000

// Request is one recorded request.
type Request struct {
	Method, Path string
	Status       int
	// Authorization scheme used ("Api-Key" or "Bearer") and x-folder-id.
	Scheme, Folder string
	// Model is the recognitionModel of a recognizeFileAsync request.
	Model map[string]any
}

// Recognition is what a responder sees.
type Recognition struct {
	// Model is the request's recognitionModel.
	Model map[string]any
	// Audio is the decoded content; Channels is from rawAudio (1 for
	// containers).
	Audio    []byte
	Channels int
}

// Utterance is one recognised phrase.
type Utterance struct {
	Channel    int
	Raw, Text  string // the final's text and its normalized refinement
	Start, End time.Duration
}

// Responder recognises a request.
type Responder func(Recognition) []Utterance

// Server is a running fake. Close it when done.
type Server struct {
	// URL serves both the recognition API and the operation service.
	URL                        string
	APIKey, IAMToken, FolderID string

	srv       *httptest.Server
	responder Responder
	delay     time.Duration
	failure   string
	mu        sync.Mutex
	expired   bool
	ops       map[string]*op
	log       vendortest.Log[Request]
}

type op struct {
	id      string
	created time.Time
	failure string
	lines   []byte
}

// Option configures a Server.
type Option func(*Server)

// WithDelay keeps operations running for d.
func WithDelay(d time.Duration) Option { return func(s *Server) { s.delay = d } }

// WithFailure ends every operation with msg as its error, as the service
// does for audio it cannot decode.
func WithFailure(msg string) Option { return func(s *Server) { s.failure = msg } }

// WithResponder replaces DefaultResponder.
func WithResponder(f Responder) Option { return func(s *Server) { s.responder = f } }

// NewServer starts a fake.
func NewServer(opts ...Option) *Server {
	s := &Server{APIKey: DefaultAPIKey, IAMToken: DefaultIAMToken, FolderID: DefaultFolderID, responder: DefaultResponder, ops: map[string]*op{}}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /stt/v3/recognizeFileAsync", s.authed(s.recognize))
	mux.HandleFunc("GET /operations/{id}", s.authed(s.operation))
	mux.HandleFunc("GET /stt/v3/getRecognition", s.authed(s.results))
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// ExpireIAMToken makes the IAM token expired; SetIAMToken issues a new one.
func (s *Server) ExpireIAMToken() { s.mu.Lock(); s.expired = true; s.mu.Unlock() }

// SetIAMToken replaces the accepted IAM token with a live one.
func (s *Server) SetIAMToken(token string) {
	s.mu.Lock()
	s.IAMToken, s.expired = token, false
	s.mu.Unlock()
}

// Requests returns the requests so far.
func (s *Server) Requests() []Request { return s.log.All() }

// DefaultResponder says one phrase per channel: the manager's greeting on
// channel 0 (or the only one), the client's question on channel 1.
func DefaultResponder(r Recognition) []Utterance {
	phrases := [][2]string{
		{"добрый день компания окна плюс меня зовут ольга чем могу помочь", "Добрый день, компания Окна Плюс, меня зовут Ольга, чем могу помочь?"},
		{"здравствуйте хочу узнать цену на пластиковые окна", "Здравствуйте, хочу узнать цену на пластиковые окна."},
	}
	var out []Utterance
	for c := range max(r.Channels, 1) {
		start := time.Duration(c)*1500*time.Millisecond + 100*time.Millisecond
		p := phrases[c%2]
		out = append(out, Utterance{Channel: c, Raw: p[0], Text: p[1], Start: start, End: start + 1200*time.Millisecond})
	}
	return out
}

// rpcError writes a google.rpc.Status with the HTTP status grpc-gateway
// maps its code to.
func rpcError(w http.ResponseWriter, status, code int, msg string) {
	vendortest.WriteJSON(w, status, map[string]any{"code": code, "message": msg, "details": []any{}})
}

// gRPC codes of the answers.
const (
	codeInvalidArgument = 3
	codeNotFound        = 5
	codeUnauthenticated = 16
)

func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		rec := &Request{Method: r.Method, Path: r.URL.Path, Scheme: scheme, Folder: r.Header.Get("x-folder-id")}
		rw, done := s.log.Track(w, rec, func(r *Request) *int { return &r.Status })
		defer done()
		s.mu.Lock()
		iam, expired := s.IAMToken, s.expired
		s.mu.Unlock()
		switch {
		case scheme == "Api-Key" && cred == s.APIKey:
		case scheme == "Bearer" && cred == iam && expired:
			rpcError(rw, http.StatusUnauthorized, codeUnauthenticated, "The token has expired")
			return
		case scheme == "Bearer" && cred == iam:
			if rec.Folder == "" {
				rpcError(rw, http.StatusBadRequest, codeInvalidArgument, "x-folder-id is required with an IAM token")
				return
			}
			if rec.Folder != s.FolderID {
				rpcError(rw, http.StatusForbidden, 7, "Permission denied")
				return
			}
		default:
			rpcError(rw, http.StatusUnauthorized, codeUnauthenticated, "Unauthenticated")
			return
		}
		h(rw, r, rec)
	}
}

func newID() string { return "e03" + vendortest.HexID(10) }

var (
	models    = map[string]bool{"general": true, "general:rc": true, "general:deprecated": true}
	languages = map[string]bool{"auto": true, "ru-RU": true, "en-US": true, "kk-KZ": true, "de-DE": true, "uz-UZ": true, "tr-TR": true}
	rates     = map[string]bool{"8000": true, "16000": true, "48000": true}
	container = map[string]bool{"WAV": true, "OGG_OPUS": true, "MP3": true}
)

func (s *Server) recognize(w http.ResponseWriter, r *http.Request, rec *Request) {
	if r.ContentLength > MaxContentBytes*4/3+64<<10 {
		rpcError(w, http.StatusRequestEntityTooLarge, codeInvalidArgument, "the audio is larger than 60 MB; upload it to Object Storage and pass its uri")
		return
	}
	var req struct {
		Content          *string         `json:"content"`
		URI              *string         `json:"uri"`
		RecognitionModel json.RawMessage `json:"recognitionModel"`
		// The reference's other fields, accepted.
		RecognitionClassifier json.RawMessage `json:"recognitionClassifier"`
		SpeechAnalysis        json.RawMessage `json:"speechAnalysis"`
		SpeakerLabeling       json.RawMessage `json:"speakerLabeling"`
		Summarization         json.RawMessage `json:"summarization"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		rpcError(w, http.StatusBadRequest, codeInvalidArgument, "invalid RecognizeFileRequest: "+err.Error())
		return
	}
	if (req.Content == nil) == (req.URI == nil) {
		rpcError(w, http.StatusBadRequest, codeInvalidArgument, "exactly one of content and uri must be set")
		return
	}
	if req.URI != nil {
		rpcError(w, http.StatusBadRequest, codeInvalidArgument, "this fake reads content only")
		return
	}
	audio, err := base64.StdEncoding.DecodeString(*req.Content)
	if err != nil {
		rpcError(w, http.StatusBadRequest, codeInvalidArgument, "content is not base64")
		return
	}
	if len(audio) > MaxContentBytes {
		rpcError(w, http.StatusRequestEntityTooLarge, codeInvalidArgument, "the audio is larger than 60 MB; upload it to Object Storage and pass its uri")
		return
	}
	var model map[string]any
	_ = json.Unmarshal(req.RecognitionModel, &model)
	rec.Model = model
	channels, msg := checkModel(model)
	if msg != "" {
		rpcError(w, http.StatusBadRequest, codeInvalidArgument, msg)
		return
	}
	o := &op{id: newID(), created: time.Now()}
	if msg := decodes(audio, model, channels); msg != "" || s.failure != "" {
		if msg == "" {
			msg = s.failure
		}
		o.failure = msg
	} else {
		o.lines = resultLines(s.responder(Recognition{Model: model, Audio: audio, Channels: channels}))
	}
	s.mu.Lock()
	s.ops[o.id] = o
	s.mu.Unlock()
	vendortest.WriteJSON(w, http.StatusOK, operationJSON(o, false))
}

// checkModel checks recognitionModel and returns the channel count.
func checkModel(m map[string]any) (int, string) {
	if m == nil {
		return 0, "recognitionModel is required"
	}
	if name, _ := m["model"].(string); name != "" && !models[name] {
		return 0, fmt.Sprintf("unknown model %q", name)
	}
	af, _ := m["audioFormat"].(map[string]any)
	raw, hasRaw := af["rawAudio"].(map[string]any)
	cont, hasCont := af["containerAudio"].(map[string]any)
	if hasRaw == hasCont {
		return 0, "audioFormat must hold exactly one of rawAudio and containerAudio"
	}
	channels := 1
	if hasRaw {
		if raw["audioEncoding"] != "LINEAR16_PCM" {
			return 0, "rawAudio.audioEncoding must be LINEAR16_PCM"
		}
		if !rates[fmt.Sprint(raw["sampleRateHertz"])] {
			return 0, "rawAudio.sampleRateHertz must be 8000, 16000 or 48000"
		}
		n, err := strconv.Atoi(fmt.Sprint(raw["audioChannelCount"]))
		if err != nil || n < 1 || n > 8 {
			return 0, "rawAudio.audioChannelCount must be 1 to 8"
		}
		channels = n
	} else if t, _ := cont["containerAudioType"].(string); !container[t] {
		return 0, "containerAudio.containerAudioType must be WAV, OGG_OPUS or MP3"
	}
	if lr, ok := m["languageRestriction"].(map[string]any); ok {
		codes, _ := lr["languageCode"].([]any)
		for _, c := range codes {
			if s, _ := c.(string); !languages[s] {
				return 0, fmt.Sprintf("unknown language code %v", c)
			}
		}
	}
	return channels, ""
}

// decodes says why audio is not of the declared format, or "".
func decodes(audio []byte, m map[string]any, channels int) string {
	af, _ := m["audioFormat"].(map[string]any)
	if _, ok := af["rawAudio"]; ok {
		if len(audio) == 0 || len(audio)%(2*channels) != 0 {
			return "audio decoding failed: LINEAR16_PCM data is not whole frames"
		}
		return ""
	}
	cont, _ := af["containerAudio"].(map[string]any)
	f, _ := transcribe.SniffFormat(audio[:min(len(audio), 64)])
	want := map[string]string{"WAV": "wav", "OGG_OPUS": "ogg", "MP3": "mp3"}[fmt.Sprint(cont["containerAudioType"])]
	if f.Ext != want {
		return "audio decoding failed: not " + fmt.Sprint(cont["containerAudioType"])
	}
	return ""
}

// resultLines renders utterances as getRecognition's stream: a final and
// its refinement per utterance, int64 fields as strings.
func resultLines(us []Utterance) []byte {
	var b bytes.Buffer
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	for i, u := range us {
		tag := strconv.Itoa(u.Channel)
		alt := func(text string) map[string]any {
			return map[string]any{"words": []any{}, "text": text, "startTimeMs": ms(u.Start), "endTimeMs": ms(u.End), "confidence": 0, "languages": []any{map[string]any{"languageCode": "ru-RU", "probability": 1}}}
		}
		cursors := map[string]any{"receivedDataMs": ms(u.End), "resetTimeMs": "0", "partialTimeMs": ms(u.End), "finalTimeMs": ms(u.End), "finalIndex": strconv.Itoa(i), "eouTimeMs": "0"}
		for _, line := range []map[string]any{
			{"sessionUuid": map[string]any{"uuid": "fake"}, "audioCursors": cursors, "responseWallTimeMs": "1", "final": map[string]any{"alternatives": []any{alt(u.Raw)}, "channelTag": tag}, "channelTag": tag},
			{"sessionUuid": map[string]any{"uuid": "fake"}, "audioCursors": cursors, "responseWallTimeMs": "1", "finalRefinement": map[string]any{"finalIndex": strconv.Itoa(i), "normalizedText": map[string]any{"alternatives": []any{alt(u.Text)}, "channelTag": tag}}, "channelTag": tag},
		} {
			_ = json.NewEncoder(&b).Encode(map[string]any{"result": line})
		}
	}
	return b.Bytes()
}

func operationJSON(o *op, done bool) map[string]any {
	out := map[string]any{"id": o.id, "description": "STT async recognition", "createdAt": o.created.UTC().Format(time.RFC3339),
		"createdBy": "ajefakeserviceaccount", "modifiedAt": time.Now().UTC().Format(time.RFC3339), "done": done, "metadata": nil}
	if done && o.failure != "" {
		out["error"] = map[string]any{"code": codeInvalidArgument, "message": o.failure, "details": []any{}}
	} else if done {
		out["response"] = map[string]any{"@type": "type.googleapis.com/google.protobuf.Empty"}
	}
	return out
}

func (s *Server) lookup(id string) (*op, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.ops[id]
	return o, ok
}

func (s *Server) operation(w http.ResponseWriter, r *http.Request, _ *Request) {
	o, ok := s.lookup(r.PathValue("id"))
	if !ok {
		rpcError(w, http.StatusNotFound, codeNotFound, "operation not found")
		return
	}
	vendortest.WriteJSON(w, http.StatusOK, operationJSON(o, time.Since(o.created) >= s.delay))
}

func (s *Server) results(w http.ResponseWriter, r *http.Request, _ *Request) {
	o, ok := s.lookup(r.URL.Query().Get("operationId"))
	if !ok || time.Since(o.created) < s.delay || o.failure != "" {
		rpcError(w, http.StatusNotFound, codeNotFound, "no recognition results for this operation")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(o.lines)
}
