package storagetest_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/storage/storagetest"
)

// brokenStores are stores with one realistic bug each. The kit must fail
// every one of them: a kit that passes a broken store promises nothing.
var brokenStores = map[string]func() storage.Store{
	"to is inclusive":          func() storage.Store { return toInclusive{memory.New()} },
	"ignores the context":      func() storage.Store { return ignoresContext{memory.New()} },
	"not found is internal":    func() storage.Store { return notFoundInternal{memory.New()} },
	"shares returned values":   func() storage.Store { return &sharesValues{Store: memory.New(), calls: map[string]storage.Call{}} },
	"clamps a too large limit": func() storage.Store { return clampsLimit{memory.New()} },
	"integer averages":         func() storage.Store { return integerAverages{memory.New()} },
	"create overwrites":        func() storage.Store { return createOverwrites{memory.New()} },
	"racy create":              func() storage.Store { return racyCreate{memory.New()} },
	"racy update":              func() storage.Store { return racyUpdate{memory.New()} },
	"stats mix modes":          func() storage.Store { return statsMixModes{memory.New()} },
	"criteria mix modes":       func() storage.Store { return criteriaMixModes{memory.New()} },
	"leaderboard mixes modes":  func() storage.Store { return leaderboardMixesModes{memory.New()} },
}

// brokenEnv names the broken store a child test process runs the kit on.
const brokenEnv = "STORAGETEST_BROKEN_STORE"

// TestKitFailsBrokenStores runs the kit on each broken store in a child
// process (a failing subtest cannot be expected to fail in-process) and
// requires it to fail.
func TestKitFailsBrokenStores(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("child process")
	}
	if testing.Short() {
		t.Skip("runs the kit once per broken store")
	}
	for name := range brokenStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStore$", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the kit passed a store whose bug is %q:\n%s", name, out)
			assert.Contains(t, string(out), "--- FAIL: TestBrokenStore/", "the kit itself failed, not a check:\n%s", out)
		})
	}
}

// TestBrokenStore is the child side of TestKitFailsBrokenStores.
func TestBrokenStore(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("run by TestKitFailsBrokenStores")
	}
	mk, ok := brokenStores[name]
	require.True(t, ok, "unknown broken store %q", name)
	storagetest.Run(t, func(*testing.T) storage.Store { return mk() })
}

type toInclusive struct{ *memory.Store }

func (s toInclusive) List(ctx context.Context, f storage.Filter) (storage.Page, error) {
	if !f.To.IsZero() {
		f.To = f.To.Add(time.Nanosecond)
	}
	return s.Store.List(ctx, f)
}

type ignoresContext struct{ *memory.Store }

func (s ignoresContext) Get(_ context.Context, id string) (storage.Call, error) {
	return s.Store.Get(context.Background(), id)
}

type notFoundInternal struct{ *memory.Store }

func (s notFoundInternal) Get(ctx context.Context, id string) (storage.Call, error) {
	c, err := s.Store.Get(ctx, id)
	if callaudit.KindOf(err) == callaudit.KindNotFound {
		return c, callaudit.Wrap(err, callaudit.KindInternal, "broken.Get", "no rows")
	}
	return c, err
}

// sharesValues hands out the very call it was given, as a naive map store
// does.
type sharesValues struct {
	*memory.Store
	mu    sync.Mutex
	calls map[string]storage.Call
}

func (s *sharesValues) Save(ctx context.Context, c storage.Call) error {
	if err := s.Store.Save(ctx, c); err != nil {
		return err
	}
	stored, _ := s.Store.Get(ctx, c.ID)
	c.CreatedAt, c.UpdatedAt = stored.CreatedAt, stored.UpdatedAt
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[c.ID] = c
	return nil
}

func (s *sharesValues) Get(ctx context.Context, id string) (storage.Call, error) {
	s.mu.Lock()
	c, ok := s.calls[id]
	s.mu.Unlock()
	if ok && ctx.Err() == nil {
		return c, nil
	}
	return s.Store.Get(ctx, id)
}

type clampsLimit struct{ *memory.Store }

func (s clampsLimit) List(ctx context.Context, f storage.Filter) (storage.Page, error) {
	f.Limit = min(f.Limit, storage.MaxLimit)
	return s.Store.List(ctx, f)
}

type integerAverages struct{ *memory.Store }

func (s integerAverages) Stats(ctx context.Context, q storage.StatsQuery) (storage.Stats, error) {
	st, err := s.Store.Stats(ctx, q)
	st.Average = math.Floor(st.Average)
	return st, err
}

func TestGenerator(t *testing.T) {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	g := storagetest.Generator{Managers: 7, Seed: 42, From: from, Span: 90 * 24 * time.Hour}
	calls := storagetest.GenerateCalls(500, 7, 42, from, 90*24*time.Hour)
	require.Len(t, calls, 500)

	ids := map[string]bool{}
	managers := map[string]bool{}
	var scored, pending int
	for i, c := range calls {
		assert.False(t, ids[c.ID], "duplicate id %s", c.ID)
		ids[c.ID] = true
		managers[c.ManagerID] = true
		assert.Equal(t, g.CallID(i), c.ID)
		assert.False(t, c.CreatedAt.Before(from), c.ID)
		assert.True(t, c.CreatedAt.Before(from.Add(g.Span)), c.ID)
		assert.Equal(t, c.CreatedAt, c.CreatedAt.Truncate(time.Millisecond), "whole milliseconds")
		assert.True(t, c.Mode.Valid(), c.Mode)

		// Call(i) depends on i alone.
		storagetest.AssertCallEqual(t, c, g.Call(i))

		if c.Report == nil {
			pending++
			assert.NotEqual(t, storage.StatusDone, c.Status)
			continue
		}
		scored++
		r := c.Report
		assert.Equal(t, storage.StatusDone, c.Status)
		assert.Len(t, r.Details, 9)
		// The total is what the rubric gives, as every scorer must.
		total := r.TotalScore
		r2 := *r
		r2.Recompute()
		assert.Equal(t, total, r2.TotalScore, c.ID)
		require.NotNil(t, r.Transcript)
		text := r.Transcript.Text()
		for _, d := range r.Details {
			require.NotEmpty(t, d.Evidence)
			for _, e := range d.Evidence {
				assert.Contains(t, text, e.Quote, "evidence is quoted from the transcript")
			}
		}
		assert.Equal(t, c.ManagerID, r.Meta.ManagerID)
		assert.True(t, c.CreatedAt.Equal(r.Meta.CreatedAt))
	}
	assert.Len(t, managers, 7)
	assert.Greater(t, scored, 400, "most calls are scored")
	assert.Positive(t, pending, "some calls wait or failed")

	other := storagetest.GenerateCalls(50, 7, 43, from, g.Span)
	different := 0
	for i := range other {
		if !other[i].CreatedAt.Equal(calls[i].CreatedAt) {
			different++
		}
	}
	assert.Greater(t, different, 40, "another seed gives other calls")
}

func TestAssertCallEqual(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	want := storagetest.FullCall("c1", at)
	tests := []struct {
		name  string
		edit  func(c *storage.Call)
		equal bool
	}{
		{"identical", func(*storage.Call) {}, true},
		{"same instant in another zone", func(c *storage.Call) { c.CreatedAt = c.CreatedAt.In(time.FixedZone("MSK", 3*3600)) }, true},
		{"UpdatedAt is the store's", func(c *storage.Call) { c.UpdatedAt = at.Add(time.Hour) }, true},
		{"raw output reformatted", func(c *storage.Call) {
			c.Report.RawModelOutput = []byte(`{"summary":"ok","criteria":{"next_step":{"score":20},"needs":{"score":70},"greeting":{"score":90}}}`)
		}, true},
		{"raw output changed", func(c *storage.Call) { c.Report.RawModelOutput = []byte(`{"summary":"changed"}`) }, false},
		{"raw output dropped", func(c *storage.Call) { c.Report.RawModelOutput = nil }, false},
		{"other instant", func(c *storage.Call) { c.CreatedAt = c.CreatedAt.Add(time.Millisecond) }, false},
		{"evidence changed", func(c *storage.Call) { c.Report.Details[1].Evidence[0].Quote = "x" }, false},
		{"timed metric dropped", func(c *storage.Call) { c.Report.Metrics.SilenceSeconds = nil }, false},
		{"usage dropped", func(c *storage.Call) { c.Report.Meta.Usage = nil }, false},
		{"segment time changed", func(c *storage.Call) { *c.Report.Transcript.Segments[2].End = 8.5 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := storagetest.FullCall("c1", at)
			tt.edit(&got)
			var rec recorder
			assert.Equal(t, tt.equal, storagetest.AssertCallEqual(&rec, want, got))
			assert.Equal(t, tt.equal, rec.failures == 0, "failures reported: %d", rec.failures)
		})
	}
}

// recorder counts the failures an assertion reports instead of failing.
type recorder struct{ failures int }

func (r *recorder) Errorf(string, ...any) { r.failures++ }

// BenchmarkGeneratorCall measures the cost of one generated call, which
// loads of a million calls pay a million times.
func BenchmarkGeneratorCall(b *testing.B) {
	g := storagetest.Generator{Managers: 50, Seed: 1, From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Span: 365 * 24 * time.Hour}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = g.Call(i)
		i++
	}
}

// allModes sums the stats of every mode of q into one: the figures a store
// gives that leaves out the mode condition.
func allModes(ctx context.Context, s *memory.Store, q storage.StatsQuery) (storage.Stats, error) {
	out := storage.Stats{ManagerID: q.ManagerID, Mode: q.ModeOrDefault(), Criteria: map[string]float64{}, Trend: []storage.TrendPoint{}}
	sum, crit, critN := 0.0, map[string]float64{}, map[string]int{}
	for _, m := range score.Modes {
		q.Mode = m
		st, err := s.Stats(ctx, q)
		if err != nil {
			return out, err
		}
		if st.Count == 0 {
			continue
		}
		if out.Count == 0 || st.Min < out.Min {
			out.Min = st.Min
		}
		out.Max = max(out.Max, st.Max)
		out.Count += st.Count
		sum += st.Average * float64(st.Count)
		for id, v := range st.Criteria {
			crit[id] += v
			critN[id]++
		}
		out.Trend = append(out.Trend, st.Trend...)
	}
	if out.Count > 0 {
		out.Average = sum / float64(out.Count)
	}
	for id, v := range crit {
		out.Criteria[id] = v / float64(critN[id])
	}
	return out, nil
}

// statsMixModes averages every mode's calls together, as Stats did before
// it took one mode.
type statsMixModes struct{ *memory.Store }

func (s statsMixModes) Stats(ctx context.Context, q storage.StatsQuery) (storage.Stats, error) {
	if err := q.Check(); err != nil {
		return storage.Stats{}, err
	}
	return allModes(ctx, s.Store, q)
}

// criteriaMixModes filters the totals by mode but not the per-criterion
// averages: the manager page would list other rubrics' criteria.
type criteriaMixModes struct{ *memory.Store }

func (s criteriaMixModes) Stats(ctx context.Context, q storage.StatsQuery) (storage.Stats, error) {
	st, err := s.Store.Stats(ctx, q)
	if err != nil {
		return st, err
	}
	mixed, err := allModes(ctx, s.Store, q)
	st.Criteria = mixed.Criteria
	return st, err
}

// leaderboardMixesModes ranks Manager+ whatever mode is asked.
type leaderboardMixesModes struct{ *memory.Store }

func (s leaderboardMixesModes) Managers(ctx context.Context, q storage.ManagerQuery) ([]storage.ManagerSummary, error) {
	q.Mode = ""
	return s.Store.Managers(ctx, q)
}
