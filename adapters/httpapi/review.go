package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// Human review of calls (storage.Reviews): a lead's scores beside the
// model's, a manager's disputes, the lead's resolutions, and the
// agreement figures computed from them.

// Actor is who did something to a review.
type Actor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func actorOf(a storage.Actor) *Actor {
	if a == (storage.Actor{}) {
		return nil
	}
	return &Actor{ID: a.ID, Name: a.Name}
}

// CriterionReview is one criterion of a review: the model's score and the
// human's side by side.
type CriterionReview struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Weight     float64    `json:"weight"`
	ModelScore int        `json:"model_score"`
	HumanScore *int       `json:"human_score"`
	Comment    string     `json:"comment"`
	ReviewedBy *Actor     `json:"reviewed_by"`
	ReviewedAt *time.Time `json:"reviewed_at"`
	// OpenDispute is the id of the criterion's open dispute, if any.
	OpenDispute *int `json:"open_dispute"`
}

// Dispute is a manager's dispute of a criterion and its resolution.
type Dispute struct {
	ID         int                   `json:"id"`
	Criterion  string                `json:"criterion"`
	Comment    string                `json:"comment"`
	By         *Actor                `json:"by"`
	At         time.Time             `json:"at"`
	Status     storage.DisputeStatus `json:"status"`
	Score      *int                  `json:"score"`
	Reason     string                `json:"reason"`
	ResolvedBy *Actor                `json:"resolved_by"`
	ResolvedAt *time.Time            `json:"resolved_at"`
}

// Review is the JSON body of GET /calls/{id}/review and of the review
// writes: the call's review state.
type Review struct {
	CallID           string     `json:"call_id"`
	ManagerID        string     `json:"manager_id"`
	Mode             score.Mode `json:"content_mode"`
	Scorecard        string     `json:"scorecard"`
	ScorecardVersion int        `json:"scorecard_version"`
	// States are the review states the call is in (unreviewed, reviewed,
	// disputed, resolved), as the review filter of GET /calls reads them.
	States       []storage.ReviewState `json:"states"`
	ModelTotal   int                   `json:"model_total"`
	HumanTotal   *int                  `json:"human_total"`
	TotalComment string                `json:"total_comment"`
	Reviewer     *Actor                `json:"reviewer"`
	ReviewedAt   *time.Time            `json:"reviewed_at"`
	Criteria     []CriterionReview     `json:"criteria"`
	Disputes     []Dispute             `json:"disputes"`
	// Revision is the stored revision (0: nothing saved yet); a write may
	// send it back to be refused with 409 if the review changed meanwhile.
	Revision int `json:"revision"`
}

func reviewOf(r storage.Review, c storage.Call) Review {
	titles := map[string]string{}
	if c.Report != nil {
		for _, d := range c.Report.Details {
			titles[d.ID] = d.Title
		}
	}
	out := Review{CallID: r.CallID, ManagerID: r.ManagerID, Mode: r.Mode, Scorecard: r.Scorecard, ScorecardVersion: r.ScorecardVersion,
		States: reviewStates(r), ModelTotal: r.ModelTotal, HumanTotal: r.HumanTotal, TotalComment: r.TotalComment,
		Reviewer: actorOf(r.Reviewer), ReviewedAt: timePtr(r.ReviewedAt), Criteria: make([]CriterionReview, 0, len(r.Criteria)),
		Disputes: make([]Dispute, 0, len(r.Disputes)), Revision: r.Revision}
	open := map[string]int{}
	for _, d := range r.Disputes {
		if d.Status == storage.DisputeOpen {
			open[d.CriterionID] = d.ID
		}
		out.Disputes = append(out.Disputes, Dispute{ID: d.ID, Criterion: d.CriterionID, Comment: d.Comment, By: actorOf(d.By), At: d.At,
			Status: d.Status, Score: d.Score, Reason: d.Reason, ResolvedBy: actorOf(d.ResolvedBy), ResolvedAt: timePtr(d.ResolvedAt)})
	}
	for _, cr := range r.Criteria {
		v := CriterionReview{ID: cr.ID, Title: titles[cr.ID], Weight: cr.Weight, ModelScore: cr.Model, HumanScore: cr.Human,
			Comment: cr.Comment, ReviewedBy: actorOf(cr.By), ReviewedAt: timePtr(cr.At)}
		if id, ok := open[cr.ID]; ok {
			v.OpenDispute = &id
		}
		if v.Title == "" {
			v.Title = cr.ID
		}
		out.Criteria = append(out.Criteria, v)
	}
	return out
}

// reviewStates lists the states r is in (a zero Review: unreviewed).
func reviewStates(r storage.Review) []storage.ReviewState {
	out := []storage.ReviewState{}
	for _, s := range storage.ReviewStates {
		if r.In(s) {
			out = append(out, s)
		}
	}
	return out
}

// ReviewRequest is the body of PUT /calls/{id}/review.
type ReviewRequest struct {
	Criteria []struct {
		Criterion string `json:"criterion"`
		Score     *int   `json:"score"`
		Comment   string `json:"comment"`
	} `json:"criteria"`
	TotalScore   *int   `json:"total_score"`
	TotalComment string `json:"total_comment"`
	Revision     *int   `json:"revision"`
}

// DisputeRequest is the body of POST /calls/{id}/disputes.
type DisputeRequest struct {
	Criterion string `json:"criterion"`
	Comment   string `json:"comment"`
	Revision  *int   `json:"revision"`
}

// ResolutionRequest is the body of POST
// /calls/{id}/disputes/{dispute}/resolution.
type ResolutionRequest struct {
	// Decision is accept or reject.
	Decision string `json:"decision"`
	Score    *int   `json:"score"`
	Reason   string `json:"reason"`
	Revision *int   `json:"revision"`
}

// reviewStore returns the store as a storage.ReviewStore, or a
// not_configured error.
func (h *Handler) reviewStore() (storage.ReviewStore, error) {
	st, err := h.needStore()
	if err != nil {
		return nil, err
	}
	rs, ok := st.(storage.ReviewStore)
	if !ok {
		return nil, callaudit.Coded(callaudit.KindNotConfigured, codeReviewsMissing, "the configured store keeps no reviews; use the SQL or in-memory store", nil)
	}
	return rs, nil
}

// seenCall returns the call of the path's id when the principal sees it;
// a call it does not see is not found, as if it did not exist.
func (h *Handler) seenCall(r *http.Request, st storage.Store) (storage.Call, error) {
	id, err := callIDOf(r)
	if err != nil {
		return storage.Call{}, err
	}
	c, err := st.Get(r.Context(), id)
	if err == nil && !PrincipalOf(r.Context()).Sees(c.ManagerID) {
		err = storage.NotFound(c.ID)
	}
	return c, err
}

// storedCall is the store and the path's call when the principal sees it.
func (h *Handler) storedCall(r *http.Request) (storage.Store, storage.Call, error) {
	st, err := h.needStore()
	if err != nil {
		return nil, storage.Call{}, err
	}
	c, err := h.seenCall(r, st)
	return st, c, err
}

func actorOfRequest(r *http.Request) storage.Actor {
	p := PrincipalOf(r.Context())
	return storage.Actor{ID: p.ID, Name: p.Label()}
}

// reviewCall returns the review store and the path's call when the
// principal sees it, or answers the error and returns ok false. Writes
// look the call up before reading the body, so that a call outside what
// the principal sees is a 404 whatever the body holds.
func (h *Handler) reviewCall(w http.ResponseWriter, r *http.Request) (storage.ReviewStore, storage.Call, bool) {
	rs, err := h.reviewStore()
	if err == nil {
		var c storage.Call
		if c, err = h.seenCall(r, rs); err == nil {
			return rs, c, true
		}
	}
	h.writeError(w, r, err)
	return nil, storage.Call{}, false
}

func (h *Handler) getReview(w http.ResponseWriter, r *http.Request) {
	rs, c, ok := h.reviewCall(w, r)
	if !ok {
		return
	}
	rev, found, err := rs.Review(r.Context(), c.ID)
	if err == nil && !found {
		rev, err = storage.NewReview(c)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.logAccess(r, storage.AccessView, c)
	writeJSON(w, http.StatusOK, reviewOf(rev, c))
}

// saveReview runs fn on the call's review (see storage.ModifyReview) and
// answers the review as saved with status.
func (h *Handler) saveReview(w http.ResponseWriter, r *http.Request, rs storage.ReviewStore, c storage.Call, status int, revision *int, fn func(*storage.Review) error) {
	saved, err := storage.ModifyReview(r.Context(), rs, c.ID, func(rev *storage.Review) error {
		if revision != nil && *revision != rev.Revision {
			return storage.ErrReviewChanged(c.ID)
		}
		return fn(rev)
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, status, reviewOf(saved, c))
}

func (h *Handler) putReview(w http.ResponseWriter, r *http.Request) {
	rs, c, ok := h.reviewCall(w, r)
	if !ok {
		return
	}
	var req ReviewRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in := storage.ReviewInput{Total: req.TotalScore, TotalComment: req.TotalComment}
	var errs queryErrors
	for i, c := range req.Criteria {
		if c.Score == nil {
			// A missing score is not a zero.
			errs = append(errs, callaudit.FieldError{Field: "criteria[" + strconv.Itoa(i) + "].score", Message: "is required", Code: callaudit.CodeRequired})
			continue
		}
		in.Criteria = append(in.Criteria, storage.ScoreInput{Criterion: c.Criterion, Score: *c.Score, Comment: c.Comment})
	}
	if err := errs.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	by, now := actorOfRequest(r), time.Now()
	h.saveReview(w, r, rs, c, http.StatusOK, req.Revision, func(rev *storage.Review) error { return rev.SetScores(by, now, in) })
}

func (h *Handler) postDispute(w http.ResponseWriter, r *http.Request) {
	rs, c, ok := h.reviewCall(w, r)
	if !ok {
		return
	}
	var req DisputeRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	by, now := actorOfRequest(r), time.Now()
	h.saveReview(w, r, rs, c, http.StatusCreated, req.Revision, func(rev *storage.Review) error {
		_, err := rev.Dispute(by, now, req.Criterion, req.Comment)
		return err
	})
}

func (h *Handler) postResolution(w http.ResponseWriter, r *http.Request) {
	rs, c, ok := h.reviewCall(w, r)
	if !ok {
		return
	}
	var errs queryErrors
	id, err := strconv.Atoi(r.PathValue("dispute"))
	if err != nil || id < 1 {
		errs = append(errs, callaudit.FieldError{Field: "dispute", Message: "must be a dispute id (1, 2, …)", Code: codeDisputeID})
	}
	var req ResolutionRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	res := storage.Resolution{Score: req.Score, Reason: req.Reason}
	switch req.Decision {
	case "accept":
		res.Accept = true
	case "reject":
	default:
		errs = append(errs, callaudit.FieldError{Field: "decision", Message: "must be one of: accept, reject",
			Code: callaudit.CodeOneOf, Params: map[string]string{"values": "accept, reject"}})
	}
	if err := errs.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	by, now := actorOfRequest(r), time.Now()
	h.saveReview(w, r, rs, c, http.StatusOK, req.Revision, func(rev *storage.Review) error { return rev.Resolve(by, now, id, res) })
}

// reviewFilter reads the review filter of GET /calls; the store must keep
// reviews for it.
func (h *Handler) reviewFilter(st storage.Store, v string, errs *queryErrors) storage.ReviewState {
	s := storage.ReviewState(v)
	if !s.Valid() {
		for _, f := range callaudit.FieldsOf(storage.InvalidReviewState()) {
			*errs = append(*errs, f)
		}
		return ""
	}
	if s != storage.ReviewAny {
		if _, ok := st.(storage.Reviews); !ok {
			*errs = append(*errs, callaudit.FieldError{Field: "review", Message: "the configured store keeps no reviews; use the SQL or in-memory store", Code: codeReviewsMissing})
			return ""
		}
	}
	return s
}

// AgreementScale describes the 0–5 scale of exact agreement and κ.
type AgreementScale struct {
	// Rule is how a 0..100 score maps to a category.
	Rule string `json:"rule"`
	// Categories are the score ranges of the categories 0..5.
	Categories []AgreementCategory `json:"categories"`
}

// AgreementCategory is one category of the 0–5 scale: scores From..To.
type AgreementCategory struct {
	Category int `json:"category"`
	From     int `json:"from"`
	To       int `json:"to"`
}

// AgreementList is the JSON body of GET /agreement.
type AgreementList struct {
	Scale  AgreementScale   `json:"scale"`
	Groups []AgreementGroup `json:"groups"`
}

// AgreementGroup is storage.Agreement with the criteria's titles.
type AgreementGroup struct {
	storage.Agreement
	// Titles are the criteria's titles in the request's language, where
	// the scorer's rubric knows them.
	Titles map[string]string `json:"titles"`
}

// agreementScale is the documented mapping of score/agreement.Bin.
var agreementScale = AgreementScale{Rule: "category = round(score / 20), halves up",
	Categories: []AgreementCategory{{0, 0, 9}, {1, 10, 29}, {2, 30, 49}, {3, 50, 69}, {4, 70, 89}, {5, 90, 100}}}

func (h *Handler) agreement(w http.ResponseWriter, r *http.Request) {
	rs, err := h.reviewStore()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := formatParam(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	v := r.URL.Query()
	var errs queryErrors
	q := storage.ReviewQuery{Scorecard: v.Get("scorecard"), Mode: modeParam(v, &errs), ReviewedOnly: true}
	if n := intParam(v, "version", 1, 1<<30, &errs); n != nil {
		q.ScorecardVersion = *n
	}
	if q.ScorecardVersion != 0 && q.Scorecard == "" {
		errs = append(errs, callaudit.FieldError{Field: "version", Message: "needs scorecard", Code: codeVersionNeedsCard})
	}
	f := storage.Filter{ManagerID: v.Get("manager_id")}
	idParam("manager_id", f.ManagerID, &errs)
	if err := errs.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	p, csv, err := exporting(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// Whose reviews: the principal's own calls, or their teams'.
	f, sees := p.Restrict(f)
	var list []storage.Review
	if sees {
		q.ManagerIDs = f.ManagerIDs
		if f.ManagerID != "" {
			q.ManagerIDs = []string{f.ManagerID}
		}
		if list, err = rs.ListReviews(r.Context(), q); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	groups := storage.Agreements(list)
	if csv {
		h.agreementCSV(w, r, groups)
		return
	}
	out := AgreementList{Scale: agreementScale, Groups: make([]AgreementGroup, 0, len(groups))}
	lang := requestLanguage(r, "")
	for _, g := range groups {
		out.Groups = append(out.Groups, AgreementGroup{Agreement: g, Titles: h.criterionTitles(r.Context(), g, lang)})
	}
	writeJSON(w, http.StatusOK, out)
}

// criterionTitles are the titles of the group's criteria by id: those of
// the scorer's default rubric for its mode, then those of the group's
// scorecard version where the server keeps scorecards (a custom
// scorecard's criteria, or titles a lead edited). Empty when neither
// knows them; the page then shows the ids.
func (h *Handler) criterionTitles(ctx context.Context, g storage.Agreement, lang string) map[string]string {
	out := map[string]string{}
	if rs, ok := h.auditor.Scorer().(score.RubricScorer); ok && g.Mode != "" {
		for _, c := range rs.DefaultRubric(g.Mode).Criteria {
			out[c.ID] = c.TitleIn(lang)
		}
	}
	if h.cfg.Scorecards == nil || g.Scorecard == "" || g.ScorecardVersion == 0 {
		return out
	}
	sc, err := h.cfg.Scorecards.Get(ctx, g.Scorecard, g.ScorecardVersion)
	if err != nil {
		// Titles are for reading only: a version no longer known keeps
		// the rubric's titles (or the ids) rather than failing the page.
		if callaudit.KindOf(err) != callaudit.KindNotFound {
			h.log.Warn("httpapi: agreement titles", "scorecard", g.Scorecard, "version", g.ScorecardVersion, "error", err)
		}
		return out
	}
	for _, c := range sc.Criteria {
		out[c.ID] = c.ScoreCriterion(0).TitleIn(lang)
	}
	return out
}
