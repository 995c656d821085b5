package intaketest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Job is what River's table says of a call's intake job (SQLite, the
// Env's store): the proof that a recording not ready yet snoozed the job
// rather than failed it.
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

// Job reads the intake job of callID from River's table.
func (e *Env) Job(t *testing.T, callID string) Job {
	t.Helper()
	var j Job
	var state, scheduled string
	var attempted, errs *string
	var meta []byte
	err := e.Store.WriteDB().QueryRowContext(context.Background(),
		`SELECT id, state, attempt, json(errors), json(metadata), scheduled_at, attempted_at FROM river_job
		 WHERE kind = 'callaudit_intake' AND json_extract(args, '$.call_id') = ?`, callID).
		Scan(&j.ID, &state, &j.Attempt, &errs, &meta, &scheduled, &attempted)
	require.NoError(t, err, "the intake job of %s", callID)
	j.State = state
	if errs != nil {
		var list []json.RawMessage
		_ = json.Unmarshal([]byte(*errs), &list)
		j.Errors = len(list)
	}
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(meta, &m)
	j.Snoozes = m.Snoozes
	j.ScheduledAt = riverTime(t, scheduled)
	if attempted != nil {
		j.AttemptedAt = riverTime(t, *attempted)
	}
	return j
}

// Hurry makes a snoozed job due now, as River's JobRetry does, so that a
// test sees the vendor's documented delay asked for without waiting it.
func (e *Env) Hurry(t *testing.T, jobID int64) {
	t.Helper()
	_, err := e.Store.WriteDB().ExecContext(context.Background(),
		`UPDATE river_job SET state = 'available', scheduled_at = datetime('now', 'subsec') WHERE id = ? AND state = 'scheduled'`, jobID)
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

// riverTime reads a timestamp as River's SQLite driver writes it (UTC).
func riverTime(t *testing.T, s string) time.Time {
	t.Helper()
	s = strings.TrimSuffix(strings.Replace(s, "T", " ", 1), "Z")
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999-07:00"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC()
		}
	}
	require.Failf(t, "a River timestamp that cannot be read", "%q", s)
	return time.Time{}
}
