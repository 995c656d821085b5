package score

import (
	"github.com/callaudit/callaudit/transcribe"
)

// DefaultLanguage is the report language when neither the request nor the
// dialog says otherwise.
const DefaultLanguage = "ru"

// SupportedLanguages are the report languages the built-in scorers write.
var SupportedLanguages = []string{"ru", "en"}

// ReportLanguage picks the report language for a request: Request.Language
// when set, else the transcript's language, else the language detected from
// its text, else DefaultLanguage. The result is normalized ("ru-RU" → "ru").
func ReportLanguage(req Request) string {
	for _, l := range []string{req.Language, req.Transcript.Language} {
		if l = transcribe.NormalizeLanguage(l); l != "" {
			return l
		}
	}
	var text string
	for _, s := range req.Transcript.Segments {
		text += s.Text + " "
		if len(text) > 2000 {
			break
		}
	}
	if l := transcribe.DetectLanguage(text); l != "" {
		return l
	}
	return DefaultLanguage
}
