package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage/storagetest"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

const dialog = "Менеджер: Добрый день! Меня зовут Анна, компания Ромашка. Удобно говорить?\n" +
	"Клиент: Да, слушаю.\nМенеджер: Какие задачи вы сейчас решаете с CRM?\n" +
	"Клиент: Хотим автоматизировать продажи.\nМенеджер: Давайте я пришлю предложение и созвонимся в четверг?\nКлиент: Хорошо."

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "auditd-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "auditd")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building auditd: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running auditd.
type process struct {
	cmd    *exec.Cmd
	base   string
	logs   *syncBuffer
	exited chan struct{}
	code   int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// environ is the test process's environment without any callaudit or
// OpenAI setting, so that the developer's own configuration cannot leak in.
func environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AUDIT_") || strings.HasPrefix(kv, "OPENAI_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// start runs auditd in dir on a free loopback port and waits until it
// listens; extra are KEY=VALUE settings.
func start(t *testing.T, dir string, extra ...string) *process {
	t.Helper()
	p := &process{logs: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(binary)
	p.cmd.Dir = dir
	p.cmd.Env = environ(append([]string{"AUDIT_ADDR=127.0.0.1:0", "AUDIT_LOG_FORMAT=json"}, extra...)...)
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())

	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			_, _ = p.logs.Write(append(line, '\n'))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		err := p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		_ = err
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	select {
	case a := <-addr:
		p.base = "http://" + a
	case <-p.exited:
		t.Fatalf("auditd exited with %d before listening:\n%s", p.code, p.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("auditd did not start:\n%s", p.logs.String())
	}
	return p
}

// stop sends SIGTERM and returns the exit code.
func (p *process) stop(t *testing.T) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("auditd did not stop:\n%s", p.logs.String())
	}
	return p.code
}

func postJSON(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func analyzeBody(callID string) string {
	b, _ := json.Marshal(map[string]string{"dialog_text": dialog, "content_mode": "Manager +", "call_id": callID, "manager_id": "anna"})
	return string(b)
}

func TestDefaultsServeUIAndAPI(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir)

	resp, err := http.Get(p.base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp, err = http.Get(p.base + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, strings.ToLower(string(page)), "<html")

	resp, body := postJSON(t, p.base+"/analyze_call", analyzeBody("call-1"))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var rep score.Report
	require.NoError(t, json.Unmarshal(body, &rep))
	assert.Equal(t, "call-1", rep.ID)
	assert.Equal(t, score.ModeManager, rep.Meta.Mode)
	assert.Contains(t, strings.ToLower(rep.Meta.Scorer), "checklist", "offline scorer without a key")
	assert.NotEmpty(t, rep.Criteria)
	assert.Equal(t, "ru", rep.Meta.Language)

	// Audio without a transcriber says what to configure.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("audio", "call.wav")
	require.NoError(t, err)
	_, _ = fw.Write(transcribetest.WAV(0.5, 8000, 1))
	require.NoError(t, mw.WriteField("content_mode", "Manager+"))
	require.NoError(t, mw.Close())
	resp, err = http.Post(p.base+"/analyze_audio_call", mw.FormDataContentType(), &form)
	require.NoError(t, err)
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, string(msg), "OPENAI_API_KEY")

	assert.Equal(t, 0, p.stop(t))
	_, err = os.Stat(filepath.Join(dir, "callaudit.db"))
	assert.NoError(t, err, "history is kept in ./callaudit.db by default")
}

func TestDataSurvivesRestart(t *testing.T) {
	stores := []struct {
		name string
		env  func(t *testing.T) []string
	}{
		{"sqlite default", func(t *testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string {
			return []string{"AUDIT_DATABASE_URL=" + storagetest.PostgresURL(t, os.Getenv)}
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := st.env(t)
			dir := t.TempDir()
			// The PostgreSQL database is shared between runs: a fresh id.
			id := "restart-" + strconv.FormatInt(time.Now().UnixNano(), 36)
			p := start(t, dir, env...)
			resp, body := postJSON(t, p.base+"/analyze_call", analyzeBody(id))
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			var first score.Report
			require.NoError(t, json.Unmarshal(body, &first))
			require.Equal(t, 0, p.stop(t))

			p = start(t, dir, env...)
			resp, err := http.Get(p.base + "/calls/" + id)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			var call httpapi.Call
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&call))
			assert.Equal(t, id, call.ID)
			assert.Equal(t, "anna", call.ManagerID)
			require.NotNil(t, call.Report)
			assert.Equal(t, first.TotalScore, call.Report.TotalScore)
			assert.Equal(t, first.Criteria, call.Report.Criteria)
			assert.Equal(t, 0, p.stop(t))
		})
	}
}

func TestDotEnvFile(t *testing.T) {
	dir := t.TempDir()
	// The environment's AUDIT_ADDR (a free port) wins over the file's.
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte(
		"# local settings\nAUDIT_ADDR=127.0.0.1:1\nAUDIT_DATABASE_URL=\"history.db\"\nAUDIT_MAX_DIALOG_BYTES=100\n"), 0o600))
	p := start(t, dir)
	resp, body := postJSON(t, p.base+"/analyze_call", analyzeBody("big"))
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "the .env dialog limit applies: %s", body)
	require.Equal(t, 0, p.stop(t))
	_, err := os.Stat(filepath.Join(dir, "history.db"))
	assert.NoError(t, err, "the .env database path is used")
}

func TestBadConfigurationExits(t *testing.T) {
	cmd := exec.Command(binary)
	cmd.Dir = t.TempDir()
	cmd.Env = environ("AUDIT_ADDR=127.0.0.1:0", "AUDIT_SHUTDOWN_TIMEOUT=soon")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "want a non-zero exit, got %v", err)
	assert.Equal(t, 2, ee.ExitCode())
	assert.Contains(t, string(out), "AUDIT_SHUTDOWN_TIMEOUT")
}

func TestSIGTERMLetsSlowRequestFinish(t *testing.T) {
	fake := openaitest.NewServer(openaitest.WithDelay(1500 * time.Millisecond))
	defer fake.Close()
	p := start(t, t.TempDir(), "OPENAI_API_KEY="+fake.APIKey, "OPENAI_BASE_URL="+fake.URL)

	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Post(p.base+"/analyze_call", "application/json", strings.NewReader(analyzeBody("slow-1")))
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, b, err}
	}()
	// Signal once the request is waiting on the model.
	require.Eventually(t, func() bool { return fake.MaxInFlight() >= 1 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))

	r := <-done
	require.NoError(t, r.err)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var rep score.Report
	require.NoError(t, json.Unmarshal(r.body, &rep))
	assert.Equal(t, "slow-1", rep.ID)
	assert.NotEmpty(t, rep.Meta.Model, "scored by the (fake) model")

	<-p.exited
	assert.Equal(t, 0, p.code)
	logs := p.logs.String()
	assert.Contains(t, logs, "shutting down")
	assert.NotContains(t, logs, fake.APIKey, "the API key is never logged")
	assert.Contains(t, logs, "REDACTED", "the config is logged with the key redacted")
}

func TestAnalyzeByURL(t *testing.T) {
	recording := transcribetest.WAV(1, 8000, 1)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(recording)
	}))
	defer files.Close()
	fake := openaitest.NewServer()
	defer fake.Close()
	openaiEnv := []string{"OPENAI_API_KEY=" + fake.APIKey, "OPENAI_BASE_URL=" + fake.URL}
	body := `{"file_url":"` + files.URL + `/rec/call-7.mp3?token=s3cr3t","content_mode":"Client+","call_id":"url-1"}`

	t.Run("loopback refused by default", func(t *testing.T) {
		p := start(t, t.TempDir(), openaiEnv...)
		resp, b := postJSON(t, p.base+"/analyze_audio_by_url", body)
		assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, string(b))
		assert.Contains(t, string(b), "AUDIT_FETCH_ALLOW_HOSTS")
		assert.NotContains(t, string(b), "s3cr3t", "the URL's token is not echoed")
		assert.Equal(t, 0, p.stop(t))
	})
	t.Run("allowed host", func(t *testing.T) {
		p := start(t, t.TempDir(), append(openaiEnv, "AUDIT_FETCH_ALLOW_HOSTS=127.0.0.1")...)
		resp, b := postJSON(t, p.base+"/analyze_audio_by_url", body)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
		var rep score.Report
		require.NoError(t, json.Unmarshal(b, &rep))
		assert.Equal(t, score.ModeClient, rep.Meta.Mode)
		require.NotNil(t, rep.Transcript)
		var names []string
		for _, r := range fake.Requests() {
			if r.Audio != nil {
				names = append(names, r.Audio.Filename)
			}
		}
		assert.Equal(t, []string{"call-7.wav"}, names, "sent under its real format's extension")
		assert.Equal(t, 0, p.stop(t))
	})
}

func TestSIGTERMRightAfterStart(t *testing.T) {
	dir := t.TempDir()
	for range 3 {
		p := start(t, dir)
		assert.Equal(t, 0, p.stop(t), "a signal as soon as the server listens is a clean stop:\n%s", p.logs.String())
	}
}
