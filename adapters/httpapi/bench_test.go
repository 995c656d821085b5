package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/storage/storagetest"
	"github.com/callaudit/callaudit/transcribe"
)

// benchDialog is a two-minute Russian sales call (the project's sample
// ru_good_crm.txt), inlined so that the benchmark runs in any checkout.
const benchDialog = `Менеджер: Добрый день! Меня зовут Анна, компания «ТаскФлоу», мы делаем систему учёта задач для отделов продаж. Вам удобно сейчас говорить пару минут?
Клиент: Да, здравствуйте, давайте, только недолго.
Менеджер: Спасибо! Вы оставляли заявку на сайте. Расскажите, пожалуйста, как сейчас ваши менеджеры ведут сделки?
Клиент: В основном в таблицах, ну и в мессенджерах переписываются.
Менеджер: Понимаю. А сколько у вас менеджеров и что больше всего мешает в текущей схеме?
Клиент: Семь человек. Мешает, что сделки теряются, никто не помнит, кому перезвонить.
Менеджер: То есть главная боль — потерянные сделки и забытые перезвоны, правильно я понимаю?
Клиент: Да, именно.
Менеджер: Тогда смотрите: в нашей системе каждая сделка получает ответственного и дату следующего шага, а если срок пропущен, руководитель сразу видит это на доске. Клиенты с похожей командой сокращают потерянные сделки примерно на треть в первый же месяц.
Клиент: Звучит неплохо, но у нас уже был опыт с CRM, и это дорого.
Менеджер: Понимаю ваши сомнения. Сколько, по вашей оценке, стоит одна потерянная сделка?
Клиент: Ну, тысяч пятьдесят в среднем.
Менеджер: Тариф на семь человек стоит меньше одной такой сделки в месяц. Плюс первые две недели бесплатно, можно проверить без риска.
Клиент: Хорошо, давайте попробуем.
Менеджер: Отлично! Предлагаю так: я сегодня пришлю доступ и договоримся на четверг в 11:00 на короткую настройку вместе с вашим руководителем. Вам удобно?
Клиент: Да, четверг в одиннадцать подходит.
Менеджер: Договорились. Спасибо за время, хорошего дня!
Клиент: И вам, до свидания.`

// BenchmarkAnalyzeCall measures POST /analyze_call in process: JSON
// decoding, validation, parsing the dialog, the checklist scorer, metrics
// and encoding the report; with the in-memory store and without a store.
func BenchmarkAnalyzeCall(b *testing.B) {
	body := mustJSON(map[string]string{"dialog_text": benchDialog, "content_mode": "Manager+", "manager_id": "anna"})
	for _, bc := range []struct {
		name string
		opts []audit.Option
	}{
		{"no-store", nil},
		{"memory-store", []audit.Option{audit.WithStore(memory.New())}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			a, err := audit.New(checklist.New(), bc.opts...)
			if err != nil {
				b.Fatal(err)
			}
			h, err := httpapi.New(httpapi.Config{Auditor: a})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/analyze_call", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// cannedScorer answers every request with a copy of one generated report,
// so that BenchmarkAnalyzeCallLoopback measures the server's own work and
// not a scorer's.
type cannedScorer struct{ rep score.Report }

func (s cannedScorer) Score(context.Context, score.Request) (*score.Report, error) {
	rep := s.rep
	rep.Metrics = transcribe.Metrics{} // the auditor computes them, as for a model's report
	return &rep, nil
}

// BenchmarkAnalyzeCallLoopback measures POST /analyze_call through a real
// net/http server on loopback, with the report saved to SQLite: the path a
// request takes in auditd, less the scorer (a canned report). Besides the
// time per request it reports the process's CPU time per request
// (cpu-µs/op, client included), which stays comparable on a machine shared
// with other work where the wall time does not.
func BenchmarkAnalyzeCallLoopback(b *testing.B) {
	rep := *storagetest.Generator{Seed: 1}.Call(0).Report
	for _, withStore := range []bool{false, true} {
		name := "no-store"
		if withStore {
			name = "sqlite"
		}
		b.Run(name, func(b *testing.B) {
			var opts []audit.Option
			if withStore {
				st, err := sqlstore.Open(context.Background(), filepath.Join(b.TempDir(), "calls.db"))
				require.NoError(b, err)
				defer st.Close()
				opts = append(opts, audit.WithStore(st))
			}
			a, err := audit.New(cannedScorer{rep: rep}, opts...)
			require.NoError(b, err)
			h, err := httpapi.New(httpapi.Config{Auditor: a})
			require.NoError(b, err)
			srv := httptest.NewServer(h)
			defer srv.Close()
			client := srv.Client()
			b.ReportAllocs()
			cpu0 := cpuTime()
			i := 0
			for b.Loop() {
				body := mustJSON(map[string]string{"dialog_text": benchDialog, "content_mode": "Manager+", "manager_id": "anna", "call_id": "bench-" + strconv.Itoa(i)})
				resp, err := client.Post(srv.URL+"/analyze_call", "application/json", strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				i++
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
