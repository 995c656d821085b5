package httpapi

import (
	"encoding/csv"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/agreement"
	"github.com/callaudit/callaudit/storage"
)

// CSV export of GET /calls.
//
// Excel decides the encoding and the separator of a CSV file itself: it
// reads UTF-8 only when the file starts with a byte order mark (otherwise
// Cyrillic turns into mojibake), and it splits columns on the list
// separator of the user's locale, which is ";" in Russian (and most
// European) locales and "," in English ones. So the export starts with a
// BOM and uses ";" by default, the market's locale; ?sep=comma (or ",")
// and ?sep=tab serve other locales and tools. A "sep=;" first line would
// also tell Excel the separator but makes it ignore the BOM, so it is not
// used.

// utf8BOM makes Excel read the file as UTF-8.
const utf8BOM = "\ufeff"

// wantsCSV reports whether GET /calls should answer CSV: ?format=csv, or an
// Accept header that prefers text/csv to JSON.
func wantsCSV(r *http.Request) bool {
	switch r.URL.Query().Get("format") {
	case "csv":
		return true
	case "json":
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "text/csv":
			return true
		case "application/json", "*/*":
			return false
		}
	}
	return false
}

func formatParam(r *http.Request) error {
	switch r.URL.Query().Get("format") {
	case "", "json", "csv":
		return nil
	}
	return callaudit.Invalid(callaudit.FieldError{Field: "format", Message: "must be json or csv"})
}

func separator(s string) (rune, error) {
	switch s {
	case "", ";", "semicolon":
		return ';', nil
	case ",", "comma":
		return ',', nil
	case "tab", "\t":
		return '\t', nil
	}
	return 0, callaudit.Invalid(callaudit.FieldError{Field: "sep", Message: "must be semicolon, comma or tab"})
}

// csvColumns are the fixed columns; per-criterion columns follow total_score.
var (
	csvHead = []string{"call_id", "created_at_utc", "manager_id", "content_mode", "language", "status", "total_score"}
	csvTail = []string{"other_criteria", "summary", "status_reason", "source", "recording_url"}
	// csvReview are the human review's columns, last (empty for a call
	// without a review, and all of them for a store without reviews).
	csvReview = []string{"review_states", "human_total_score", "human_criteria", "reviewer", "reviewed_at_utc", "open_disputes"}
)

// criterionColumns lists the criterion ids of the scorer's default rubrics,
// every mode, in rubric order, so that each criterion gets a column. Scores
// of criteria outside them go to other_criteria.
func (h *Handler) criterionColumns() []string {
	rs, ok := h.auditor.Scorer().(score.RubricScorer)
	if !ok {
		return nil
	}
	var ids []string
	for _, m := range score.Modes {
		for _, c := range rs.DefaultRubric(m).Criteria {
			if !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids
}

// exportCSV streams every page of the filtered list. The first page is read
// before anything is written so that a store error is still a JSON error;
// a failure later can only cut the file short, and is logged.
//
// sees false is a principal who sees none of what f asks for: the file
// has the header only. Every exported call is written to the access log.
func (h *Handler) exportCSV(w http.ResponseWriter, r *http.Request, st storage.Store, f storage.Filter, sees bool) {
	sep, err := separator(r.URL.Query().Get("sep"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f.Limit = storage.MaxLimit
	p := PrincipalOf(r.Context())
	page, err := listVisible(r, st, f, sees)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="calls.csv"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)

	rc := http.NewResponseController(w)
	crit := h.criterionColumns()
	cw := csv.NewWriter(w)
	cw.Comma = sep
	cw.UseCRLF = true // what Excel writes itself
	_, _ = io.WriteString(w, utf8BOM)
	header := append(append(append(slices.Clone(csvHead), crit...), csvTail...), csvReview...)
	_ = cw.Write(header)
	row := make([]string, len(header))
	for {
		reviews := h.pageReviews(r, st, page.Calls)
		for _, c := range page.Calls {
			rev, ok := reviews[c.ID]
			if !ok {
				rev = storage.Review{CallID: c.ID}
			}
			_ = cw.Write(reviewRow(csvRow(row, c, crit), rev))
		}
		h.logAccess(r, storage.AccessExport, page.Calls...)
		cw.Flush()
		if err := cw.Error(); err != nil {
			return // the client went away
		}
		_ = rc.Flush()
		if page.NextCursor == "" {
			return
		}
		f.Cursor = page.NextCursor
		if page, err = st.List(r.Context(), f); err != nil {
			h.log.Error("httpapi: CSV export cut short", "err", err)
			return
		}
		page.Calls = visible(p, page.Calls)
	}
}

// csvRow fills row with one call.
func csvRow(row []string, c storage.Call, crit []string) []string {
	row = row[:0]
	row = append(row,
		cell(c.ID), c.CreatedAt.UTC().Format("2006-01-02 15:04:05"), cell(c.ManagerID),
		string(c.Mode), c.Language, string(c.Status),
	)
	var scores map[string]int
	var summary string
	if total, ok := c.Score(); ok {
		row = append(row, strconv.Itoa(total))
		scores, summary = c.Report.Criteria, c.Report.Summary
	} else {
		row = append(row, "")
	}
	for _, id := range crit {
		if v, ok := scores[id]; ok {
			row = append(row, strconv.Itoa(v))
		} else {
			row = append(row, "")
		}
	}
	var other []string
	for id, v := range scores {
		if !slices.Contains(crit, id) {
			other = append(other, id+"="+strconv.Itoa(v))
		}
	}
	slices.Sort(other)
	return append(row, strings.Join(other, " "), cell(summary), cell(c.StatusReason), cell(string(c.Source)), cell(c.RecordingURL))
}

// cell neutralises text that a spreadsheet would run as a formula (CSV
// injection): a leading = + - @ or control character gets a ' prefix, which
// Excel shows as plain text.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// pageReviews returns the reviews of a page of calls by call id, none
// when the store keeps no reviews. A failure is logged: the export goes
// on without the human columns of that page.
func (h *Handler) pageReviews(r *http.Request, st storage.Store, calls []storage.Call) map[string]storage.Review {
	rs, ok := st.(storage.Reviews)
	if !ok || len(calls) == 0 {
		return nil
	}
	ids := make([]string, len(calls))
	for i, c := range calls {
		ids[i] = c.ID
	}
	list, err := rs.ListReviews(r.Context(), storage.ReviewQuery{CallIDs: ids})
	if err != nil {
		h.log.Error("httpapi: CSV export without reviews", "err", err)
		return nil
	}
	out := make(map[string]storage.Review, len(list))
	for _, rev := range list {
		out[rev.CallID] = rev
	}
	return out
}

// reviewRow appends the review's columns (csvReview) to row.
func reviewRow(row []string, rev storage.Review) []string {
	var states, human []string
	for _, s := range reviewStates(rev) {
		states = append(states, string(s))
	}
	for _, c := range rev.Criteria {
		if c.Human != nil {
			human = append(human, c.ID+"="+strconv.Itoa(*c.Human))
		}
	}
	total, at := "", ""
	if rev.HumanTotal != nil {
		total = strconv.Itoa(*rev.HumanTotal)
	}
	if rev.Reviewed() {
		at = rev.ReviewedAt.UTC().Format("2006-01-02 15:04:05")
	}
	return append(row, strings.Join(states, " "), total, strings.Join(human, " "), cell(rev.Reviewer.Name), at, strconv.Itoa(rev.OpenDisputes()))
}

// agreementColumns are the columns of GET /agreement?format=csv: one row
// per scorecard version and criterion, plus its "overall" and "total".
var agreementColumns = []string{"scorecard", "scorecard_version", "content_mode", "criterion", "reviewed_calls", "pairs",
	"mean_absolute_difference", "bias", "exact_agreement", "kappa"}

// agreementCSV writes the agreement figures as CSV, with the export's
// BOM and separator.
func (h *Handler) agreementCSV(w http.ResponseWriter, r *http.Request, groups []storage.Agreement) {
	sep, err := separator(r.URL.Query().Get("sep"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="agreement.csv"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	cw.Comma = sep
	cw.UseCRLF = true
	_, _ = io.WriteString(w, utf8BOM)
	_ = cw.Write(agreementColumns)
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 4, 64)
	}
	for _, g := range groups {
		line := func(criterion string, f agreement.Figures) {
			_ = cw.Write([]string{cell(g.Scorecard), strconv.Itoa(g.ScorecardVersion), string(g.Mode), cell(criterion), strconv.Itoa(g.Calls),
				strconv.Itoa(f.N), num(f.MAD), num(f.Bias), num(f.Exact), num(f.Kappa)})
		}
		line("overall", g.Overall)
		line("total", g.Total)
		for _, c := range g.Criteria {
			line(c.ID, c.Figures)
		}
	}
	cw.Flush()
}
