package score

import (
	"context"

	"github.com/callaudit/callaudit/transcribe/pii"
)

// Redacting returns a Scorer that masks the personal data in the
// transcript (phones, cards, passport, SNILS, INN, e-mail, dates of birth,
// one-time codes; see transcribe/pii) before s sees it, for scorers that
// send the call to a remote model. The caller's transcript is not changed.
//
// Evidence quotes come back as s made them, from the masked text: each
// one is checked against that text (Grounded is false for a quote not in
// it, Segment and Speaker follow the segment it is in), so a report never
// carries a value the model did not see. Meta.Redacted counts the values
// masked. Use pii.RedactTranscript and Redacted.Restore to show a quote
// unmasked to a viewer who may see it.
func Redacting(s Scorer) Scorer {
	return keepRubrics(redacting{s: s}, s)
}

type redacting struct{ s Scorer }

func (r redacting) Name() string { return nameOf(r.s) }

func (r redacting) Score(ctx context.Context, req Request) (*Report, error) {
	red := pii.RedactTranscript(req.Transcript)
	req.Transcript = red.Transcript
	rep, err := r.s.Score(ctx, req)
	if err != nil || rep == nil {
		return rep, err
	}
	groundIn(rep, red)
	rep.Meta.Redacted = red.Count()
	return rep, nil
}

// groundIn checks every evidence quote of rep against the masked
// transcript of red: a quote found there keeps Grounded (with the segment
// and speaker where it is), one that is not is marked ungrounded with
// Segment -1.
func groundIn(rep *Report, red pii.Redacted) {
	segs := red.Transcript.Segments
	for i := range rep.Details {
		ev := rep.Details[i].Evidence
		for j := range ev {
			seg, ok := red.Locate(ev[j].Segment, ev[j].Quote)
			if !ok {
				ev[j].Grounded, ev[j].Segment = false, -1
				continue
			}
			ev[j].Segment, ev[j].Speaker, ev[j].Start = seg, segs[seg].Speaker, segs[seg].Start
		}
	}
}
