package transcribe

import (
	"strings"
	"testing"
)

// countTextReference is countText written plainly: words as
// strings.Fields splits them, questions as runs of closing punctuation
// holding a question mark.
func countTextReference(s string) (words, questions int) {
	words = len(strings.Fields(s))
	inRun, q := false, false
	for _, r := range s {
		switch r {
		case '?', '？':
			inRun, q = true, true
		case '!', '.', '…':
			inRun = true
		default:
			if inRun && q {
				questions++
			}
			inRun, q = false, false
		}
	}
	if q {
		questions++
	}
	return words, questions
}

// FuzzCountText checks the byte-level fast paths of countText (ASCII,
// two-byte runes, runs of Cyrillic letters) against the plain version.
func FuzzCountText(f *testing.F) {
	for _, s := range []string{
		"", "Добрый день! Вам удобно говорить?", "Да?! Нет... Хорошо?", "ёлка\u00a0ель\u0085дом",
		"Hi, this is Mark?!", "цена 1 500 ₽ — ок?", "а?б", "\xd0", "\xd0\xd0\x90", "中文？ 是的",
		strings.Repeat("слово ", 50) + "?",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, questions := countText(s)
		wantWords, wantQuestions := countTextReference(s)
		if words != wantWords || questions != wantQuestions {
			t.Fatalf("countText(%q) = %d words, %d questions; want %d, %d", s, words, questions, wantWords, wantQuestions)
		}
	})
}
