package httpapi_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// formPart is one part of a multipart body, in order.
type formPart struct {
	name, filename string
	data           []byte
}

func field(name, value string) formPart { return formPart{name: name, data: []byte(value)} }

func file(filename string, data []byte) formPart {
	return formPart{name: "audio", filename: filename, data: data}
}

func uploadReq(t *testing.T, parts ...formPart) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		require.NoError(t, err)
		_, err = w.Write(p.data)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	r := httptest.NewRequest(http.MethodPost, "/analyze_audio_call", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestAnalyzeAudioCall(t *testing.T) {
	stt := newSTT()
	e := newEnv(t, envOpts{transcriber: stt})
	audio := transcribetest.WAV(0.5, 8000, 1)
	// The name says mp3; the bytes say wav, and the bytes win.
	rec := e.do(uploadReq(t, field("content_mode", "Client +"), field("manager_id", "boris"), file("звонок.mp3", audio), field("call_id", "a-1")))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	require.Equal(t, 1, stt.CallCount())
	seen := stt.Calls()[0]
	assert.Equal(t, "звонок.wav", seen.Filename)
	assert.Equal(t, "audio/wav", seen.ContentType)
	assert.Equal(t, int64(len(audio)), seen.Size)
	assert.Equal(t, audio, seen.Data, "the transcriber reads the upload byte for byte")
	require.Len(t, stt.files, 1, "the upload is streamed to a temporary file, not kept in memory")
	assert.True(t, strings.HasSuffix(stt.files[0], ".wav"), stt.files[0])
	assert.Empty(t, e.tempFiles(), "the temporary file is removed after the analysis")

	rep := decode[reportBody](t, rec)
	assert.Equal(t, "a-1", rep.ID)
	assert.Equal(t, "boris", rep.Meta.ManagerID)
	assert.Equal(t, "Client+", rep.Meta.Mode)
	require.NotNil(t, rep.Transcript)
	want := transcribetest.SampleTranscript()
	assert.Equal(t, want.Source, rep.Transcript.Source)
	require.Len(t, rep.Transcript.Segments, len(want.Segments))
	for i, s := range want.Segments {
		assert.Equal(t, string(s.Speaker), rep.Transcript.Segments[i].Speaker)
		assert.Equal(t, s.Text, rep.Transcript.Segments[i].Text)
	}

	stored, err := e.store.Get(t.Context(), "a-1")
	require.NoError(t, err)
	assert.Equal(t, storage.SourceAudio, stored.Source)
}

func TestAnalyzeAudioCallFormats(t *testing.T) {
	tests := []struct {
		name, ext string
		head      []byte
	}{
		{"flac", "flac", []byte("fLaC\x00\x00\x00\x22")},
		{"ogg", "ogg", []byte("OggS\x00\x02\x00\x00")},
		{"mp3 with ID3", "mp3", []byte("ID3\x04\x00\x00\x00\x00")},
		{"m4a", "m4a", []byte("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00")},
		{"webm", "webm", []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stt := newSTT()
			e := newEnv(t, envOpts{transcriber: stt})
			data := append(append([]byte{}, tt.head...), make([]byte, 200)...)
			rec := e.do(uploadReq(t, file("upload.bin", data)))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			require.Equal(t, 1, stt.CallCount())
			assert.Equal(t, "upload."+tt.ext, stt.Calls()[0].Filename)
			assert.Equal(t, data, stt.Calls()[0].Data)
		})
	}
}

func TestAnalyzeAudioCallErrors(t *testing.T) {
	tests := []struct {
		name     string
		noSTT    bool
		maxAudio int64
		req      func(t *testing.T) *http.Request
		status   int
		code     callaudit.Kind
		field    string
		contains string
	}{
		{name: "no transcriber", noSTT: true, req: func(t *testing.T) *http.Request { return uploadReq(t, file("a.wav", wav())) }, status: 503, code: callaudit.KindNotConfigured, contains: "set OPENAI_API_KEY to transcribe audio"},
		{name: "not audio", req: func(t *testing.T) *http.Request {
			return uploadReq(t, file("call.mp3", []byte("Менеджер: это не запись, а текст")))
		}, status: 415, code: callaudit.KindUnsupported, field: "audio", contains: "not its name"},
		{name: "JSON instead of multipart", req: func(t *testing.T) *http.Request {
			return jsonReq(http.MethodPost, "/analyze_audio_call", `{"audio":"x"}`)
		}, status: 415, code: callaudit.KindUnsupported, contains: "multipart/form-data"},
		{name: "too large", maxAudio: 1000, req: func(t *testing.T) *http.Request { return uploadReq(t, file("a.wav", transcribetest.WAV(1, 8000, 1))) }, status: 413, code: callaudit.KindTooLarge, field: "audio", contains: "1000 bytes"},
		{name: "no file", req: func(t *testing.T) *http.Request { return uploadReq(t, field("content_mode", "Manager+")) }, status: 422, code: callaudit.KindInvalid, field: "audio"},
		{name: "empty file", req: func(t *testing.T) *http.Request { return uploadReq(t, file("a.wav", nil)) }, status: 422, code: callaudit.KindInvalid, field: "audio", contains: "empty"},
		{name: "two files", req: func(t *testing.T) *http.Request {
			return uploadReq(t, file("a.wav", wav()), file("b.wav", wav()))
		}, status: 422, code: callaudit.KindInvalid, field: "audio"},
		{name: "unknown mode before the file", req: func(t *testing.T) *http.Request {
			return uploadReq(t, field("content_mode", "Boss"), file("a.wav", wav()))
		}, status: 422, code: callaudit.KindInvalid, field: "content_mode", contains: "accepted values"},
		{name: "unknown mode after the file", req: func(t *testing.T) *http.Request {
			return uploadReq(t, file("a.wav", wav()), field("content_mode", "Boss"))
		}, status: 422, code: callaudit.KindInvalid, field: "content_mode"},
		{name: "field too long", req: func(t *testing.T) *http.Request {
			return uploadReq(t, field("manager_id", strings.Repeat("m", 5000)), file("a.wav", wav()))
		}, status: 422, code: callaudit.KindInvalid, field: "manager_id"},
		{name: "bad language", req: func(t *testing.T) *http.Request {
			return uploadReq(t, field("language", "not a language!"), file("a.wav", wav()))
		}, status: 422, code: callaudit.KindInvalid, field: "language"},
		{name: "broken multipart", req: func(t *testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/analyze_audio_call", strings.NewReader("--xyz\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"\r\n\r\nRIFF"))
			r.Header.Set("Content-Type", "multipart/form-data; boundary=xyz")
			return r
		}, status: 400, code: callaudit.KindMalformed},
		{name: "multipart without boundary", req: func(t *testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/analyze_audio_call", strings.NewReader("x"))
			r.Header.Set("Content-Type", "multipart/form-data")
			return r
		}, status: 400, code: callaudit.KindMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := envOpts{cfg: cfgWith(func(c *cfgT) {
				c.MaxAudioBytes = tt.maxAudio
				c.TranscriberHint = "set OPENAI_API_KEY to transcribe audio"
			})}
			stt := newSTT()
			if !tt.noSTT {
				o.transcriber = stt
			}
			e := newEnv(t, o)
			b := requireError(t, e.do(tt.req(t)), tt.status, tt.code)
			if tt.field != "" {
				require.NotEmpty(t, b.Error.Fields, b.Error.Message)
				assert.Equal(t, tt.field, b.Error.Fields[0].Field)
			}
			if tt.contains != "" {
				assert.Contains(t, b.Error.Message, tt.contains)
			}
			assert.Zero(t, stt.CallCount(), "nothing reached the transcriber")
			assert.Empty(t, e.tempFiles(), "no upload is left behind")
		})
	}
}

func TestAnalyzeAudioCallTranscriberErrors(t *testing.T) {
	tests := []struct {
		err    error
		status int
	}{
		{callaudit.Errorf(callaudit.KindUpstream, "speech-to-text answered 500"), 502},
		{callaudit.Errorf(callaudit.KindUnavailable, "speech-to-text is unreachable"), 503},
		{callaudit.Errorf(callaudit.KindTimeout, "speech-to-text timed out"), 504},
		{callaudit.Errorf(callaudit.KindRateLimited, "speech-to-text rate limit"), 429},
		{callaudit.Errorf(callaudit.KindUnsupported, "the codec is not supported"), 415},
		{callaudit.Errorf(callaudit.KindTooLarge, "the recording is too long"), 413},
	}
	for _, tt := range tests {
		t.Run(string(callaudit.KindOf(tt.err)), func(t *testing.T) {
			e := newEnv(t, envOpts{transcriber: &transcribetest.Fake{Err: tt.err}})
			b := requireError(t, e.do(uploadReq(t, file("a.wav", wav()))), tt.status, callaudit.KindOf(tt.err))
			assert.Equal(t, callaudit.MessageOf(tt.err), b.Error.Message)
			assert.Empty(t, e.tempFiles())
		})
	}
}
