package transcribe

import "unicode/utf8"

// Metrics describe a conversation without any model. Word-based figures are
// always present; time-based ones are nil unless the transcript has
// timestamps (every segment Timed), except DurationSeconds, which is also
// set from Transcript.Duration.
type Metrics struct {
	// Turns is speaker changes + 1: consecutive segments of the manager, or
	// of the client, are one turn; each unknown-speaker segment is its own.
	Turns    int `json:"turns"`
	Segments int `json:"segments"` // number of segments

	ManagerWords int `json:"manager_words"`
	ClientWords  int `json:"client_words"`
	UnknownWords int `json:"unknown_words"`
	// ManagerTalkShare is manager words / (manager + client words), 0..1.
	ManagerTalkShare float64 `json:"manager_talk_share"`

	ManagerQuestions int `json:"manager_questions"`
	ClientQuestions  int `json:"client_questions"`

	// LongestMonologueWords is the longest run of words by one speaker
	// without the other speaking.
	LongestMonologueWords   int  `json:"longest_monologue_words"`
	LongestMonologueSpeaker Role `json:"longest_monologue_speaker,omitempty"`

	// Timed figures, seconds.
	DurationSeconds         *float64 `json:"duration_seconds,omitempty"`
	ManagerTalkSeconds      *float64 `json:"manager_talk_seconds,omitempty"`
	ClientTalkSeconds       *float64 `json:"client_talk_seconds,omitempty"`
	ManagerTalkShareByTime  *float64 `json:"manager_talk_share_by_time,omitempty"`
	LongestMonologueSeconds *float64 `json:"longest_monologue_seconds,omitempty"`
	SilenceSeconds          *float64 `json:"silence_seconds,omitempty"`
	LongestSilenceSeconds   *float64 `json:"longest_silence_seconds,omitempty"`
	Interruptions           *int     `json:"interruptions,omitempty"`
	ManagerInterruptions    *int     `json:"manager_interruptions,omitempty"`
}

// ComputeMetrics describes a transcript without any model. Definitions:
//
//   - Words are runs of non-space characters (as in Transcript.Words),
//     counted per role; a segment with a role other than manager or client
//     counts as unknown.
//   - Turns: consecutive segments of the manager, or of the client, form
//     one turn; every unknown-speaker segment is its own turn, since
//     nothing says two of them are the same person.
//   - Questions: sentences ending in "?", counted as runs of closing
//     punctuation that hold a question mark ("Да?!" is one question).
//   - Longest monologue: the most words in one turn of the manager or the
//     client; its seconds are the longest such turn by time, from its first
//     start to its last end (pauses inside the turn included).
//
// Time figures need every segment Timed. Talk seconds sum End-Start per
// role (overlapping speech counts for both). Silence is the sum of the gaps
// between a segment's start and the latest end before it (so a long
// segment that others overlap leaves no phantom gap); leading and trailing
// silence are not counted. An interruption is a manager or client segment
// that starts before the latest earlier segment of the other role has
// ended; ManagerInterruptions are those made by the manager. Duration is
// Transcript.Duration when known (even for an untimed transcript), else
// the latest segment end.
func ComputeMetrics(t Transcript) Metrics {
	m := Metrics{Segments: len(t.Segments)}
	var (
		prev     Role
		runWords int
		timed    = len(t.Segments) > 0
	)
	for i, s := range t.Segments {
		words, questions := countText(s.Text)
		role := knownRole(s.Speaker)
		switch role {
		case RoleManager:
			m.ManagerWords += words
			m.ManagerQuestions += questions
		case RoleClient:
			m.ClientWords += words
			m.ClientQuestions += questions
		default:
			m.UnknownWords += words
		}
		if i == 0 || role != prev || role == RoleUnknown {
			m.Turns++
			runWords = 0
		}
		prev = role
		if role != RoleUnknown {
			runWords += words
			if runWords > m.LongestMonologueWords {
				m.LongestMonologueWords = runWords
				m.LongestMonologueSpeaker = role
			}
		}
		timed = timed && s.Timed()
	}
	if total := m.ManagerWords + m.ClientWords; total > 0 {
		m.ManagerTalkShare = float64(m.ManagerWords) / float64(total)
	}
	if timed {
		timedMetrics(t.Segments, &m)
	}
	if t.Duration != nil {
		m.DurationSeconds = Seconds(*t.Duration)
	}
	return m
}

// timedMetrics fills the time figures of m; every segment is Timed.
func timedMetrics(segs []Segment, m *Metrics) {
	var (
		talkMgr, talkCli   float64
		silence, longestSl float64
		coveredUntil       = *segs[0].End
		maxEnd             = *segs[0].End
		interruptions, mgr int
		// The end of the latest segment of each side; -1 before any.
		lastEndMgr, lastEndCli = -1.0, -1.0
		runStart, runEnd       float64
		longest                float64
		prev                   Role
	)
	for i, s := range segs {
		start, end := *s.Start, *s.End
		role := knownRole(s.Speaker)
		maxEnd = max(maxEnd, end)
		if i > 0 {
			if gap := start - coveredUntil; gap > 0 {
				silence += gap
				longestSl = max(longestSl, gap)
			}
			coveredUntil = max(coveredUntil, end)
		}
		switch role {
		case RoleManager:
			talkMgr += end - start
			if lastEndCli >= 0 && start < lastEndCli {
				interruptions++
				mgr++
			}
			lastEndMgr = end
		case RoleClient:
			talkCli += end - start
			if lastEndMgr >= 0 && start < lastEndMgr {
				interruptions++
			}
			lastEndCli = end
		}
		if role != RoleUnknown {
			if i == 0 || role != prev {
				runStart, runEnd = start, end
			}
			runEnd = max(runEnd, end)
			longest = max(longest, runEnd-runStart)
		}
		prev = role
	}
	m.DurationSeconds = Seconds(maxEnd)
	m.ManagerTalkSeconds = Seconds(talkMgr)
	m.ClientTalkSeconds = Seconds(talkCli)
	if both := talkMgr + talkCli; both > 0 {
		m.ManagerTalkShareByTime = Seconds(talkMgr / both)
	}
	m.LongestMonologueSeconds = Seconds(longest)
	m.SilenceSeconds = Seconds(silence)
	m.LongestSilenceSeconds = Seconds(longestSl)
	m.Interruptions = &interruptions
	m.ManagerInterruptions = &mgr
}

func knownRole(r Role) Role {
	if r == RoleManager || r == RoleClient {
		return r
	}
	return RoleUnknown
}

// countText counts words (as strings.Fields would) and questions (runs of
// closing punctuation that hold a "?") in one pass without allocating.
//
// It is on the path of every scored call, so ASCII and two-byte runes
// (Cyrillic, Latin-1) are classified from their bytes without decoding:
// no two-byte rune is a question mark or closing punctuation, and only
// U+0085 and U+00A0 among them are spaces. Everything else takes runeAt.
func countText(s string) (words, questions int) {
	inWord, inRun, q := false, false, false
	for i := 0; i < len(s); {
		// Runs of Cyrillic letters (lead bytes 0xD0 and 0xD1, most of
		// a Russian call) are word characters and end any run of closing
		// punctuation: take them in one tight loop.
		if c := s[i]; (c == 0xD0 || c == 0xD1) && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			if !inWord {
				inWord = true
				words++
			}
			if inRun && q {
				questions++
			}
			inRun, q = false, false
			for i += 2; i+1 < len(s) && (s[i] == 0xD0 || s[i] == 0xD1) && s[i+1]&0xC0 == 0x80; i += 2 {
			}
			continue
		}
		var (
			r     rune
			space bool
		)
		switch c := s[i]; {
		case c < utf8.RuneSelf:
			r, space = rune(c), asciiSpace[c]
			i++
		case c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			// r stays 0: any two-byte rune is a plain word character.
			space = c == 0xC2 && (s[i+1] == 0x85 || s[i+1] == 0xA0)
			i += 2
		default:
			var n int
			r, n, space = runeAt(s, i)
			i += n
		}
		if space {
			inWord = false
		} else if !inWord {
			inWord = true
			words++
		}
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
