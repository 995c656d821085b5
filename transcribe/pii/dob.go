package pii

import (
	"bytes"
	"strings"
)

// Dates of birth are ordinary dates; only a cue ("дата рождения",
// "родился", "date of birth", "born") right before one makes it personal
// data, so the scanner looks for a date only after a cue word.

const birthWindow = 40 // bytes after a cue in which the date must start

// dateAfter finds the first date starting within birthWindow bytes of from,
// not crossing the end of a question or a line.
func dateAfter(b []byte, from int) (int, int, bool) {
	limit := min(len(b), from+birthWindow)
	for i := from; i < limit; {
		c := b[i]
		if c == '\n' || c == '?' || c == '!' {
			break
		}
		if isDigit(c) && (i == 0 || !isDigit(b[i-1])) {
			if e, ok := numericDate(b, i); ok {
				return i, e, true
			}
		}
		if ok, size := letterAt(b, i); ok {
			j := wordEnd(b, i)
			if _, isMonth := months[string(b[i:j])]; isMonth && boundaryBefore(b, i) {
				if e, ok := monthFirst(b, j); ok {
					return i, e, true
				}
			}
			if dayWords[string(b[i:j])] && boundaryBefore(b, i) {
				if e, ok := spokenDate(b, j); ok {
					return i, e, true
				}
			}
			i = max(j, i+size)
			continue
		}
		i++
	}
	return 0, 0, false
}

func digitsAt(b []byte, i int) int {
	j := i
	for j < len(b) && isDigit(b[j]) {
		j++
	}
	return j - i
}

func skipSpaces(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == ',') {
		i++
	}
	return i
}

// numericDate parses "15.03.1985", "15/03/85", "1985-03-15", "15 марта
// 1985 года", "15th of March 1985", "15 марта" and a year alone before
// "году"/"г." at b[i:], returning its end.
func numericDate(b []byte, i int) (int, bool) {
	n := digitsAt(b, i)
	j := i + n
	if j < len(b) && (b[j] == '.' || b[j] == '/' || b[j] == '-') {
		sep := b[j]
		n2 := digitsAt(b, j+1)
		k := j + 1 + n2
		if n2 >= 1 && n2 <= 2 && k < len(b) && b[k] == sep {
			n3 := digitsAt(b, k+1)
			if n <= 2 && (n3 == 2 || n3 == 4) || n == 4 && n3 == 2 {
				return withYearWord(b, k+1+n3), true
			}
		}
	}
	switch {
	case n >= 1 && n <= 2:
		k := j
		for _, suf := range []string{"-го", "-е", "го", "st", "nd", "rd", "th"} {
			if bytes.HasPrefix(b[k:], []byte(suf)) {
				k += len(suf)
				break
			}
		}
		k = skipSpaces(b, k)
		if bytes.HasPrefix(b[k:], []byte("of ")) {
			k += 3
		}
		m := wordEnd(b, k)
		if _, ok := months[string(b[k:m])]; ok && m > k {
			y := skipSpaces(b, m)
			if digitsAt(b, y) == 4 {
				return withYearWord(b, y+4), true
			}
			return m, true
		}
	case n == 4:
		k := skipSpaces(b, j)
		for _, w := range []string{"году", "года", "г.", "year"} {
			if bytes.HasPrefix(b[k:], []byte(w)) {
				return k + len(w), true
			}
		}
	}
	return 0, false
}

// monthFirst parses the rest of "March 15, 1985" after the month word.
func monthFirst(b []byte, i int) (int, bool) {
	k := skipSpaces(b, i)
	n := digitsAt(b, k)
	if n < 1 || n > 2 {
		return 0, false
	}
	k += n
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if bytes.HasPrefix(b[k:], []byte(suf)) {
			k += len(suf)
			break
		}
	}
	y := skipSpaces(b, k)
	if digitsAt(b, y) == 4 {
		return y + 4, true
	}
	return k, true
}

// withYearWord extends a date over a following "года" or "г.".
func withYearWord(b []byte, i int) int {
	k := skipSpaces(b, i)
	for _, w := range []string{"года", "г."} {
		if bytes.HasPrefix(b[k:], []byte(w)) {
			return k + len(w)
		}
	}
	return i
}

// dayWords are the words a day of the month is said with: "пятнадцатого",
// "двадцать (пятого)", "третье".
var dayWords = func() map[string]bool {
	m := map[string]bool{"двадцать": true, "тридцать": true, "третье": true}
	for _, w := range []string{"первого", "второго", "третьего", "четвертого", "пятого", "шестого", "седьмого",
		"восьмого", "девятого", "десятого", "одиннадцатого", "двенадцатого", "тринадцатого", "четырнадцатого",
		"пятнадцатого", "шестнадцатого", "семнадцатого", "восемнадцатого", "девятнадцатого", "двадцатого", "тридцатого"} {
		m[w] = true
		if w != "третьего" {
			m[strings.TrimSuffix(w, "ого")+"ое"] = true
		}
	}
	return m
}()

// spokenDate reads the rest of a date said in words after its first day
// word ("пятнадцатого марта тысяча девятьсот восемьдесят пятого года"): an
// optional second day word, the month, and the year in figures or words up
// to "года".
func spokenDate(b []byte, i int) (int, bool) {
	k := skipSpaces(b, i)
	m := wordEnd(b, k)
	if dayWords[string(b[k:m])] {
		k = skipSpaces(b, m)
		m = wordEnd(b, k)
	}
	if _, ok := months[string(b[k:m])]; !ok || m == k {
		return 0, false
	}
	end := m
	y := skipSpaces(b, m)
	if digitsAt(b, y) == 4 {
		return withYearWord(b, y+4), true
	}
	// A year in words: number words and ordinals ("восемьдесят пятого",
	// "двухтысячного") up to "года", within a few words.
	for n := 0; n < 6 && y < len(b); n++ {
		e := wordEnd(b, y)
		w := string(b[y:e])
		if e == y {
			break
		}
		if w == "года" || w == "году" {
			return e, true
		}
		if _, num := words[w]; !num && w != "тысяча" && w != "тысячи" && !strings.HasSuffix(w, "ого") && !strings.HasSuffix(w, "его") {
			break
		}
		end = e
		y = skipSpaces(b, e)
	}
	return end, true
}
