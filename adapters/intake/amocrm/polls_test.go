package amocrm_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/intake/amocrm"
	"github.com/callaudit/callaudit/adapters/intake/amocrm/amocrmtest"
	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/storage"
)

// TestRecordingAfterThreePolls: the note's recording cannot be had for
// the first three tries: its link answers 404 (the telephony that added
// the note uploads the file later), or the note shows no params.link yet.
// amoCRM documents neither case nor a delay; each try snoozes the job
// through River for amocrm.DefaultPollDelay, spending no attempt and
// recording no error, and the fourth downloads it: one audit, one note
// written back; on SQLite and on PostgreSQL.
func TestRecordingAfterThreePolls(t *testing.T) {
	// late runs one note, not downloadable for three tries, to its note
	// written back, on each store; reads and fetches are the API reads and
	// downloads expected.
	late := func(t *testing.T, n amocrmtest.Note, reads, fetches int) {
		intaketest.OnEachStore(t, os.Getenv, func(t *testing.T, dsn string) {
			e := newEnvOn(t, dsn, amocrmtest.RequestsPerSecond, nil)
			e.account.Add(n)
			st, err := e.account.Send(context.Background(), e.hook, n.ID)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, st)
			id := "lead-7100:" + amocrm.Name + "-" + itoa(n.ID)
			e.SnoozeThrough(t, id, 3, amocrm.DefaultPollDelay, func() time.Time { return e.account.Last(n.ID) },
				func(int) { assert.Empty(t, e.account.Written()) })
			call := e.Wait(t, id, storage.StatusDone)
			assert.NotEmpty(t, call.Report.Criteria, "scored")
			job := e.Completed(t, id)
			assert.Equal(t, [3]int{0, 1, 3}, [3]int{job.Errors, job.Attempt, job.Snoozes}, "no error, one attempt, three snoozes")
			assert.Equal(t, reads, e.account.NoteGets(n.ID), "one API read a try")
			assert.Equal(t, fetches, e.account.Fetches(n.ID))
			assert.Equal(t, float64(3), e.count(t, "callaudit_intake_recording_polls_total", "vendor", amocrm.Name))
			assert.Equal(t, []string{"leads/7100"}, e.waitWritten(t, 1))
		})
	}
	t.Run("the link answers 404", func(t *testing.T) {
		n := talked(61001, 7100)
		n.MissingFor = 3
		late(t, n, 4, 4)
	})
	t.Run("no params.link yet", func(t *testing.T) {
		n := talked(61002, 7100)
		n.LinkAfter = 3
		late(t, n, 4, 1)
	})
}

// TestNoteNotReadableYet: amoCRM answers the read of a note the hook just
// announced with 204 No Content, its empty result. Each 204 snoozes the
// job for the vendor's delay (no attempt, no error); after two the note
// is read and the call audited once, with one note written back. A note
// that answers 204 forever fails its call after MaxWait, counted
// never_ready: nothing is lost silently, the failure is in the history
// and written back on the lead once, as any failed call's.
func TestNoteNotReadableYet(t *testing.T) {
	t.Run("204 twice, then the note", func(t *testing.T) {
		e := newEnvOn(t, "", amocrmtest.RequestsPerSecond, nil)
		n := talked(62001, 7100)
		n.EmptyFor = 2
		e.account.Add(n)
		e.send(t, n.ID)
		id := "lead-7100:" + amocrm.Name + "-" + itoa(n.ID)
		e.SnoozeThrough(t, id, 2, amocrm.DefaultPollDelay, func() time.Time { return e.account.Last(n.ID) },
			func(int) {
				assert.Empty(t, e.account.Written())
				assert.Zero(t, e.account.Fetches(n.ID), "no download before the note is read")
			})
		call := e.Wait(t, id, storage.StatusDone)
		assert.NotEmpty(t, call.Report.Criteria, "scored")
		job := e.Completed(t, id)
		assert.Equal(t, [3]int{0, 1, 2}, [3]int{job.Errors, job.Attempt, job.Snoozes}, "no error, one attempt, two snoozes")
		assert.Equal(t, 3, e.account.NoteGets(n.ID), "two 204s, then the note")
		assert.Equal(t, 1, e.account.Fetches(n.ID))
		assert.Equal(t, float64(2), e.count(t, "callaudit_intake_recording_polls_total", "vendor", amocrm.Name))
		assert.Equal(t, []string{"leads/7100"}, e.waitWritten(t, 1))
		assert.Len(t, e.account.Written(), 1, "written back once")
		assert.Zero(t, e.Skipped(t, string(intake.ReasonNeverReady)))
	})
	t.Run("204 forever", func(t *testing.T) {
		const maxWait = 300 * time.Millisecond
		e := newEnvOn(t, "", amocrmtest.RequestsPerSecond, func(c *amocrm.Config) { c.PollDelay, c.MaxWait = testPoll, maxWait })
		n := talked(62002, 7100)
		n.EmptyFor = -1
		e.account.Add(n)
		e.send(t, n.ID)
		id := "lead-7100:" + amocrm.Name + "-" + itoa(n.ID)
		call := e.Wait(t, id, storage.StatusFailed)
		assert.Contains(t, call.StatusReason, "not ready", "the reason says why")
		assert.Equal(t, float64(1), e.Skipped(t, string(intake.ReasonNeverReady)))
		assert.GreaterOrEqual(t, e.account.NoteGets(n.ID), 2, "asked again after the first 204")
		assert.Zero(t, e.account.Fetches(n.ID), "no recording to download")
		assert.Equal(t, float64(e.account.NoteGets(n.ID)-1), e.count(t, "callaudit_intake_recording_polls_total", "vendor", amocrm.Name),
			"every read but the last was a poll")
		assert.Equal(t, []string{"leads/7100"}, e.waitWritten(t, 1))
		written := e.account.Written()
		require.Len(t, written, 1, "written back once")
		assert.Contains(t, written[0].Text, "204 No Content", "the note says why the call was not audited")
		assert.Len(t, e.Calls(t), 1, "the call stays in the history")
	})
}

// send posts the account's hook for the notes ids and wants 200.
func (e *env) send(t *testing.T, ids ...int) {
	t.Helper()
	st, err := e.account.Send(context.Background(), e.hook, ids...)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, st)
}
