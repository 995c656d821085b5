package openai_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/transcribe"
)

// patternAudio is a recording of any size that holds no memory: a WAV
// header, then bytes that depend on their offset, so that a misplaced or
// repeated block changes the file's hash.
type patternAudio struct{ head []byte }

func (p patternAudio) ReadAt(b []byte, off int64) (int, error) {
	for i := range b {
		o := off + int64(i)
		if o < int64(len(p.head)) {
			b[i] = p.head[o]
		} else {
			b[i] = byte(o*7 + o>>9 + o>>17)
		}
	}
	return len(b), nil
}

func patternRecording(size int64) transcribe.Audio {
	return transcribe.Audio{Data: patternAudio{head: wav()[:44]}, Size: size, Filename: "long.wav"}
}

func sha(t testing.TB, r io.Reader) [32]byte {
	t.Helper()
	h := sha256.New()
	_, err := io.Copy(h, r)
	require.NoError(t, err)
	return [32]byte(h.Sum(nil))
}

// fileOf reads a multipart request and returns its file part's hash and
// size, streaming: nothing is held in memory.
func fileOf(t testing.TB, r *http.Request) (sum [32]byte, size int64) {
	t.Helper()
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	require.NoError(t, err)
	mr := multipart.NewReader(r.Body, params["boundary"])
	found := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if p.FormName() != "file" {
			continue
		}
		found = true
		h := sha256.New()
		size, err = io.Copy(h, p)
		require.NoError(t, err)
		sum = [32]byte(h.Sum(nil))
	}
	require.True(t, found, "the request has a file part")
	return sum, size
}

// TestTranscriberUploadMemory checks that a 24 MiB piece is streamed from
// its ReaderAt rather than copied into memory (go-openai's own
// CreateTranscription allocates at least the file's size, 24-48 MiB).
func TestTranscriberUploadMemory(t *testing.T) {
	const size = 24 << 20
	audio := patternRecording(size)
	want := sha(t, audio.Reader())

	var mu sync.Mutex
	var gotSum [32]byte
	var gotSize, gotLength int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum, n := fileOf(t, r)
		mu.Lock()
		gotSum, gotSize, gotLength = sum, n, r.ContentLength
		mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"text": "hello", "language": "english", "duration": 1.0,
			"segments": []map[string]any{{"start": 0.0, "end": 1.0, "text": " hello"}}})
	}))
	defer srv.Close()
	tr, err := openai.NewTranscriber(openai.Config{APIKey: "k", BaseURL: srv.URL})
	require.NoError(t, err)
	// Warm up connections and lazily built state, so that only the upload
	// itself is measured.
	_, err = tr.Transcribe(context.Background(), transcribe.AudioFromBytes("a.wav", wav()), transcribe.Options{})
	require.NoError(t, err)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out, err := tr.Transcribe(context.Background(), audio, transcribe.Options{})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Len(t, out.Segments, 1)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, want, gotSum, "the server received the file intact")
	assert.Equal(t, int64(size), gotSize)
	assert.Greater(t, gotLength, int64(size), "the request announced its length (file plus form)")
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KiB for a %d MiB upload (client and server)", alloc>>10, size>>20)
	assert.Less(t, alloc, uint64(size/16), "allocations stay far below the upload's size")
}

// bodyRecorder keeps a copy of every request body that passes through.
type bodyRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs []recordedBody
}

type recordedBody struct {
	body          []byte
	contentType   string
	contentLength int64
}

func (b *bodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	_ = req.Body.Close()
	b.mu.Lock()
	b.reqs = append(b.reqs, recordedBody{body: body, contentType: req.Header.Get("Content-Type"), contentLength: req.ContentLength})
	b.mu.Unlock()
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	return b.base.RoundTrip(r)
}

// TestTranscriberRetryAfter503ResendsTheFile checks every byte of both
// attempts: the second is read afresh from the recording, not from where
// the first left off.
func TestTranscriberRetryAfter503ResendsTheFile(t *testing.T) {
	const size = 3<<20 + 12345
	audio := patternRecording(size)
	want := sha(t, audio.Reader())

	srv, cfg, w := fakeConfig(t)
	rec := &bodyRecorder{base: srv.Client().Transport}
	cfg.HTTPClient = &http.Client{Transport: rec}
	tr, err := openai.NewTranscriber(cfg)
	require.NoError(t, err)
	srv.Fail(openaitest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "1"})
	out, err := tr.Transcribe(context.Background(), audio, transcribe.Options{Language: "en"})
	require.NoError(t, err)
	assert.NotEmpty(t, out.Segments)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.StatusServiceUnavailable, reqs[0].Status)
	assert.Equal(t, http.StatusOK, reqs[1].Status)
	require.NotNil(t, reqs[1].Audio)
	assert.Equal(t, int64(size), reqs[1].Audio.FileSize)
	assert.Equal(t, "long.wav", reqs[1].Audio.Filename)
	assert.Equal(t, "wav", reqs[1].Audio.Format.Ext)
	assert.Len(t, w.all(), 1, "one backoff")

	require.Len(t, rec.reqs, 2)
	for i, r := range rec.reqs {
		assert.Equal(t, int64(len(r.body)), r.contentLength, "attempt %d announced its exact length", i+1)
		hr := &http.Request{Header: http.Header{"Content-Type": {r.contentType}}, Body: io.NopCloser(bytes.NewReader(r.body))}
		sum, n := fileOf(t, hr)
		assert.Equal(t, int64(size), n, "attempt %d", i+1)
		assert.Equal(t, want, sum, "attempt %d sent the whole file", i+1)
	}
}
