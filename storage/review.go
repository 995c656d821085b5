package storage

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
)

// ReviewState selects calls by their human review (Filter.Review).
type ReviewState string

// Review states. A call can be in several at once: reviewed and
// disputed, or reviewed and resolved.
const (
	// ReviewAny does not filter.
	ReviewAny ReviewState = ""
	// ReviewUnreviewed: no lead has reviewed the call (it may still have
	// disputes).
	ReviewUnreviewed ReviewState = "unreviewed"
	// ReviewReviewed: a lead has reviewed the call (Review.Reviewed).
	ReviewReviewed ReviewState = "reviewed"
	// ReviewDisputed: at least one dispute is open.
	ReviewDisputed ReviewState = "disputed"
	// ReviewResolved: the call has disputes and none is open.
	ReviewResolved ReviewState = "resolved"
)

// ReviewStates lists the states a filter accepts, ReviewAny aside.
var ReviewStates = []ReviewState{ReviewUnreviewed, ReviewReviewed, ReviewDisputed, ReviewResolved}

// Valid reports whether s is ReviewAny or one of ReviewStates.
func (s ReviewState) Valid() bool { return s == ReviewAny || slices.Contains(ReviewStates, s) }

// InvalidReviewState is the KindInvalid error of a Filter.Review that is
// not one of ReviewStates.
func InvalidReviewState() *callaudit.Error {
	vals := make([]string, len(ReviewStates))
	for i, s := range ReviewStates {
		vals[i] = string(s)
	}
	v := strings.Join(vals, ", ")
	return callaudit.Invalid(callaudit.FieldError{Field: "review", Message: "must be one of: " + v, Code: callaudit.CodeOneOf,
		Params: map[string]string{"values": v}})
}

// DisputeStatus is where a dispute is.
type DisputeStatus string

// Dispute statuses.
const (
	DisputeOpen     DisputeStatus = "open"
	DisputeAccepted DisputeStatus = "accepted"
	DisputeRejected DisputeStatus = "rejected"
)

// Actor is who did something to a review: the user's id and login (or
// name) as they were at the time.
type Actor struct {
	ID   string
	Name string
}

// Review is the human review of one call: a lead's scores beside the
// model's, and the managers' disputes with the lead's resolutions. The
// model's values are a copy of the report's when the review began, never
// overwritten, so that agreement compares the human with what the model
// said, whatever happens to the call later (a rescore writes a new
// report; the review stays with the scorecard version it was made for).
//
// A Review is changed through its methods (SetScores, Dispute, Resolve),
// which check the input, and saved with Reviews.SaveReview.
type Review struct {
	CallID string
	// ManagerID, Mode, Scorecard and ScorecardVersion are the call's and
	// its report's when the review began: what agreement groups by.
	ManagerID        string
	Mode             score.Mode
	Scorecard        string
	ScorecardVersion int
	// Criteria are the report's criteria in the report's order, each with
	// the model's score and the human's when given.
	Criteria []CriterionReview
	// ModelTotal is the report's total; HumanTotal the lead's, nil until
	// set.
	ModelTotal   int
	HumanTotal   *int
	TotalComment string
	// Reviewer and ReviewedAt are who reviewed the call last, and when;
	// zero until a lead has reviewed it.
	Reviewer   Actor
	ReviewedAt time.Time
	// Disputes in the order they were opened; Dispute.ID is 1, 2, ….
	Disputes []Dispute
	// Revision counts the saves; SaveReview checks it (optimistic
	// locking) and returns the review with it incremented.
	Revision int
	// UpdatedAt is set by SaveReview.
	UpdatedAt time.Time
}

// CriterionReview is one criterion of a review: the model's score and the
// human's.
type CriterionReview struct {
	ID string
	// Weight is the criterion's weight in the report.
	Weight float64
	// Model is the model's score, kept as the report had it.
	Model int
	// Human is the lead's score (0..100), nil until given.
	Human   *int
	Comment string
	// By and At are who gave the human score, and when.
	By Actor
	At time.Time
}

// Dispute is a manager's objection to one criterion's score, and the
// lead's answer.
type Dispute struct {
	ID          int
	CriterionID string
	Comment     string
	By          Actor
	At          time.Time
	Status      DisputeStatus
	// Score is the score the lead gave when accepting; Reason the lead's
	// words (required when rejecting).
	Score      *int
	Reason     string
	ResolvedBy Actor
	ResolvedAt time.Time
}

// Limits of review input.
const (
	// MaxReviewComment is the longest comment, reason or dispute, in
	// characters.
	MaxReviewComment = 2000
)

// NewReview starts the review of a call: the model's values are copied
// from its report. A call without a report, or not done, cannot be
// reviewed (KindConflict).
func NewReview(c Call) (Review, error) {
	if c.Report == nil || c.Status != StatusDone {
		return Review{}, callaudit.Coded(callaudit.KindConflict, callaudit.CodeReviewNoReport,
			"call "+strconv.Quote(c.ID)+" has no report to review yet", map[string]string{"id": strconv.Quote(c.ID)})
	}
	rep := c.Report
	r := Review{CallID: c.ID, ManagerID: c.ManagerID, Mode: c.Mode, Scorecard: rep.Meta.Scorecard,
		ScorecardVersion: rep.Meta.ScorecardVersion, ModelTotal: rep.TotalScore}
	seen := map[string]bool{}
	for _, d := range rep.Details {
		seen[d.ID] = true
		r.Criteria = append(r.Criteria, CriterionReview{ID: d.ID, Weight: d.Weight, Model: d.Score})
	}
	// Criteria without details (a report from elsewhere): by id, so the
	// order is stable.
	var rest []string
	for id := range rep.Criteria {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	for _, id := range rest {
		r.Criteria = append(r.Criteria, CriterionReview{ID: id, Model: rep.Criteria[id]})
	}
	return r, nil
}

// Reviewed reports whether a lead has reviewed the call.
func (r Review) Reviewed() bool { return !r.ReviewedAt.IsZero() }

// OpenDisputes counts the disputes not resolved yet.
func (r Review) OpenDisputes() int {
	n := 0
	for _, d := range r.Disputes {
		if d.Status == DisputeOpen {
			n++
		}
	}
	return n
}

// In reports whether the review is in state s (ReviewAny: always). A call
// without a review is only ReviewUnreviewed (and ReviewAny).
func (r Review) In(s ReviewState) bool {
	switch s {
	case ReviewAny:
		return true
	case ReviewUnreviewed:
		return !r.Reviewed()
	case ReviewReviewed:
		return r.Reviewed()
	case ReviewDisputed:
		return r.OpenDisputes() > 0
	case ReviewResolved:
		return len(r.Disputes) > 0 && r.OpenDisputes() == 0
	}
	return false
}

// Criterion returns the criterion with id, or nil.
func (r *Review) Criterion(id string) *CriterionReview {
	for i := range r.Criteria {
		if r.Criteria[i].ID == id {
			return &r.Criteria[i]
		}
	}
	return nil
}

// Current is the criterion's score as it stands: the human's, else the
// model's.
func (c CriterionReview) Current() int {
	if c.Human != nil {
		return *c.Human
	}
	return c.Model
}

// ScoreInput is one criterion of a lead's review.
type ScoreInput struct {
	Criterion string
	Score     int
	Comment   string
}

// ReviewInput is what a lead sets in one review: scores of some criteria
// (the others keep theirs), and optionally the total.
type ReviewInput struct {
	Criteria     []ScoreInput
	Total        *int
	TotalComment string
}

// SetScores applies a lead's review: each given criterion gets the
// human score and comment, the total is set when given. Every error is
// reported at once as KindInvalid with the field paths of the input
// (criteria[0].score …); on error r is unchanged.
func (r *Review) SetScores(by Actor, at time.Time, in ReviewInput) error {
	var fe []callaudit.FieldError
	if len(in.Criteria) == 0 && in.Total == nil {
		fe = append(fe, callaudit.FieldError{Field: "criteria", Message: "give at least one criterion's score or the total", Code: callaudit.CodeReviewEmpty})
	}
	seen := map[string]bool{}
	for i, c := range in.Criteria {
		p := "criteria[" + strconv.Itoa(i) + "]"
		switch {
		case c.Criterion == "":
			fe = append(fe, required(p+".criterion"))
		case r.Criterion(c.Criterion) == nil:
			fe = append(fe, unknownCriterion(p+".criterion", c.Criterion))
		case seen[c.Criterion]:
			fe = append(fe, callaudit.FieldError{Field: p + ".criterion", Message: "is given twice", Code: callaudit.CodeReviewTwice})
		}
		seen[c.Criterion] = true
		if f, ok := scoreRange(p+".score", c.Score); !ok {
			fe = append(fe, f)
		}
		if f, ok := commentLength(p+".comment", c.Comment); !ok {
			fe = append(fe, f)
		}
	}
	if in.Total != nil {
		if f, ok := scoreRange("total_score", *in.Total); !ok {
			fe = append(fe, f)
		}
	}
	if f, ok := commentLength("total_comment", in.TotalComment); !ok {
		fe = append(fe, f)
	}
	if len(fe) > 0 {
		return callaudit.Invalid(fe...)
	}
	at = at.UTC()
	for _, c := range in.Criteria {
		cr := r.Criterion(c.Criterion)
		s := c.Score
		cr.Human, cr.Comment, cr.By, cr.At = &s, strings.TrimSpace(c.Comment), by, at
	}
	if in.Total != nil {
		t := *in.Total
		r.HumanTotal = &t
		r.TotalComment = strings.TrimSpace(in.TotalComment)
	}
	r.Reviewer, r.ReviewedAt = by, at
	return nil
}

// Dispute opens a manager's dispute of one criterion and returns it. The
// comment is required; a criterion with an open dispute cannot be
// disputed again until it is resolved (KindConflict).
func (r *Review) Dispute(by Actor, at time.Time, criterion, comment string) (Dispute, error) {
	var fe []callaudit.FieldError
	switch {
	case criterion == "":
		fe = append(fe, required("criterion"))
	case r.Criterion(criterion) == nil:
		fe = append(fe, unknownCriterion("criterion", criterion))
	}
	comment = strings.TrimSpace(comment)
	if comment == "" {
		fe = append(fe, required("comment"))
	} else if f, ok := commentLength("comment", comment); !ok {
		fe = append(fe, f)
	}
	if len(fe) > 0 {
		return Dispute{}, callaudit.Invalid(fe...)
	}
	for _, d := range r.Disputes {
		if d.CriterionID == criterion && d.Status == DisputeOpen {
			return Dispute{}, callaudit.Coded(callaudit.KindConflict, callaudit.CodeDisputeOpen,
				"criterion "+criterion+" already has an open dispute ("+strconv.Itoa(d.ID)+")",
				map[string]string{"criterion": criterion, "dispute": strconv.Itoa(d.ID)})
		}
	}
	d := Dispute{ID: len(r.Disputes) + 1, CriterionID: criterion, Comment: comment, By: by, At: at.UTC(), Status: DisputeOpen}
	r.Disputes = append(r.Disputes, d)
	return d, nil
}

// Resolution is a lead's answer to a dispute: accept with a new score, or
// reject with a reason.
type Resolution struct {
	Accept bool
	// Score is required when accepting.
	Score *int
	// Reason is required when rejecting, optional when accepting.
	Reason string
}

// Resolve answers the dispute with id. Accepting makes Score the
// criterion's human score; rejecting confirms the score as it stands
// (the human's, else the model's, which then becomes the human's too: the
// lead has looked at it). Either way the lead counts as the reviewer. An
// unknown dispute is KindNotFound, a resolved one KindConflict.
func (r *Review) Resolve(by Actor, at time.Time, id int, res Resolution) error {
	var d *Dispute
	for i := range r.Disputes {
		if r.Disputes[i].ID == id {
			d = &r.Disputes[i]
		}
	}
	if d == nil {
		return callaudit.Coded(callaudit.KindNotFound, callaudit.CodeDisputeNotFound, "dispute "+strconv.Itoa(id)+" not found",
			map[string]string{"dispute": strconv.Itoa(id)})
	}
	if d.Status != DisputeOpen {
		return callaudit.Coded(callaudit.KindConflict, callaudit.CodeDisputeResolved, "dispute "+strconv.Itoa(id)+" is already resolved",
			map[string]string{"dispute": strconv.Itoa(id)})
	}
	var fe []callaudit.FieldError
	reason := strings.TrimSpace(res.Reason)
	if res.Accept {
		if res.Score == nil {
			fe = append(fe, callaudit.FieldError{Field: "score", Message: "is required to accept a dispute", Code: callaudit.CodeReviewScoreToAccept})
		} else if f, ok := scoreRange("score", *res.Score); !ok {
			fe = append(fe, f)
		}
	} else if reason == "" {
		fe = append(fe, callaudit.FieldError{Field: "reason", Message: "is required to reject a dispute", Code: callaudit.CodeReviewReasonToReject})
	}
	if f, ok := commentLength("reason", reason); !ok {
		fe = append(fe, f)
	}
	if len(fe) > 0 {
		return callaudit.Invalid(fe...)
	}
	at = at.UTC()
	cr := r.Criterion(d.CriterionID)
	s := cr.Current()
	d.Status = DisputeRejected
	if res.Accept {
		s = *res.Score
		d.Status = DisputeAccepted
		d.Score = &s
	}
	d.Reason, d.ResolvedBy, d.ResolvedAt = reason, by, at
	if res.Accept || cr.Human == nil {
		cr.Human, cr.By, cr.At = &s, by, at
		if reason != "" {
			cr.Comment = reason
		}
	}
	r.Reviewer, r.ReviewedAt = by, at
	return nil
}

func required(field string) callaudit.FieldError {
	return callaudit.FieldError{Field: field, Message: "is required", Code: callaudit.CodeRequired}
}

func unknownCriterion(field, id string) callaudit.FieldError {
	return callaudit.FieldError{Field: field, Message: "the call's report has no criterion " + strconv.Quote(id),
		Code: callaudit.CodeReviewUnknownCriterion, Params: map[string]string{"criterion": strconv.Quote(id)}}
}

func scoreRange(field string, v int) (callaudit.FieldError, bool) {
	if v >= 0 && v <= 100 {
		return callaudit.FieldError{}, true
	}
	return callaudit.FieldError{Field: field, Message: "must be between 0 and 100", Code: callaudit.CodeBetween,
		Params: map[string]string{"min": "0", "max": "100"}}, false
}

func commentLength(field, s string) (callaudit.FieldError, bool) {
	if utf8.RuneCountInString(s) <= MaxReviewComment {
		return callaudit.FieldError{}, true
	}
	return callaudit.FieldError{Field: field, Message: "must be at most " + strconv.Itoa(MaxReviewComment) + " characters",
		Code: callaudit.CodeTooLong, Params: map[string]string{"max": strconv.Itoa(MaxReviewComment)}}, false
}

// ReviewQuery selects reviews for ListReviews (agreement figures). Zero
// fields do not filter.
type ReviewQuery struct {
	Scorecard string
	// ScorecardVersion 0 is every version of Scorecard.
	ScorecardVersion int
	Mode             score.Mode
	// ManagerIDs, when not empty, keeps the reviews of these managers.
	ManagerIDs []string
	// CallIDs, when not empty, keeps the reviews of these calls (a page of
	// a listing; at most MaxLimit).
	CallIDs []string
	// ReviewedOnly keeps the reviews a lead has made (Review.Reviewed).
	ReviewedOnly bool
}

// Reviews is implemented by stores that keep the human reviews of calls.
// It is optional: a store without it serves no review routes. Callers
// type-assert.
//
// Contract (checked by storagetest.RunReviews):
//   - Safe for concurrent use; returned values are copies.
//   - Review returns the call's review, ok false when it has none (also
//     for an unknown call).
//   - SaveReview stores r when r.Revision equals the stored review's
//     revision (0: there is none yet), and returns it with Revision
//     incremented and UpdatedAt set; another revision is KindConflict
//     (somebody saved in between: read again and retry, see
//     ModifyReview). An unknown call is KindNotFound, an empty CallID
//     KindInvalid.
//   - Deleting a call (Deleter) deletes its review.
//   - List honours Filter.Review with the review states of
//     Review.In (a call without a review is only unreviewed).
//   - ListReviews returns the reviews that match q, by CallID.
//   - Times are kept to the microsecond at least and returned in UTC.
//   - Every method returns promptly with an error once ctx is done.
type Reviews interface {
	Review(ctx context.Context, callID string) (r Review, ok bool, err error)
	SaveReview(ctx context.Context, r Review) (Review, error)
	ListReviews(ctx context.Context, q ReviewQuery) ([]Review, error)
}

// ReviewStore is a Store that keeps reviews.
type ReviewStore interface {
	Store
	Reviews
}

// ErrReviewChanged is the KindConflict of a SaveReview whose Revision is
// not the stored one.
func ErrReviewChanged(callID string) *callaudit.Error {
	return callaudit.Coded(callaudit.KindConflict, callaudit.CodeReviewChanged,
		"the review of call "+strconv.Quote(callID)+" was changed meanwhile; reload and try again", map[string]string{"id": strconv.Quote(callID)})
}

// ModifyReview reads the call's review (starting one from the call with
// NewReview when it has none), lets fn change it and saves it, reading
// again and calling fn again when another save came in between (up to a
// few times). fn must depend only on its argument.
func ModifyReview(ctx context.Context, s ReviewStore, callID string, fn func(*Review) error) (Review, error) {
	var err error
	for range 5 {
		r, ok, rerr := s.Review(ctx, callID)
		if rerr != nil {
			return Review{}, rerr
		}
		if !ok {
			c, gerr := s.Get(ctx, callID)
			if gerr != nil {
				return Review{}, gerr
			}
			if r, err = NewReview(c); err != nil {
				return Review{}, err
			}
		}
		if err = fn(&r); err != nil {
			return Review{}, err
		}
		saved, serr := s.SaveReview(ctx, r)
		if serr == nil {
			return saved, nil
		}
		if callaudit.KindOf(serr) != callaudit.KindConflict {
			return Review{}, serr
		}
		err = serr
	}
	return Review{}, err
}

// CloneReview returns a deep copy of r.
func CloneReview(r Review) Review {
	r.Criteria = slices.Clone(r.Criteria)
	for i := range r.Criteria {
		r.Criteria[i].Human = cloneInt(r.Criteria[i].Human)
	}
	r.HumanTotal = cloneInt(r.HumanTotal)
	r.Disputes = slices.Clone(r.Disputes)
	for i := range r.Disputes {
		r.Disputes[i].Score = cloneInt(r.Disputes[i].Score)
	}
	return r
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Matches reports whether r is selected by q.
func (q ReviewQuery) Matches(r Review) bool {
	switch {
	case q.Scorecard != "" && r.Scorecard != q.Scorecard,
		q.ScorecardVersion != 0 && r.ScorecardVersion != q.ScorecardVersion,
		q.Mode != "" && r.Mode != q.Mode,
		len(q.ManagerIDs) > 0 && !slices.Contains(q.ManagerIDs, r.ManagerID),
		len(q.CallIDs) > 0 && !slices.Contains(q.CallIDs, r.CallID),
		q.ReviewedOnly && !r.Reviewed():
		return false
	}
	return true
}
