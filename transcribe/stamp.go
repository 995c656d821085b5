package transcribe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseStamp reads a timestamp at s[i]: "[mm:ss]", "(mm:ss)", "mm:ss",
// "hh:mm:ss", with optional fractions ("01:02.5", SRT's "00:01:02,500"),
// or a range "[00:01 - 00:04]" / "00:00:01,000 --> 00:00:04,000". It
// returns the offset after it. A bare stamp must not run into a letter or
// digit, so "12:30pm" or "1:2" are not stamps.
func parseStamp(s string, i int) (stamp, int, bool) {
	if i >= len(s) {
		return stamp{}, i, false
	}
	var closer byte
	switch s[i] {
	case '[':
		closer = ']'
	case '(':
		closer = ')'
	}
	j := i
	if closer != 0 {
		j = skipSpaces(s, j+1)
	}
	start, j, ok := parseClock(s, j)
	if !ok {
		return stamp{}, i, false
	}
	ts := stamp{start: start, hasStart: true}
	// An optional range: " - ", " – ", " — " inside brackets, " --> " anywhere.
	k := skipSpaces(s, j)
	if sep := rangeSep(s[k:], closer != 0); sep > 0 {
		if end, e, ok := parseClock(s, skipSpaces(s, k+sep)); ok {
			ts.end, ts.hasEnd = end, true
			j = e
		}
	}
	if closer != 0 {
		j = skipSpaces(s, j)
		if j >= len(s) || s[j] != closer {
			return stamp{}, i, false
		}
		return ts, j + 1, true
	}
	if j < len(s) && (isDigit(s[j]) || isLetterAt(s, j)) {
		return stamp{}, i, false
	}
	return ts, j, true
}

// rangeSep returns the length of a time-range separator at the start of s.
func rangeSep(s string, bracketed bool) int {
	if strings.HasPrefix(s, "-->") {
		return 3
	}
	if !bracketed {
		return 0
	}
	for _, d := range []string{"-", "–", "—"} {
		if strings.HasPrefix(s, d) {
			return len(d)
		}
	}
	return 0
}

// parseClock reads "m:ss", "mm:ss", "mmm:ss" or "h:mm:ss" with an optional
// fraction ('.' and 1-3 digits, or ',' and exactly 3 as in SRT).
func parseClock(s string, i int) (float64, int, bool) {
	first, j, ok := readDigits(s, i, 1, 3)
	if !ok || j >= len(s) || s[j] != ':' {
		return 0, i, false
	}
	second, j, ok := readDigits(s, j+1, 2, 2)
	if !ok || second > 59 {
		return 0, i, false
	}
	secs := float64(first*60 + second)
	if j < len(s) && s[j] == ':' {
		// "h:mm:ss"; a colon not followed by two digits is left alone
		// ("Менеджер 01:02: текст").
		if third, k, ok := readDigits(s, j+1, 2, 2); ok {
			if third > 59 {
				return 0, i, false
			}
			secs = float64(first*3600+second*60) + float64(third)
			j = k
		}
	}
	if j+1 < len(s) && (s[j] == '.' || s[j] == ',') {
		if frac, k, ok := readDigits(s, j+1, 1, 3); ok && (s[j] == '.' || k-j-1 == 3) {
			scale := 1.0
			for range k - j - 1 {
				scale *= 10
			}
			secs += float64(frac) / scale
			j = k
		}
	}
	return secs, j, true
}

// readDigits reads between lo and hi decimal digits at s[i]; more digits
// than hi is a failure, so "12345" is never read as "123".
func readDigits(s string, i, lo, hi int) (int, int, bool) {
	v, j := 0, i
	for j < len(s) && isDigit(s[j]) {
		if j-i == hi {
			return 0, i, false
		}
		v = v*10 + int(s[j]-'0')
		j++
	}
	if j-i < lo {
		return 0, i, false
	}
	return v, j, true
}

func isLetterAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}
