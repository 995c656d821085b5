package audit_test

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
)

// fakeScorer scores by word count, records its requests, and can be told
// to do something else with fn. It is safe for concurrent use.
type fakeScorer struct {
	fn func(ctx context.Context, req score.Request) (*score.Report, error)

	mu   sync.Mutex
	reqs []score.Request
}

func (f *fakeScorer) Score(ctx context.Context, req score.Request) (*score.Report, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if f.fn != nil {
		return f.fn(ctx, req)
	}
	return wordReport(req), nil
}

func (f *fakeScorer) requests() []score.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]score.Request(nil), f.reqs...)
}

// wordReport is a small valid report: one criterion worth 10 points per
// word of the manager, capped at 100.
func wordReport(req score.Request) *score.Report {
	words := 0
	for _, s := range req.Transcript.Segments {
		if s.Speaker == transcribe.RoleManager {
			words += len(strings.Fields(s.Text))
		}
	}
	rep := &score.Report{
		Summary:         "fake summary",
		Recommendations: "fake advice",
		Details:         []score.CriterionResult{{ID: "talk", Title: "Talk", Score: 10 * words, Weight: 1}},
		Meta:            score.Meta{Scorer: "fake", Mode: req.Mode},
	}
	rep.Recompute()
	return rep
}

// fakeFetcher hands out a recording and counts releases.
type fakeFetcher struct {
	data []byte
	err  error
	// fn, when set, runs instead (e.g. to block until ctx ends).
	fn func(ctx context.Context, url string) error

	mu       sync.Mutex
	urls     []string
	released int
}

func (f *fakeFetcher) Fetch(ctx context.Context, url string) (transcribe.Audio, func(), error) {
	f.mu.Lock()
	f.urls = append(f.urls, url)
	f.mu.Unlock()
	if f.fn != nil {
		if err := f.fn(ctx, url); err != nil {
			return transcribe.Audio{}, nil, err
		}
	}
	if f.err != nil {
		return transcribe.Audio{}, nil, f.err
	}
	release := func() {
		f.mu.Lock()
		f.released++
		f.mu.Unlock()
	}
	return transcribe.AudioFromBytes("call.wav", f.data), release, nil
}

func (f *fakeFetcher) counts() (fetches, releases int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.urls), f.released
}

// hookedStore is a memory store whose Save can be replaced.
type hookedStore struct {
	*memory.Store
	save func(ctx context.Context, c storage.Call) error
}

func (s *hookedStore) Save(ctx context.Context, c storage.Call) error {
	if s.save != nil {
		return s.save(ctx, c)
	}
	return s.Store.Save(ctx, c)
}

// steppingClock advances by step on every reading.
type steppingClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *steppingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}
