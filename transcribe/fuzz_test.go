package transcribe_test

import (
	"strings"
	"testing"

	"github.com/callaudit/callaudit/transcribe"
)

// FuzzParseDialog checks that ParseDialog never panics and that its result
// keeps the invariants other packages rely on.
func FuzzParseDialog(f *testing.F) {
	for _, seed := range []string{
		"", "Клиент: Привет! Менеджер: Добрый день!",
		"Менеджер: Алло.\nпродолжение\nКлиент — Да?",
		"М: Алло. К: Да? M: Hi. C: Hello.",
		"[00:05] Менеджер: Алло\n[00:03] Клиент: Да\n(1:02:03) Agent: ok",
		"00:00:01,500 --> 00:00:04,000\nМенеджер: Алло",
		"Speaker 1  0:03\nhello\nАнна (менеджер): Привет\nМенеджер по продажам: Да",
		"[00:01 - 00:04] Client: x [99:59] Customer: y",
		"- Менеджер: \xff\xfe\n— Клиент:: ::",
		"[[[((( 00: :00 ]]] --> -->",
		"клиент: привет менеджер: здравствуйте",
		"SPEAKER_00: Компания «Х», меня зовут Оля.\nSPEAKER_01: Да\nОльга: a\nОльга: b\nИван Петрович [00:01]: c\nИван Петрович: d",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tr := transcribe.ParseDialog(text)
		if tr.Source != "text" {
			t.Fatalf("source %q", tr.Source)
		}
		last := -1.0
		for i, s := range tr.Segments {
			if strings.TrimSpace(s.Text) == "" || s.Text != strings.TrimSpace(s.Text) {
				t.Fatalf("segment %d has untrimmed or empty text %q", i, s.Text)
			}
			switch s.Speaker {
			case transcribe.RoleManager, transcribe.RoleClient, transcribe.RoleUnknown:
			default:
				t.Fatalf("segment %d has role %q", i, s.Speaker)
			}
			if s.End != nil && s.Start == nil {
				t.Fatalf("segment %d has an end without a start", i)
			}
			if s.Start != nil {
				if *s.Start < 0 || *s.Start < last {
					t.Fatalf("segment %d starts at %v after %v", i, *s.Start, last)
				}
				last = *s.Start
				if s.End != nil && *s.End < *s.Start {
					t.Fatalf("segment %d ends at %v before its start %v", i, *s.End, *s.Start)
				}
			}
		}
		// Metrics must cope with whatever the parser gives.
		m := transcribe.ComputeMetrics(tr)
		if m.Segments != len(tr.Segments) || m.ManagerWords+m.ClientWords+m.UnknownWords != tr.Words() {
			t.Fatalf("metrics disagree with the transcript: %+v", m)
		}
	})
}
