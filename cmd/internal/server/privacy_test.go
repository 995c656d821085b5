package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// piiCall is a dialog with one of each kind of personal data a client
// dictates; piiOriginals are the values as the dialog has them.
const piiCall = "Менеджер: Добрый день! Меня зовут Анна, компания Ромашка. Для договора нужны ваши данные.\n" +
	"Клиент: Телефон +7 (912) 345-67-89, почта ivan.petrov@mail.ru.\n" +
	"Менеджер: Спасибо. Паспорт и СНИЛС, пожалуйста.\n" +
	"Клиент: Паспорт 45 08 123456, СНИЛС 112-233-445 95, ИНН 500100732259.\n" +
	"Менеджер: И номер карты для оплаты.\n" +
	"Клиент: Карта 4111 1111 1111 1111."

var piiOriginals = []string{"345-67-89", "ivan.petrov@mail.ru", "45 08 123456", "112-233-445 95", "500100732259", "4111 1111 1111 1111", "4111"}

// quotingModel answers every chat request with each criterion quoting a
// client line of the transcript it was sent, as a model does.
func quotingModel(call *openaitest.ChatCall) openaitest.ChatReply {
	u := call.LastUser()
	var quotes []map[string]any
	for _, line := range strings.Split(u, "\n") {
		if !strings.HasPrefix(line, "[") || !strings.Contains(line, "] client: ") {
			continue
		}
		n, _ := strconv.Atoi(line[1:strings.Index(line, "]")])
		quotes = append(quotes, map[string]any{"quote": line[strings.Index(line, "client: ")+len("client: "):], "segment": n})
	}
	crit := map[string]any{}
	for _, c := range score.DefaultRubric(score.ModeManager).Criteria {
		crit[c.ID] = map[string]any{"score": 60, "comment": "ok", "evidence": quotes}
	}
	b, _ := json.Marshal(map[string]any{"criteria": crit, "summary": "Клиент продиктовал данные.", "recommendations": []string{"Не просите карту по телефону."}})
	return openaitest.ChatReply{Content: string(b)}
}

type privacyApp struct {
	base, dbPath string
	stop         func()
}

func startPrivacyApp(t *testing.T, fake *openaitest.Server, redact string) privacyApp {
	t.Helper()
	env := map[string]string{"OPENAI_API_KEY": fake.APIKey, "OPENAI_BASE_URL": fake.URL}
	if redact != "" {
		env["AUDIT_REDACT"] = redact
	}
	cfg := testConfig(t, env)
	logs := &syncBuffer{}
	app := fx.New(options(t, cfg, slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, app.Err())
	require.NoError(t, app.Start(context.Background()))
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			require.NoError(t, app.Stop(context.Background()))
		}
	}
	t.Cleanup(stop)
	return privacyApp{base: "http://" + listenAddr(t, logs.String()), dbPath: cfg.Server.DatabaseURL, stop: stop}
}

func analyze(t *testing.T, base, callID string) score.Report {
	t.Helper()
	resp, err := http.Post(base+"/analyze_call", "application/json",
		strings.NewReader(`{"dialog_text":`+jsonString(piiCall)+`,"content_mode":"Manager+","call_id":"`+callID+`"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var rep score.Report
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	return rep
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// assertMaskedQuotes: every quote is grounded in the masked transcript the
// model saw and holds placeholders, no value.
func assertMaskedQuotes(t *testing.T, rep score.Report) {
	t.Helper()
	n := 0
	for _, d := range rep.Details {
		for _, e := range d.Evidence {
			n++
			assert.True(t, e.Grounded, e.Quote)
			assert.GreaterOrEqual(t, e.Segment, 0)
			for _, v := range piiOriginals {
				assert.NotContains(t, e.Quote, v)
			}
		}
	}
	require.Positive(t, n, "the model quoted")
	q := rep.Details[0].Evidence
	assert.Equal(t, "Телефон [телефон], почта [email].", q[0].Quote)
	assert.Equal(t, "Паспорт [паспорт], СНИЛС [СНИЛС], ИНН [ИНН].", q[1].Quote)
	assert.Equal(t, "Карта [карта].", q[2].Quote)
}

// AUDIT_REDACT=model, and unset with a model scorer: no phone, card,
// passport, SNILS, INN or e-mail of the dialog reaches the model; quotes
// are grounded and masked; the stored transcript keeps the original.
func TestRedactModelKeepsPersonalDataFromTheModel(t *testing.T) {
	for _, redact := range []string{"model", ""} {
		t.Run("AUDIT_REDACT="+redact, func(t *testing.T) { testRedactModel(t, redact) })
	}
}

func testRedactModel(t *testing.T, redact string) {
	fake := openaitest.NewServer()
	defer fake.Close()
	fake.SetChat(quotingModel)
	app := startPrivacyApp(t, fake, redact)

	rep := analyze(t, app.base, "call-1")
	reqs := fake.Requests()
	require.NotEmpty(t, reqs)
	for _, r := range reqs {
		require.NotNil(t, r.Chat)
		body := string(r.Chat.Body)
		assert.Contains(t, body, "[телефон]", "the model saw placeholders")
		for _, v := range piiOriginals {
			assert.NotContains(t, body, v, "request body to the model")
		}
		assert.NotContains(t, body, "9123456789")
	}
	assertMaskedQuotes(t, rep)
	assert.Equal(t, 6, rep.Meta.Redacted)

	stored := get(t, app.base+"/calls/call-1")
	assert.Contains(t, stored, "4111 1111 1111 1111", "model: the stored transcript keeps the original")
}

// AUDIT_REDACT=store: the SQLite file (after the checkpoint the store's
// close makes) and the CSV export hold none of the values.
func TestRedactStoreKeepsPersonalDataOutOfTheDatabase(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	fake.SetChat(quotingModel)
	app := startPrivacyApp(t, fake, "store")

	rep := analyze(t, app.base, "call-1")
	assertMaskedQuotes(t, rep)
	for _, s := range rep.Transcript.Segments {
		for _, v := range piiOriginals {
			assert.NotContains(t, s.Text, v)
		}
	}
	csv := get(t, app.base+"/calls?format=csv")
	require.Contains(t, csv, "call-1")
	stored := get(t, app.base+"/calls/call-1")
	assert.Contains(t, stored, "[карта]")
	for _, v := range piiOriginals {
		assert.NotContains(t, csv, v, "CSV export")
		assert.NotContains(t, stored, v, "GET /calls/{id}")
	}

	app.stop() // closing the store checkpoints the WAL into the file
	files, err := filepath.Glob(app.dbPath + "*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		all = append(all, b...)
	}
	assert.Contains(t, string(all), "[карта]", "the call is in the file")
	for _, v := range append(piiOriginals, "9123456789", "ivan.petrov") {
		assert.NotContains(t, string(all), v, "database file bytes")
	}
}

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// In local mode (the default 127.0.0.1) an operator erases one call or a
// client's calls by phone number; other addresses refuse until roles
// exist.
func TestErasure(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	fake.SetChat(quotingModel)
	app := startPrivacyApp(t, fake, "model")
	analyze(t, app.base, "call-1")
	analyze(t, app.base, "call-2")

	code, body := do(t, http.MethodPost, app.base+"/erasure", `{"subject":"8 912 345 67 89"}`)
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, `"dry_run":true`)
	assert.Contains(t, body, `"call-1"`)
	assert.Contains(t, body, `"call-2"`)
	get(t, app.base+"/calls/call-1") // still there after the dry run

	code, body = do(t, http.MethodDelete, app.base+"/calls/call-1", "")
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "write-back targets")
	code, _ = do(t, http.MethodGet, app.base+"/calls/call-1", "")
	assert.Equal(t, http.StatusNotFound, code)

	code, body = do(t, http.MethodPost, app.base+"/erasure", `{"subject":"ivan.petrov@mail.ru","dry_run":false}`)
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, `"calls":["call-2"]`)
	code, _ = do(t, http.MethodGet, app.base+"/calls/call-2", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, get(t, app.base+"/metrics"), "callaudit_calls_erased_total 2")
}

// With accounts switched off (the only way to start on a public address
// without any), erasure stays refused off loopback.
func TestErasureRefusedOnAPublicAddress(t *testing.T) {
	addr, _ := startPublic(t, map[string]string{"AUDIT_AUTH": "off"})
	code, body := do(t, http.MethodDelete, "http://"+addr+"/calls/x", "")
	assert.Equal(t, http.StatusForbidden, code, body)
	assert.Contains(t, body, "loopback")
}

// With accounts, erasure needs a signed-in admin: anonymous is a 401.
func TestErasureNeedsAnAdmin(t *testing.T) {
	addr, logs := startPublic(t, map[string]string{"AUDIT_ADMIN_PASSWORD": "erasure-admin-1"})
	code, body := do(t, http.MethodDelete, "http://"+addr+"/calls/x", "")
	assert.Equal(t, http.StatusUnauthorized, code, body)
	assert.NotContains(t, logs.String(), "erasure-admin-1")
}

// startPublic starts the server on 0.0.0.0 with vars and returns a
// loopback address that reaches it, and its log.
func startPublic(t *testing.T, vars map[string]string) (string, *syncBuffer) {
	t.Helper()
	vars["AUDIT_ADDR"] = "0.0.0.0:0"
	cfg := testConfig(t, vars)
	logs := &syncBuffer{}
	app := fx.New(options(t, cfg, slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, app.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, app.Stop(context.Background())) })
	addr := strings.Replace(listenAddr(t, logs.String()), "0.0.0.0", "127.0.0.1", 1)
	return strings.Replace(addr, "[::]", "127.0.0.1", 1), logs
}

// Without the webhook queue (no speech-to-text) the retention still runs:
// calls older than AUDIT_RETENTION go at start, newer ones stay.
func TestRetentionWithoutQueue(t *testing.T) {
	cfg := testConfig(t, map[string]string{"AUDIT_RETENTION": "30d"})
	var st storage.Store
	app := fx.New(options(t, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))), fx.Populate(&st))
	require.NoError(t, app.Err())
	ctx := context.Background()
	for id, age := range map[string]time.Duration{"old": 40 * 24 * time.Hour, "new": 24 * time.Hour} {
		require.NoError(t, st.Save(ctx, storage.Call{ID: id, Status: storage.StatusDone, CreatedAt: time.Now().Add(-age)}))
	}
	require.NoError(t, app.Start(ctx))
	defer func() { require.NoError(t, app.Stop(ctx)) }()
	require.Eventually(t, func() bool {
		_, err := st.Get(ctx, "old")
		return callaudit.KindOf(err) == callaudit.KindNotFound
	}, 10*time.Second, 20*time.Millisecond)
	_, err := st.Get(ctx, "new")
	assert.NoError(t, err)
}
