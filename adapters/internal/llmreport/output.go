package llmreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// ErrBadAnswer marks an answer outside the schema's promises; a scorer
// asks for such an answer once more before it gives up.
var ErrBadAnswer = errors.New("bad model answer")

// Answer is the model's checked answer for one part of a transcript and
// its raw JSON, kept in the report.
type Answer struct {
	Output Output
	Raw    json.RawMessage
}

// Decode checks raw, the model's JSON, against the schema's promises:
// valid JSON with no unknown fields and nothing after it, exactly the
// rubric's criteria, finite scores and a summary. Errors wrap
// ErrBadAnswer.
func Decode(raw []byte, rub score.Rubric) (Answer, error) {
	var out Output
	raw = bytes.TrimSpace(raw)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return Answer{}, fmt.Errorf("%w: invalid JSON: %v", ErrBadAnswer, err)
	}
	if dec.More() {
		return Answer{}, fmt.Errorf("%w: trailing data after the JSON value", ErrBadAnswer)
	}
	for _, c := range rub.Criteria {
		mc, ok := out.Criteria[c.ID]
		if !ok {
			return Answer{}, fmt.Errorf("%w: criterion %q missing", ErrBadAnswer, c.ID)
		}
		if mc.Score != nil && (math.IsNaN(*mc.Score) || math.IsInf(*mc.Score, 0)) {
			return Answer{}, fmt.Errorf("%w: criterion %q has no finite score", ErrBadAnswer, c.ID)
		}
	}
	if len(out.Criteria) != len(rub.Criteria) {
		return Answer{}, fmt.Errorf("%w: %d criteria, want %d", ErrBadAnswer, len(out.Criteria), len(rub.Criteria))
	}
	if strings.TrimSpace(out.Summary) == "" {
		return Answer{}, fmt.Errorf("%w: empty summary", ErrBadAnswer)
	}
	return Answer{Output: out, Raw: json.RawMessage(raw)}, nil
}

// Merge builds the report from the parts' answers. A criterion's score is
// the mean of the parts that judged it (null means "nothing to judge in
// this part"), 0 when none did; comments, evidence and recommendations are
// joined without repeats; the summaries are joined in order. Every quote
// is grounded in t (Ground). The total is computed by Recompute, never
// taken from the model. Metrics and Meta are the caller's.
func Merge(t transcribe.Transcript, rub score.Rubric, lang string, parts []Answer) *score.Report {
	rep := &score.Report{}
	for _, c := range rub.Criteria {
		d := score.CriterionResult{ID: c.ID, Title: c.TitleIn(lang), Weight: c.Weight, Evidence: []score.Evidence{}}
		var sum float64
		var judged int
		var comments []string
		seen := map[string]bool{}
		for _, p := range parts {
			mc := p.Output.Criteria[c.ID]
			if mc.Score != nil {
				sum += *mc.Score
				judged++
			}
			if cm := strings.TrimSpace(mc.Comment); cm != "" && !slices.Contains(comments, cm) {
				comments = append(comments, cm)
			}
			for _, e := range mc.Evidence {
				ev, ok := Ground(t, e.Quote, e.Segment)
				key := fmt.Sprint(ev.Segment, "\x00", ev.Quote)
				if ok && !seen[key] {
					seen[key] = true
					d.Evidence = append(d.Evidence, ev)
				}
			}
		}
		if judged > 0 {
			d.Score = int(math.Round(sum / float64(judged)))
		}
		d.Comment = strings.Join(comments, " ")
		rep.Details = append(rep.Details, d)
	}
	rep.Recompute()

	var summaries []string
	for i, p := range parts {
		s := strings.TrimSpace(p.Output.Summary)
		if len(parts) > 1 {
			label := "Part"
			if lang == "ru" {
				label = "Часть"
			}
			s = fmt.Sprintf("%s %d/%d: %s", label, i+1, len(parts), s)
		}
		summaries = append(summaries, s)
	}
	rep.Summary = strings.Join(summaries, "\n\n")
	rep.RecommendationList = []string{}
	for _, p := range parts {
		for _, r := range p.Output.Recommendations {
			if r = strings.TrimSpace(r); r != "" && !slices.Contains(rep.RecommendationList, r) {
				rep.RecommendationList = append(rep.RecommendationList, r)
			}
		}
	}
	if len(rep.RecommendationList) == 0 {
		// The contract wants advice; fall back to the weakest criterion's comment.
		weakest := rep.Details[0]
		for _, d := range rep.Details {
			if d.Weight > 0 && d.Score < weakest.Score {
				weakest = d
			}
		}
		rep.RecommendationList = []string{weakest.Title + ": " + nonEmpty(weakest.Comment, rep.Summary)}
	}
	rep.Recommendations = strings.Join(rep.RecommendationList, "\n")
	if len(parts) == 1 {
		rep.RawModelOutput = parts[0].Raw
	} else {
		raws := make([]json.RawMessage, len(parts))
		for i, p := range parts {
			raws[i] = p.Raw
		}
		rep.RawModelOutput, _ = json.Marshal(raws)
	}
	return rep
}

func nonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
