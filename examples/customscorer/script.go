package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/transcribe"
)

// Step is one item of a company's call script.
type Step struct {
	// ID is the criterion key in reports ("trial_offer").
	ID string
	// Title by language ("ru", "en").
	Title map[string]string
	// Weight is the step's share in the total.
	Weight float64
	// Phrases are what the manager may say to complete the step, in any
	// language; they are matched in lower case, ignoring ё/е.
	Phrases []string
	// Forbidden turns the step around: the manager must say none of the
	// phrases (promises the company does not allow).
	Forbidden bool
	// Advice is shown when the step was missed (or, for a forbidden step,
	// broken), by language.
	Advice map[string]string
}

// ScriptScorer checks that managers follow a company's call script. It is
// deterministic, needs no network and is safe for concurrent use: it never
// changes after New.
type ScriptScorer struct {
	name  string
	steps []Step
	// rubric holds the steps as criteria, for their titles.
	rubric score.Rubric
	// phrases are the steps' phrases, normalised once.
	phrases [][]string
}

var _ score.Scorer = (*ScriptScorer)(nil)

// NewScriptScorer returns a scorer for the script. name appears in
// Report.Meta.Scorer.
func NewScriptScorer(name string, steps []Step) (*ScriptScorer, error) {
	s := &ScriptScorer{name: name, steps: steps}
	rub := &s.rubric
	for _, st := range steps {
		rub.Criteria = append(rub.Criteria, score.Criterion{ID: st.ID, Title: st.Title, Weight: st.Weight})
		var ps []string
		for _, p := range st.Phrases {
			ps = append(ps, fold(p))
		}
		s.phrases = append(s.phrases, ps)
	}
	// The score package validates ids and weights the same way for
	// every scorer.
	if err := rub.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Score implements score.Scorer.
func (s *ScriptScorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, callaudit.Wrap(err, callaudit.KindOf(err), "script.Score", callaudit.MessageOf(err))
	}
	mode := req.Mode
	if !mode.Valid() {
		var err error
		if mode, err = score.ParseMode(string(req.Mode)); err != nil {
			return nil, err
		}
	}
	if req.Transcript.Words() == 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "transcript", Message: "has no words to analyse"})
	}
	lang := score.ReportLanguage(req)
	if lang != "en" {
		lang = "ru"
	}
	// Lower-case each segment once; unlabelled segments count as the
	// manager's, since the script is about what the manager says.
	folded := make([]string, len(req.Transcript.Segments))
	for i, seg := range req.Transcript.Segments {
		if seg.Speaker != transcribe.RoleClient {
			folded[i] = fold(seg.Text)
		}
	}

	rep := &score.Report{Meta: score.Meta{Mode: mode, Language: lang, Scorer: s.name, ScorerVersion: "1"}}
	var done, missed, advice []string
	for i, st := range s.steps {
		seg := find(folded, s.phrases[i])
		// TitleIn falls back to English, then to the ID, so a step
		// titled in one language still has a title in the other.
		res := score.CriterionResult{ID: st.ID, Title: s.rubric.Criteria[i].TitleIn(lang), Weight: st.Weight, Evidence: []score.Evidence{}}
		said := seg >= 0
		if said {
			t := req.Transcript.Segments[seg]
			// The whole segment is the quote: verbatim, as the contract asks.
			res.Evidence = append(res.Evidence, score.Evidence{Quote: t.Text, Segment: seg, Speaker: t.Speaker, Start: t.Start, Grounded: true})
		}
		if said != st.Forbidden {
			res.Score = 100
			res.Comment = msg(lang, "выполнено", "done")
			done = append(done, res.Title)
		} else {
			res.Comment = msg(lang, "не выполнено", "missed")
			if st.Forbidden {
				res.Comment = msg(lang, "нарушение скрипта", "script violated")
			}
			missed = append(missed, res.Title)
			advice = append(advice, pick(st.Advice, lang))
		}
		rep.Details = append(rep.Details, res)
	}
	// The total is always computed from the details, never by hand.
	rep.Recompute()
	rep.Summary = fmt.Sprintf(msg(lang, "Скрипт выполнен на %d%%. Выполнено: %s. Не выполнено: %s.", "Script followed at %d%%. Done: %s. Not done: %s."),
		rep.TotalScore, list(done, lang), list(missed, lang))
	if len(advice) == 0 {
		advice = []string{msg(lang, "Скрипт выполнен полностью.", "The script was followed in full.")}
	}
	rep.RecommendationList = advice
	rep.Recommendations = strings.Join(advice, "\n")
	return rep, nil
}

// find returns the first segment containing one of the phrases, or -1.
func find(segments, phrases []string) int {
	for i, text := range segments {
		for _, p := range phrases {
			if text != "" && strings.Contains(text, p) {
				return i
			}
		}
	}
	return -1
}

func fold(s string) string { return strings.ReplaceAll(strings.ToLower(s), "ё", "е") }

func pick(m map[string]string, lang string) string {
	if v := m[lang]; v != "" {
		return v
	}
	return m["en"]
}

func msg(lang, ru, en string) string {
	if lang == "en" {
		return en
	}
	return ru
}

func list(items []string, lang string) string {
	if len(items) == 0 {
		return msg(lang, "ничего", "nothing")
	}
	return strings.Join(items, ", ")
}
