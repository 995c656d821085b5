package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// queryErrors collects the field errors of a query string so that a caller
// learns about every bad parameter at once.
type queryErrors []callaudit.FieldError

func (q *queryErrors) add(field, msg string) {
	*q = append(*q, callaudit.FieldError{Field: field, Message: msg})
}

func (q queryErrors) err() error {
	if len(q) == 0 {
		return nil
	}
	return callaudit.Invalid(q...)
}

// parseTime reads a period bound: a date (YYYY-MM-DD, midnight UTC) or an
// RFC 3339 time. A date given as an upper bound means the end of that day,
// which is what a person picking "to 2026-11-30" expects; dateOnly says
// whether the value was a date.
func parseTime(v string) (t time.Time, dateOnly bool, ok bool) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true, true
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), false, true
	}
	return time.Time{}, false, false
}

// period reads from and to (see parseTime); to is exclusive.
func period(v url.Values, errs *queryErrors) (from, to time.Time) {
	if s := v.Get("from"); s != "" {
		t, _, ok := parseTime(s)
		if !ok {
			errs.add("from", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
		from = t
	}
	if s := v.Get("to"); s != "" {
		t, dateOnly, ok := parseTime(s)
		if !ok {
			errs.add("to", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
		if dateOnly {
			t = t.AddDate(0, 0, 1)
		}
		to = t
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		errs.add("to", "must be after from")
	}
	return from, to
}

// rubricMode reads the mode of a figure that belongs to one rubric
// (statistics, the leaderboard, the rubric itself): any spelling
// score.ParseMode accepts, Manager+ when absent. Modes have different
// criteria, so such figures never cover two.
func rubricMode(v url.Values, errs *queryErrors) score.Mode {
	if m := modeParam(v, errs); m != "" {
		return m
	}
	return score.ModeManager
}

// modeParam reads a mode filter in any spelling score.ParseMode accepts.
func modeParam(v url.Values, errs *queryErrors) score.Mode {
	s := v.Get("mode")
	if s == "" {
		return ""
	}
	m, err := score.ParseMode(s)
	if err != nil {
		for _, f := range callaudit.FieldsOf(err) {
			errs.add("mode", f.Message)
		}
		return ""
	}
	return m
}

// intParam reads an integer parameter within [lo, hi]; nil when absent.
func intParam(v url.Values, name string, lo, hi int, errs *queryErrors) *int {
	s := v.Get(name)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		errs.add(name, "must be an integer from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return nil
	}
	return &n
}

// idParam checks an id of the path or the query (audit.CheckID): one no
// call can have is a 422, never a database error.
func idParam(field, id string, errs *queryErrors) {
	*errs = append(*errs, callaudit.FieldsOf(audit.CheckID(field, id))...)
}

// callIDOf is the call id of r's path, checked as idParam does.
func callIDOf(r *http.Request) (string, error) {
	id := r.PathValue("id")
	var errs queryErrors
	idParam("call_id", id, &errs)
	return id, errs.err()
}

// exporting is r's principal and whether r asks for CSV: a CSV the
// principal may not export is refused.
func exporting(r *http.Request) (access.Principal, bool, error) {
	p, csv := PrincipalOf(r.Context()), wantsCSV(r)
	if csv && !p.Can(access.Export) {
		return p, csv, forbidden(p, access.Export)
	}
	return p, csv, nil
}

// callFilter reads the filter of GET /calls.
func (h *Handler) callFilter(st storage.Store, v url.Values) (storage.Filter, error) {
	var errs queryErrors
	f := storage.Filter{
		ManagerID: v.Get("manager_id"),
		Mode:      modeParam(v, &errs),
		Status:    storage.Status(v.Get("status")),
		Cursor:    v.Get("cursor"),
	}
	f.From, f.To = period(v, &errs)
	f.MinScore = intParam(v, "min_score", 0, 100, &errs)
	f.MaxScore = intParam(v, "max_score", 0, 100, &errs)
	if f.MinScore != nil && f.MaxScore != nil && *f.MinScore > *f.MaxScore {
		errs.add("max_score", "must not be less than min_score")
	}
	if l := intParam(v, "limit", 1, storage.MaxLimit, &errs); l != nil {
		f.Limit = *l
	}
	switch f.Status {
	case "", storage.StatusQueued, storage.StatusProcessing, storage.StatusDone, storage.StatusFailed:
	default:
		errs.add("status", "must be one of: queued, processing, done, failed")
	}
	idParam("manager_id", f.ManagerID, &errs)
	f.Review = h.reviewFilter(st, v.Get("review"), &errs)
	return f, errs.err()
}

// CallSummary is one row of GET /calls: the call without its report, with
// the report's total and criteria (null while the call has no report).
type CallSummary struct {
	ID           string         `json:"call_id"`
	ManagerID    string         `json:"manager_id"`
	Mode         score.Mode     `json:"content_mode"`
	Language     string         `json:"language"`
	Status       storage.Status `json:"status"`
	StatusReason string         `json:"status_reason"`
	Source       storage.Source `json:"source"`
	TotalScore   *int           `json:"total_score"`
	Criteria     map[string]int `json:"criteria"`
	// Review lists the call's review states (see storage.ReviewState);
	// absent when the store keeps no reviews.
	Review    []storage.ReviewState `json:"review,omitempty"`
	CreatedAt time.Time             `json:"created_at"`
	UpdatedAt time.Time             `json:"updated_at"`
}

func summarize(c storage.Call) CallSummary {
	s := CallSummary{
		ID: c.ID, ManagerID: c.ManagerID, Mode: c.Mode, Language: c.Language,
		Status: c.Status, StatusReason: c.StatusReason, Source: c.Source,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if total, ok := c.Score(); ok {
		s.TotalScore = &total
		s.Criteria = c.Report.Criteria
	}
	return s
}

// CallList is the JSON body of GET /calls.
type CallList struct {
	Calls      []CallSummary `json:"calls"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

func (h *Handler) listCalls(w http.ResponseWriter, r *http.Request) {
	st, err := h.needStore()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := formatParam(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	f, err := h.callFilter(st, r.URL.Query())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	p, csv, err := exporting(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// The principal's own calls, or their teams': a filter the store
	// applies, and a check of each call after it (a store that ignored
	// the filter shows nothing it should not).
	f, sees := p.Restrict(f)
	if csv {
		h.exportCSV(w, r, st, f, sees)
		return
	}
	page, err := listVisible(r, st, f, sees)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := CallList{Calls: make([]CallSummary, 0, len(page.Calls)), NextCursor: page.NextCursor}
	_, keeps := st.(storage.Reviews)
	reviews := h.pageReviews(r, st, page.Calls)
	for _, c := range page.Calls {
		s := summarize(c)
		if keeps {
			s.Review = reviewStates(reviews[c.ID])
		}
		out.Calls = append(out.Calls, s)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) getCall(w http.ResponseWriter, r *http.Request) {
	_, c, err := h.storedCall(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.logAccess(r, storage.AccessView, c)
	writeJSON(w, http.StatusOK, callOf(c))
}

// ManagerList is the JSON body of GET /managers: the leaderboard of one
// mode.
type ManagerList struct {
	// Mode is the mode the leaderboard ranks: the query's, Manager+ by
	// default.
	Mode     score.Mode               `json:"mode"`
	Managers []storage.ManagerSummary `json:"managers"`
}

func (h *Handler) listManagers(w http.ResponseWriter, r *http.Request) {
	st, err := h.needStore()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ml, ok := st.(storage.ManagerLister)
	if !ok {
		h.writeError(w, r, callaudit.Errorf(callaudit.KindNotConfigured, "the configured store cannot list managers; use the SQL or in-memory store"))
		return
	}
	v := r.URL.Query()
	var errs queryErrors
	q := storage.ManagerQuery{Mode: rubricMode(v, &errs)}
	q.From, q.To = period(v, &errs)
	if err := errs.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	list, err := ml.Managers(r.Context(), q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if p := PrincipalOf(r.Context()); p.Visibility() != access.SeesAll {
		list = slices.DeleteFunc(list, func(m storage.ManagerSummary) bool { return !p.Sees(m.ManagerID) })
	}
	if list == nil {
		list = []storage.ManagerSummary{}
	}
	writeJSON(w, http.StatusOK, ManagerList{Mode: q.Mode, Managers: list})
}

func (h *Handler) managerStats(w http.ResponseWriter, r *http.Request) {
	st, err := h.needStore()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := r.URL.Query()
	var errs queryErrors
	if p := PrincipalOf(r.Context()); !p.Sees(r.PathValue("id")) {
		h.writeError(w, r, callaudit.Coded(callaudit.KindForbidden, codeStatsOutside, "these statistics are outside what you may see", nil))
		return
	}
	q := storage.StatsQuery{ManagerID: r.PathValue("id"), Mode: rubricMode(v, &errs), Bucket: storage.Bucket(v.Get("bucket"))}
	idParam("manager_id", q.ManagerID, &errs)
	q.From, q.To = period(v, &errs)
	if !q.Bucket.Valid() {
		errs.add("bucket", `must be "day" or "week"`)
	}
	if err := errs.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	stats, err := st.Stats(r.Context(), q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if stats.Criteria == nil {
		stats.Criteria = map[string]float64{}
	}
	if stats.Trend == nil {
		stats.Trend = []storage.TrendPoint{}
	}
	// The answer states its mode even when a store leaves it out.
	stats.Mode = q.Mode
	writeJSON(w, http.StatusOK, stats)
}

// RubricCriterion is one criterion of GET /rubric in the asked language.
type RubricCriterion struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Weight      float64 `json:"weight"`
}

// RubricInfo is the JSON body of GET /rubric.
type RubricInfo struct {
	Mode     score.Mode        `json:"mode"`
	Language string            `json:"language"`
	Criteria []RubricCriterion `json:"criteria"`
}

func (h *Handler) rubric(w http.ResponseWriter, r *http.Request) {
	rs, ok := h.auditor.Scorer().(score.RubricScorer)
	if !ok {
		h.writeError(w, r, callaudit.Errorf(callaudit.KindNotFound, "the configured scorer (%s) has no fixed rubric", h.scorer))
		return
	}
	v := r.URL.Query()
	var errs queryErrors
	mode := rubricMode(v, &errs)
	lang := score.DefaultLanguage
	if l := v.Get("language"); l != "" {
		lang = transcribe.NormalizeLanguage(l)
		if !slices.Contains(score.SupportedLanguages, lang) {
			errs.add("language", "must be one of: "+strings.Join(score.SupportedLanguages, ", "))
		}
	}
	if err := errs.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	rub := rs.DefaultRubric(mode)
	out := RubricInfo{Mode: mode, Language: lang, Criteria: make([]RubricCriterion, 0, len(rub.Criteria))}
	for _, c := range rub.Criteria {
		out.Criteria = append(out.Criteria, RubricCriterion{ID: c.ID, Title: c.TitleIn(lang), Description: c.DescriptionIn(lang), Weight: c.Weight})
	}
	writeJSON(w, http.StatusOK, out)
}

// Capabilities is the JSON body of GET /config: what this server can do,
// so that a UI can enable audio upload only when it works.
type Capabilities struct {
	Version       string `json:"version"`
	Scorer        string `json:"scorer"`
	Transcription bool   `json:"transcription"`
	// EnergyOnly is true when, without speech-to-text, stereo WAV
	// recordings are measured from their channels' energy (EnergyReport).
	EnergyOnly bool `json:"energy_only"`
	// URLFetch is true when POST /analyze_audio_by_url can answer: an
	// audit with speech-to-text, or else, when EnergyOnly, the
	// EnergyReport of a stereo WAV (other recordings need speech-to-text).
	URLFetch       bool         `json:"url_fetch"`
	History        bool         `json:"history"`
	MaxAudioBytes  int64        `json:"max_audio_bytes"`
	MaxDialogBytes int          `json:"max_dialog_bytes"`
	Modes          []score.Mode `json:"modes"`
	Languages      []string     `json:"languages"`
}

func (h *Handler) config(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, Capabilities{
		Version:        h.cfg.Version,
		Scorer:         h.scorer,
		Transcription:  h.auditor.CanTranscribe(),
		EnergyOnly:     h.measures(),
		URLFetch:       h.fetchesURLs(),
		History:        h.store != nil,
		MaxAudioBytes:  h.cfg.MaxAudioBytes,
		MaxDialogBytes: h.auditor.MaxDialogBytes(),
		Modes:          score.Modes,
		Languages:      score.SupportedLanguages,
	})
}
