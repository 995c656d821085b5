package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/callaudit/callaudit/storage"
)

var _ storage.Scorecards = (*Store)(nil)

// SaveScorecard stores a new version of a scorecard.
func (s *Store) SaveScorecard(ctx context.Context, sc storage.SavedScorecard) (storage.SavedScorecard, error) {
	if err := ctxErr(ctx, "memory.SaveScorecard"); err != nil {
		return storage.SavedScorecard{}, err
	}
	if err := storage.CheckSaveScorecard(sc); err != nil {
		return storage.SavedScorecard{}, err
	}
	sc.SavedAt = s.now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.scorecards[sc.ID]
	if n := len(vs); n > 0 && sc.Version <= vs[n-1].Version {
		return storage.SavedScorecard{}, storage.ScorecardConflict(sc.ID, sc.Version, vs[n-1].Version)
	}
	if s.scorecards == nil {
		s.scorecards = map[string][]storage.SavedScorecard{}
	}
	s.scorecards[sc.ID] = append(vs, sc)
	return sc, nil
}

// Scorecard returns one version of a scorecard, the latest for 0.
func (s *Store) Scorecard(ctx context.Context, id string, version int) (storage.SavedScorecard, error) {
	if err := ctxErr(ctx, "memory.Scorecard"); err != nil {
		return storage.SavedScorecard{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	vs := s.scorecards[id]
	switch {
	case len(vs) == 0:
		return storage.SavedScorecard{}, storage.ScorecardNotFound(id, 0)
	case version == 0:
		return vs[len(vs)-1], nil
	}
	for _, v := range vs {
		if v.Version == version {
			return v, nil
		}
	}
	return storage.SavedScorecard{}, storage.ScorecardNotFound(id, version)
}

// ScorecardVersions lists every version of a scorecard, oldest first.
func (s *Store) ScorecardVersions(ctx context.Context, id string) ([]storage.SavedScorecard, error) {
	if err := ctxErr(ctx, "memory.ScorecardVersions"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	vs := s.scorecards[id]
	if len(vs) == 0 {
		return nil, storage.ScorecardNotFound(id, 0)
	}
	return slices.Clone(vs), nil
}

// Scorecards lists the latest version of every scorecard, by id.
func (s *Store) Scorecards(ctx context.Context) ([]storage.SavedScorecard, error) {
	if err := ctxErr(ctx, "memory.Scorecards"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	out := make([]storage.SavedScorecard, 0, len(s.scorecards))
	for _, vs := range s.scorecards {
		out = append(out, vs[len(vs)-1])
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b storage.SavedScorecard) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
