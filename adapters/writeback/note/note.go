// Package note turns an audited call into what the write-back adapters
// deliver: Summary, the JSON document a signed callback carries, and Text,
// the note a sales lead reads in the CRM card, in the report's language.
// Keeping both here means amoCRM, Bitrix24 and the callback say the same
// thing about a call.
package note

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// How much of a report a note quotes: a CRM card is read at a glance.
const (
	DefaultWeakest         = 3
	DefaultRecommendations = 3
)

// Criterion is one criterion score in a Summary.
type Criterion struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Score int    `json:"score"`
}

// Summary is the result of a call as a receiver needs it: enough to show
// and to file, without the transcript or the model's raw output.
type Summary struct {
	CallID       string         `json:"call_id"`
	ManagerID    string         `json:"manager_id,omitempty"`
	Status       storage.Status `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"`
	Mode         score.Mode     `json:"content_mode,omitempty"`
	Language     string         `json:"language"`
	// TotalScore is nil when the call has no report (it failed).
	TotalScore      *int           `json:"total_score"`
	Criteria        map[string]int `json:"criteria"`
	Details         []Criterion    `json:"details"`
	Weakest         []Criterion    `json:"weakest"`
	Summary         string         `json:"summary"`
	Recommendations []string       `json:"recommendations"`
	// URL is the call's page on the server; empty when no public URL is
	// configured.
	URL          string    `json:"url,omitempty"`
	RecordingURL string    `json:"recording_url,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Summarize builds the Summary of a call; publicURL is the server's
// public base URL for the link (see Link).
func Summarize(call storage.Call, publicURL string) Summary {
	s := Summary{
		CallID: call.ID, ManagerID: call.ManagerID, Status: call.Status, StatusReason: call.StatusReason,
		Mode: call.Mode, Language: Language(call), URL: Link(publicURL, call.ID), RecordingURL: call.RecordingURL,
		CreatedAt: call.CreatedAt, UpdatedAt: call.UpdatedAt,
		Criteria: map[string]int{}, Details: []Criterion{}, Weakest: []Criterion{}, Recommendations: []string{},
	}
	if r := call.Report; r != nil {
		total := r.TotalScore
		s.TotalScore = &total
		s.Criteria = r.Criteria
		if s.Criteria == nil {
			s.Criteria = map[string]int{}
		}
		s.Details = criteria(r)
		s.Weakest = Weakest(r, DefaultWeakest)
		s.Summary = r.Summary
		s.Recommendations = Recommendations(r, 0)
		if s.Mode == "" {
			s.Mode = r.Meta.Mode
		}
	}
	return s
}

// Language is the language a note about the call is written in: the
// report's, else the call's, else score.DefaultLanguage (Russian).
// Languages without their own wording get English.
func Language(call storage.Call) string {
	var l string
	if call.Report != nil {
		l = transcribe.NormalizeLanguage(call.Report.Meta.Language)
	}
	if l == "" {
		l = transcribe.NormalizeLanguage(call.Language)
	}
	if l == "" {
		l = score.DefaultLanguage
	}
	return l
}

// Link returns the address of the call on the server (base + "/calls/" +
// the escaped id), or "" when base is empty.
func Link(base, callID string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/calls/" + url.PathEscape(callID)
}

// criteria lists the report's criteria in report order with their titles;
// reports without details (scorers that fill only Criteria) are listed by
// id.
func criteria(r *score.Report) []Criterion {
	out := make([]Criterion, 0, max(len(r.Details), len(r.Criteria)))
	for _, d := range r.Details {
		out = append(out, Criterion{ID: d.ID, Title: cmp.Or(d.Title, d.ID), Score: d.Score})
	}
	if len(out) == 0 {
		for id, sc := range r.Criteria {
			out = append(out, Criterion{ID: id, Title: id, Score: sc})
		}
		slices.SortFunc(out, func(a, b Criterion) int { return strings.Compare(a.ID, b.ID) })
	}
	return out
}

// Weakest returns up to n criteria with the lowest scores, lowest first
// (ties keep report order); criteria at 100 are not weak and are left out.
func Weakest(r *score.Report, n int) []Criterion {
	all := criteria(r)
	slices.SortStableFunc(all, func(a, b Criterion) int { return a.Score - b.Score })
	all = slices.DeleteFunc(all, func(c Criterion) bool { return c.Score >= 100 })
	return all[:min(n, len(all))]
}

// Recommendations returns up to n pieces of advice (all when n <= 0):
// the report's list when it has one, else its text split into lines.
func Recommendations(r *score.Report, n int) []string {
	list := r.RecommendationList
	if len(list) == 0 {
		for _, line := range strings.Split(r.Recommendations, "\n") {
			// Drop list markers the text form may carry ("1. ", "- ").
			line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-•*0123456789.)"))
			if line != "" {
				list = append(list, line)
			}
		}
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// wording is the fixed text of a note in one language.
type wording struct {
	scored, failed, pending, mode, weakest, advice, more string
}

var wordings = map[string]wording{
	"ru": {
		scored:  "Оценка звонка %s: %d из 100",
		failed:  "Звонок %s не удалось проанализировать",
		pending: "Звонок %s ещё анализируется (%s)",
		mode:    "Режим",
		weakest: "Слабые места",
		advice:  "Рекомендации",
		more:    "Подробнее",
	},
	"en": {
		scored:  "Call %s scored %d out of 100",
		failed:  "Call %s could not be analysed",
		pending: "Call %s is still being analysed (%s)",
		mode:    "Mode",
		weakest: "Weak points",
		advice:  "Recommendations",
		more:    "Details",
	},
}

// Text is the note about a call for a CRM card, in Language(call): the
// total score, the weakest criteria, the top recommendations and the
// link. A failed call gets the reason instead. publicURL may be empty.
func Text(call storage.Call, publicURL string) string {
	w, ok := wordings[Language(call)]
	if !ok {
		w = wordings["en"]
	}
	var b strings.Builder
	switch r := call.Report; {
	case r != nil:
		fmt.Fprintf(&b, w.scored, call.ID, r.TotalScore)
		if m := cmp.Or(call.Mode, r.Meta.Mode); m != "" {
			fmt.Fprintf(&b, " (%s: %s)", w.mode, m)
		}
		b.WriteString(".\n")
		if weak := Weakest(r, DefaultWeakest); len(weak) > 0 {
			parts := make([]string, len(weak))
			for i, c := range weak {
				parts[i] = fmt.Sprintf("%s — %d", c.Title, c.Score)
			}
			fmt.Fprintf(&b, "%s: %s.\n", w.weakest, strings.Join(parts, "; "))
		}
		if recs := Recommendations(r, DefaultRecommendations); len(recs) > 0 {
			fmt.Fprintf(&b, "%s:\n", w.advice)
			for i, rec := range recs {
				fmt.Fprintf(&b, "%d. %s\n", i+1, rec)
			}
		}
	case call.Status == storage.StatusFailed:
		fmt.Fprintf(&b, w.failed, call.ID)
		if call.StatusReason != "" {
			b.WriteString(": " + call.StatusReason)
		}
		b.WriteString(".\n")
	default:
		fmt.Fprintf(&b, w.pending, call.ID, call.Status)
		b.WriteString(".\n")
	}
	if link := Link(publicURL, call.ID); link != "" {
		fmt.Fprintf(&b, "%s: %s\n", w.more, link)
	}
	return strings.TrimRight(b.String(), "\n")
}
