package amocrm_test

import (
	"context"
	"net/http"
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
// written back.
func TestRecordingAfterThreePolls(t *testing.T) {
	for _, tc := range []struct {
		name           string
		note           func(n *amocrmtest.Note)
		reads, fetches int
	}{
		{"the link answers 404", func(n *amocrmtest.Note) { n.MissingFor = 3 }, 4, 4},
		{"no params.link yet", func(n *amocrmtest.Note) { n.LinkAfter = 3 }, 4, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, amocrmtest.RequestsPerSecond, 0, 0)
			n := talked(61000+len(tc.name), 7100)
			tc.note(&n)
			e.account.Add(n)
			st, err := e.account.Send(context.Background(), e.hook, n.ID)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, st)
			id := "lead-7100:" + amocrm.Name + "-" + itoa(n.ID)
			for i := 1; i <= 3; i++ {
				job := e.Snoozed(t, id, i, amocrm.DefaultPollDelay, func() time.Time { return e.account.Last(n.ID) })
				assert.Empty(t, e.account.Written())
				e.Hurry(t, job.ID)
			}
			call := e.Wait(t, id, storage.StatusDone)
			assert.NotEmpty(t, call.Report.Criteria, "scored")
			var job intaketest.Job
			require.Eventually(t, func() bool { job = e.Job(t, id); return job.State == "completed" }, 10*time.Second, 10*time.Millisecond)
			assert.Equal(t, [3]int{0, 1, 3}, [3]int{job.Errors, job.Attempt, job.Snoozes}, "no error, one attempt, three snoozes")
			assert.Equal(t, tc.reads, e.account.NoteGets(n.ID), "one API read a try")
			assert.Equal(t, tc.fetches, e.account.Fetches(n.ID))
			assert.Equal(t, float64(3), e.count(t, "callaudit_intake_recording_polls_total", "vendor", amocrm.Name))
			assert.Equal(t, []string{"leads/7100"}, e.waitWritten(t, 1))
		})
	}
}
