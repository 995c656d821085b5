package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// FileStore keeps calls in a JSON-lines file: every Save appends the whole
// call as one line, and Open replays the file, the last line of an id
// winning. It is the kind of store a small team writes to keep history
// without a database: one file, readable with jq, easy to back up.
//
// It keeps each call's JSON in memory with the few fields that filters and
// stats read, and decodes the JSON again for every call it returns, which
// is also what makes returned values copies. One mutex guards everything;
// that is plenty for the call volume of a sales team.
type FileStore struct {
	mu    sync.Mutex
	f     *os.File
	calls map[string]*record
	now   func() time.Time
}

// record is one call as the store holds it.
type record struct {
	raw []byte // the call as JSON, as written to the file

	// What List and Stats read, so they need not decode every call.
	id        string
	createdAt time.Time
	managerID string
	mode      score.Mode
	status    storage.Status
	scored    bool
	score     int
	criteria  map[string]int
}

var _ storage.Store = (*FileStore)(nil)

// Open opens or creates the file at path and loads its calls. A last line
// cut short by a crash is dropped; any other unreadable line is an error,
// since silently losing history is worse than refusing to start.
func Open(path string) (*FileStore, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	s := &FileStore{f: f, calls: map[string]*record{}, now: time.Now}
	if err := s.load(); err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

func (s *FileStore) load() error {
	r := bufio.NewReader(s.f)
	var offset int64
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				// A torn write: keep what came before it.
				if err := s.f.Truncate(offset); err != nil {
					return err
				}
			}
			break
		}
		if err != nil {
			return err
		}
		offset += int64(len(line))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rec, err := newRecord(bytes.TrimSpace(line))
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		s.calls[rec.id] = rec
	}
	_, err := s.f.Seek(0, io.SeekEnd)
	return err
}

// fileCall is a call as one line of the file. storage.Call is a plain Go
// type; the file's field names are this store's own, so that renaming a
// Go field never makes old files unreadable.
type fileCall struct {
	ID           string         `json:"call_id"`
	ManagerID    string         `json:"manager_id,omitempty"`
	Mode         score.Mode     `json:"content_mode"`
	Language     string         `json:"language,omitempty"`
	Status       storage.Status `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"`
	Source       storage.Source `json:"source,omitempty"`
	RecordingURL string         `json:"recording_url,omitempty"`
	Report       *score.Report  `json:"report,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

func encodeCall(c storage.Call) ([]byte, error) {
	return json.Marshal(fileCall(c))
}

func decodeCall(raw []byte) (storage.Call, error) {
	var fc fileCall
	err := json.Unmarshal(raw, &fc)
	return storage.Call(fc), err
}

func newRecord(raw []byte) (*record, error) {
	c, err := decodeCall(raw)
	if err != nil {
		return nil, err
	}
	rec := &record{raw: raw, id: c.ID, createdAt: c.CreatedAt, managerID: c.ManagerID, mode: c.Mode, status: c.Status}
	if c.Report != nil {
		rec.scored, rec.score, rec.criteria = true, c.Report.TotalScore, c.Report.Criteria
	}
	return rec, nil
}

func (r *record) call() (storage.Call, error) { return decodeCall(r.raw) }

// Close closes the file.
func (s *FileStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f.Close()
}

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return callaudit.Wrap(err, callaudit.KindOf(err), "filestore", callaudit.MessageOf(err))
	}
	return nil
}

// Save appends the call to the file and syncs it, so a saved call survives
// a crash.
func (s *FileStore) Save(ctx context.Context, c storage.Call) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if c.ID == "" {
		return callaudit.Invalid(callaudit.FieldError{Field: "call_id", Message: "is required"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	c.UpdatedAt = now
	if old, ok := s.calls[c.ID]; ok {
		c.CreatedAt = old.createdAt
	} else if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.CreatedAt = c.CreatedAt.UTC()
	raw, err := encodeCall(c)
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInvalid, "filestore.Save", "the call cannot be stored as JSON")
	}
	rec, err := newRecord(raw)
	if err != nil {
		return callaudit.Wrap(err, callaudit.KindInternal, "filestore.Save", "cannot save the call")
	}
	if _, err := s.f.Write(append(raw, '\n')); err != nil {
		return callaudit.Wrap(err, callaudit.KindUnavailable, "filestore.Save", "cannot write the calls file")
	}
	if err := s.f.Sync(); err != nil {
		return callaudit.Wrap(err, callaudit.KindUnavailable, "filestore.Save", "cannot write the calls file")
	}
	s.calls[c.ID] = rec
	return nil
}

// Get returns the call with the id.
func (s *FileStore) Get(ctx context.Context, id string) (storage.Call, error) {
	if err := ctxErr(ctx); err != nil {
		return storage.Call{}, err
	}
	s.mu.Lock()
	rec, ok := s.calls[id]
	s.mu.Unlock()
	if !ok {
		return storage.Call{}, callaudit.Errorf(callaudit.KindNotFound, "call %q not found", id)
	}
	return rec.call()
}

func (r *record) matches(f storage.Filter) bool {
	switch {
	case f.ManagerID != "" && r.managerID != f.ManagerID,
		len(f.ManagerIDs) > 0 && !slices.Contains(f.ManagerIDs, r.managerID),
		!f.From.IsZero() && r.createdAt.Before(f.From),
		!f.To.IsZero() && !r.createdAt.Before(f.To),
		f.Mode != "" && r.mode != f.Mode,
		f.Status != "" && r.status != f.Status:
		return false
	}
	if f.MinScore != nil || f.MaxScore != nil {
		if !r.scored || (f.MinScore != nil && r.score < *f.MinScore) || (f.MaxScore != nil && r.score > *f.MaxScore) {
			return false
		}
	}
	return true
}

// List returns a page of matching calls, newest first. The cursor format
// is the storage package's, so a cursor from this store looks like any
// other store's.
func (s *FileStore) List(ctx context.Context, f storage.Filter) (storage.Page, error) {
	if err := ctxErr(ctx); err != nil {
		return storage.Page{}, err
	}
	limit := cmp.Or(f.Limit, storage.DefaultLimit)
	if limit < 0 || limit > storage.MaxLimit {
		return storage.Page{}, callaudit.Invalid(callaudit.FieldError{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", storage.MaxLimit)})
	}
	var after *storage.Cursor
	if f.Cursor != "" {
		cur, err := storage.DecodeCursor(f.Cursor)
		if err != nil {
			return storage.Page{}, err
		}
		after = &cur
	}

	s.mu.Lock()
	var hits []*record
	for _, r := range s.calls {
		if r.matches(f) && (after == nil || after.After(storage.Call{ID: r.id, CreatedAt: r.createdAt})) {
			hits = append(hits, r)
		}
	}
	s.mu.Unlock()

	// A full scan and sort per page: fine for thousands of calls. A store
	// for millions keeps an index (see storage/memory or the SQL store).
	slices.SortFunc(hits, func(a, b *record) int {
		return cmp.Or(b.createdAt.Compare(a.createdAt), strings.Compare(b.id, a.id))
	})
	page := storage.Page{Calls: []storage.Call{}}
	for _, r := range hits[:min(limit, len(hits))] {
		c, err := r.call()
		if err != nil {
			return storage.Page{}, callaudit.Wrap(err, callaudit.KindInternal, "filestore.List", "cannot read a stored call")
		}
		page.Calls = append(page.Calls, c)
	}
	if len(hits) > limit {
		page.NextCursor = storage.EncodeCursor(storage.CursorOf(page.Calls[limit-1]))
	}
	return page, nil
}

// Stats summarises a manager's scored calls.
func (s *FileStore) Stats(ctx context.Context, q storage.StatsQuery) (storage.Stats, error) {
	if err := ctxErr(ctx); err != nil {
		return storage.Stats{}, err
	}
	if err := q.Check(); err != nil {
		return storage.Stats{}, err
	}
	// One mode only: each mode has its own rubric.
	f := storage.Filter{ManagerID: q.ManagerID, From: q.From, To: q.To, Mode: q.ModeOrDefault()}
	s.mu.Lock()
	var hits []*record
	for _, r := range s.calls {
		// Statistics count done calls with a report (storage.StatsQuery).
		if r.scored && r.status == storage.StatusDone && r.matches(f) {
			hits = append(hits, r)
		}
	}
	s.mu.Unlock()

	st := storage.Stats{ManagerID: q.ManagerID, Mode: f.Mode, Criteria: map[string]float64{}, Trend: []storage.TrendPoint{}}
	if len(hits) == 0 {
		return st, nil
	}
	slices.SortFunc(hits, func(a, b *record) int { return a.createdAt.Compare(b.createdAt) })
	sum := 0
	critSum, critN := map[string]int{}, map[string]int{}
	st.Min, st.Max = hits[0].score, hits[0].score
	bucketSum := map[time.Time]int{}
	for _, r := range hits {
		sum += r.score
		st.Min, st.Max = min(st.Min, r.score), max(st.Max, r.score)
		for id, v := range r.criteria {
			critSum[id] += v
			critN[id]++
		}
		start := q.Bucket.Start(r.createdAt)
		if n := len(st.Trend); n == 0 || !st.Trend[n-1].Start.Equal(start) {
			st.Trend = append(st.Trend, storage.TrendPoint{Start: start})
		}
		st.Trend[len(st.Trend)-1].Count++
		bucketSum[start] += r.score
	}
	st.Count = len(hits)
	st.Average = float64(sum) / float64(st.Count)
	for id, v := range critSum {
		st.Criteria[id] = float64(v) / float64(critN[id])
	}
	for i, p := range st.Trend {
		st.Trend[i].Average = float64(bucketSum[p.Start]) / float64(p.Count)
	}
	return st, nil
}
