package transcribe_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/transcribe"
)

func seg(role transcribe.Role, text string) transcribe.Segment {
	return transcribe.Segment{Speaker: role, Text: text}
}

func tseg(role transcribe.Role, text string, start, end float64) transcribe.Segment {
	return transcribe.Segment{Speaker: role, Text: text, Start: transcribe.Seconds(start), End: transcribe.Seconds(end)}
}

func intp(v int) *int { return &v }

// The expectations below were worked out by hand from the definitions in
// ComputeMetrics' doc comment.
func TestComputeMetrics(t *testing.T) {
	cases := []struct {
		name string
		in   transcribe.Transcript
		want transcribe.Metrics
	}{
		{"empty", transcribe.Transcript{}, transcribe.Metrics{}},
		{"untimed", transcribe.Transcript{Segments: []transcribe.Segment{
			seg(mgr, "Добрый день! Как вас зовут?"), // 5 words, 1 question
			seg(cli, "Иван."), // 1 word
			seg(mgr, "Иван, что вас интересует? Цена? Сроки?!"), // 6 words, 3 questions
			seg(mgr, "Расскажу подробнее."),                     // 2 words; one turn with the one before
			seg(cli, "Хорошо?.. Давайте."),                      // 2 words, 1 question
			seg(unk, "шум"), // each unknown segment is its own turn
			seg(unk, "помехи"),
		}}, transcribe.Metrics{
			Turns: 6, Segments: 7,
			ManagerWords: 13, ClientWords: 3, UnknownWords: 2,
			ManagerTalkShare: 13.0 / 16,
			ManagerQuestions: 4, ClientQuestions: 1,
			LongestMonologueWords: 8, LongestMonologueSpeaker: mgr,
		}},
		{"timed", transcribe.Transcript{Segments: []transcribe.Segment{
			tseg(mgr, "a b c d", 0, 4),
			tseg(cli, "e f", 3, 6),     // starts before the manager ends: interruption
			tseg(mgr, "g", 8, 10),      // 2 s of silence before it
			tseg(mgr, "h i j", 10, 15), // same turn: 8..15 is a 7 s monologue
			tseg(cli, "k?", 14.5, 16),  // interruption
			tseg(mgr, "l", 15.5, 17),   // the manager interrupts back
			tseg(cli, "m", 20, 21),     // 3 s of silence before it
		}}, transcribe.Metrics{
			Turns: 6, Segments: 7,
			ManagerWords: 9, ClientWords: 4,
			ManagerTalkShare: 9.0 / 13,
			ClientQuestions:  1,
			// Both the first turn and the 8..15 one have 4 words; the
			// first reached it first.
			LongestMonologueWords: 4, LongestMonologueSpeaker: mgr,
			DurationSeconds:         transcribe.Seconds(21),
			ManagerTalkSeconds:      transcribe.Seconds(4 + 2 + 5 + 1.5),
			ClientTalkSeconds:       transcribe.Seconds(3 + 1.5 + 1),
			ManagerTalkShareByTime:  transcribe.Seconds(12.5 / 18),
			LongestMonologueSeconds: transcribe.Seconds(7),
			SilenceSeconds:          transcribe.Seconds(5),
			LongestSilenceSeconds:   transcribe.Seconds(3),
			Interruptions:           intp(3),
			ManagerInterruptions:    intp(1),
		}},
		{"overlap leaves no phantom silence", transcribe.Transcript{Segments: []transcribe.Segment{
			tseg(mgr, "long turn", 0, 10),
			tseg(cli, "ага", 2, 3),    // a back-channel inside the manager's turn
			tseg(mgr, "still", 5, 11), // gap after "ага", but the first turn still runs
		}}, transcribe.Metrics{
			Turns: 3, Segments: 3,
			ManagerWords: 3, ClientWords: 1, ManagerTalkShare: 0.75,
			LongestMonologueWords: 2, LongestMonologueSpeaker: mgr,
			DurationSeconds:         transcribe.Seconds(11),
			ManagerTalkSeconds:      transcribe.Seconds(16),
			ClientTalkSeconds:       transcribe.Seconds(1),
			ManagerTalkShareByTime:  transcribe.Seconds(16.0 / 17),
			LongestMonologueSeconds: transcribe.Seconds(10),
			SilenceSeconds:          transcribe.Seconds(0),
			LongestSilenceSeconds:   transcribe.Seconds(0),
			Interruptions:           intp(1),
			ManagerInterruptions:    intp(0),
		}},
		{"unknown speakers break monologues and are not interruptions", transcribe.Transcript{Segments: []transcribe.Segment{
			tseg(mgr, "one two", 0, 2),
			tseg(unk, "noise", 1, 3),
			tseg(mgr, "three", 3, 4),
		}}, transcribe.Metrics{
			Turns: 3, Segments: 3,
			ManagerWords: 3, UnknownWords: 1, ManagerTalkShare: 1,
			LongestMonologueWords: 2, LongestMonologueSpeaker: mgr,
			DurationSeconds:         transcribe.Seconds(4),
			ManagerTalkSeconds:      transcribe.Seconds(3),
			ClientTalkSeconds:       transcribe.Seconds(0),
			ManagerTalkShareByTime:  transcribe.Seconds(1),
			LongestMonologueSeconds: transcribe.Seconds(2),
			SilenceSeconds:          transcribe.Seconds(0),
			LongestSilenceSeconds:   transcribe.Seconds(0),
			Interruptions:           intp(0),
			ManagerInterruptions:    intp(0),
		}},
		{"partly timed has no time figures", transcribe.Transcript{Segments: []transcribe.Segment{
			tseg(mgr, "a", 0, 1),
			seg(cli, "b c"),
		}}, transcribe.Metrics{
			Turns: 2, Segments: 2,
			ManagerWords: 1, ClientWords: 2, ManagerTalkShare: 1.0 / 3,
			LongestMonologueWords: 2, LongestMonologueSpeaker: cli,
		}},
		{"recording duration without timestamps", transcribe.Transcript{
			Segments: []transcribe.Segment{seg(cli, "алло")},
			Duration: transcribe.Seconds(42.5),
		}, transcribe.Metrics{
			Turns: 1, Segments: 1, ClientWords: 1,
			LongestMonologueWords: 1, LongestMonologueSpeaker: cli,
			DurationSeconds: transcribe.Seconds(42.5),
		}},
		{"speaker outside the vocabulary counts as unknown", transcribe.Transcript{Segments: []transcribe.Segment{
			seg("robot", "beep beep?"),
		}}, transcribe.Metrics{Turns: 1, Segments: 1, UnknownWords: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := transcribe.ComputeMetrics(tc.in)
			assert.InDelta(t, tc.want.ManagerTalkShare, got.ManagerTalkShare, 1e-9)
			if tc.want.ManagerTalkShareByTime != nil && got.ManagerTalkShareByTime != nil {
				assert.InDelta(t, *tc.want.ManagerTalkShareByTime, *got.ManagerTalkShareByTime, 1e-9)
				got.ManagerTalkShareByTime = tc.want.ManagerTalkShareByTime
			}
			got.ManagerTalkShare = tc.want.ManagerTalkShare
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestComputeMetricsQuestions(t *testing.T) {
	cases := []struct {
		text string
		want int
	}{
		{"Нет.", 0},
		{"Да?", 1},
		{"Да?!", 1},
		{"Правда???", 1},
		{"Что? Где? Когда?", 3},
		{"Ну?.. Ладно.", 1},
		{"Why? Because.", 1},
		{"Вопрос？", 1},
		{"a ? b", 1},
		{"", 0},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			m := transcribe.ComputeMetrics(transcribe.Transcript{Segments: []transcribe.Segment{seg(mgr, tc.text), seg(cli, tc.text)}})
			assert.Equal(t, tc.want, m.ManagerQuestions)
			assert.Equal(t, tc.want, m.ClientQuestions)
		})
	}
}

// TestComputeMetricsWordsAgreeWithTranscript ties the word counts to
// Transcript.Words, the definition other packages use.
func TestComputeMetricsWordsAgreeWithTranscript(t *testing.T) {
	tr := transcribe.ParseDialog("Менеджер: раз  два\tтри\nКлиент: четыре\u00a0пять\nшесть")
	m := transcribe.ComputeMetrics(tr)
	assert.Equal(t, tr.Words(), m.ManagerWords+m.ClientWords+m.UnknownWords)
	assert.Equal(t, 3, m.ManagerWords)
	assert.Equal(t, 3, m.ClientWords)
}
