package transcribe

import (
	"strings"
	"unicode"
)

// DetectLanguage guesses the language of a dialog from its letters:
// "ru" when Cyrillic letters dominate, "en" when Latin letters do, and ""
// when there are too few letters to tell.
func DetectLanguage(text string) string {
	var cyr, lat int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			lat++
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
