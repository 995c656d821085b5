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
	var c letters
	c.add(text)
	return c.language()
}

// letters counts the Cyrillic and Latin letters of one or more texts, for
// DetectLanguage over a whole transcript without joining its segments.
type letters struct{ cyr, lat int }

func (c *letters) add(text string) {
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf:
			if l := r | 0x20; l >= 'a' && l <= 'z' {
				c.lat++
			}
		// Basic Cyrillic and its supplement, without the table search
		// (U+0485 and U+0486 are combining marks of no script).
		case r >= 0x400 && r <= 0x52F:
			if r != 0x485 && r != 0x486 {
				c.cyr++
			}
		case unicode.Is(unicode.Cyrillic, r):
			c.cyr++
		}
	}
}

func (c letters) language() string {
	if c.cyr+c.lat < 3 {
		return ""
	}
	if c.cyr >= c.lat {
		return "ru"
	}
	return "en"
}

// spokenLanguage is DetectLanguage over what the segments say, without the
// speaker labels the parser took off: "Manager: Добрый день. Client: Да."
// is a Russian call, whatever the labels' letters.
func spokenLanguage(segs []Segment) string {
	var c letters
	for _, s := range segs {
		c.add(s.Text)
	}
	return c.language()
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
