package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

func (h Harness) goroutines() int {
	if h.Features.Concurrency > 0 {
		return h.Features.Concurrency
	}
	return 32
}

// testConcurrentSaves saves 20 calls from each of many goroutines at once
// and checks that every call persisted intact.
func (h Harness) testConcurrentSaves(t *testing.T, s storage.Store) {
	const perWorker = 20
	workers := h.goroutines()
	c := ctx(t)
	errs := make(chan error, workers*perWorker)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				id := fmt.Sprintf("w%02d-%02d", w, i)
				call := scored(id, fmt.Sprintf("m%d", w%4), score.ModeManager, base.Add(time.Duration(w*perWorker+i)*time.Second), (w+i)%101, nil)
				if err := s.Save(c, call); err != nil {
					errs <- fmt.Errorf("Save(%s): %w", id, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	got := walk(t, s, storage.Filter{Limit: 97})
	assert.Len(t, got, workers*perWorker)
	seen := make(map[string]bool, len(got))
	for _, id := range got {
		assert.False(t, seen[id], "%s listed twice", id)
		seen[id] = true
	}
	for w := range workers {
		for i := range perWorker {
			id := fmt.Sprintf("w%02d-%02d", w, i)
			c := get(t, s, id)
			assert.Equal(t, (w+i)%101, c.Report.TotalScore, id)
		}
	}
	st := stats(t, s, storage.StatsQuery{})
	assert.Equal(t, workers*perWorker, st.Count)
}

// testConcurrentReadsAndWrites runs every method at once, re-saving the
// same calls from several goroutines, so that -race sees readers and
// writers together. Each read must succeed and see whole calls.
func (h Harness) testConcurrentReadsAndWrites(t *testing.T, s storage.Store) {
	const rounds = 15
	c := ctx(t)
	seed := listFixture()
	save(t, s, seed...)
	workers := max(h.goroutines()/4, 2)
	errs := make(chan error, 16*workers*rounds)
	var wg sync.WaitGroup
	for w := range workers {
		// Writers: re-save fixture calls (upserts) and add new ones.
		wg.Go(func() {
			for i := range rounds {
				call := seed[(w*rounds+i)%len(seed)]
				call.Report = FullCall(call.ID, call.CreatedAt).Report
				if err := s.Save(c, call); err != nil {
					errs <- err
				}
				n := scored(fmt.Sprintf("new-%d-%d", w, i), "anna", score.ModeClient, base.Add(time.Duration(i)*time.Hour), i, nil)
				if err := s.Save(c, n); err != nil {
					errs <- err
				}
			}
		})
		// Readers.
		wg.Go(func() {
			for i := range rounds {
				got, err := s.Get(c, seed[(w+i)%len(seed)].ID)
				if err != nil {
					errs <- err
				} else if got.ID != seed[(w+i)%len(seed)].ID {
					errs <- fmt.Errorf("get of %q returned %q", seed[(w+i)%len(seed)].ID, got.ID)
				}
				page, err := s.List(c, storage.Filter{Limit: 10, MinScore: ptr(0)})
				if err != nil {
					errs <- err
				}
				for _, pc := range page.Calls {
					if pc.Report == nil {
						errs <- fmt.Errorf("listing with MinScore returned %s without a report", pc.ID)
					}
				}
				if _, err := s.Stats(c, storage.StatsQuery{ManagerID: "anna", Bucket: storage.BucketWeek}); err != nil {
					errs <- err
				}
				if ml, ok := s.(storage.ManagerLister); ok {
					if _, err := ml.Managers(c, storage.ManagerQuery{}); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	page, err := s.List(c, storage.Filter{Limit: storage.MaxLimit})
	require.NoError(t, err)
	assert.Len(t, page.Calls, len(seed)+workers*rounds)
}
