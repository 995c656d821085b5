package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/transcribe/energy"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// postWAV uploads a recording to the API as the page does and decodes
// the energy-only answer.
func postWAV(t *testing.T, base string, wav []byte) httpapi.EnergyReport {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("content_mode", "Manager+"))
	fw, err := mw.CreateFormFile("audio", "call.wav")
	require.NoError(t, err)
	_, err = fw.Write(wav)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	resp, err := http.Post(base+"/analyze_audio_call", mw.FormDataContentType(), &buf)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var rep httpapi.EnergyReport
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	require.Equal(t, httpapi.AnalysisEnergyOnly, rep.Analysis)
	return rep
}

// TestBrowserEnergyOnly: a server without speech-to-text that measures
// stereo WAV recordings keeps the upload open, says what it will and will
// not do, and shows the energy-only answer (no score, transcript or
// criteria); a server that can do neither keeps the upload closed.
func TestBrowserEnergyOnly(t *testing.T) {
	bctx := browser(t)

	t.Run("energy only", func(t *testing.T) {
		e := newEnv(t, false, audit.WithEnergy(energy.Config{}))
		call := transcribetest.NewStereoCall(t, "ru", transcribetest.SalesCallLines[:4], 0.5)
		wavPath := filepath.Join(t.TempDir(), "stereo.wav")
		require.NoError(t, os.WriteFile(wavPath, call.WAV, 0o644))

		tb := openTab(t, bctx, e.URL)
		tb.goTo(t, "/")
		tb.do(t, chromedp.Click(chromedp.CSS(`input[name=source][value=audio]`)))
		assert.Empty(t, texts(t, tb, "#audio-off"), "the server can measure a stereo WAV")
		hint := text(t, tb, "#audio-energy")
		assert.Contains(t, hint, "только стереозаписи WAV")
		assert.Contains(t, hint, "OPENAI_API_KEY")
		assert.Contains(t, evalJS[string](t, tb, `document.getElementById("f-audio").getAttribute("aria-describedby")`), "audio-energy")
		assert.False(t, evalJS[bool](t, tb, `document.getElementById("f-audio").disabled`), "a file can be chosen")
		assert.False(t, evalJS[bool](t, tb, `document.getElementById("drop").hasAttribute("aria-disabled")`))
		assert.False(t, evalJS[bool](t, tb, `document.getElementById("submit").disabled`))
		assert.True(t, evalJS[bool](t, tb, `document.getElementById("submit-reason").hidden`))

		tb.do(t, chromedp.SetUploadFiles(chromedp.ID("f-audio"), []string{wavPath}))
		tb.waitJS(t, `document.getElementById("file-name").textContent.includes("stereo.wav")`)
		tb.paste(t, "#f-call_id", "e-ui-1")
		tb.do(t, chromedp.Click(chromedp.ID("submit")))
		tb.waitJS(t, `document.querySelector("#result .energy-report")`)
		tb.screenshot(t, "ui-audio-energy.png")

		// What the API answers for the same recording is what the page shows.
		want := postWAV(t, e.URL, call.WAV)
		assert.Contains(t, text(t, tb, "#energy-note"), "текст не анализировался")
		assert.Equal(t, "Измерение по каналам записи", text(t, tb, "#result .energy-report h2"))
		mgr := int(math.Round(want.Metrics.ManagerTalkShareByTime * 100))
		assert.InDelta(t, call.Truth(0).ManagerShare()*100, float64(mgr), 3, "the recording was measured")
		shares := texts(t, tb, "#result .share-legend")
		require.Len(t, shares, 1, "one share, by time: there are no words")
		assert.Contains(t, shares[0], fmt.Sprintf("Менеджер %d%%", mgr))
		assert.Contains(t, shares[0], fmt.Sprintf("Клиент %d%%", 100-mgr))
		meta := text(t, tb, "#result .energy-report .meta")
		assert.Contains(t, meta, "Канал менеджералевый")
		assert.Contains(t, meta, "e-ui-1")
		figures := text(t, tb, "#result .figures")
		assert.Contains(t, figures, "Перебивания"+fmt.Sprint(want.Metrics.Interruptions))
		assert.NotContains(t, figures, "Вопросов", "no word-based figures")
		assert.Empty(t, texts(t, tb, "#result #score-value"), "no score")
		assert.Empty(t, texts(t, tb, "#result .criteria"), "no criteria")
		assert.Empty(t, texts(t, tb, "#result .segments"), "no transcript")
		assert.Empty(t, texts(t, tb, "#form-error [role=alert]"))
		assert.False(t, evalJS[bool](t, tb, `document.getElementById("submit").disabled`))

		// In English too, the result redrawn in the new language.
		tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
		tb.waitJS(t, `document.documentElement.lang === "en"`)
		tb.do(t, chromedp.Click(chromedp.CSS(`input[name=source][value=audio]`)))
		assert.Contains(t, text(t, tb, "#audio-energy"), "only stereo WAV recordings")
		assert.Contains(t, text(t, tb, "#result .energy-report h2"), "Measured from the recording")
		tb.do(t, chromedp.Click(chromedp.ID("lang-switch")))
		tb.waitJS(t, `document.documentElement.lang === "ru"`)
	})

	t.Run("neither", func(t *testing.T) {
		bare := newEnv(t, false)
		tb := openTab(t, bctx, bare.URL)
		tb.goTo(t, "/")
		tb.do(t, chromedp.Click(chromedp.CSS(`input[name=source][value=audio]`)))
		assert.Contains(t, text(t, tb, "#audio-off"), "OPENAI_API_KEY")
		assert.Empty(t, texts(t, tb, "#audio-energy"))
		assert.True(t, evalJS[bool](t, tb, `document.getElementById("f-audio").disabled`))
		tb.waitJS(t, `document.getElementById("submit").disabled`)
	})
}
