package amocrm_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
			e := newEnvOn(t, dsn, amocrmtest.RequestsPerSecond, 0, 0)
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
