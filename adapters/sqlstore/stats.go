package sqlstore

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/callaudit/callaudit/storage"
)

// scoredCalls adds the conditions every statistic shares: done calls with a
// report (a report is what gives total_score a value).
func scoredCalls(w *where) {
	w.add("status = ?", string(storage.StatusDone))
	w.add("total_score IS NOT NULL")
}

// Stats summarises the scored calls q selects. The figures come from two
// index range scans: calls grouped by trend bucket (count, sum, min and
// max per bucket, which add up to the totals) and call_criteria grouped by
// criterion. Sums are added in Go so both dialects compute the same means.
func (s *Store) Stats(ctx context.Context, q storage.StatsQuery) (storage.Stats, error) {
	if err := q.Check(); err != nil {
		return storage.Stats{}, err
	}
	st := storage.Stats{ManagerID: q.ManagerID, Mode: q.ModeOrDefault(), Criteria: map[string]float64{}, Trend: []storage.TrendPoint{}}

	trendQ, trendArgs, criteriaQ, criteriaArgs := s.statsQueries(q)
	rows, err := s.read.QueryContext(ctx, trendQ, trendArgs...)
	if err != nil {
		return storage.Stats{}, s.translate("Stats", err)
	}
	var sum int64
	err = scanAll(rows, func(r *sql.Rows) error {
		var (
			start           timeValue
			n, total        int64
			lowest, highest int
		)
		if err := r.Scan(&start, &n, &total, &lowest, &highest); err != nil {
			return err
		}
		if st.Count == 0 || lowest < st.Min {
			st.Min = lowest
		}
		if st.Count == 0 || highest > st.Max {
			st.Max = highest
		}
		st.Count += int(n)
		sum += total
		st.Trend = append(st.Trend, storage.TrendPoint{Start: start.t, Count: int(n), Average: float64(total) / float64(n)})
		return nil
	})
	if err != nil {
		return storage.Stats{}, s.translate("Stats", err)
	}
	if st.Count == 0 {
		return st, nil
	}
	st.Average = float64(sum) / float64(st.Count)

	rows, err = s.read.QueryContext(ctx, criteriaQ, criteriaArgs...)
	if err != nil {
		return storage.Stats{}, s.translate("Stats", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var (
			id       string
			n, total int64
		)
		if err := r.Scan(&id, &n, &total); err != nil {
			return err
		}
		st.Criteria[id] = float64(total) / float64(n)
		return nil
	})
	if err != nil {
		return storage.Stats{}, s.translate("Stats", err)
	}
	return st, nil
}

// statsQueries builds Stats' two queries: per trend bucket over calls, and
// per criterion over call_criteria.
func (s *Store) statsQueries(q storage.StatsQuery) (trend string, trendArgs []any, criteria string, criteriaArgs []any) {
	var w where
	scoredCalls(&w)
	s.statsScope(&w, q)
	trend = s.dialect.rebind("SELECT " + s.dialect.bucket(q.Bucket) +
		", count(*), sum(total_score), min(total_score), max(total_score) FROM calls" + w.sql() +
		" GROUP BY 1 ORDER BY 1")
	// call_criteria holds rows only for scored calls, with the call's
	// manager, mode and created_at copied in, so it is filtered alone.
	var cw where
	s.statsScope(&cw, q)
	criteria = s.dialect.rebind("SELECT criterion, count(*), sum(score) FROM call_criteria" + cw.sql() + " GROUP BY criterion")
	return trend, w.args, criteria, cw.args
}

// statsScope adds the manager, period and mode of q (one mode always:
// modes have different rubrics); the columns have the same names in calls
// and call_criteria.
func (s *Store) statsScope(w *where, q storage.StatsQuery) {
	if q.ManagerID != "" {
		w.add("manager_id = ?", q.ManagerID)
	}
	s.period(w, q.From, q.To)
	w.add("mode = ?", string(q.ModeOrDefault()))
}

// managersScope adds what every leaderboard query shares: scored calls of
// the query's mode with a manager, from from on (q.From or the midpoint)
// to q.To.
func (s *Store) managersScope(w *where, q storage.ManagerQuery, from time.Time) {
	scoredCalls(w)
	w.add("mode = ?", string(q.ModeOrDefault()))
	s.period(w, from, q.To)
}

// Managers returns the leaderboard of the managers with scored calls of
// the query's mode in the period, best average first (ties: more calls,
// then ManagerID).
func (s *Store) Managers(ctx context.Context, q storage.ManagerQuery) ([]storage.ManagerSummary, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	boardQ, boardArgs := s.managersQuery(q)
	rows, err := s.read.QueryContext(ctx, boardQ, boardArgs...)
	if err != nil {
		return nil, s.translate("Managers", err)
	}
	type acc struct {
		sum         int64
		first, last timeValue
	}
	out := []storage.ManagerSummary{}
	accs := map[string]*acc{}
	err = scanAll(rows, func(r *sql.Rows) error {
		var (
			m storage.ManagerSummary
			a acc
		)
		if err := r.Scan(&m.ManagerID, &m.Count, &a.sum, &a.first, &a.last); err != nil {
			return err
		}
		m.Average = float64(a.sum) / float64(m.Count)
		m.LastAt = a.last.t
		out = append(out, m)
		accs[m.ManagerID] = &a
		return nil
	})
	if err != nil {
		return nil, s.translate("Managers", err)
	}

	// The newer half of each manager's period, from the midpoint on. With
	// both bounds set every manager shares the midpoint and one grouped
	// query serves all; otherwise each manager's own first and last call
	// move it, and a query per manager reads only that manager's index
	// range.
	newer := map[string][2]int64{} // manager → count, sum
	countNewer := func(mid time.Time, manager string) error {
		var nw where
		if manager != "" {
			nw.add("manager_id = ?", manager)
		} else {
			nw.add("manager_id <> ''")
		}
		s.managersScope(&nw, q, mid)
		rows, err := s.read.QueryContext(ctx, s.dialect.rebind("SELECT manager_id, count(*), sum(total_score) FROM calls"+
			nw.sql()+" GROUP BY manager_id"), nw.args...)
		if err != nil {
			return err
		}
		return scanAll(rows, func(r *sql.Rows) error {
			var (
				id     string
				n, sum int64
			)
			if err := r.Scan(&id, &n, &sum); err != nil {
				return err
			}
			newer[id] = [2]int64{n, sum}
			return nil
		})
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		err = countNewer(q.Midpoint(time.Time{}, time.Time{}), "")
	} else {
		for _, m := range out {
			a := accs[m.ManagerID]
			if err = countNewer(q.Midpoint(a.first.t, a.last.t), m.ManagerID); err != nil {
				break
			}
		}
	}
	if err != nil {
		return nil, s.translate("Managers", err)
	}
	for i := range out {
		m := &out[i]
		nw := newer[m.ManagerID]
		older, olderSum := int64(m.Count)-nw[0], accs[m.ManagerID].sum-nw[1]
		if nw[0] > 0 && older > 0 {
			m.Trend = float64(nw[1])/float64(nw[0]) - float64(olderSum)/float64(older)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Average != b.Average {
			return a.Average > b.Average
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.ManagerID < b.ManagerID
	})
	return out, nil
}

// managersQuery builds the leaderboard's query: count, sum, first and
// last call per manager over the scored calls of q's mode in the period.
func (s *Store) managersQuery(q storage.ManagerQuery) (string, []any) {
	var w where
	w.add("manager_id <> ''")
	s.managersScope(&w, q, q.From)
	return s.dialect.rebind("SELECT manager_id, count(*), sum(total_score), min(created_at), max(created_at) FROM calls" +
		w.sql() + " GROUP BY manager_id"), w.args
}

// scanAll calls fn for each row and closes rows.
func scanAll(rows *sql.Rows, fn func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
