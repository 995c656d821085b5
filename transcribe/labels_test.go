package transcribe_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
)

// spoken is a segment's speaker, label and text.
type spoken struct {
	role  transcribe.Role
	label string
	text  string
}

func spokenOf(tr transcribe.Transcript) []spoken {
	out := make([]spoken, 0, len(tr.Segments))
	for _, s := range tr.Segments {
		out = append(out, spoken{s.Speaker, s.Label, s.Text})
	}
	return out
}

// The manager's and the client's lines of the label tests: the manager
// introduces themselves with a company and books the next step.
const (
	mgrLine1 = "Добрый день, компания «Окна Плюс», меня зовут Ольга. Удобно говорить?"
	cliLine1 = "Да, удобно."
	mgrLine2 = "Записала вас на замер в субботу, пришлю адрес."
	cliLine2 = "Спасибо."
)

// TestParseDialogSpeakerLabels: every label form of real transcripts
// parses to its speaker; the label stays out of the text, and role
// assignment finds the manager when the labels do not name roles.
func TestParseDialogSpeakerLabels(t *testing.T) {
	cases := []struct {
		name     string
		mgr, cli string // the labels as written
		wantMgr  string // Segment.Label of the manager's turns
		wantCli  string
		format   func(label, text string) string
	}{
		{"diarised SPEAKER_00", "SPEAKER_00", "SPEAKER_01", "SPEAKER_00", "SPEAKER_01", colon},
		{"diarised, client first in the file", "SPEAKER_01", "SPEAKER_00", "SPEAKER_01", "SPEAKER_00", colon},
		{"Speaker A", "Speaker A", "Speaker B", "Speaker A", "Speaker B", colon},
		{"Speaker C is a name, not the client letter", "Speaker C", "Speaker D", "Speaker C", "Speaker D", colon},
		{"Спикер 1", "Спикер 1", "Спикер 2", "Спикер 1", "Спикер 2", colon},
		{"upper case", "СПИКЕР 1", "СПИКЕР 2", "СПИКЕР 1", "СПИКЕР 2", colon},
		{"person names", "Ольга", "Иван Петрович", "Ольга", "Иван Петрович", colon},
		{"english names", "Mike", "Sarah Connor", "Mike", "Sarah Connor", colon},
		{"upper-case names", "ОЛЬГА", "ИВАН", "ОЛЬГА", "ИВАН", colon},
		{"role with a name in brackets", "Оператор (Ольга)", "Клиент", "Оператор (Ольга)", "", colon},
		{"role and name", "Менеджер Ольга", "Клиент", "Менеджер Ольга", "", colon},
		{"name beside a role label", "Ольга", "Клиент", "Ольга", "", colon},
		{"indented", "Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2",
			func(l, x string) string { return "    " + l + ": " + x }},
		{"timestamp before", "SPEAKER_00", "SPEAKER_01", "SPEAKER_00", "SPEAKER_01",
			func(l, x string) string { return "[00:01:02] " + l + ": " + x }},
		{"timestamp after", "Ольга", "Иван", "Ольга", "Иван",
			func(l, x string) string { return l + " [00:01:02]: " + x }},
		{"timestamp after a diarised label", "Спикер 1", "Спикер 2", "Спикер 1", "Спикер 2",
			func(l, x string) string { return l + " (01:02): " + x }},
		{"label on its own line", "Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2",
			func(l, x string) string { return l + " 00:01\n" + x }},
		{"bulleted", "Ольга", "Иван", "Ольга", "Иван",
			func(l, x string) string { return "- " + l + ": " + x }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.format(tc.mgr, mgrLine1) + "\n" + tc.format(tc.cli, cliLine1) + "\n" +
				tc.format(tc.mgr, mgrLine2) + "\n" + tc.format(tc.cli, cliLine2)
			tr := transcribe.ParseDialog(text)
			want := []spoken{
				{mgr, tc.wantMgr, mgrLine1}, {cli, tc.wantCli, cliLine1},
				{mgr, tc.wantMgr, mgrLine2}, {cli, tc.wantCli, cliLine2},
			}
			assert.Equal(t, want, spokenOf(tr))
			assert.Greater(t, tr.RoleConfidence, 0.5)
			assert.LessOrEqual(t, tr.RoleConfidence, 1.0)
		})
	}
}

func colon(label, text string) string { return label + ": " + text }

func TestParseDialogLabelsOnOneLine(t *testing.T) {
	tr := transcribe.ParseDialog("Speaker A: Здравствуйте, меня зовут Ольга, компания «Окна Плюс». Speaker B: Да, здравствуйте. Speaker A: Пришлю вам расчёт.")
	assert.Equal(t, []spoken{
		{mgr, "Speaker A", "Здравствуйте, меня зовут Ольга, компания «Окна Плюс»."},
		{cli, "Speaker B", "Да, здравствуйте."},
		{mgr, "Speaker A", "Пришлю вам расчёт."},
	}, spokenOf(tr))
}

func TestParseDialogMultiLineNamedTurns(t *testing.T) {
	tr := transcribe.ParseDialog("Jessica Park: Hello, Jessica speaking.\n" +
		"Tom Wilson: Hi Jessica, this is Tom from Payroll Bridge. You booked a call\nwith us — is now a good time?\n" +
		"Jessica Park: Yes.\nAre you the one who emailed?\n" +
		"Tom Wilson: I am. I'll send the checklist today.")
	assert.Equal(t, []spoken{
		{cli, "Jessica Park", "Hello, Jessica speaking."},
		{mgr, "Tom Wilson", "Hi Jessica, this is Tom from Payroll Bridge. You booked a call with us — is now a good time?"},
		{cli, "Jessica Park", "Yes. Are you the one who emailed?"},
		{mgr, "Tom Wilson", "I am. I'll send the checklist today."},
	}, spokenOf(tr))
}

// TestParseDialogHeadingsAreNotNames: a "Word:" opening prose is text
// unless it repeats as a speaker beside another speaker.
func TestParseDialogHeadingsAreNotNames(t *testing.T) {
	cases := []struct{ name, in string }{
		{"one heading", "Итого: клиент согласился.\nДалее обсуждали цену."},
		{"a repeated heading alone", "Note: first point.\nNote: second point."},
		{"lower case", "итого: раз\nитого: два\nпотом: три\nпотом: четыре"},
		{"too many words", "Very Long Heading Here: a\nVery Long Heading Here: b\nOther Heading Text Here: c\nOther Heading Text Here: d"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := transcribe.ParseDialog(tc.in)
			for _, s := range tr.Segments {
				assert.Equal(t, unk, s.Speaker)
				assert.Empty(t, s.Label)
			}
			assert.Zero(t, tr.RoleConfidence)
		})
	}
}

func TestParseDialogRoleConfidence(t *testing.T) {
	assert.Equal(t, 1.0, transcribe.ParseDialog("Менеджер: Добрый день.\nКлиент: Да.").RoleConfidence)
	assert.Zero(t, transcribe.ParseDialog("просто текст без меток").RoleConfidence)
	// Diarised speakers with nothing to tell them apart keep unknown roles.
	tr := transcribe.ParseDialog("Speaker 1: Хорошо.\nSpeaker 2: Хорошо.")
	assert.Zero(t, tr.RoleConfidence)
	require.Len(t, tr.Segments, 2)
	assert.Equal(t, unk, tr.Segments[0].Speaker)
	assert.Equal(t, "Speaker 1", tr.Segments[0].Label)
}
