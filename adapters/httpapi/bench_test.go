package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage/memory"
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
