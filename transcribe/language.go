package transcribe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DetectLanguage guesses the language of a dialog from its letters:
// "ru" when Cyrillic letters dominate, "en" when Latin letters do, and ""
// when there are too few letters to tell.
func DetectLanguage(text string) string {
	var cyr, lat int
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf:
			if c := r | 0x20; c >= 'a' && c <= 'z' {
				lat++
			}
		// Basic Cyrillic and its supplement, without the table search
		// (U+0485 and U+0486 are combining marks of no script).
		case r >= 0x400 && r <= 0x52F:
			if r != 0x485 && r != 0x486 {
				cyr++
			}
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		}
	}
	if cyr+lat < 3 {
		return ""
	}
	if cyr >= lat {
		return "ru"
	}
	return "en"
}

// NormalizeLanguage reduces a language tag to its lower-case base
// ("ru-RU" → "ru", "EN" → "en").
func NormalizeLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}
