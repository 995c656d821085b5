package sttchan

import (
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
)

// CheckManagerChannel validates a configured manager's channel: 0
// (left), 1 (right) or negative (found from the text).
func CheckManagerChannel(ch int) error {
	if ch > 1 {
		return callaudit.Errorf(callaudit.KindInvalid, "the manager's channel must be 0 (left), 1 (right) or -1 (found from the text)")
	}
	return nil
}

// LanguageTag maps a base language ("ru") to the vendors' codes
// ("ru-RU"); other values pass unchanged.
func LanguageTag(lang string) string {
	switch strings.ToLower(lang) {
	case "ru":
		return "ru-RU"
	case "en":
		return "en-US"
	case "kk":
		return "kk-KZ"
	}
	return lang
}

// Language is the tag to ask for: the call's language when it gives one,
// else the configured default tag.
func Language(call, def string) string {
	if call != "" {
		return LanguageTag(call)
	}
	return def
}

// Result is Transcript finished (Finish).
func Result(us []Utterance, channels, managerChannel int, source, lang string) (transcribe.Transcript, error) {
	return Finish(Transcript(us, channels, managerChannel, source), lang)
}

// Finish gives tr the language's base ("ru" of "ru-RU"), or is
// KindInvalid when nothing was recognised.
func Finish(tr transcribe.Transcript, lang string) (transcribe.Transcript, error) {
	if len(tr.Segments) == 0 {
		return transcribe.Transcript{}, callaudit.Errorf(callaudit.KindInvalid, "no speech was recognised in the recording")
	}
	tr.Language = strings.SplitN(lang, "-", 2)[0]
	return tr, nil
}
