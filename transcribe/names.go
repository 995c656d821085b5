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

// findNameLabels returns the person names that label turns in text (see
// minNameTurns), nil when there are none. It looks only at line openings.
func findNameLabels(text string) []string {
	type candidate struct {
		name string
		n    int
	}
	var buf [maxNameLabels]candidate
	cands := buf[:0]
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, _, _, ok := nameHeader(line, skipBullet(line))
		if !ok {
			continue
		}
		found := false
		for k := range cands {
			if cands[k].name == name {
				cands[k].n++
				found = true
				break
			}
		}
		if !found {
			if len(cands) == maxNameLabels {
				return nil
			}
			cands = append(cands, candidate{name, 1})
		}
	}
	var names []string
	for _, c := range cands {
		if c.n >= minNameTurns {
			names = append(names, c.name)
		}
	}
	if len(names) == 1 && !hasRoleLabel(text) {
		return nil
	}
	return names
}

// hasRoleLabel reports whether some line of text opens with a role label.
func hasRoleLabel(text string) bool {
	p := parser{cur: -1}
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if lb, ok := p.matchLabel(line, skipBullet(line), true, true); ok && lb.role != RoleUnknown {
			return true
		}
	}
	return false
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
