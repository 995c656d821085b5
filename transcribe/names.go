package transcribe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Person-name labels ("Ольга:", "Иван Петрович:", "Mike:", "TOM WILSON:")
// name a speaker without a role. A "Word:" opening a line is also how prose
// writes headings ("Итого:", "Note:"), so a name counts as a label only
// when it opens at least minNameTurns lines and the dialog has another
// speaker: a second such name, or a role label.
const (
	minNameTurns  = 2
	maxNameWords  = 3
	maxNameLabels = 6 // more distinct openings than that is prose with headings
)

// nameHeader reads a person-name label at line[i]: an optional timestamp,
// one to three capitalised words that are not role words, an optional
// timestamp, and a colon. It returns the name, the timestamp and where the
// turn's text begins.
func nameHeader(line string, i int) (name string, ts stamp, text int, ok bool) {
	j := i
	if t, k, isStamp := parseStamp(line, j); isStamp {
		if k >= len(line) || !isSpaceAt(line, k) {
			return "", ts, 0, false
		}
		ts, j = t, skipSpaces(line, k)
	}
	start, end := j, j
	for words := 0; ; words++ {
		word, k := readWord(line, j)
		if word == "" || words == maxNameWords || k-start > maxHeaderBytes {
			if words == 0 || word != "" {
				return "", ts, 0, false
			}
			break
		}
		if r, _ := utf8.DecodeRuneInString(word); !unicode.IsUpper(r) {
			return "", ts, 0, false
		}
		if _, isRole := lookupRole(word); isRole {
			return "", ts, 0, false
		}
		end, j = k, k
		// "Mr. Hale:", "Dr. Stone:": a title's dot belongs to the name.
		if j+2 < len(line) && line[j] == '.' && line[j+1] == ' ' && isTitle(word) {
			j++
			end = j
		}
		if j+1 < len(line) && line[j] == ' ' {
			if r, _ := utf8.DecodeRuneInString(line[j+1:]); unicode.IsLetter(r) {
				j++
				continue
			}
		}
		break
	}
	j = skipSpaces(line, end)
	if j < len(line) && !ts.hasStart {
		if t, k, isStamp := parseStamp(line, j); isStamp {
			ts, j = t, skipSpaces(line, k)
		}
	}
	switch {
	case strings.HasPrefix(line[j:], ":"):
		j++
	case strings.HasPrefix(line[j:], "："):
		j += len("：")
	default:
		return "", ts, 0, false
	}
	return line[start:end], ts, skipSpaces(line, j), true
}

// isTitle reports whether word is a title written before a surname with a
// dot ("Mr", "Ms", "Dr").
func isTitle(word string) bool {
	switch word {
	case "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof":
		return true
	}
	return false
}

// formalLabel reports whether a person-name label addresses its speaker
// formally: a title and a surname ("Mr. Hale", "Ms Grant") or a first
// name and patronymic («Иван Петрович», «Анна Сергеевна»). In a sales
// call that is how the client is written down; the manager is a first
// name. Over the development and first held-out sets all four such
// labels (patronymics) are the client's.
func formalLabel(label string) bool {
	first, rest, ok := strings.Cut(label, " ")
	if !ok || rest == "" {
		return false
	}
	if isTitle(strings.TrimSuffix(first, ".")) || first == "Miss" {
		return true
	}
	last := rest
	if i := strings.LastIndexByte(rest, ' '); i >= 0 {
		last = rest[i+1:]
	}
	for _, end := range []string{"ович", "евич", "ьич", "овна", "евна", "ична"} {
		if strings.HasSuffix(last, end) {
			return true
		}
	}
	return false
}

// nameCandidates counts the person-name headers that open lines which
// no role label opens, in a fixed array: more distinct ones than
// maxNameLabels is prose with headings.
type nameCandidates struct {
	names    [maxNameLabels]string
	counts   [maxNameLabels]int
	n        int
	overflow bool
}

// note records the name header at line[i], if any.
func (c *nameCandidates) note(line string, i int) {
	if c.overflow {
		return
	}
	name, _, _, ok := nameHeader(line, i)
	if !ok {
		return
	}
	for k := 0; k < c.n; k++ {
		if c.names[k] == name {
			c.counts[k]++
			return
		}
	}
	if c.n == maxNameLabels {
		c.overflow = true
		return
	}
	c.names[c.n], c.counts[c.n] = name, 1
	c.n++
}

// nameLabels returns the person names that label turns (see
// minNameTurns), nil when there are none: a second such name or a label
// of another kind must be there too.
func (p *parser) nameLabels() []string {
	c := &p.nameCands
	if c.overflow {
		return nil
	}
	var names []string
	for k := 0; k < c.n; k++ {
		if c.counts[k] >= minNameTurns {
			names = append(names, c.names[k])
		}
	}
	if len(names) == 1 && !p.seenLabel {
		return nil
	}
	return names
}

// matchName reports whether a known person-name label opens line at i.
func (p *parser) matchName(line string, i int) (label, bool) {
	name, ts, text, ok := nameHeader(line, i)
	if !ok {
		return label{}, false
	}
	for _, n := range p.names {
		if n == name {
			return label{role: RoleUnknown, name: name, text: text, ts: ts}, true
		}
	}
	return label{}, false
}
