package audit

import (
	"encoding/json"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/pii"
)

// WithStoreRedaction masks personal data (transcribe/pii) in every report
// before it is saved and returned: the transcript, the evidence quotes,
// the comments, the summary, the recommendations and the model's raw
// output. The scorer still sees the transcript as it was given; to mask
// what a remote model sees, wrap the scorer in score.Redacting.
func WithStoreRedaction() Option { return func(a *Auditor) { a.redactStore = true } }

// maskReport masks rep in place; tr is the transcript the scorer saw.
func maskReport(rep *score.Report, tr transcribe.Transcript) {
	red := pii.RedactTranscript(tr)
	masked := red.Transcript
	rep.Transcript = &masked
	for i := range rep.Details {
		d := &rep.Details[i]
		d.Comment = maskText(d.Comment, rep.Meta.Language)
		for j := range d.Evidence {
			ev := &d.Evidence[j]
			if _, ok := red.Locate(ev.Segment, ev.Quote); ok {
				continue // already masked: the scorer saw the masked text
			}
			if q, ok := red.Mask(ev.Segment, ev.Quote); ok {
				ev.Quote = q
				continue
			}
			ev.Quote = maskText(ev.Quote, rep.Meta.Language)
		}
	}
	rep.Summary = maskText(rep.Summary, rep.Meta.Language)
	rep.Recommendations = maskText(rep.Recommendations, rep.Meta.Language)
	for i, r := range rep.RecommendationList {
		rep.RecommendationList[i] = maskText(r, rep.Meta.Language)
	}
	if len(rep.RawModelOutput) > 0 {
		// Placeholders are plain JSON string content, so masking the raw
		// text keeps it valid JSON; should it not, the masked text is kept
		// as a JSON string rather than the original.
		if out, reps := pii.Redact(string(rep.RawModelOutput), rep.Meta.Language); len(reps) > 0 {
			if !json.Valid([]byte(out)) {
				b, _ := json.Marshal(out)
				out = string(b)
			}
			rep.RawModelOutput = json.RawMessage(out)
		}
	}
	rep.Meta.Redacted = max(rep.Meta.Redacted, red.Count())
}

func maskText(s, language string) string {
	out, _ := pii.Redact(s, language)
	return out
}
