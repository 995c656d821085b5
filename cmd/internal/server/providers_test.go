package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// childFake is the variable that makes the test binary a fake OpenAI
// speech server (a second process) instead of running tests: it listens
// on a loopback port with the key in childFakeKey, prints its URL, and
// when its standard input closes prints the requests it received as JSON
// and exits.
const (
	childFake    = "CALLAUDIT_TEST_FAKE_OPENAI"
	childFakeKey = "CALLAUDIT_TEST_FAKE_OPENAI_KEY"
)

func TestMain(m *testing.M) {
	if os.Getenv(childFake) == "1" {
		os.Exit(runChildFake())
	}
	os.Exit(m.Run())
}

func runChildFake() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fake := openaitest.NewServer(openaitest.WithListener(l), openaitest.WithAPIKey(os.Getenv(childFakeKey)),
		openaitest.WithTranscription(func(*openaitest.AudioCall) openaitest.Transcription {
			return openaitest.Transcription{Text: "Добрый день, меня зовут Анна, компания Ромашка. Да, слушаю.", Language: "russian", Duration: 4,
				Segments: []openaitest.TranscriptionSegment{
					{Start: 0, End: 2, Text: " Добрый день, меня зовут Анна, компания Ромашка. Удобно говорить?"},
					{Start: 2.2, End: 4, Text: " Да, слушаю. Хотим автоматизировать продажи."},
				}}
		}))
	defer fake.Close()
	fmt.Println(fake.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := json.NewEncoder(os.Stdout).Encode(fake.Requests()); err != nil {
		return 1
	}
	return 0
}

// speechProcess is the fake speech server running as another process.
type speechProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	URL   string
}

func startSpeechProcess(t *testing.T, key string) *speechProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childFake+"=1", childFakeKey+"="+key)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &speechProcess{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	t.Cleanup(func() {
		_ = p.stdin.Close()
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	})
	line, err := p.out.ReadString('\n')
	require.NoError(t, err)
	p.URL = strings.TrimSpace(line)
	require.True(t, strings.HasPrefix(p.URL, "http://127.0.0.1:"), p.URL)
	return p
}

// requests stops the process and returns the requests it received.
func (p *speechProcess) requests(t *testing.T) []openaitest.Request {
	t.Helper()
	require.NoError(t, p.stdin.Close())
	var reqs []openaitest.Request
	require.NoError(t, json.NewDecoder(p.out).Decode(&reqs))
	require.NoError(t, p.cmd.Wait())
	return reqs
}

// TestSeparateSpeechAndScoringServers: a local speech server (the fake,
// as a second process on another port with another key) and a different
// scoring endpoint each receive only their own requests, with their own
// key; the shared OPENAI_API_KEY reaches neither, and no key is logged.
func TestSeparateSpeechAndScoringServers(t *testing.T) {
	const speechKey, scoreKey, sharedKey = "sk-speech-local-0123456789", "sk-score-hosted-9876543210", "sk-shared-never-sent-4242"
	speech := startSpeechProcess(t, speechKey)
	scoring := openaitest.NewServer(openaitest.WithAPIKey(scoreKey))
	defer scoring.Close()
	require.NotEqual(t, speech.URL, scoring.URL)

	cfg := testConfig(t, map[string]string{
		"OPENAI_API_KEY":            sharedKey,
		"AUDIT_TRANSCRIBE_BASE_URL": speech.URL,
		"AUDIT_TRANSCRIBE_API_KEY":  speechKey,
		"AUDIT_SCORE_BASE_URL":      scoring.URL,
		"AUDIT_SCORE_API_KEY":       scoreKey,
		"AUDIT_AUTH":                "off",
	})
	logs := &syncBuffer{}
	app := fx.New(options(t, cfg, slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, app.Err())
	require.NoError(t, app.Start(context.Background()))
	defer func() { require.NoError(t, app.Stop(context.Background())) }()
	base := "http://" + listenAddr(t, logs.String())

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("audio", "call.wav")
	require.NoError(t, err)
	_, _ = fw.Write(transcribetest.WAV(1, 8000, 1))
	require.NoError(t, mw.WriteField("content_mode", "Manager+"))
	require.NoError(t, mw.Close())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/analyze_audio_call", &form)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var rep score.Report
	require.NoError(t, json.Unmarshal(body, &rep))
	assert.NotEmpty(t, rep.Meta.Model, "scored by the scoring server's model")
	require.NotNil(t, rep.Transcript)
	assert.Contains(t, rep.Transcript.Text(), "Ромашка", "transcribed by the speech server")

	scoreReqs := scoring.Requests()
	require.NotEmpty(t, scoreReqs)
	for _, r := range scoreReqs {
		assert.Equal(t, "/v1/chat/completions", r.Path, "the scoring server gets only chat requests")
		assert.True(t, r.Authorized, "with its own key")
	}
	speechReqs := speech.requests(t)
	require.NotEmpty(t, speechReqs)
	for _, r := range speechReqs {
		assert.Equal(t, "/v1/audio/transcriptions", r.Path, "the speech server gets only transcriptions")
		assert.True(t, r.Authorized, "with its own key")
		assert.Equal(t, cfg.OpenAI.TranscribeModel, r.Model)
	}
	for _, key := range []string{speechKey, scoreKey, sharedKey} {
		assert.NotContains(t, logs.String(), key, "no key is logged")
	}
	startup := cfg.String()
	assert.Contains(t, startup, speech.URL, "the startup description names the speech server")
	for _, key := range []string{speechKey, scoreKey, sharedKey} {
		assert.NotContains(t, startup, key, "and shows no key")
	}
}
