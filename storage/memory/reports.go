package memory

import (
	"context"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

var _ storage.ReportVersions = (*Store)(nil)

// ReplaceReport makes report the call's report, keeping the one it
// replaces as an earlier version.
func (s *Store) ReplaceReport(ctx context.Context, id string, report *score.Report, change storage.ReportChange) (storage.Call, error) {
	if err := ctxErr(ctx, "memory.ReplaceReport"); err != nil {
		return storage.Call{}, err
	}
	if err := storage.CheckReplaceReport(id, report, change); err != nil {
		return storage.Call{}, err
	}
	r := cloneReport(report)
	now := s.now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return storage.Call{}, storage.NotFound(id)
	}
	c := e.call
	if c.Report != nil {
		// The stored report is never changed in place, so the archive
		// may keep it as it is.
		if s.reports == nil {
			s.reports = map[string][]storage.ArchivedReport{}
		}
		old := s.reports[id]
		v := 1
		if n := len(old); n > 0 {
			v = old[n-1].Version + 1
		}
		s.reports[id] = append(old, storage.ArchivedReport{Version: v, Report: *c.Report, ReplacedAt: now, Change: change})
	}
	c.Report = r
	c.UpdatedAt = now
	return cloneCall(s.put(c, now)), nil
}

// Reports lists the call's reports, oldest first.
func (s *Store) Reports(ctx context.Context, id string) ([]storage.ReportVersion, error) {
	if err := ctxErr(ctx, "memory.Reports"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	e, ok := s.byID[id]
	var (
		c        storage.Call
		archived []storage.ArchivedReport
	)
	if ok {
		c = e.call
		archived = append(archived, s.reports[id]...)
	}
	s.mu.RUnlock()
	if !ok {
		return nil, storage.NotFound(id)
	}
	out := storage.ReportHistory(c, archived)
	for i := range out {
		out[i].Report = *cloneReport(&out[i].Report)
	}
	return out, nil
}
