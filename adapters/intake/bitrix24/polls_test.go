package bitrix24_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/adapters/intake/bitrix24"
	"github.com/callaudit/callaudit/adapters/intake/bitrix24/bitrix24test"
	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/storage"
)

// TestRecordingAfterThreePolls: the recording is not downloadable for the
// first three tries, in each of the ways the portal can say so: the call
// is not in the history yet (an empty result), its record shows no
// CALL_RECORD_URL yet, or the URL answers 404. Each time the job snoozes
// through River for the intake's delay (bitrix24.DefaultPollDelay: the
// documentation gives none), spending no attempt and recording no error;
// the fourth try downloads it, and the call is audited and commented once;
// on SQLite and on PostgreSQL.
func TestRecordingAfterThreePolls(t *testing.T) {
	for _, tc := range []struct {
		name    string
		call    func(c *bitrix24test.Call)
		fetches int
	}{
		{"not in the history yet", func(c *bitrix24test.Call) { c.HistoryAfter = 3 }, 1},
		{"no CALL_RECORD_URL yet", func(c *bitrix24test.Call) { c.ReadyAfter = 3 }, 1},
		{"the URL answers 404", func(c *bitrix24test.Call) { c.MissingFor = 3 }, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			intaketest.OnEachStore(t, os.Getenv, func(t *testing.T, dsn string) {
				e := newEnvOn(t, dsn, bitrix24test.DefaultLimit, keep{ownDelays: true})
				c := answered(fmt.Sprintf("call.late.%d", len(tc.name)), 4040)
				tc.call(&c)
				e.finish(t, c)
				id := "bitrix24-" + c.ID
				e.SnoozeThrough(t, id, 3, bitrix24.DefaultPollDelay, func() time.Time { return e.portal.Last(c.ID) },
					func(int) { assert.Zero(t, e.portal.Downloads(c.ID)) })
				assert.NotEmpty(t, e.Wait(t, id, storage.StatusDone).Report.Criteria, "scored")
				job := e.Completed(t, id)
				assert.Zero(t, job.Errors, "no try failed")
				assert.Equal(t, 1, job.Attempt, "the one attempt that downloaded it")
				assert.Equal(t, 3, job.Snoozes)
				assert.Equal(t, 5, e.portal.Polls(c.ID), "four statistics reads and the write-back's for the CRM record")
				assert.Equal(t, tc.fetches, e.portal.Fetches(c.ID))
				assert.Equal(t, 1, e.portal.Downloads(c.ID))
				assert.Equal(t, float64(3), e.Counter(t, "callaudit_intake_recording_polls_total", map[string]string{"vendor": bitrix24.Name}))
				assert.Equal(t, []string{"contact-4040"}, e.waitComments(t, 1))
			})
		})
	}
}
