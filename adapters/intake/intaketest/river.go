package intaketest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Job is what River's table says of a call's intake job (in the Env's
// store, SQLite or PostgreSQL): the proof that a recording not ready yet
// snoozed the job rather than failed it.
type Job struct {
	ID    int64
	State string
	// Attempt and Errors: a snooze spends no attempt and records no error.
	Attempt int
	Errors  int
	// Snoozes is River's count in the job's metadata.
	Snoozes int
	// ScheduledAt is when River runs the job again; AttemptedAt when it
	// last ran it.
	ScheduledAt, AttemptedAt time.Time
}

// riverSQL is what the helpers ask of River's table in one store dialect
// (sqlstore.Store.Dialect): River's SQLite driver keeps args, errors and
// metadata as JSON and times as text, its PostgreSQL one keeps errors as
// jsonb[], args and metadata as jsonb and times as timestamptz; each has
// its own placeholders.
type riverSQL struct {
	// job reads Job's columns, in its order, of the call id $1.
	job string
	// hurry makes the scheduled job $1 due now.
	hurry string
}

var riverSQLs = map[string]riverSQL{
	"sqlite": {
		job: `SELECT id, state, attempt, coalesce(json_array_length(json(errors)), 0), coalesce(json_extract(json(metadata), '$.snoozes'), 0), scheduled_at, attempted_at
		 FROM river_job WHERE kind = 'callaudit_intake' AND json_extract(args, '$.call_id') = ?`,
		hurry: `UPDATE river_job SET state = 'available', scheduled_at = datetime('now', 'subsec') WHERE id = ? AND state = 'scheduled'`,
	},
	"postgres": {
		job: `SELECT id, state, attempt, coalesce(array_length(errors, 1), 0), coalesce((metadata->>'snoozes')::int, 0), scheduled_at, attempted_at
		 FROM river_job WHERE kind = 'callaudit_intake' AND args->>'call_id' = $1`,
		hurry: `UPDATE river_job SET state = 'available', scheduled_at = now() WHERE id = $1 AND state = 'scheduled'`,
	},
}

// river returns the River SQL of the Env's store.
func (e *Env) river(t *testing.T) riverSQL {
	t.Helper()
	q, ok := riverSQLs[e.Store.Dialect()]
	require.True(t, ok, "no River SQL for the %q store", e.Store.Dialect())
	return q
}

// Job reads the intake job of callID from River's table.
func (e *Env) Job(t *testing.T, callID string) Job {
	t.Helper()
	var j Job
	var scheduled, attempted riverTime
	err := e.Store.WriteDB().QueryRowContext(context.Background(), e.river(t).job, callID).
		Scan(&j.ID, &j.State, &j.Attempt, &j.Errors, &j.Snoozes, &scheduled, &attempted)
	require.NoError(t, err, "the intake job of %s", callID)
	require.False(t, scheduled.IsZero(), "the intake job of %s has no scheduled_at", callID)
	j.ScheduledAt, j.AttemptedAt = scheduled.Time, attempted.Time
	return j
}

// Hurry makes a snoozed job due now, as River's JobRetry does, so that a
// test sees the vendor's documented delay asked for without waiting it.
func (e *Env) Hurry(t *testing.T, jobID int64) {
	t.Helper()
	_, err := e.Store.WriteDB().ExecContext(context.Background(), e.river(t).hurry, jobID)
	require.NoError(t, err)
}

// Snoozed waits until the intake job of callID has been snoozed n times
// and waits to run again, and checks that River was asked for delay
// after the vendor's last answer (last, read then): the job is
// scheduled no earlier than last+delay and no later than now+delay, it
// spent no attempt and recorded no error, and the call still reads
// queued. Storage keeps
// River's times to the millisecond, hence the millisecond allowed.
func (e *Env) Snoozed(t *testing.T, callID string, n int, delay time.Duration, last func() time.Time) Job {
	t.Helper()
	var j Job
	require.Eventually(t, func() bool {
		j = e.Job(t, callID)
		return j.State == "scheduled" && j.Snoozes == n
	}, 30*time.Second, 10*time.Millisecond, "the job of %s snoozed %d times", callID, n)
	const precision = time.Millisecond
	answered, now := last(), time.Now()
	require.False(t, j.ScheduledAt.Before(answered.Add(delay-precision)), "snooze %d: scheduled at %s, the vendor answered at %s, the delay is %s", n, j.ScheduledAt, answered, delay)
	require.False(t, j.ScheduledAt.After(now.Add(delay+precision)), "snooze %d: scheduled at %s, more than %s from now (%s)", n, j.ScheduledAt, delay, now)
	require.Zero(t, j.Errors, "a snooze records no error")
	require.Zero(t, j.Attempt, "a snooze spends no attempt")
	c, err := e.Store.Get(context.Background(), callID)
	require.NoError(t, err)
	require.Equal(t, "queued", string(c.Status), "waiting for the recording: %s", c.StatusReason)
	return j
}

// SnoozeThrough checks n snoozes of callID's job as Snoozed does, making
// each due at once (Hurry) so the test does not wait the delay; check, when
// set, runs after each snooze (nothing downloaded or written yet).
func (e *Env) SnoozeThrough(t *testing.T, callID string, n int, delay time.Duration, last func() time.Time, check func(i int)) {
	t.Helper()
	for i := 1; i <= n; i++ {
		job := e.Snoozed(t, callID, i, delay, last)
		if check != nil {
			check(i)
		}
		e.Hurry(t, job.ID)
	}
}

// Completed waits until callID's job is completed and returns it.
func (e *Env) Completed(t *testing.T, callID string) Job {
	t.Helper()
	var j Job
	require.Eventually(t, func() bool { j = e.Job(t, callID); return j.State == "completed" }, 30*time.Second, 10*time.Millisecond,
		"the job of %s completed", callID)
	return j
}

// WaitFor waits until get returns at least n items (what a fake CRM
// was written) and returns the key of each.
func WaitFor[T any](t *testing.T, n int, get func() []T, key func(T) string) []string {
	t.Helper()
	var got []T
	require.Eventually(t, func() bool { got = get(); return len(got) >= n }, 30*time.Second, 10*time.Millisecond, "%d written", n)
	out := make([]string, len(got))
	for i, item := range got {
		out[i] = key(item)
	}
	return out
}

// riverTime scans a River timestamp, in UTC: a time.Time from the
// PostgreSQL driver, text as River's SQLite driver writes it, or NULL
// (the zero time).
type riverTime struct{ time.Time }

func (r *riverTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		r.Time = time.Time{}
		return nil
	case time.Time:
		r.Time = v.UTC()
		return nil
	case []byte:
		return r.parse(string(v))
	case string:
		return r.parse(v)
	}
	return fmt.Errorf("a River timestamp of type %T", src)
}

func (r *riverTime) parse(s string) error {
	s = strings.TrimSuffix(strings.Replace(s, "T", " ", 1), "Z")
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999-07:00"} {
		if v, err := time.Parse(layout, s); err == nil {
			r.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("a River timestamp that cannot be read: %q", s)
}
