package transcribe_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

const (
	mgr = transcribe.RoleManager
	cli = transcribe.RoleClient
	unk = transcribe.RoleUnknown
)

// turn is a segment in a form that is easy to write in a table; a
// negative time means "not set".
type turn struct {
	role       transcribe.Role
	text       string
	start, end float64
}

func untimed(role transcribe.Role, text string) turn { return turn{role, text, -1, -1} }

func turnsOf(tr transcribe.Transcript) []turn {
	out := make([]turn, 0, len(tr.Segments))
	for _, s := range tr.Segments {
		t := turn{s.Speaker, s.Text, -1, -1}
		if s.Start != nil {
			t.start = *s.Start
		}
		if s.End != nil {
			t.end = *s.End
		}
		out = append(out, t)
	}
	return out
}

func TestParseDialogLabelFamilies(t *testing.T) {
	cases := []struct {
		label string
		want  transcribe.Role
	}{
		{"Менеджер", mgr}, {"Продавец", mgr}, {"Оператор", mgr}, {"Сотрудник", mgr},
		{"Консультант", mgr}, {"Специалист", mgr}, {"Администратор", mgr}, {"Диспетчер", mgr}, {"М", mgr},
		{"Representative", mgr}, {"Агент", mgr}, {"Риелтор", mgr}, {"Заказчик", cli}, {"Пациент", cli}, {"Гость", cli},
		{"Manager", mgr}, {"Agent", mgr}, {"Rep", mgr}, {"Sales", mgr},
		{"Salesperson", mgr}, {"Seller", mgr}, {"Operator", mgr}, {"M", mgr},
		{"Клиент", cli}, {"Покупатель", cli}, {"Абонент", cli}, {"Собеседник", cli},
		{"Звонящий", cli}, {"К", cli},
		{"Client", cli}, {"Customer", cli}, {"Caller", cli}, {"Buyer", cli},
		{"Prospect", cli}, {"Lead", cli}, {"C", cli},
		{"Speaker", unk}, {"Спикер", unk},
		// Case, numbering, names and titles.
		{"МЕНЕДЖЕР", mgr}, {"клиент", cli}, {"agent", mgr}, {"CUSTOMER", cli},
		{"Менеджер 1", mgr}, {"Клиент 2", cli}, {"Agent #2", mgr},
		{"Анна (менеджер)", mgr}, {"Иван Петров (клиент)", cli}, {"Менеджер (Анна)", mgr},
		{"Менеджер Анна", mgr}, {"Менеджер по продажам", mgr}, {"Продавец-консультант", mgr},
		{"Старший Менеджер", mgr}, {"Sales Rep", mgr}, {"Sales Lead", mgr},
		{"Account Manager", mgr}, {"Customer Success Manager", mgr}, {"Client Manager", mgr},
	}
	for _, tc := range cases {
		for _, sep := range []string{":", " -", " —", " –"} {
			t.Run(tc.label+sep, func(t *testing.T) {
				tr := transcribe.ParseDialog(tc.label + sep + " Добрый день\nвторая строка")
				assert.Equal(t, []turn{untimed(tc.want, "Добрый день вторая строка")}, turnsOf(tr))
			})
		}
	}
}

func TestParseDialog(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []turn
	}{
		{"inline one line", "Клиент: Привет! Менеджер: Добрый день!",
			[]turn{untimed(cli, "Привет!"), untimed(mgr, "Добрый день!")}},
		{"inline without sentence end", "Клиент: Да Менеджер: Хорошо",
			[]turn{untimed(cli, "Да"), untimed(mgr, "Хорошо")}},
		{"inline english", "Agent: Hi, this is Mark. Customer: Hello? Agent: Great.",
			[]turn{untimed(mgr, "Hi, this is Mark."), untimed(cli, "Hello?"), untimed(mgr, "Great.")}},
		{"one per line with continuation", "Менеджер: Добрый день.\nКак дела?\n\nКлиент: Хорошо.\r\nСпасибо.",
			[]turn{untimed(mgr, "Добрый день. Как дела?"), untimed(cli, "Хорошо. Спасибо.")}},
		{"label alone on its line", "Менеджер:\nДобрый день\nКлиент:\nЗдравствуйте",
			[]turn{untimed(mgr, "Добрый день"), untimed(cli, "Здравствуйте")}},
		{"label without text is dropped", "Менеджер:\nКлиент: Да",
			[]turn{untimed(cli, "Да")}},
		{"same speaker twice stays two segments", "Менеджер: Раз.\nМенеджер: Два.",
			[]turn{untimed(mgr, "Раз."), untimed(mgr, "Два.")}},
		{"single letters at sentence starts", "М: Алло. К: Да? М: Это Анна.",
			[]turn{untimed(mgr, "Алло."), untimed(cli, "Да?"), untimed(mgr, "Это Анна.")}},
		{"latin single letters", "M: Hi.\nC: Hello.",
			[]turn{untimed(mgr, "Hi."), untimed(cli, "Hello.")}},
		{"single letter in running text", "Менеджер: К сожалению, нет. К тому же М и К: буквы",
			[]turn{untimed(mgr, "К сожалению, нет. К тому же М и К: буквы")}},
		{"single letter mid sentence", "Менеджер: Вот пункт К: он важен",
			[]turn{untimed(mgr, "Вот пункт К: он важен")}},
		{"lower-case role mid sentence", "Менеджер: я менеджер: отвечаю за продажи",
			[]turn{untimed(mgr, "я менеджер: отвечаю за продажи")}},
		{"lower-case dialog", "клиент: привет менеджер: здравствуйте",
			[]turn{untimed(cli, "привет"), untimed(mgr, "здравствуйте")}},
		{"dash is copula", "Клиент — это главное. Менеджер: Да.",
			[]turn{untimed(unk, "Клиент — это главное."), untimed(mgr, "Да.")}},
		{"dash mid-line needs dash labels", "Менеджер: Наш клиент. Клиент - важен",
			[]turn{untimed(mgr, "Наш клиент. Клиент - важен")}},
		{"dash labels inline", "Клиент - Привет. Менеджер - Добрый день",
			[]turn{untimed(cli, "Привет."), untimed(mgr, "Добрый день")}},
		{"dash inside a word", "Менеджер: Это бизнес-клиент: крупный",
			[]turn{untimed(mgr, "Это бизнес-клиент: крупный")}},
		{"bullets", "- Менеджер: Привет\n— Клиент: Да\n• Менеджер: Ну",
			[]turn{untimed(mgr, "Привет"), untimed(cli, "Да"), untimed(mgr, "Ну")}},
		{"time of day in text", "Менеджер: Встретимся в 11:00 в четверг?\nКлиент: 12:30 лучше.",
			[]turn{untimed(mgr, "Встретимся в 11:00 в четверг?"), untimed(cli, "12:30 лучше.")}},
		{"unlabelled lines", "Привет\n   \nКак дела?  \n",
			[]turn{untimed(unk, "Привет"), untimed(unk, "Как дела?")}},
		{"header before labels", "Звонок 12.03.2024\nМенеджер: Алло\nпродолжение",
			[]turn{untimed(unk, "Звонок 12.03.2024"), untimed(mgr, "Алло продолжение")}},
		{"text before first label on a line", "Запись звонка. Менеджер: Алло",
			[]turn{untimed(unk, "Запись звонка."), untimed(mgr, "Алло")}},
		{"whitespace", "  \t Менеджер:    Привет   \n\n\n   Клиент:\tДа\t",
			[]turn{untimed(mgr, "Привет"), untimed(cli, "Да")}},
		{"word that only starts like a label", "Менеджерам: всем привет\nClients: many",
			[]turn{untimed(unk, "Менеджерам: всем привет"), untimed(unk, "Clients: many")}},
		{"non-label word before colon", "Note: call back\nLead time: three weeks",
			[]turn{untimed(unk, "Note: call back"), untimed(unk, "Lead time: three weeks")}},

		// Timestamps.
		{"bracketed mm:ss before label", "[00:05] Менеджер: Алло\n[00:09] Клиент: Да",
			[]turn{{mgr, "Алло", 5, 9}, {cli, "Да", 9, -1}}},
		{"parenthesised hh:mm:ss before label", "(01:02:03) Менеджер: Алло\n(01:02:10) Клиент: Да",
			[]turn{{mgr, "Алло", 3723, 3730}, {cli, "Да", 3730, -1}}},
		{"bare before label", "00:05 Менеджер: Алло\n1:07 Клиент: Да",
			[]turn{{mgr, "Алло", 5, 67}, {cli, "Да", 67, -1}}},
		{"between label and separator", "Менеджер [00:05]: Алло\nКлиент (00:09): Да\nМенеджер 00:12: Ну",
			[]turn{{mgr, "Алло", 5, 9}, {cli, "Да", 9, 12}, {mgr, "Ну", 12, -1}}},
		{"bracketed after separator", "Менеджер: [00:05] Алло\nКлиент: (0:09) Да",
			[]turn{{mgr, "Алло", 5, 9}, {cli, "Да", 9, -1}}},
		{"fraction", "[00:01.5] Менеджер: Алло\n[00:02.25] Клиент: Да",
			[]turn{{mgr, "Алло", 1.5, 2.25}, {cli, "Да", 2.25, -1}}},
		{"ranges", "[00:01 - 00:04] Менеджер: Алло\n[00:05 – 00:09] Клиент: Да",
			[]turn{{mgr, "Алло", 1, 4}, {cli, "Да", 5, 9}}},
		{"inline stamped turns", "[00:01] Клиент: Привет! [00:03] Менеджер: Добрый день!",
			[]turn{{cli, "Привет!", 1, 3}, {mgr, "Добрый день!", 3, -1}}},
		{"SRT-style stamp lines", "00:00:01,500 --> 00:00:04,000\nМенеджер: Алло\n00:00:04,000 --> 00:00:06,000\nКлиент: Да",
			[]turn{{mgr, "Алло", 1.5, 4}, {cli, "Да", 4, 6}}},
		{"meeting-tool export", "Speaker 1  0:03\nhello there\nSpeaker 2  0:07\nhi",
			[]turn{{unk, "hello there", 3, 7}, {unk, "hi", 7, -1}}},
		{"labelled meeting-tool export", "Менеджер 0:03\nДобрый день\nКлиент 0:07\nДа",
			[]turn{{mgr, "Добрый день", 3, 7}, {cli, "Да", 7, -1}}},
		{"start going backwards is dropped", "[00:09] Менеджер: Алло\n[00:05] Клиент: Да\n[00:12] Менеджер: Ну",
			[]turn{{mgr, "Алло", 9, -1}, {cli, "Да", -1, -1}, {mgr, "Ну", 12, -1}}},
		{"range ending before start is dropped", "[00:09 - 00:02] Менеджер: Алло",
			[]turn{{mgr, "Алло", 9, -1}}},
		{"invalid seconds are text", "[00:75] Менеджер: Алло",
			[]turn{untimed(unk, "[00:75]"), untimed(mgr, "Алло")}},
		{"partly timed", "[00:01] Менеджер: Алло\nКлиент: Да\n[00:09] Менеджер: Ну",
			[]turn{{mgr, "Алло", 1, -1}, {cli, "Да", -1, -1}, {mgr, "Ну", 9, -1}}},
		{"lone stamp", "[00:05]", []turn{}},

		// Garbage.
		{"empty", "", []turn{}},
		{"blank", " \n\t\r\n ", []turn{}},
		{"punctuation", ":::\n- - -\n—", []turn{untimed(unk, ":::"), untimed(unk, "- - -"), untimed(unk, "—")}},
		{"role word alone", "Менеджер", []turn{untimed(unk, "Менеджер")}},
		{"labels only", "Менеджер: Клиент: Менеджер:", []turn{}},
		{"single letters after a label are text", "Менеджер: К: М:", []turn{untimed(mgr, "К: М:")}},
		{"brackets", "[[[(((", []turn{untimed(unk, "[[[(((")}},
		{"invalid utf-8", "Менеджер: \xff\xfe ok", []turn{untimed(mgr, "\xff\xfe ok")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := transcribe.ParseDialog(tc.in)
			assert.Equal(t, tc.want, turnsOf(tr))
			assert.Equal(t, "text", tr.Source)
		})
	}
}

func TestParseDialogLanguage(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Менеджер: Добрый день!", "ru"},
		{"Agent: Good morning!", "en"},
		{"", ""},
		{"1 2 3", ""},
		// The labels are not speech: a Russian call exported with English
		// speaker labels (CRMs, transcription tools) is Russian, and the
		// other way round.
		{"Manager: Добрый день. Client: Да.", "ru"},
		{"Customer: Здравствуйте, хочу узнать цену.\nAgent: Добрый день!", "ru"},
		{"Менеджер: Hello! Клиент: Hi.", "en"},
		{"Manager: 123. Client: 456.", ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, transcribe.ParseDialog(tc.in).Language, tc.in)
	}
}

// TestParseDialogSamples parses the shared sample dialogs. The expected
// turn counts and first roles were read off the files by hand; every word
// of a file other than its labels must survive into the segments.
func TestParseDialogSamples(t *testing.T) {
	cases := []struct {
		file   string
		turns  int
		first  transcribe.Role
		labels []string
		lang   string
	}{
		{"ru_inline_one_line.txt", 10, cli, []string{"Клиент:", "Менеджер:"}, "ru"},
		{"ru_good_crm.txt", 18, mgr, []string{"Клиент:", "Менеджер:"}, "ru"},
		{"ru_bad_pushy.txt", 8, mgr, []string{"Клиент:", "Менеджер:"}, "ru"},
		{"en_medium_demo.txt", 10, mgr, []string{"Agent:", "Customer:"}, "en"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			text := transcribetest.Dialog(t, tc.file)
			tr := transcribe.ParseDialog(text)
			require.Len(t, tr.Segments, tc.turns)
			assert.Equal(t, tc.lang, tr.Language)
			role := tc.first
			for i, s := range tr.Segments {
				assert.Equal(t, role, s.Speaker, "segment %d: %q", i, s.Text)
				assert.NotEmpty(t, s.Text)
				assert.Nil(t, s.Start)
				role = map[transcribe.Role]transcribe.Role{mgr: cli, cli: mgr}[role]
			}
			labels := 0
			for _, l := range tc.labels {
				labels += strings.Count(text, l)
			}
			assert.Equal(t, labels, tc.turns, "one turn per label in the file")
			assert.Equal(t, len(strings.Fields(text))-labels, tr.Words(), "words outside labels")
		})
	}
}
