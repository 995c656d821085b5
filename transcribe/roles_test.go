package transcribe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
)

// diarised builds a transcript of unlabelled-role turns, as a diarising
// speech-to-text engine returns them: label and text pairs.
func diarised(pairs ...string) transcribe.Transcript {
	var tr transcribe.Transcript
	for i := 0; i+1 < len(pairs); i += 2 {
		tr.Segments = append(tr.Segments, transcribe.Segment{Speaker: unk, Label: pairs[i], Text: pairs[i+1]})
	}
	return tr
}

func rolesOf(tr transcribe.Transcript) []transcribe.Role {
	out := make([]transcribe.Role, len(tr.Segments))
	for i, s := range tr.Segments {
		out[i] = s.Speaker
	}
	return out
}

func TestAssignRoles(t *testing.T) {
	cases := []struct {
		name string
		tr   transcribe.Transcript
		dir  transcribe.Direction
		want []transcribe.Role
	}{
		{"introduction with a company", diarised(
			"A", "Алло?",
			"B", "Добрый день, меня зовут Пётр, компания «Свет». Вы оставляли заявку, удобно говорить?",
			"A", "Да, удобно."),
			"", []transcribe.Role{cli, mgr, cli}},
		{"inbound: the manager answers for the company", diarised(
			"1", "Thanks for calling Brightline, this is Omar. How can I help?",
			"2", "Hi, I want to change my plan. How much is the unlimited one?",
			"1", "It's 45 a month. I'll send the details by email."),
			"", []transcribe.Role{mgr, cli, mgr}},
		{"outbound: the manager calls about the client's inquiry", diarised(
			"1", "Hello, this is Megan, I'm calling about your inquiry on the SUV.",
			"2", "Oh right, yes. Is the back seat big enough for two car seats?",
			"1", "Yes, plenty of room."),
			"", []transcribe.Role{mgr, cli, mgr}},
		{"звонок по заявке клиента", diarised(
			"1", "Алло.",
			"2", "Здравствуйте, звоню по вашей заявке на обучение.",
			"1", "Да, было дело."),
			"", []transcribe.Role{cli, mgr, cli}},
		{"the client states wants and refuses", diarised(
			"x", "Мне нужна справка, и я хочу закрыть карту. Не надо ничего предлагать.",
			"y", "Понял. Какая справка — о доходах? Пришлю в приложение сегодня."),
			"", []transcribe.Role{cli, mgr}},
		{"direction decides an otherwise even call", diarised(
			"1", "Добрый день.",
			"2", "Добрый день."),
			transcribe.DirectionInbound, []transcribe.Role{mgr, cli}},
		{"outbound: the first voice is the called client", diarised(
			"1", "Добрый день.",
			"2", "Добрый день."),
			transcribe.DirectionOutbound, []transcribe.Role{cli, mgr}},
		{"no evidence keeps roles unknown", diarised(
			"1", "Добрый день.",
			"2", "Добрый день."),
			"", []transcribe.Role{unk, unk}},
		{"a client introducing their own company", diarised(
			"1", "Добрый день, меня зовут Игорь, компания «Ромашка». Хотим заказать ещё партию, присылайте счёт.",
			"2", "Здравствуйте, Игорь. Сколько нужно? Итого выйдет 108 тысяч, счёт пришлю сегодня. Спасибо за заказ!"),
			"", []transcribe.Role{cli, mgr}},
		{"three voices: one manager, two clients", diarised(
			"1", "Да?",
			"2", "Здравствуйте, меня зовут Анна, агентство «Ключ». Вы смотрели квартиру, удобно говорить?",
			"3", "Я муж, я тоже слушаю. Мне нужно понять цену.",
			"2", "Цена 9 миллионов, могу предложить просмотр в субботу, записываю?"),
			"", []transcribe.Role{cli, mgr, cli, mgr}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.tr.Clone()
			got := transcribe.AssignRoles(tc.tr, tc.dir)
			assert.Equal(t, tc.want, rolesOf(got))
			assert.Equal(t, before, tc.tr, "the input is not changed")
			if tc.want[0] == unk {
				assert.Zero(t, got.RoleConfidence)
			} else {
				assert.Greater(t, got.RoleConfidence, 0.5)
				assert.Less(t, got.RoleConfidence, 1.0)
			}
		})
	}
}

func TestAssignRolesKeepsLabelledRoles(t *testing.T) {
	// A role named by a label is kept whatever the text says; the
	// unlabelled speaker takes the other side.
	tr := transcribe.Transcript{Segments: []transcribe.Segment{
		{Speaker: cli, Label: "Клиент Иван", Text: "Меня зовут Иван, компания «Рога». Удобно говорить?"},
		{Speaker: unk, Label: "Ольга", Text: "Я хочу узнать цену."},
	}}
	got := transcribe.AssignRoles(tr, "")
	assert.Equal(t, []transcribe.Role{cli, mgr}, rolesOf(got))
	assert.InDelta(t, 0.9, got.RoleConfidence, 1e-9)

	tr = transcribe.ParseDialog("Менеджер: Добрый день.\nКлиент: Да.")
	assert.Equal(t, tr, transcribe.AssignRoles(tr, transcribe.DirectionOutbound))
}

func TestAssignRolesLongCallIsBounded(t *testing.T) {
	// Evidence is read from the start of each speaker's speech, so a long
	// call costs no more than a bound per speaker.
	long := strings.Repeat("ну вот так вот, ", 5000)
	tr := diarised("1", "Здравствуйте, меня зовут Анна, компания «Ключ».", "2", "Алло.", "1", long, "2", long+" я хочу, мне нужно")
	got := transcribe.AssignRoles(tr, "")
	require.Len(t, got.Segments, 4)
	assert.Equal(t, []transcribe.Role{mgr, cli, mgr, cli}, rolesOf(got))
}

// BenchmarkParseDialogDiarised parses a ten-minute call with anonymous
// labels, so that role assignment runs.
func BenchmarkParseDialogDiarised(b *testing.B) {
	text := benchDialog(b)
	text = strings.NewReplacer("Менеджер:", "SPEAKER_00:", "Клиент:", "SPEAKER_01:", "Agent:", "SPEAKER_00:", "Customer:", "SPEAKER_01:").Replace(text)
	if tr := transcribe.ParseDialog(text); tr.Segments[0].Label == "" {
		b.Fatal("the benchmark dialog has no diarised labels")
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		transcribe.ParseDialog(text)
	}
}

func TestAssignRolesManySpeakers(t *testing.T) {
	// A list of many named voices is not a sales call: no inference, and
	// the labelled roles keep confidence 1.
	var pairs []string
	for i := range 40 {
		pairs = append(pairs, fmt.Sprintf("Speaker %d", i), "Меня зовут Анна, компания «Ключ».")
	}
	tr := diarised(pairs...)
	tr.Segments = append(tr.Segments, transcribe.Segment{Speaker: cli, Text: "Да."})
	got := transcribe.AssignRoles(tr, "")
	assert.Equal(t, unk, got.Segments[0].Speaker)
	assert.Equal(t, 1.0, got.RoleConfidence)
}
