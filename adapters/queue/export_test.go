package queue

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
)

// SetTestHookBeforeInsert makes f run between recording a webhook call and
// inserting its job (inside the store's transaction with a TxStore); an
// error from f fails the insert. Call restore when done.
func SetTestHookBeforeInsert(f func() error) (restore func()) {
	old := testHookBeforeInsert
	testHookBeforeInsert = f
	return func() { testHookBeforeInsert = old }
}

// RequireAuditJob asserts, with rivertest, that the queue's database
// holds exactly one audit job, that it is callID's with the queue's
// priority and attempts (the configured ones and the spare), and returns
// its state.
func RequireAuditJob(tb testing.TB, q *Queue, callID string) rivertype.JobState {
	tb.Helper()
	job := rivertest.RequireInserted(context.Background(), tb, q.client.Driver(), auditArgs{},
		&rivertest.RequireInsertedOpts{Priority: priorityAudit, MaxAttempts: q.cfg.MaxAttempts + 1})
	require.NotNil(tb, job)
	require.Equal(tb, callID, job.Args.CallID)
	return job.State
}

// RequireNoAuditJob asserts, with rivertest, that the queue's database
// holds no audit job.
func RequireNoAuditJob(tb testing.TB, q *Queue) {
	tb.Helper()
	rivertest.RequireNotInserted(context.Background(), tb, q.client.Driver(), auditArgs{}, nil)
}

// RescueAfterOf is the rescue delay the queue gave River.
func RescueAfterOf(q *Queue) time.Duration { return q.cfg.RescueAfter }

// SetTestHookRescored makes f run after each call a rescore scores. Call
// restore when done.
func SetTestHookRescored(f func(callID string)) (restore func()) {
	old := testHookRescored
	testHookRescored = f
	return func() { testHookRescored = old }
}
