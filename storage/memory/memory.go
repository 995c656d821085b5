// Package memory is the in-memory reference storage.Store: what tests,
// examples and a server without a database use, and the behaviour every
// other Store is compared with (storage/storagetest). It keeps deep copies
// of the calls it is given and hands out deep copies, so callers can never
// change what it holds. Nothing survives the process.
package memory

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// Store is an in-memory storage.Store, storage.ManagerLister,
// storage.Creator, storage.Updater and storage.Deleter, safe for
// concurrent use. Listing and stats cost O(log n) plus the calls they
// visit: calls are kept in creation order overall and per manager.
type Store struct {
	now func() time.Time

	mu        sync.RWMutex
	byID      map[string]*entry
	all       index
	byManager map[string]*index
	// transcripts are the checkpoints of storage.TranscriptKeeper.
	transcripts map[string]transcribe.Transcript
	// reviews are the human reviews of storage.Reviews, by call id.
	reviews map[string]storage.Review
	// reports are the earlier reports of storage.ReportVersions, oldest
	// first.
	reports map[string][]storage.ArchivedReport
	// scorecards are the saved versions of storage.Scorecards, by id,
	// oldest first.
	scorecards map[string][]storage.SavedScorecard

	// acct holds the accounts (accounts.go), under a lock of its own.
	acct accounts
	// ev holds the intake's events (intake.go), under a lock of its own.
	ev events
}

var (
	_ storage.Store         = (*Store)(nil)
	_ storage.ManagerLister = (*Store)(nil)
	_ storage.Creator       = (*Store)(nil)
	_ storage.Updater       = (*Store)(nil)
	_ storage.Accounts      = (*Store)(nil)
	_ storage.Reviews       = (*Store)(nil)
)

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock for UpdatedAt and for a zero CreatedAt (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{
		now:       time.Now,
		byID:      make(map[string]*entry),
		byManager: make(map[string]*index),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Len returns the number of stored calls.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byID)
}

// ctxErr turns a done context into the project's error kinds.
func ctxErr(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return callaudit.Wrap(err, callaudit.KindOf(err), op, callaudit.MessageOf(err))
	}
	return nil
}

// checkEvery is how many calls a long scan visits between looks at ctx.
const checkEvery = 4096

// Save inserts or replaces the call with c.ID, keeping the first CreatedAt.
func (s *Store) Save(ctx context.Context, c storage.Call) error {
	if err := ctxErr(ctx, "memory.Save"); err != nil {
		return err
	}
	if c.ID == "" {
		return callaudit.Invalid(callaudit.FieldError{Field: "call_id", Message: "is required"})
	}
	// Copy before taking the lock: it is the expensive part.
	c = cloneCall(c)
	now := s.now().UTC()
	c.UpdatedAt = now

	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(c, now)
	return nil
}

// put inserts or replaces c, which the store owns, keeping the first
// CreatedAt. The caller holds the write lock and has set c.UpdatedAt.
func (s *Store) put(c storage.Call, now time.Time) storage.Call {
	if e, ok := s.byID[c.ID]; ok {
		c.CreatedAt = e.call.CreatedAt
		if e.call.ManagerID != c.ManagerID {
			s.managerIndex(e.call.ManagerID).remove(e)
			if s.byManager[e.call.ManagerID].len() == 0 {
				delete(s.byManager, e.call.ManagerID)
			}
			s.managerIndex(c.ManagerID).insert(e)
		}
		e.setCall(c)
		return c
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.CreatedAt = c.CreatedAt.UTC()
	e := &entry{at: c.CreatedAt.UnixNano(), id: c.ID}
	e.setCall(c)
	s.byID[c.ID] = e
	s.all.insert(e)
	s.managerIndex(c.ManagerID).insert(e)
	return c
}

// managerIndex returns the index of a manager's calls, creating it.
// The caller holds the write lock.
func (s *Store) managerIndex(id string) *index {
	x, ok := s.byManager[id]
	if !ok {
		x = &index{}
		s.byManager[id] = x
	}
	return x
}

// Get returns the call with the id, or a KindNotFound error.
func (s *Store) Get(ctx context.Context, id string) (storage.Call, error) {
	if err := ctxErr(ctx, "memory.Get"); err != nil {
		return storage.Call{}, err
	}
	s.mu.RLock()
	e, ok := s.byID[id]
	var c storage.Call
	if ok {
		c = e.call
	}
	s.mu.RUnlock()
	if !ok {
		return storage.Call{}, storage.NotFound(id)
	}
	// The stored report is never modified in place (Save replaces the
	// whole call), so copying it outside the lock is safe.
	return cloneCall(c), nil
}

// List returns one page of the calls matching f, newest first.
func (s *Store) List(ctx context.Context, f storage.Filter) (storage.Page, error) {
	if err := ctxErr(ctx, "memory.List"); err != nil {
		return storage.Page{}, err
	}
	limit := f.Limit
	switch {
	case limit == 0:
		limit = storage.DefaultLimit
	case limit < 0 || limit > storage.MaxLimit:
		max := strconv.Itoa(storage.MaxLimit)
		return storage.Page{}, callaudit.Invalid(callaudit.FieldError{Field: "limit", Message: "must be between 1 and " + max, Code: callaudit.CodeBetween, Params: map[string]string{"min": "1", "max": max}})
	}
	if !f.Review.Valid() {
		return storage.Page{}, storage.InvalidReviewState()
	}
	// The walk starts below the smaller of the cursor and To, and stops
	// at From.
	var below *key
	if f.Cursor != "" {
		cur, err := storage.DecodeCursor(f.Cursor)
		if err != nil {
			return storage.Page{}, err
		}
		below = &key{cur.CreatedAt.UnixNano(), cur.ID}
	}
	if !f.To.IsZero() {
		// Every id is > "", so (To, "") excludes exactly CreatedAt >= To.
		if to := (key{f.To.UnixNano(), ""}); below == nil || compareKeys(to, *below) < 0 {
			below = &to
		}
	}
	from := int64(math.MinInt64)
	if !f.From.IsZero() {
		from = f.From.UnixNano()
	}

	var (
		out     []storage.Call
		more    bool
		visited int
		err     error
	)
	s.mu.RLock()
	x := &s.all
	if f.ManagerID != "" {
		x = s.byManager[f.ManagerID]
	}
	if x != nil {
		x.descend(below, func(e *entry) bool {
			if e.at < from {
				return false
			}
			if visited++; visited%checkEvery == 0 && ctx.Err() != nil {
				err = ctxErr(ctx, "memory.List")
				return false
			}
			if !matches(f, e.call) || !s.reviewMatches(f.Review, e.id) {
				return true
			}
			if len(out) == limit {
				more = true
				return false
			}
			out = append(out, e.call)
			return true
		})
	}
	s.mu.RUnlock()
	if err != nil {
		return storage.Page{}, err
	}

	page := storage.Page{Calls: make([]storage.Call, len(out))}
	for i, c := range out {
		page.Calls[i] = cloneCall(c)
	}
	if more {
		page.NextCursor = storage.EncodeCursor(storage.CursorOf(out[len(out)-1]))
	}
	return page, nil
}

// matches applies the filter fields the index walk does not.
func matches(f storage.Filter, c storage.Call) bool {
	if f.MinScore != nil || f.MaxScore != nil {
		v, ok := c.Score()
		if !ok || (f.MinScore != nil && v < *f.MinScore) || (f.MaxScore != nil && v > *f.MaxScore) {
			return false
		}
	}
	if len(f.ManagerIDs) > 0 && !slices.Contains(f.ManagerIDs, c.ManagerID) {
		return false
	}
	return (f.Mode == "" || c.Mode == f.Mode) && (f.Status == "" || c.Status == f.Status)
}

// scan calls fn, under the read lock, with the calls of manager (every
// manager when empty) created in [from, to), oldest first. It stops with
// an error when ctx ends.
func (s *Store) scan(ctx context.Context, op, manager string, from, to time.Time, fn func(*entry)) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	x := &s.all
	if manager != "" {
		if x = s.byManager[manager]; x == nil {
			return nil
		}
	}
	return walk(ctx, op, x, bound(from, math.MinInt64), bound(to, math.MaxInt64), fn)
}

// bound returns t in Unix nanoseconds, or def for a zero t.
func bound(t time.Time, def int64) int64 {
	if t.IsZero() {
		return def
	}
	return t.UnixNano()
}

// walk calls fn with the entries of x created in [from, to) (Unix
// nanoseconds), oldest first, looking at ctx now and then. The caller
// holds the read lock.
func walk(ctx context.Context, op string, x *index, from, to int64, fn func(*entry)) error {
	var err error
	visited := 0
	x.ascend(key{from, ""}, func(e *entry) bool {
		if e.at >= to {
			return false
		}
		if visited++; visited%checkEvery == 0 && ctx.Err() != nil {
			err = ctxErr(ctx, op)
			return false
		}
		fn(e)
		return true
	})
	return err
}

// Stats summarises the scored calls selected by q.
func (s *Store) Stats(ctx context.Context, q storage.StatsQuery) (storage.Stats, error) {
	if err := ctxErr(ctx, "memory.Stats"); err != nil {
		return storage.Stats{}, err
	}
	if err := q.Check(); err != nil {
		return storage.Stats{}, err
	}
	mode := q.ModeOrDefault()
	st := storage.Stats{ManagerID: q.ManagerID, Mode: mode, Criteria: map[string]float64{}, Trend: []storage.TrendPoint{}}
	type acc struct{ sum, n int }
	var (
		sum      int
		criteria = map[string]*acc{}
		// Calls arrive oldest first, so they fill the trend's buckets
		// one after another: only the last point is open, and a call
		// before its end (in Unix nanoseconds) belongs to it.
		pointSum  int
		bucketEnd = int64(math.MinInt64)
	)
	closePoint := func() {
		if n := len(st.Trend); n > 0 {
			st.Trend[n-1].Average = float64(pointSum) / float64(st.Trend[n-1].Count)
		}
	}
	err := s.scan(ctx, "memory.Stats", q.ManagerID, q.From, q.To, func(e *entry) {
		if !e.scored || e.call.Mode != mode {
			return
		}
		v := e.score
		if st.Count == 0 || v < st.Min {
			st.Min = v
		}
		if st.Count == 0 || v > st.Max {
			st.Max = v
		}
		st.Count++
		sum += v
		for _, c := range e.criteria {
			a := criteria[c.id]
			if a == nil {
				a = &acc{}
				criteria[c.id] = a
			}
			a.sum += c.score
			a.n++
		}
		if e.at >= bucketEnd {
			closePoint()
			start := q.Bucket.Start(e.call.CreatedAt)
			// A day or a week later; AddDate keeps to the calendar.
			if q.Bucket == storage.BucketWeek {
				bucketEnd = start.AddDate(0, 0, 7).UnixNano()
			} else {
				bucketEnd = start.AddDate(0, 0, 1).UnixNano()
			}
			st.Trend = append(st.Trend, storage.TrendPoint{Start: start})
			pointSum = 0
		}
		st.Trend[len(st.Trend)-1].Count++
		pointSum += v
	})
	if err != nil {
		return storage.Stats{}, err
	}
	if st.Count == 0 {
		return st, nil
	}
	st.Average = float64(sum) / float64(st.Count)
	for id, a := range criteria {
		st.Criteria[id] = float64(a.sum) / float64(a.n)
	}
	closePoint()
	return st, nil
}

// Managers lists every manager with scored calls of the query's mode in
// the period, best average first.
func (s *Store) Managers(ctx context.Context, q storage.ManagerQuery) ([]storage.ManagerSummary, error) {
	if err := ctxErr(ctx, "memory.Managers"); err != nil {
		return nil, err
	}
	if err := q.Check(); err != nil {
		return nil, err
	}
	mode := q.ModeOrDefault()
	from, to := bound(q.From, math.MinInt64), bound(q.To, math.MaxInt64)
	out := []storage.ManagerSummary{}
	s.mu.RLock()
	defer s.mu.RUnlock()
	// Two walks over each manager's calls in the period: the first finds
	// the count, sum and first and last call, which fix the midpoint; the
	// second sums the newer half, and the older half is the rest.
	for id, x := range s.byManager {
		if id == "" {
			continue
		}
		var (
			m           = storage.ManagerSummary{ManagerID: id}
			sum         int
			first, last time.Time
		)
		err := walk(ctx, "memory.Managers", x, from, to, func(e *entry) {
			if !e.scored || e.call.Mode != mode {
				return
			}
			if m.Count == 0 {
				first = e.call.CreatedAt
			}
			last = e.call.CreatedAt
			m.Count++
			sum += e.score
		})
		if err != nil {
			return nil, err
		}
		if m.Count == 0 {
			continue
		}
		m.Average = float64(sum) / float64(m.Count)
		m.LastAt = last
		var newSum, newN int
		err = walk(ctx, "memory.Managers", x, max(from, q.Midpoint(first, last).UnixNano()), to, func(e *entry) {
			if e.scored && e.call.Mode == mode {
				newSum, newN = newSum+e.score, newN+1
			}
		})
		if err != nil {
			return nil, err
		}
		if oldN := m.Count - newN; oldN > 0 && newN > 0 {
			m.Trend = float64(newSum)/float64(newN) - float64(sum-newSum)/float64(oldN)
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b storage.ManagerSummary) int {
		return cmp.Or(cmp.Compare(b.Average, a.Average), cmp.Compare(b.Count, a.Count), cmp.Compare(a.ManagerID, b.ManagerID))
	})
	return out, nil
}

var _ storage.TranscriptKeeper = (*Store)(nil)

// SaveTranscript keeps a checkpoint of the call's transcript.
func (s *Store) SaveTranscript(ctx context.Context, callID string, tr transcribe.Transcript) error {
	if err := ctx.Err(); err != nil {
		return callaudit.Wrap(err, callaudit.KindCanceled, "memory.SaveTranscript", "the request was canceled")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.transcripts == nil {
		s.transcripts = map[string]transcribe.Transcript{}
	}
	s.transcripts[callID] = tr.Clone()
	return nil
}

// Transcript returns the call's checkpoint, if any.
func (s *Store) Transcript(ctx context.Context, callID string) (transcribe.Transcript, bool, error) {
	if err := ctx.Err(); err != nil {
		return transcribe.Transcript{}, false, callaudit.Wrap(err, callaudit.KindCanceled, "memory.Transcript", "the request was canceled")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	tr, ok := s.transcripts[callID]
	return tr.Clone(), ok, nil
}

// DeleteTranscript removes the call's checkpoint.
func (s *Store) DeleteTranscript(ctx context.Context, callID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.transcripts, callID)
	return nil
}
