package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// Review returns the call's review.
func (s *Store) Review(ctx context.Context, callID string) (storage.Review, bool, error) {
	if err := ctxErr(ctx, "memory.Review"); err != nil {
		return storage.Review{}, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.reviews[callID]
	if !ok {
		return storage.Review{}, false, nil
	}
	return storage.CloneReview(r), true, nil
}

// SaveReview stores r if its Revision is the stored one.
func (s *Store) SaveReview(ctx context.Context, r storage.Review) (storage.Review, error) {
	if err := ctxErr(ctx, "memory.SaveReview"); err != nil {
		return storage.Review{}, err
	}
	if r.CallID == "" {
		return storage.Review{}, callaudit.Invalid(callaudit.FieldError{Field: "call_id", Message: "is required", Code: callaudit.CodeRequired})
	}
	r = storage.CloneReview(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[r.CallID]; !ok {
		return storage.Review{}, storage.NotFound(r.CallID)
	}
	if s.reviews[r.CallID].Revision != r.Revision {
		return storage.Review{}, storage.ErrReviewChanged(r.CallID)
	}
	r.Revision++
	r.UpdatedAt = s.now().UTC()
	if s.reviews == nil {
		s.reviews = map[string]storage.Review{}
	}
	s.reviews[r.CallID] = r
	return storage.CloneReview(r), nil
}

// ListReviews returns the reviews q selects, by call id.
func (s *Store) ListReviews(ctx context.Context, q storage.ReviewQuery) ([]storage.Review, error) {
	if err := ctxErr(ctx, "memory.ListReviews"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	out := []storage.Review{}
	add := func(r storage.Review) {
		if q.Matches(r) {
			out = append(out, storage.CloneReview(r))
		}
	}
	if len(q.CallIDs) > 0 {
		// A page of a listing: look the calls up.
		for _, id := range slices.Compact(slices.Sorted(slices.Values(q.CallIDs))) {
			if r, ok := s.reviews[id]; ok {
				add(r)
			}
		}
	} else {
		for _, r := range s.reviews {
			add(r)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b storage.Review) int { return cmp.Compare(a.CallID, b.CallID) })
	return out, nil
}

// reviewMatches reports whether the call with id is in state st. The
// caller holds the read lock.
func (s *Store) reviewMatches(st storage.ReviewState, id string) bool {
	if st == storage.ReviewAny {
		return true
	}
	return s.reviews[id].In(st)
}
