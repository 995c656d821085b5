package storagetest

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// Load saves calls 0..n-1 of g into s from workers goroutines (at least 1).
func Load(ctx context.Context, s storage.Store, g Generator, n, workers int) error {
	eg, ctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	for range max(workers, 1) {
		eg.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return nil
				}
				if err := s.Save(ctx, g.Call(i)); err != nil {
					return err
				}
			}
		})
	}
	return eg.Wait()
}

// Benchmark measures the Store operations a server performs, on a store s
// that already holds calls 0..n-1 of g (see Load):
//
//	Save/insert, Save/replace     a new call; a re-audited one
//	Get                           a random call by id
//	List/*                        the first page, a manager's page, a score
//	                              range, a page deep in the history
//	Stats/*                       a manager's all-time daily stats, a
//	                              month by week
//	Managers                      the leaderboard (ManagerLister stores)
//	Parallel/*                    Get and Save from GOMAXPROCS goroutines
//
// Save/insert adds calls, so later sub-benchmarks see a slightly larger
// store.
func Benchmark(b *testing.B, s storage.Store, g Generator, n int) {
	if n <= 0 {
		b.Fatal("storagetest.Benchmark: the store must hold at least one generated call")
	}
	ctx := context.Background()
	managers := max(g.Managers, 1)
	// New calls take ids after the loaded ones; sub-benchmarks run their
	// loops several times, so the counter is shared.
	var nextNew atomic.Int64
	nextNew.Store(int64(n))

	b.Run("Save/insert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Save(ctx, g.Call(int(nextNew.Add(1)))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Save/replace", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 1))
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Save(ctx, g.Call(r.IntN(n))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		r := rand.New(rand.NewPCG(2, 2))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, g.CallID(r.IntN(n))); err != nil {
				b.Fatal(err)
			}
		}
	})

	// A cursor in the middle of the history: the position of a call
	// created halfway through the span.
	mid := storage.EncodeCursor(storage.Cursor{CreatedAt: g.From.Add(g.Span / 2), ID: "~"})
	lists := []struct {
		name string
		f    func(r *rand.Rand) storage.Filter
	}{
		{"List/first-page", func(*rand.Rand) storage.Filter { return storage.Filter{} }},
		{"List/manager", func(r *rand.Rand) storage.Filter {
			return storage.Filter{ManagerID: g.ManagerID(r.IntN(managers))}
		}},
		{"List/score-range", func(*rand.Rand) storage.Filter {
			return storage.Filter{MinScore: ptr(80), MaxScore: ptr(100)}
		}},
		{"List/manager-month-mode", func(r *rand.Rand) storage.Filter {
			from := g.From.Add(time.Duration(r.Int64N(int64(max(g.Span-30*24*time.Hour, 1)))))
			return storage.Filter{ManagerID: g.ManagerID(r.IntN(managers)), From: from, To: from.Add(30 * 24 * time.Hour), Mode: score.ModeManager}
		}},
		{"List/deep-page", func(*rand.Rand) storage.Filter { return storage.Filter{Cursor: mid} }},
	}
	for _, l := range lists {
		b.Run(l.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 3))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.List(ctx, l.f(r)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	b.Run("Stats/manager-all-time-by-day", func(b *testing.B) {
		r := rand.New(rand.NewPCG(4, 4))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Stats(ctx, storage.StatsQuery{ManagerID: g.ManagerID(r.IntN(managers))}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Stats/manager-month-by-week", func(b *testing.B) {
		r := rand.New(rand.NewPCG(5, 5))
		b.ReportAllocs()
		for b.Loop() {
			from := g.From.Add(time.Duration(r.Int64N(int64(max(g.Span-30*24*time.Hour, 1)))))
			q := storage.StatsQuery{ManagerID: g.ManagerID(r.IntN(managers)), From: from, To: from.Add(30 * 24 * time.Hour), Bucket: storage.BucketWeek}
			if _, err := s.Stats(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	if ml, ok := s.(storage.ManagerLister); ok {
		b.Run("Managers", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ml.Managers(ctx, storage.ManagerQuery{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	b.Run("Parallel/Get", func(b *testing.B) {
		var seed atomic.Uint64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(6, seed.Add(1)))
			for pb.Next() {
				if _, err := s.Get(ctx, g.CallID(r.IntN(n))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("Parallel/Save-and-Get", func(b *testing.B) {
		var seed atomic.Uint64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(7, seed.Add(1)))
			for pb.Next() {
				var err error
				if r.IntN(4) == 0 {
					err = s.Save(ctx, g.Call(r.IntN(n)))
				} else {
					_, err = s.Get(ctx, g.CallID(r.IntN(n)))
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
