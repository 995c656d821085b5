package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/httpapi/web"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// transcriberHint is the 503 message the no-transcriber server answers
// audio with; the UI must show it as is.
const transcriberHint = "set OPENAI_API_KEY to transcribe audio"

// waitTimeout bounds every wait for the page; the whole run stays well
// under it when things work.
const waitTimeout = 15 * time.Second

// env is one reference server: the real httpapi handler with the web UI,
// an auditor over the offline scorer and an in-memory store.
type env struct {
	URL     string
	store   storage.Store
	auditor *audit.Auditor
	scorer  score.RubricScorer
	clock   *testClock
	fake    *transcribetest.Fake // nil when the server cannot transcribe
	gate    *gate
}

// testClock is the auditor's clock: the current time unless a test sets
// the day its seeded calls happened on.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = t
}

// gate holds every transcription until the test opens it, so that the
// page's "transcribing and scoring" state can be seen without depending on
// timing.
type gate struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gate) wait(ctx context.Context, _ transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
	select {
	case g.entered <- struct{}{}:
	default:
	}
	select {
	case <-g.release:
		return transcribetest.SampleTranscript(), nil
	case <-ctx.Done():
		return transcribe.Transcript{}, ctx.Err()
	}
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

// newEnv starts a reference server; extra are more auditor options (e.g.
// audit.WithEnergy for the energy-only measure).
func newEnv(t *testing.T, withTranscriber bool, extra ...audit.Option) *env {
	t.Helper()
	e := &env{store: memory.New(), scorer: checklist.New(), clock: &testClock{}}
	opts := []audit.Option{audit.WithStore(e.store), audit.WithClock(e.clock.Now), audit.WithLogger(slog.New(slog.DiscardHandler))}
	opts = append(opts, extra...)
	if withTranscriber {
		e.gate = &gate{entered: make(chan struct{}, 1), release: make(chan struct{})}
		t.Cleanup(e.gate.open)
		e.fake = &transcribetest.Fake{Func: e.gate.wait}
		opts = append(opts, audit.WithTranscriber(e.fake))
	}
	var err error
	e.auditor, err = audit.New(e.scorer, opts...)
	require.NoError(t, err)
	h, err := httpapi.New(httpapi.Config{
		Auditor:         e.auditor,
		UI:              web.Handler(),
		TranscriberHint: transcriberHint,
		Version:         "test",
		Logger:          slog.New(slog.DiscardHandler),
		TempDir:         t.TempDir(),
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// browser starts one headless Chromium for the whole test; each subtest
// opens its own tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("AUDIT_TEST_CHROMIUM")
	if path == "" {
		if os.Getenv("AUDIT_TEST_REQUIRE") == "1" {
			t.Fatal("AUDIT_TEST_CHROMIUM is not set and AUDIT_TEST_REQUIRE=1: browser tests cannot run")
		}
		t.Skip("missing test input: AUDIT_TEST_CHROMIUM is not set (scripts/test.sh sets it)")
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(bctx), "starting Chromium at %s", path)
	return bctx
}

// tab is one browser tab that records what the page does wrong: script
// exceptions, console errors, Content-Security-Policy violations and any
// request that leaves the test server.
type tab struct {
	ctx    context.Context
	origin string

	mu       sync.Mutex
	problems []string
}

func openTab(t *testing.T, bctx context.Context, origin string) *tab {
	t.Helper()
	tctx, cancel := chromedp.NewContext(bctx)
	tb := &tab{origin: origin}
	// Listen opens the tab; the timeout is set only after that, since the
	// context of the first call owns the tab.
	require.NoError(t, chromedp.Listen(tctx, tb.record))
	ctx, cancelTimeout := context.WithTimeout(tctx, 45*time.Second)
	tb.ctx = ctx
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		tb.mu.Lock()
		defer tb.mu.Unlock()
		assert.Empty(t, tb.problems, "the page misbehaved")
	})
	return tb
}

func (tb *tab) record(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		u := ev.Request.URL
		if !strings.HasPrefix(u, tb.origin+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			problem = "request outside the server: " + u
		}
	case *runtime.EventExceptionThrown:
		problem = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			problem += " " + ev.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			problem = "console.error"
		}
	case *log.EventEntryAdded:
		// Failed API calls (a 422 the page handles) are logged as network
		// errors; policy violations are what the page must never cause.
		if strings.Contains(ev.Entry.Text, "Content Security Policy") {
			problem = "CSP: " + ev.Entry.Text
		}
	}
	if problem != "" {
		tb.mu.Lock()
		tb.problems = append(tb.problems, problem)
		tb.mu.Unlock()
	}
}

// goTo loads a page of the app and waits until the script has started.
func (tb *tab) goTo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, chromedp.Do(tb.ctx, chromedp.Navigate(tb.origin+path)))
	tb.waitJS(t, `document.body.dataset.ready === "true"`)
	tb.rendered(t, "")
}

// rendered waits until the page for the current address, which contains
// part, has its data: the view marks itself with the address it shows.
func (tb *tab) rendered(t *testing.T, part string) {
	t.Helper()
	tb.waitJS(t, fmt.Sprintf(`location.hash.includes(%q) && document.getElementById("view").dataset.rendered === location.hash`, part))
}

func (tb *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(tb.ctx, steps...))
}

// waitJS waits until the expression is truthy.
func (tb *tab) waitJS(t *testing.T, expr string) {
	t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(waitTimeout)))
	require.NoError(t, err, "waiting for %s", expr)
}

func evalJS[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, "evaluating %s", expr)
	return v
}

// texts returns the text of every element matching the CSS selector.
func texts(t *testing.T, tb *tab, sel string) []string {
	t.Helper()
	return evalJS[[]string](t, tb, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent.trim())`, sel))
}

func text(t *testing.T, tb *tab, sel string) string {
	t.Helper()
	tb.waitJS(t, fmt.Sprintf(`document.querySelector(%q)`, sel))
	return evalJS[string](t, tb, fmt.Sprintf(`document.querySelector(%q).textContent.trim()`, sel))
}

// paste puts text into a field as a paste would, firing its input event.
func (tb *tab) paste(t *testing.T, sel, value string) {
	t.Helper()
	v, err := json.Marshal(value)
	require.NoError(t, err)
	evalJS[chromedp.Void](t, tb, fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %s; el.dispatchEvent(new Event("input", {bubbles: true})); })()`, sel, v))
}

func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	// From the top, so the sticky header sits where a person sees it.
	evalJS[chromedp.Void](t, tb, `window.scrollTo(0, 0)`)
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(os.TempDir(), name), png, 0o644))
}

// apiError posts a JSON body and returns the error the API answers with,
// in the language asked for.
func apiError(t *testing.T, url, lang string, body any) (status int, message string, fields map[string]string) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(b)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", lang)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var e struct {
		Error struct {
			Message string `json:"message"`
			Fields  []struct {
				Field, Message string
			} `json:"fields"`
		} `json:"error"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	fields = map[string]string{}
	for _, f := range e.Error.Fields {
		fields[f.Field] = f.Message
	}
	return resp.StatusCode, e.Error.Message, fields
}

func TestBrowser(t *testing.T) {
	bctx := browser(t)
	e := newEnv(t, true)

	t.Run("analyse a pasted dialog", func(t *testing.T) {
		tb := openTab(t, bctx, e.URL)
		tb.goTo(t, "/")
		assert.Equal(t, "Анализ звонка", text(t, tb, "h1"))
		tb.paste(t, "#f-dialog_text", transcribetest.Dialog(t, "ru_good_crm.txt"))
		tb.paste(t, "#f-call_id", "ui-call-1")
		tb.paste(t, "#f-manager_id", "anna")
		tb.do(t, chromedp.Click(chromedp.ID("submit")))
		tb.waitJS(t, `document.querySelector("#score-value")`)

		call, err := e.store.Get(context.Background(), "ui-call-1")
		require.NoError(t, err, "the analysis is saved under the call id typed in")
		rep := call.Report
		require.NotNil(t, rep)
		assert.Equal(t, "anna", call.ManagerID)

		shown, err := strconv.Atoi(text(t, tb, "#score-value"))
		require.NoError(t, err)
		assert.Equal(t, rep.TotalScore, shown)
		assert.GreaterOrEqual(t, shown, 75, "a good call scores high")
		assert.Contains(t, evalJS[string](t, tb, `document.querySelector(".score-card").className`), "band-good")

		var titles, widths []string
		for _, d := range rep.Details {
			titles = append(titles, d.Title)
			widths = append(widths, fmt.Sprintf("%d%%", d.Score))
		}
		require.NotEmpty(t, titles)
		assert.Equal(t, titles, texts(t, tb, "#result .crit-title"))
		assert.Equal(t, widths, evalJS[[]string](t, tb, `[...document.querySelectorAll("#result .criterion .bar-fill")].map(e => e.style.width)`))
		require.NotEmpty(t, rep.RecommendationList)
		assert.Equal(t, rep.RecommendationList, texts(t, tb, "#result .rec-list li"))
		assert.Equal(t, strings.TrimSpace(rep.Summary), text(t, tb, "#result .report-summary .prose"))

		quotes := 0
		for _, d := range rep.Details {
			quotes += len(d.Evidence)
		}
		assert.Len(t, texts(t, tb, "#result .quote q"), quotes)

		mgr := int(rep.Metrics.ManagerTalkShare*100 + 0.5)
		assert.Contains(t, text(t, tb, "#result .share-legend"), fmt.Sprintf("Менеджер %d%%", mgr))
		require.NotNil(t, rep.Transcript)
		assert.Len(t, texts(t, tb, "#result .segments li"), len(rep.Transcript.Segments))
		assert.False(t, evalJS[bool](t, tb, `document.querySelector("#result details.transcript").open`), "the transcript starts collapsed")
		assert.False(t, evalJS[bool](t, tb, `document.getElementById("submit").disabled`))
		tb.screenshot(t, "ui-analysis.png")
		tb.do(t, chromedp.EmulateViewport(390, 844))
		tb.screenshot(t, "ui-analysis-mobile.png")
	})

	t.Run("english", func(t *testing.T) {
		tb := openTab(t, bctx, e.URL)
		tb.goTo(t, "/")
		tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
		tb.waitJS(t, `document.documentElement.lang === "en"`)
		assert.Equal(t, "Analyse a call", text(t, tb, "h1"))
		assert.Equal(t, []string{"Analyse", "History", "Managers", "Agreement", "API"}, texts(t, tb, "#nav a"))
		assert.Equal(t, "Analyse", text(t, tb, "#submit"))
		assert.Equal(t, "Dialog", texts(t, tb, ".mode-name")[2])

		// The choice is remembered across page loads.
		tb.do(t, chromedp.Reload())
		tb.waitJS(t, `document.body.dataset.ready === "true"`)
		assert.Equal(t, "Analyse a call", text(t, tb, "h1"))
		assert.Equal(t, "en", evalJS[string](t, tb, `document.documentElement.lang`))
		tb.goTo(t, "/#/history")
		assert.Equal(t, "Call history", text(t, tb, "h1"))
		tb.screenshot(t, "ui-history-en.png")
		tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
		tb.waitJS(t, `document.documentElement.lang === "ru"`)
		assert.Equal(t, "История звонков", text(t, tb, "h1"))
	})

	t.Run("field errors", func(t *testing.T) {
		tb := openTab(t, bctx, e.URL)
		tb.goTo(t, "/")
		tb.do(t, chromedp.Click(chromedp.ID("submit")))
		tb.waitJS(t, `!document.getElementById("f-dialog_text-err").hidden`)

		status, message, fields := apiError(t, e.URL+"/analyze_call", "ru", map[string]string{"dialog_text": "", "content_mode": "Manager+"})
		require.Equal(t, http.StatusUnprocessableEntity, status)
		require.NotEmpty(t, fields["dialog_text"])
		assert.Equal(t, fields["dialog_text"], text(t, tb, "#f-dialog_text-err"))
		assert.Equal(t, "true", evalJS[string](t, tb, `document.getElementById("f-dialog_text").getAttribute("aria-invalid")`))
		assert.Contains(t, text(t, tb, "#form-error [role=alert]"), message)
		assert.Empty(t, texts(t, tb, "#score-value"))

		// Audio with no file chosen is caught before anything is sent.
		tb.do(t, chromedp.Click(chromedp.CSS(`input[name=source][value=audio]`)), chromedp.Click(chromedp.ID("submit")))
		tb.waitJS(t, `!document.getElementById("f-audio-err").hidden`)
		assert.Equal(t, "Выберите файл записи.", text(t, tb, "#f-audio-err"))
	})

	// The server refuses a stored call_id with a 409 unless the request asks
	// to replace the call; the page offers that as a button, never silently.
	t.Run("same call id again", func(t *testing.T) {
		tb := openTab(t, bctx, e.URL)
		tb.goTo(t, "/")
		tb.paste(t, "#f-dialog_text", transcribetest.Dialog(t, "ru_good_crm.txt"))
		tb.paste(t, "#f-call_id", "ui-dup-1")
		tb.do(t, chromedp.Click(chromedp.ID("submit")))
		tb.waitJS(t, `document.querySelector("#score-value")`)
		first, err := e.store.Get(context.Background(), "ui-dup-1")
		require.NoError(t, err)
		assert.Equal(t, score.ModeManager, first.Mode)

		tb.paste(t, "#f-dialog_text", transcribetest.Dialog(t, "ru_bad_pushy.txt"))
		// By script: the report scrolls smoothly into view, which moves
		// what a click at the elements' coordinates would hit.
		evalJS[chromedp.Void](t, tb, `(() => {
			document.querySelector('input[name=content_mode][value="Client+"]').click();
			document.getElementById("submit").click();
		})()`)
		tb.waitJS(t, `document.querySelector("#form-error [role=alert]")`)
		status, message, _ := apiError(t, e.URL+"/analyze_call", "ru", map[string]string{"dialog_text": "Менеджер: Добрый день!", "call_id": "ui-dup-1"})
		require.Equal(t, http.StatusConflict, status)
		assert.Contains(t, text(t, tb, "#form-error [role=alert] p"), `"ui-dup-1"`)
		assert.Contains(t, message, `"ui-dup-1"`)
		assert.Empty(t, texts(t, tb, "#score-value"), "no report is shown for the refused request")
		kept, err := e.store.Get(context.Background(), "ui-dup-1")
		require.NoError(t, err)
		assert.Equal(t, score.ModeManager, kept.Mode, "the stored call is not replaced without asking")

		assert.Equal(t, "Заменить звонок в истории", text(t, tb, "#form-error [role=alert] button"))
		// By script as well: the first report's smooth scroll can still be
		// moving the page, so a click at the button's coordinates may miss.
		evalJS[chromedp.Void](t, tb, `document.querySelector("#form-error [role=alert] button").click()`)
		tb.waitJS(t, `document.querySelector("#score-value")`)
		replaced, err := e.store.Get(context.Background(), "ui-dup-1")
		require.NoError(t, err)
		assert.Equal(t, score.ModeClient, replaced.Mode, "the button replaced the call with the form's analysis")
		assert.Equal(t, strconv.Itoa(replaced.Report.TotalScore), text(t, tb, "#score-value"))
		assert.Empty(t, texts(t, tb, "#form-error [role=alert]"))
	})

	t.Run("keyboard only", func(t *testing.T) {
		tb := openTab(t, bctx, e.URL)
		tb.goTo(t, "/")
		tb.paste(t, "#f-dialog_text", transcribetest.Dialog(t, "ru_inline_one_line.txt"))
		// Arrow keys move through the modes; Enter in a text field submits.
		tb.do(t,
			chromedp.Focus(chromedp.CSS(`input[name=content_mode][value="Manager+"]`)),
			chromedp.KeyEvent(kb.ArrowRight),
		)
		assert.True(t, evalJS[bool](t, tb, `document.querySelector('input[name=content_mode][value="Client+"]').checked`))
		tb.do(t,
			chromedp.SendKeys(chromedp.ID("f-call_id"), "kbd-1"),
			chromedp.KeyEvent(kb.Enter),
		)
		tb.waitJS(t, `document.querySelector("#score-value")`)
		call, err := e.store.Get(context.Background(), "kbd-1")
		require.NoError(t, err)
		assert.Equal(t, score.ModeClient, call.Mode)
		assert.Equal(t, strconv.Itoa(call.Report.TotalScore), text(t, tb, "#score-value"))
	})

	wav := transcribetest.WAV(1, 16000, 1)
	wavPath := filepath.Join(t.TempDir(), "call.wav")
	require.NoError(t, os.WriteFile(wavPath, wav, 0o644))

	t.Run("audio upload", func(t *testing.T) {
		tb := openTab(t, bctx, e.URL)
		tb.goTo(t, "/")
		assert.Empty(t, texts(t, tb, "#audio-off"), "the server can transcribe")
		tb.do(t,
			chromedp.Click(chromedp.CSS(`input[name=source][value=audio]`)),
			chromedp.SetUploadFiles(chromedp.ID("f-audio"), []string{wavPath}),
		)
		tb.waitJS(t, `document.getElementById("file-name").textContent.includes("call.wav")`)
		tb.paste(t, "#f-call_id", "ui-audio-1")
		tb.do(t, chromedp.Click(chromedp.ID("submit")))

		// The transcriber holds the request: the page shows the waiting
		// state with the button disabled.
		select {
		case <-e.gate.entered:
		case <-time.After(waitTimeout):
			t.Fatal("the upload never reached the transcriber")
		}
		tb.waitJS(t, `document.querySelector("#progress.phase-processing")`)
		assert.Equal(t, "Распознаём речь и оцениваем…", text(t, tb, "#progress span"))
		assert.True(t, evalJS[bool](t, tb, `document.getElementById("submit").disabled`))
		assert.Equal(t, "true", evalJS[string](t, tb, `document.getElementById("analyze-form").getAttribute("aria-busy")`))

		e.gate.open()
		tb.waitJS(t, `document.querySelector("#score-value")`)
		call, err := e.store.Get(context.Background(), "ui-audio-1")
		require.NoError(t, err)
		require.NotNil(t, call.Report)
		assert.Equal(t, storage.SourceAudio, call.Source)
		require.Equal(t, 1, e.fake.CallCount())
		got := e.fake.Calls()[0]
		assert.Equal(t, "call.wav", got.Filename)
		assert.Equal(t, wav, got.Data, "the recording arrives intact")
		// Timed transcripts show timestamps and time-based metrics.
		assert.Contains(t, texts(t, tb, "#result .segments .ts"), "0:03")
		assert.Contains(t, text(t, tb, "#result .figures"), "0:04", "duration")
		tb.screenshot(t, "ui-audio.png")
		assert.Equal(t, strconv.Itoa(call.Report.TotalScore), text(t, tb, "#score-value"))
		assert.Len(t, texts(t, tb, "#result .segments li"), len(call.Report.Transcript.Segments))
		assert.Empty(t, texts(t, tb, "#progress progress"))
		assert.False(t, evalJS[bool](t, tb, `document.getElementById("submit").disabled`))
	})

	t.Run("audio without a transcriber", func(t *testing.T) {
		bare := newEnv(t, false)
		tb := openTab(t, bctx, bare.URL)
		tb.goTo(t, "/")
		submitDisabled := `document.getElementById("submit").disabled`
		assert.False(t, evalJS[bool](t, tb, submitDisabled), "text works without a transcriber")
		assert.True(t, evalJS[bool](t, tb, `document.getElementById("submit-reason").hidden`))

		tb.do(t, chromedp.Click(chromedp.CSS(`input[name=source][value=audio]`)))
		assert.Contains(t, text(t, tb, "#audio-off"), "OPENAI_API_KEY", "the page explains before the upload")
		// GET /config says the server cannot transcribe: the button is
		// disabled, and the reason is shown beside it and tied to it.
		tb.waitJS(t, submitDisabled)
		assert.False(t, evalJS[bool](t, tb, `document.getElementById("submit-reason").hidden`))
		assert.Equal(t, "Отправить запись нельзя: на сервере не настроено распознавание речи (см. выше). Вставьте текст диалога на вкладке «Текст диалога».", text(t, tb, "#submit-reason"))
		assert.Equal(t, "submit-reason", evalJS[string](t, tb, `document.getElementById("submit").getAttribute("aria-describedby")`))
		assert.True(t, evalJS[bool](t, tb, `document.getElementById("f-audio").disabled`), "no file can be chosen")
		assert.Equal(t, "true", evalJS[string](t, tb, `document.getElementById("drop").getAttribute("aria-disabled")`))
		tb.screenshot(t, "ui-audio-off.png")

		// A file dropped anyway is not taken, and a submit by other means
		// (Enter, a script) sends nothing.
		evalJS[chromedp.Void](t, tb, `(() => {
			const dt = new DataTransfer();
			dt.items.add(new File([new Uint8Array(1024)], "dropped.wav", {type: "audio/wav"}));
			document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
			document.getElementById("analyze-form").requestSubmit();
		})()`)
		assert.Empty(t, text(t, tb, "#file-name"))
		assert.Empty(t, texts(t, tb, "#form-error [role=alert]"))
		assert.Empty(t, texts(t, tb, "#progress.active"))
		page, err := bare.store.List(context.Background(), storage.Filter{})
		require.NoError(t, err)
		assert.Empty(t, page.Calls, "nothing reached the server")

		// Back to text: the form works again.
		tb.do(t, chromedp.Click(chromedp.CSS(`input[name=source][value=text]`)))
		tb.waitJS(t, `!`+submitDisabled)
		assert.True(t, evalJS[bool](t, tb, `document.getElementById("submit-reason").hidden`))
		assert.False(t, evalJS[bool](t, tb, `document.getElementById("submit").hasAttribute("aria-describedby")`))

		// In English too.
		tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
		tb.waitJS(t, `document.documentElement.lang === "en"`)
		tb.do(t, chromedp.Click(chromedp.CSS(`input[name=source][value=audio]`)))
		tb.waitJS(t, submitDisabled)
		assert.Contains(t, text(t, tb, "#submit-reason"), "speech-to-text is not configured")
		tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
		tb.waitJS(t, `document.documentElement.lang === "ru"`)
	})

	t.Run("statistics per mode", func(t *testing.T) {
		h := newEnv(t, false)
		seed(t, h)
		tb := openTab(t, bctx, h.URL)
		ctx := context.Background()
		checked := `document.querySelector("#mode-switch input[name=mode]:checked").value`
		modeRu := map[score.Mode]string{score.ModeManager: "Manager+", score.ModeClient: "Client+", score.ModeDialog: "Диалог"}

		// The manager page: one mode's figures and criteria at a time.
		tb.goTo(t, "/#/managers/anna")
		assert.Equal(t, "Manager+", evalJS[string](t, tb, checked), "Manager+ by default")
		for _, mode := range []score.Mode{score.ModeClient, score.ModeDialog, score.ModeManager} {
			t.Run(string(mode), func(t *testing.T) {
				tb.do(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#mode-switch input[value=%q]`, mode))))
				tb.rendered(t, "mode="+url.QueryEscape(string(mode)))
				assert.Equal(t, string(mode), evalJS[string](t, tb, checked))
				st, err := h.store.Stats(ctx, storage.StatsQuery{ManagerID: "anna", Mode: mode})
				require.NoError(t, err)
				require.Positive(t, st.Count, "anna has %s calls", mode)
				assert.Equal(t, fmt.Sprint(st.Count), text(t, tb, ".stats .stat:first-child .stat-value"))

				rubric := map[string]string{}
				for _, c := range h.scorer.DefaultRubric(mode).Criteria {
					rubric[c.ID] = c.TitleIn("ru")
				}
				var wantIDs, wantTitles []string
				for id := range st.Criteria {
					wantIDs = append(wantIDs, id)
					wantTitles = append(wantTitles, rubric[id])
				}
				gotIDs := evalJS[[]string](t, tb, `[...document.querySelectorAll("#criteria-avg [data-criterion]")].map(e => e.dataset.criterion)`)
				assert.ElementsMatch(t, wantIDs, gotIDs, "this mode's criteria only")
				for _, id := range gotIDs {
					assert.Contains(t, rubric, id, "criterion %s is not in the %s rubric", id, mode)
				}
				assert.LessOrEqual(t, len(gotIDs), len(rubric))
				assert.ElementsMatch(t, wantTitles, texts(t, tb, "#criteria-avg .crit-title"), "titles from the %s rubric", mode)
				assert.Contains(t, texts(t, tb, "#view h2"), "Средние по критериям режима "+modeRu[mode])
				for _, m := range texts(t, tb, ".table td[data-label=Режим]") {
					assert.Equal(t, modeRu[mode], m, "recent calls of this mode")
				}
			})
		}
		// Any spelling in the address: the switch marks the mode the
		// server answered for.
		tb.goTo(t, "/#/managers/anna?mode=dialog")
		tb.waitJS(t, `document.querySelector("#criteria-avg")`)
		assert.Equal(t, "Диалог", evalJS[string](t, tb, checked))
		tb.screenshot(t, "ui-manager-mode.png")

		// The leaderboard: filtered by mode, links carry the mode on.
		ml := h.store.(storage.ManagerLister)
		board := func(mode score.Mode) []string {
			list, err := ml.Managers(ctx, storage.ManagerQuery{Mode: mode})
			require.NoError(t, err)
			var names []string
			for _, m := range list {
				names = append(names, m.ManagerID)
			}
			return names
		}
		tb.goTo(t, "/#/managers")
		assert.Equal(t, "Manager+", evalJS[string](t, tb, checked))
		assert.Equal(t, board(score.ModeManager), texts(t, tb, "#leaderboard tbody td:nth-child(2)"))
		require.NotEqual(t, board(score.ModeManager), board(score.ModeClient), "the fixture tells the boards apart")
		tb.do(t, chromedp.Click(chromedp.CSS(`#mode-switch input[value="Client+"]`)))
		tb.rendered(t, "mode=Client")
		assert.Equal(t, board(score.ModeClient), texts(t, tb, "#leaderboard tbody td:nth-child(2)"))
		assert.Equal(t, "Client+", evalJS[string](t, tb, `document.getElementById("leaderboard").dataset.mode`))
		list, err := ml.Managers(ctx, storage.ManagerQuery{Mode: score.ModeClient})
		require.NoError(t, err)
		var counts []string
		for _, m := range list {
			counts = append(counts, fmt.Sprint(m.Count))
		}
		assert.Equal(t, counts, texts(t, tb, "#leaderboard tbody td:nth-child(3)"), "Client+ calls only")
		tb.do(t, chromedp.Click(chromedp.CSS(`#leaderboard a[href^="#/managers/anna"]`)))
		tb.rendered(t, "#/managers/anna")
		assert.Equal(t, "Client+", evalJS[string](t, tb, checked), "the manager page opens in the board's mode")

		// A mode the server does not know is its 422, shown as is.
		tb.goTo(t, "/#/managers?mode=sales")
		_, message, _ := apiGet(t, h.URL+"/managers?mode=sales")
		assert.Contains(t, text(t, tb, "[role=alert]"), message)
	})

	t.Run("history on a phone", func(t *testing.T) {
		h := newEnv(t, false)
		seed(t, h)
		tb := openTab(t, bctx, h.URL)
		fits := `document.documentElement.scrollWidth <= window.innerWidth && [...document.querySelectorAll(".table-wrap")].every(w => w.scrollWidth <= w.clientWidth)`
		rowDisplay := `getComputedStyle(document.querySelector("#history-results tbody tr")).display`

		tb.goTo(t, "/#/history")
		tb.waitJS(t, `document.querySelector("#history-results tbody tr")`)
		assert.Equal(t, "table-row", evalJS[string](t, tb, rowDisplay), "a table on a wide screen")

		tb.do(t, chromedp.EmulateViewport(375, 812))
		tb.goTo(t, "/#/history")
		tb.waitJS(t, `document.querySelector("#history-results tbody tr")`)
		require.Equal(t, 375, evalJS[int](t, tb, `window.innerWidth`))
		assert.Equal(t, "block", evalJS[string](t, tb, rowDisplay), "one card per call")
		assert.True(t, evalJS[bool](t, tb, fits), "no sideways scroll at 375 px: page %d px, table %d px",
			evalJS[int](t, tb, `document.documentElement.scrollWidth`), evalJS[int](t, tb, `document.querySelector("#history-results .table-wrap").scrollWidth`))
		// Every cell says what it is, since the header row is hidden.
		assert.Equal(t, []string{"Дата", "Звонок", "Менеджер", "Режим", "Статус", "Оценка", "Проверка"},
			evalJS[[]string](t, tb, `[...document.querySelectorAll("#history-results tbody tr:first-child td")].map(td => getComputedStyle(td, "::before").content.replace(/^"|"$/g, ""))`))
		tb.screenshot(t, "ui-history-phone.png")
		// The check can fail: the same rows as a plain table do not fit.
		evalJS[chromedp.Void](t, tb, `document.querySelector("#history-results table").classList.remove("stack")`)
		assert.False(t, evalJS[bool](t, tb, fits), "a plain table would scroll sideways")

		tb.goTo(t, "/#/managers")
		tb.waitJS(t, `document.querySelector("#leaderboard tbody tr")`)
		assert.True(t, evalJS[bool](t, tb, fits), "the leaderboard fits too")
	})

	t.Run("server errors in the UI's language", func(t *testing.T) {
		tb := openTab(t, bctx, e.URL)
		tb.goTo(t, "/")
		// Whitespace passes the page's own check and reaches the server.
		tb.paste(t, "#f-dialog_text", "   ")
		tb.do(t, chromedp.Click(chromedp.ID("submit")))
		tb.waitJS(t, `!document.getElementById("f-dialog_text-err").hidden`)
		_, ruMessage, ruFields := apiError(t, e.URL+"/analyze_call", "ru", map[string]string{"dialog_text": "   "})
		assert.Equal(t, "обязательное поле, не может быть пустым", ruFields["dialog_text"])
		assert.Equal(t, ruFields["dialog_text"], text(t, tb, "#f-dialog_text-err"), "the Russian UI shows the Russian message")
		assert.Contains(t, text(t, tb, "#form-error [role=alert]"), ruMessage)

		tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
		tb.waitJS(t, `document.documentElement.lang === "en"`)
		tb.paste(t, "#f-dialog_text", "   ")
		tb.do(t, chromedp.Click(chromedp.ID("submit")))
		tb.waitJS(t, `document.getElementById("f-dialog_text-err").textContent === "is required and must not be empty"`)
		_, enMessage, enFields := apiError(t, e.URL+"/analyze_call", "en", map[string]string{"dialog_text": "   "})
		assert.Equal(t, enFields["dialog_text"], text(t, tb, "#f-dialog_text-err"), "the English UI shows the English message")
		assert.Contains(t, text(t, tb, "#form-error [role=alert]"), enMessage)
		assert.NotContains(t, text(t, tb, "#form-error [role=alert]"), ruMessage)
		tb.do(t, chromedp.Click(chromedp.ID("lang-switch"))) // the next tests read Russian
		tb.waitJS(t, `document.documentElement.lang === "ru"`)
	})

	t.Run("history, managers and calls", func(t *testing.T) {
		h := newEnv(t, false)
		seed(t, h)
		tb := openTab(t, bctx, h.URL)
		ctx := context.Background()

		// History: the first page, then "load more" with the cursor.
		tb.goTo(t, "/#/history")
		all := listAll(t, h.store, storage.Filter{})
		require.Greater(t, len(all), 25, "enough calls for two pages")
		assert.Equal(t, all[:25], callIDs(t, tb))
		tb.do(t, chromedp.Click(chromedp.ID("load-more")))
		tb.waitJS(t, fmt.Sprintf(`document.querySelectorAll("#history-results tbody tr").length === %d`, len(all)))
		assert.Equal(t, all, callIDs(t, tb))
		assert.Empty(t, texts(t, tb, "#load-more"), "no more pages")
		tb.screenshot(t, "ui-history.png")

		// Filters go to the API and into the CSV link.
		tb.paste(t, "#q-manager_id", "boris")
		tb.paste(t, "#q-min_score", "1")
		tb.do(t, chromedp.Click(chromedp.CSS(".filters button[type=submit]")))
		tb.rendered(t, "manager_id=boris")
		min := 1
		want := listAll(t, h.store, storage.Filter{ManagerID: "boris", MinScore: &min})
		require.NotEmpty(t, want)
		assert.Equal(t, want, callIDs(t, tb))
		href := evalJS[string](t, tb, `document.getElementById("csv-link").href`)
		assert.Contains(t, href, "manager_id=boris")
		assert.Contains(t, href, "format=csv")
		resp, err := http.Get(href)
		require.NoError(t, err)
		csv, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, len(want)+1, strings.Count(strings.TrimSpace(string(csv)), "\n")+1, "header and one row per filtered call")

		// Text from callers is shown as text, never run as markup.
		tb.goTo(t, "/#/history?manager_id="+url.QueryEscape(xssManager))
		assert.Contains(t, texts(t, tb, "#history-results tbody td"), xssManager)
		assert.Zero(t, evalJS[int](t, tb, `document.querySelectorAll("#view img, #view b").length`))

		// Leaderboard.
		tb.goTo(t, "/#/managers")
		ml, ok := h.store.(storage.ManagerLister)
		require.True(t, ok)
		board, err := ml.Managers(ctx, storage.ManagerQuery{})
		require.NoError(t, err)
		var names []string
		for _, m := range board {
			names = append(names, m.ManagerID)
		}
		assert.Equal(t, names, texts(t, tb, "#leaderboard tbody td:nth-child(2)"))
		tb.screenshot(t, "ui-managers.png")

		// A manager's page: the chart has a point per day and the
		// criterion bars carry the rubric's titles.
		tb.do(t, chromedp.Click(chromedp.CSS(`#leaderboard a[href^="#/managers/anna"]`)))
		tb.rendered(t, "#/managers/anna")
		days, err := h.store.Stats(ctx, storage.StatsQuery{ManagerID: "anna", Bucket: storage.BucketDay})
		require.NoError(t, err)
		require.Greater(t, len(days.Trend), 2)
		assert.Equal(t, len(days.Trend), evalJS[int](t, tb, `document.querySelectorAll("#trend-chart circle").length`))
		d := evalJS[string](t, tb, `document.querySelector("#trend-chart path.line").getAttribute("d")`)
		assert.Len(t, regexp.MustCompile(`[ML][\d.]+ [\d.]+`).FindAllString(d, -1), len(days.Trend))
		assert.Equal(t, fmt.Sprint(days.Count), text(t, tb, ".stats .stat:first-child .stat-value"))

		titles := rubricTitles(h.scorer, "ru")
		var wantBars []string
		for id := range days.Criteria {
			wantBars = append(wantBars, titles[id])
		}
		gotBars := texts(t, tb, "#criteria-avg .crit-title")
		assert.ElementsMatch(t, wantBars, gotBars)
		tb.screenshot(t, "ui-manager.png")
		tb.do(t, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
			})
			return err
		}))
		tb.screenshot(t, "ui-manager-dark.png")

		weeks, err := h.store.Stats(ctx, storage.StatsQuery{ManagerID: "anna", Bucket: storage.BucketWeek})
		require.NoError(t, err)
		tb.do(t, chromedp.Click(chromedp.CSS(`input[name=bucket][value=week]`)))
		tb.rendered(t, "bucket=week")
		assert.Equal(t, len(weeks.Trend), evalJS[int](t, tb, `document.querySelectorAll("#trend-chart circle").length`))

		// A call's page shows its report; a failed webhook call its reason.
		tb.do(t, chromedp.Click(chromedp.CSS(`.table a[href^="#/calls/"]`)))
		tb.rendered(t, "#/calls/")
		id := strings.TrimPrefix(evalJS[string](t, tb, `decodeURIComponent(location.hash)`), "#/calls/")
		call, err := h.store.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "anna", call.ManagerID)
		assert.Equal(t, strconv.Itoa(call.Report.TotalScore), text(t, tb, "#score-value"))
		assert.Contains(t, text(t, tb, "#call-meta"), "Готов")
		assert.Len(t, texts(t, tb, ".criterion"), len(call.Report.Details))
		tb.screenshot(t, "ui-call.png")

		tb.goTo(t, "/#/calls/hook-1")
		assert.Equal(t, "Ошибка", text(t, tb, "#call-meta .status"))
		assert.Contains(t, text(t, tb, "[role=alert]"), "recording could not be downloaded")
		assert.NotContains(t, text(t, tb, "#view"), "null")
		tb.screenshot(t, "ui-call-failed.png")
		assert.Equal(t, "https://pbx.example/rec/1.mp3", evalJS[string](t, tb, `document.querySelector("#call-meta a[target]").href`))

		// A queued webhook call refreshes by itself once it is done.
		require.NoError(t, h.store.Save(ctx, storage.Call{ID: "hook-2", ManagerID: "boris", Mode: score.ModeManager, Status: storage.StatusQueued, Source: "webhook"}))
		tb.goTo(t, "/#/calls/hook-2")
		assert.Equal(t, "В очереди", text(t, tb, "#call-meta .status"))
		assert.Empty(t, texts(t, tb, "#score-value"))
		done := call
		done.ID, done.Source, done.Status = "hook-2", "webhook", storage.StatusDone
		require.NoError(t, h.store.Save(ctx, done))
		tb.waitJS(t, `document.querySelector("#score-value")`)
		assert.Equal(t, "Готов", text(t, tb, "#call-meta .status"))
		assert.Equal(t, strconv.Itoa(done.Report.TotalScore), text(t, tb, "#score-value"))

		tb.goTo(t, "/#/calls/no-such-call")
		_, message, _ := apiGet(t, h.URL+"/calls/no-such-call")
		assert.Equal(t, `звонок "no-such-call" не найден`, message)
		assert.Contains(t, text(t, tb, "[role=alert]"), message)
	})

	t.Run("docs", func(t *testing.T) {
		tb := openTab(t, bctx, e.URL)
		require.NoError(t, chromedp.Do(tb.ctx, chromedp.Navigate(e.URL+"/docs")))
		tb.waitJS(t, `document.querySelectorAll(".opblock-summary-path").length > 5`)
		paths := texts(t, tb, ".opblock-summary-path")
		for _, p := range []string{"/analyze_call", "/analyze_audio_call", "/calls", "/managers/{id}/stats"} {
			assert.True(t, slices.ContainsFunc(paths, func(s string) bool { return strings.TrimSpace(strings.ReplaceAll(s, "\u200b", "")) == p }), "docs list %s: %v", p, paths)
		}
	})
}

const xssManager = `<img src=x onerror=alert(1)><b>x</b>`

// seed stores calls over the last weeks through the auditor itself, with
// the clock set to each call's day.
func seed(t *testing.T, h *env) {
	t.Helper()
	ctx := context.Background()
	good, bad, en := transcribetest.Dialog(t, "ru_good_crm.txt"), transcribetest.Dialog(t, "ru_bad_pushy.txt"), transcribetest.Dialog(t, "en_medium_demo.txt")
	today := time.Now().UTC().Truncate(24 * time.Hour)
	type row struct {
		days    int
		manager string
		text    string
		mode    string
	}
	rows := []row{
		{20, "anna", bad, "Manager+"}, {13, "anna", good, "Manager+"}, {9, "anna", en, "Диалог"},
		{6, "anna", good, "Manager+"}, {2, "anna", good, "Client+"}, {1, "anna", bad, "Manager+"},
		{12, "boris", bad, "Manager+"}, {5, "boris", en, "Manager+"}, {1, "boris", bad, "Client+"},
		{3, xssManager, "Менеджер: <img src=x onerror=alert(2)> Добрый день! Клиент: <script>alert(3)</script> Здравствуйте.", "Manager+"},
	}
	for i := 0; i < 18; i++ {
		rows = append(rows, row{i % 7, "vera", []string{good, bad, en}[i%3], "Manager+"})
	}
	for i, r := range rows {
		h.clock.Set(today.AddDate(0, 0, -r.days).Add(time.Duration(9+i%8) * time.Hour))
		_, err := h.auditor.Audit(ctx, audit.Input{DialogText: r.text, Mode: r.mode, ManagerID: r.manager, CallID: fmt.Sprintf("call-%02d", i)})
		require.NoError(t, err)
	}
	h.clock.Set(time.Time{})
	require.NoError(t, h.store.Save(ctx, storage.Call{
		ID: "hook-1", ManagerID: "boris", Mode: score.ModeManager, Status: storage.StatusFailed, Source: "webhook",
		StatusReason: "recording could not be downloaded: 404 Not Found", RecordingURL: "https://pbx.example/rec/1.mp3",
	}))
}

func listAll(t *testing.T, s storage.Store, f storage.Filter) []string {
	t.Helper()
	var ids []string
	for {
		page, err := s.List(context.Background(), f)
		require.NoError(t, err)
		for _, c := range page.Calls {
			ids = append(ids, c.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		f.Cursor = page.NextCursor
	}
}

func callIDs(t *testing.T, tb *tab) []string {
	t.Helper()
	return texts(t, tb, "#history-results tbody td:nth-child(2)")
}

// rubricTitles maps every criterion id of the scorer's default rubrics to
// its title in lang.
func rubricTitles(s score.RubricScorer, lang string) map[string]string {
	out := map[string]string{}
	for _, m := range score.Modes {
		for _, c := range s.DefaultRubric(m).Criteria {
			if _, ok := out[c.ID]; !ok {
				out[c.ID] = c.TitleIn(lang)
			}
		}
	}
	return out
}

// apiGet returns the error GET url answers with, in Russian, the UI's
// default language.
func apiGet(t *testing.T, url string) (status int, message string, err error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Language", "ru")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		return resp.StatusCode, "", err
	}
	if e.Error.Message == "" {
		return resp.StatusCode, "", errors.New("no error message")
	}
	return resp.StatusCode, e.Error.Message, nil
}
