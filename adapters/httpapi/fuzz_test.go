package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
)

// fuzzHandler is a handler with speech-to-text, a store and a webhook
// queue, whose uploads go to dir; its log is discarded.
func fuzzHandler(f *testing.F, dir string) http.Handler {
	f.Helper()
	store := memory.New()
	a, err := audit.New(checklist.New(), audit.WithStore(store), audit.WithTranscriber(newSTT()), audit.WithFetcher(fakeFetcher{data: wav()}),
		audit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		f.Fatal(err)
	}
	h, err := httpapi.New(httpapi.Config{Auditor: a, TempDir: dir, MaxAudioBytes: 1 << 20, Registerer: prometheus.NewRegistry(),
		Logger: slog.New(slog.DiscardHandler), Webhooks: &fakeQueue{store: store}})
	if err != nil {
		f.Fatal(err)
	}
	return h
}

// checkAnswer fails on a 5xx (every input here is the client's fault or
// fine) and on an answer that is not the JSON it should be.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("status %d, not JSON: %q", rec.Code, rec.Body.String())
	}
}

// FuzzUpload posts arbitrary multipart bodies to /analyze_audio_call:
// never a 5xx or a panic, and no upload left in the temporary directory.
// Run it with -fuzzminimizetime 1s: minimizing a new input of this size
// otherwise takes the whole default minute.
func FuzzUpload(f *testing.F) {
	const boundary = "fuzzboundary"
	form := func(parts ...[3]string) []byte {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.SetBoundary(boundary)
		for _, p := range parts {
			var w interface{ Write([]byte) (int, error) }
			if p[1] != "" {
				w, _ = mw.CreateFormFile(p[0], p[1])
			} else {
				w, _ = mw.CreateFormField(p[0])
			}
			_, _ = w.Write([]byte(p[2]))
		}
		_ = mw.Close()
		return b.Bytes()
	}
	f.Add(form([3]string{"audio", "a.wav", string(wav())}, [3]string{"content_mode", "", "Client +"}))
	f.Add(form([3]string{"audio", "a.wav", string(wav())}, [3]string{"call_id", "", "c\x00"}, [3]string{"language", "", "de"}))
	f.Add(form([3]string{"audio", "a.mp3", "ID3\x04\x00\x00\x00\x00\x00\x00xx"}, [3]string{"audio", "b.wav", string(wav())}))
	f.Add(form([3]string{"audio", "a.txt", "Менеджер: это не запись"}))
	f.Add(form([3]string{"content_mode", "", "Boss"}, [3]string{"audio", "a.wav", string(wav())}))
	f.Add(form())
	f.Add([]byte("--" + boundary + "\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"\r\n\r\nRIFF"))
	f.Add([]byte{})
	dir := f.TempDir()
	h := fuzzHandler(f, dir)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/analyze_audio_call", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec)
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Fatalf("%d uploads left behind", len(left))
		}
	})
}

// FuzzWebhookBody posts arbitrary bodies to the webhook: never a 5xx or
// a panic, and a call is queued only when its input passes audit.Check.
func FuzzWebhookBody(f *testing.F) {
	f.Add([]byte(`{"call_id":"c1","manager_id":"m1","recording_url":"https://pbx.example/a.wav"}`))
	f.Add([]byte(`{"call_id":"c1","recording_url":"https://pbx.example/a.wav","content_mode":"Диалог","language":"en"}`))
	f.Add([]byte(`{"call_id":"c\u0000","recording_url":"http://2130706433/a.wav"}`))
	f.Add([]byte(`{"call_id":"c\u202e1","recording_url":"ftp://x"}`))
	f.Add([]byte(`{"call_id":5}`))
	f.Add([]byte(`{"call_id":"a"} {"call_id":"b"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"call_id":"`))
	h := fuzzHandler(f, f.TempDir())
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/webhook/new_call_recording", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec)
		if rec.Code != http.StatusAccepted && rec.Code != http.StatusOK {
			return
		}
		var req2 struct {
			CallID       string `json:"call_id"`
			ManagerID    string `json:"manager_id"`
			RecordingURL string `json:"recording_url"`
			ContentMode  string `json:"content_mode"`
			Language     string `json:"language"`
		}
		if err := json.Unmarshal(body, &req2); err != nil {
			t.Fatalf("queued a body that is not one JSON object: %v", err)
		}
		in := audit.Input{CallID: req2.CallID, ManagerID: req2.ManagerID, AudioURL: req2.RecordingURL, Mode: req2.ContentMode, Language: req2.Language, Source: "webhook"}
		if err := audit.Check(in); err != nil {
			t.Fatalf("queued an input audit.Check refuses: %v", err)
		}
		if !audit.ValidID(in.CallID) {
			t.Fatalf("queued call id %q", in.CallID)
		}
	})
}

var _ transcribe.Transcriber = (*recordingSTT)(nil)
