package transcribe

// Metrics describe a conversation without any model. Word-based figures are
// always present; time-based ones are nil unless the transcript has
// timestamps (every segment Timed).
type Metrics struct {
	Turns    int `json:"turns"`    // speaker changes + 1 (consecutive same-speaker segments are one turn)
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
