package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/queue"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// An erased call's job is deleted: the call never runs.
func TestForgetCallDeletesItsJobs(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, setup{dsn: b.fresh(t), noStart: true})
			ctx := context.Background()
			_, created, err := e.q.EnqueueCall(ctx, input("c1"), "")
			require.NoError(t, err)
			require.True(t, created)
			queue.RequireAuditJob(t, e.q, "c1")

			eraser := &audit.Eraser{Store: e.store, Forget: []audit.Forgetter{e.q}}
			require.NoError(t, eraser.Delete(ctx, "c1"))
			queue.RequireNoAuditJob(t, e.q)
			require.NoError(t, e.q.ForgetCall(ctx, "never-queued"), "forgetting an unknown call is no error")

			e.start(t)
			time.Sleep(300 * time.Millisecond) // a job left behind would run now
			assert.Zero(t, e.stt.CallCount(), "the erased call never ran")
			_, err = e.store.Get(ctx, "c1")
			assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "and was not saved again")
		})
	}
}

// With a retention the periodic job (run at start) deletes the calls older
// than it and keeps the newer ones.
func TestRetentionJobPurgesOldCalls(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			var eraser *audit.Eraser
			e := newEnv(t, setup{dsn: b.fresh(t), noStart: true, retention: 365 * 24 * time.Hour,
				purge: func(st storage.Store) func(context.Context, time.Time) (int, error) {
					return func(ctx context.Context, before time.Time) (int, error) {
						return eraser.PurgeBefore(ctx, before, 2)
					}
				}})
			eraser = &audit.Eraser{Store: e.store, Forget: []audit.Forgetter{e.q}}
			ctx := context.Background()
			now := time.Now().UTC()
			for i, at := range []time.Time{now.AddDate(-3, 0, 0), now.AddDate(-2, 0, 0), now.AddDate(-1, 0, -2), now.AddDate(0, -11, 0), now.Add(-time.Hour)} {
				id := []string{"old-3y", "old-2y", "old-1y", "new-11m", "new-1h"}[i]
				require.NoError(t, e.store.Save(ctx, storage.Call{ID: id, Status: storage.StatusDone, CreatedAt: at,
					Report: &score.Report{TotalScore: 40, Criteria: map[string]int{"greeting": 40}}}))
			}
			e.start(t)
			require.Eventually(t, func() bool { return eraser.Purged() == 3 }, 20*time.Second, 20*time.Millisecond)
			page, err := e.store.List(ctx, storage.Filter{})
			require.NoError(t, err)
			var ids []string
			for _, c := range page.Calls {
				ids = append(ids, c.ID)
			}
			assert.ElementsMatch(t, []string{"new-11m", "new-1h"}, ids)
		})
	}
}

func TestRetentionNeedsPurge(t *testing.T) {
	e := newEnv(t, setup{noStart: true})
	_, err := queue.Open(context.Background(), queue.Config{DatabaseURL: t.TempDir() + "/x.db", Auditor: auditorOf(t, e.store), Retention: time.Hour})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

func auditorOf(t *testing.T, st storage.Store) *audit.Auditor {
	a, err := audit.New(scoreNothing{}, audit.WithStore(st))
	require.NoError(t, err)
	return a
}

type scoreNothing struct{}

func (scoreNothing) Score(context.Context, score.Request) (*score.Report, error) {
	return &score.Report{}, nil
}

// Erasure by phone number on the SQL stores deletes exactly the calls
// whose transcript mentions it.
func TestEraseSubjectOnSQL(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, setup{dsn: b.fresh(t), noStart: true})
			ctx := context.Background()
			for id, text := range map[string]string{
				"a": "Мой номер +7 (912) 345-67-89.", "b": "восемь девятьсот двенадцать триста сорок пять шестьдесят семь восемьдесят девять",
				"c": "Мой номер +7 (912) 345-67-88.", "d": "Цена 9 123 456 789 рублей",
			} {
				tr := transcribe.Transcript{Segments: []transcribe.Segment{{Speaker: transcribe.RoleClient, Text: text}}}
				require.NoError(t, e.store.Save(ctx, storage.Call{ID: id, Status: storage.StatusDone, CreatedAt: time.Now(),
					Report: &score.Report{TotalScore: 40, Criteria: map[string]int{"greeting": 40}, Transcript: &tr}}))
			}
			eraser := &audit.Eraser{Store: e.store, Forget: []audit.Forgetter{e.q}}
			ids, err := eraser.EraseSubject(ctx, "89123456789", false)
			require.NoError(t, err)
			assert.ElementsMatch(t, []string{"a", "b"}, ids)
			page, err := e.store.List(ctx, storage.Filter{})
			require.NoError(t, err)
			var left []string
			for _, c := range page.Calls {
				left = append(left, c.ID)
			}
			assert.ElementsMatch(t, []string{"c", "d"}, left)
		})
	}
}
