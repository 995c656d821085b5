package storagetest

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// RunReviews checks newStore's stores against the storage.Reviews
// contract, each subtest with a fresh store. The deletion of a call's
// review is checked when the store is a storage.Deleter.
//
//	storagetest.RunReviews(t, func(t *testing.T) storage.ReviewStore { return mystore.New() })
func RunReviews(t *testing.T, newStore func(t *testing.T) storage.ReviewStore) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s storage.ReviewStore)
	}{
		{"ReviewRoundTrip", testReviewRoundTrip},
		{"ReviewRevisions", testReviewRevisions},
		{"ReviewBadRequests", testReviewBadRequests},
		{"ReviewKeepsModel", testReviewKeepsModel},
		{"ReviewConcurrent", testReviewConcurrent},
		{"ReviewListFilter", testReviewListFilter},
		{"ListReviews", testListReviews},
		{"ReviewDeleted", testReviewDeleted},
		{"ReviewCanceledContext", testReviewCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "NewStore returned nil")
			tt.run(t, s)
		})
	}
}

var (
	lead    = storage.Actor{ID: "u-lead", Name: "lead"}
	manager = storage.Actor{ID: "u-anna", Name: "anna"}
)

// reviewCall is a done call of three criteria with a scorecard.
func reviewCall(id, managerID string, at time.Time, card string, version int) storage.Call {
	c := scored(id, managerID, score.ModeManager, at, 60, map[string]int{"greeting": 80, "needs": 60, "next_step": 40})
	c.Report.Meta.Scorecard, c.Report.Meta.ScorecardVersion = card, version
	return c
}

// reviewed starts the review of the stored call and applies fn.
func reviewed(t *testing.T, s storage.ReviewStore, id string, fn func(r *storage.Review)) storage.Review {
	t.Helper()
	r, err := storage.ModifyReview(ctx(t), s, id, func(r *storage.Review) error { fn(r); return nil })
	require.NoError(t, err)
	return r
}

func must(t *testing.T, err error) {
	t.Helper()
	require.NoError(t, err)
}

// assertReview compares reviews with times as instants in UTC and
// UpdatedAt only checked to be set.
func assertReview(t *testing.T, want, got storage.Review) {
	t.Helper()
	assert.False(t, got.UpdatedAt.IsZero(), "UpdatedAt is set")
	assert.Equal(t, time.UTC, got.ReviewedAt.Location(), "times come back in UTC")
	w, g := storage.CloneReview(want), storage.CloneReview(got)
	w.UpdatedAt, g.UpdatedAt = time.Time{}, time.Time{}
	assert.Equal(t, w, g)
}

func testReviewRoundTrip(t *testing.T, s storage.ReviewStore) {
	at := base.Add(90 * time.Minute).Add(123456 * time.Microsecond)
	save(t, s, reviewCall("c1", "anna", base, "sales", 3))
	_, ok, err := s.Review(ctx(t), "c1")
	require.NoError(t, err)
	assert.False(t, ok, "no review before one is saved")

	c := get(t, s, "c1")
	r, err := storage.NewReview(c)
	require.NoError(t, err)
	assert.Equal(t, "sales", r.Scorecard)
	assert.Equal(t, 3, r.ScorecardVersion)
	assert.Equal(t, "anna", r.ManagerID)
	total := 55
	must(t, r.SetScores(lead, at, storage.ReviewInput{
		Criteria: []storage.ScoreInput{{Criterion: "needs", Score: 40, Comment: "только один вопрос"}},
		Total:    &total, TotalComment: "строже",
	}))
	_, err = r.Dispute(manager, at.Add(time.Hour), "needs", "я задал три вопроса")
	require.NoError(t, err)
	saved, err := s.SaveReview(ctx(t), r)
	require.NoError(t, err)
	assert.Equal(t, 1, saved.Revision, "the first save is revision 1")
	r.Revision = 1
	assertReview(t, r, saved)

	got, ok, err := s.Review(ctx(t), "c1")
	require.NoError(t, err)
	require.True(t, ok)
	assertReview(t, r, got)
	assert.Equal(t, 60, got.Criterion("needs").Model, "the model's value beside the human's")
	assert.Equal(t, 40, *got.Criterion("needs").Human)
	assert.Nil(t, got.Criterion("greeting").Human, "criteria the lead left alone have no human score")

	// Returned values are copies.
	*got.Criterion("needs").Human = 99
	got.Disputes[0].Comment = "changed"
	again, _, err := s.Review(ctx(t), "c1")
	require.NoError(t, err)
	assert.Equal(t, 40, *again.Criterion("needs").Human)
	assert.Equal(t, "я задал три вопроса", again.Disputes[0].Comment)
}

func testReviewRevisions(t *testing.T, s storage.ReviewStore) {
	save(t, s, reviewCall("c1", "anna", base, "sales", 1))
	r, err := storage.NewReview(get(t, s, "c1"))
	require.NoError(t, err)
	first, err := s.SaveReview(ctx(t), r)
	require.NoError(t, err)
	_, err = s.SaveReview(ctx(t), r)
	kindIs(t, callaudit.KindConflict, err, "a second review of revision 0")
	second, err := s.SaveReview(ctx(t), first)
	require.NoError(t, err)
	assert.Equal(t, 2, second.Revision)
	_, err = s.SaveReview(ctx(t), first)
	kindIs(t, callaudit.KindConflict, err, "a save of a stale revision")
	got, _, err := s.Review(ctx(t), "c1")
	require.NoError(t, err)
	assert.Equal(t, 2, got.Revision, "a refused save changes nothing")
}

func testReviewBadRequests(t *testing.T, s storage.ReviewStore) {
	_, err := s.SaveReview(ctx(t), storage.Review{})
	kindIs(t, callaudit.KindInvalid, err, "an empty call id")
	_, err = s.SaveReview(ctx(t), storage.Review{CallID: "nobody"})
	kindIs(t, callaudit.KindNotFound, err, "an unknown call")
	_, ok, err := s.Review(ctx(t), "nobody")
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = storage.ModifyReview(ctx(t), s, "nobody", func(*storage.Review) error { return nil })
	kindIs(t, callaudit.KindNotFound, err, "ModifyReview of an unknown call")
	save(t, s, pending("q1", "anna", score.ModeManager, base, storage.StatusQueued))
	_, err = storage.ModifyReview(ctx(t), s, "q1", func(*storage.Review) error { return nil })
	kindIs(t, callaudit.KindConflict, err, "a call without a report cannot be reviewed")
}

// testReviewKeepsModel: the model's values stay what the report said when
// the review began, even after the call is saved again with another
// report (a rescore).
func testReviewKeepsModel(t *testing.T, s storage.ReviewStore) {
	save(t, s, reviewCall("c1", "anna", base, "sales", 1))
	reviewed(t, s, "c1", func(r *storage.Review) {
		must(t, r.SetScores(lead, base, storage.ReviewInput{Criteria: []storage.ScoreInput{{Criterion: "greeting", Score: 100}}}))
	})
	again := reviewCall("c1", "anna", base, "sales", 2)
	again.Report.Details[0].Score = 0
	again.Report.Recompute()
	save(t, s, again)
	got, ok, err := s.Review(ctx(t), "c1")
	require.NoError(t, err)
	require.True(t, ok, "saving the call again keeps its review")
	assert.Equal(t, 80, got.Criterion("greeting").Model)
	assert.Equal(t, 100, *got.Criterion("greeting").Human)
	assert.Equal(t, 1, got.ScorecardVersion, "the review stays with the version it was made for")
	assert.Equal(t, 60, got.ModelTotal)
}

// testReviewConcurrent: concurrent ModifyReviews of one call all take
// effect (optimistic locking with retries loses none).
func testReviewConcurrent(t *testing.T, s storage.ReviewStore) {
	save(t, s, reviewCall("c1", "anna", base, "sales", 1))
	criteria := []string{"greeting", "needs", "next_step"}
	var wg sync.WaitGroup
	errs := make([]error, len(criteria))
	for i, id := range criteria {
		wg.Go(func() {
			_, errs[i] = storage.ModifyReview(ctx(t), s, "c1", func(r *storage.Review) error {
				_, err := r.Dispute(manager, base, id, "dispute of "+id)
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, criteria[i])
	}
	got, _, err := s.Review(ctx(t), "c1")
	require.NoError(t, err)
	assert.Len(t, got.Disputes, 3, "every dispute is kept")
	assert.Equal(t, 3, got.Revision)
	seen := map[string]bool{}
	for _, d := range got.Disputes {
		seen[d.CriterionID] = true
	}
	assert.Len(t, seen, 3)
}

func testReviewListFilter(t *testing.T, s storage.ReviewStore) {
	// c0 none; c1 reviewed; c2 disputed only; c3 reviewed and disputed;
	// c4 resolved (by the resolution, reviewed too); c5 no report.
	for i := range 5 {
		save(t, s, reviewCall("c"+strconv.Itoa(i), "anna", base.Add(time.Duration(i)*time.Minute), "sales", 1))
	}
	save(t, s, pending("c5", "anna", score.ModeManager, base.Add(5*time.Minute), storage.StatusQueued))
	score40 := storage.ReviewInput{Criteria: []storage.ScoreInput{{Criterion: "needs", Score: 40}}}
	reviewed(t, s, "c1", func(r *storage.Review) { must(t, r.SetScores(lead, base, score40)) })
	reviewed(t, s, "c2", func(r *storage.Review) { _, err := r.Dispute(manager, base, "needs", "no"); must(t, err) })
	reviewed(t, s, "c3", func(r *storage.Review) {
		must(t, r.SetScores(lead, base, score40))
		_, err := r.Dispute(manager, base, "needs", "no")
		must(t, err)
	})
	reviewed(t, s, "c4", func(r *storage.Review) {
		_, err := r.Dispute(manager, base, "needs", "no")
		must(t, err)
		must(t, r.Resolve(lead, base, 1, storage.Resolution{Reason: "the score stands"}))
	})
	for _, tt := range []struct {
		state storage.ReviewState
		want  []string
	}{
		{storage.ReviewAny, []string{"c5", "c4", "c3", "c2", "c1", "c0"}},
		{storage.ReviewUnreviewed, []string{"c5", "c2", "c0"}},
		{storage.ReviewReviewed, []string{"c4", "c3", "c1"}},
		{storage.ReviewDisputed, []string{"c3", "c2"}},
		{storage.ReviewResolved, []string{"c4"}},
	} {
		assert.Equal(t, tt.want, walk(t, s, storage.Filter{Review: tt.state, Limit: 1}), "review %q, one call a page", tt.state)
		assert.Equal(t, tt.want, walk(t, s, storage.Filter{Review: tt.state}), "review %q", tt.state)
	}
	assert.Equal(t, []string{"c3"}, walk(t, s, storage.Filter{Review: storage.ReviewDisputed, ManagerID: "anna", From: base.Add(150 * time.Second)}),
		"the review filter combines with the others")
	_, err := s.List(ctx(t), storage.Filter{Review: "bogus"})
	kindIs(t, callaudit.KindInvalid, err, "an unknown review state")
}

func testListReviews(t *testing.T, s storage.ReviewStore) {
	save(t, s, reviewCall("a1", "anna", base, "sales", 1), reviewCall("a2", "anna", base, "sales", 2),
		reviewCall("b1", "boris", base, "sales", 2), reviewCall("b2", "boris", base, "bank", 1), reviewCall("b3", "boris", base, "sales", 2))
	in := storage.ReviewInput{Criteria: []storage.ScoreInput{{Criterion: "needs", Score: 40}}}
	for _, id := range []string{"a1", "a2", "b1", "b2"} {
		reviewed(t, s, id, func(r *storage.Review) { must(t, r.SetScores(lead, base, in)) })
	}
	reviewed(t, s, "b3", func(r *storage.Review) { _, err := r.Dispute(manager, base, "needs", "no"); must(t, err) })
	list := func(q storage.ReviewQuery) []string {
		rs, err := s.ListReviews(ctx(t), q)
		require.NoError(t, err)
		out := []string{}
		for _, r := range rs {
			out = append(out, r.CallID)
		}
		return out
	}
	assert.Equal(t, []string{"a1", "a2", "b1", "b2", "b3"}, list(storage.ReviewQuery{}))
	assert.Equal(t, []string{"a1", "a2", "b1", "b2"}, list(storage.ReviewQuery{ReviewedOnly: true}))
	assert.Equal(t, []string{"a2", "b1", "b3"}, list(storage.ReviewQuery{Scorecard: "sales", ScorecardVersion: 2}))
	assert.Equal(t, []string{"a1", "a2", "b1", "b3"}, list(storage.ReviewQuery{Scorecard: "sales"}))
	assert.Equal(t, []string{"b1", "b2"}, list(storage.ReviewQuery{ManagerIDs: []string{"boris", "nobody"}, ReviewedOnly: true}))
	assert.Equal(t, []string{}, list(storage.ReviewQuery{Mode: score.ModeClient}))
	assert.Equal(t, []string{"a2", "b3"}, list(storage.ReviewQuery{CallIDs: []string{"b3", "a2", "zz"}}))
	rs, err := s.ListReviews(ctx(t), storage.ReviewQuery{Scorecard: "bank"})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, 40, *rs[0].Criterion("needs").Human, "listed reviews are whole")
}

func testReviewDeleted(t *testing.T, s storage.ReviewStore) {
	d, ok := s.(storage.Deleter)
	if !ok {
		t.Skip("the store is not a storage.Deleter")
	}
	save(t, s, reviewCall("c1", "anna", base, "sales", 1))
	reviewed(t, s, "c1", func(r *storage.Review) { _, err := r.Dispute(manager, base, "needs", "no"); must(t, err) })
	require.NoError(t, d.Delete(ctx(t), "c1"))
	_, ok, err := s.Review(ctx(t), "c1")
	require.NoError(t, err)
	assert.False(t, ok, "deleting a call deletes its review")
	rs, err := s.ListReviews(ctx(t), storage.ReviewQuery{})
	require.NoError(t, err)
	assert.Empty(t, rs)
	// A call saved again under the id starts without a review.
	save(t, s, reviewCall("c1", "anna", base, "sales", 1))
	r, err := storage.NewReview(get(t, s, "c1"))
	require.NoError(t, err)
	_, err = s.SaveReview(ctx(t), r)
	require.NoError(t, err)
}

func testReviewCanceled(t *testing.T, s storage.ReviewStore) {
	save(t, s, reviewCall("c1", "anna", base, "sales", 1))
	r, err := storage.NewReview(get(t, s, "c1"))
	require.NoError(t, err)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = s.Review(c, "c1")
	kindIs(t, callaudit.KindCanceled, err, "Review")
	_, err = s.SaveReview(c, r)
	kindIs(t, callaudit.KindCanceled, err, "SaveReview")
	_, err = s.ListReviews(c, storage.ReviewQuery{})
	kindIs(t, callaudit.KindCanceled, err, "ListReviews")
}
