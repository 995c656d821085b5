package amocrm_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/intake/amocrm"
	"github.com/callaudit/callaudit/adapters/intake/amocrm/amocrmtest"
	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/adapters/writeback"
	wbamocrm "github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

const secret = "s3cret-path-0123456789abcdef"

type env struct {
	*intaketest.Env
	account *amocrmtest.Account
	// hook is the URL pasted into amoCRM's webhook settings.
	hook string
}

// testPoll is the tests' delay between tries of a recording not there.
const testPoll = 30 * time.Millisecond

// newEnv runs the intake against a fake account that takes perSecond
// requests a second, the intake keeping rate and waiting poll (0: the
// vendor's default) before trying a recording again.
func newEnv(t *testing.T, perSecond int, rate float64, poll time.Duration) *env {
	t.Helper()
	return newEnvOn(t, "", perSecond, func(c *amocrm.Config) { c.Rate, c.PollDelay = rate, poll })
}

// newEnvOn is newEnv on the database dsn (empty: a new SQLite file), with
// the vendor's defaults changed by tune (when set).
func newEnvOn(t *testing.T, dsn string, perSecond int, tune func(*amocrm.Config)) *env {
	t.Helper()
	account := amocrmtest.NewLimited("long-lived-token", perSecond)
	t.Cleanup(account.Close)
	notes, err := wbamocrm.New(wbamocrm.Config{BaseURL: account.URL, Token: account.Token})
	require.NoError(t, err)
	e := intaketest.NewEnv(t, intaketest.EnvConfig{
		DSN: dsn,
		Vendor: func(files audit.Fetcher) (intake.Vendor, error) {
			cfg := amocrm.Config{BaseURL: account.URL, Token: account.Token, Secret: secret,
				Common: intake.Common{Managers: map[string]string{"940088": "boris"}}}
			if tune != nil {
				tune(&cfg)
			}
			return amocrm.New(cfg, files)
		},
		Notifiers: func(v intake.Vendor) ([]writeback.Notifier, error) {
			return []writeback.Notifier{v.(*amocrm.Vendor).Notifier(notes)}, nil
		},
	})
	return &env{Env: e, account: account, hook: e.Target(amocrm.Name) + "/" + secret}
}

// missing asserts the history has no call id.
func (e *env) missing(t *testing.T, id string) {
	for _, c := range e.Calls(t) {
		assert.NotEqual(t, id, c.ID)
	}
}

func (e *env) count(t *testing.T, name, label, value string) float64 {
	return e.Counter(t, name, map[string]string{"vendor": amocrm.Name, label: value})
}

// waitWritten waits for n notes written back and returns their records.
func (e *env) waitWritten(t *testing.T, n int) []string {
	t.Helper()
	return intaketest.WaitFor(t, n, e.account.Written, func(w writebacktest.AmoNote) string { return w.Entity + "/" + w.EntityID })
}

func talked(id, lead int) amocrmtest.Note {
	return amocrmtest.Note{ID: id, EntityID: lead, Duration: 60, Phone: "+79161234567", Status: 4, Responsible: 940088}
}

// TestCallNoteIsAuditedAndWrittenBack: the note hook, the note read from
// the API, the recording answering 404 three times before it is there,
// the call stored and scored with its manager and one note written on the
// lead.
func TestCallNoteIsAuditedAndWrittenBack(t *testing.T) {
	e := newEnv(t, amocrmtest.RequestsPerSecond, 0, testPoll)
	n := talked(42709325, 26050861)
	n.MissingFor = 3
	e.account.Add(n)
	st, err := e.account.Send(context.Background(), e.hook, n.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, st)

	call := e.Wait(t, "lead-26050861:amocrm-42709325", storage.StatusDone)
	require.NotNil(t, call.Report)
	assert.NotEmpty(t, call.Report.Criteria, "scored")
	assert.Equal(t, "boris", call.ManagerID, "responsible_user_id through the manager table")
	assert.Equal(t, storage.SourceTelephony, call.Source)
	assert.Equal(t, 4, e.account.Fetches(n.ID), "three 404s, then the recording")
	assert.Equal(t, float64(3), e.Counter(t, "callaudit_intake_recording_polls_total", map[string]string{"vendor": amocrm.Name}))
	assert.Equal(t, []string{"leads/26050861"}, e.waitWritten(t, 1))
	assert.Contains(t, e.account.Written()[0].Text, "amocrm-42709325")

	assert.Equal(t, "delivered", e.Wait(t, "lead-26050861:amocrm-42709325", storage.StatusDone).StatusReason)
}

// TestWrongSecretIsRefused: a hook to the route without the secret, or
// with another one, is refused and nothing is read or queued.
func TestWrongSecretIsRefused(t *testing.T) {
	e := newEnv(t, amocrmtest.RequestsPerSecond, 0, testPoll)
	n := talked(7, 70)
	e.account.Add(n)
	base := e.Target(amocrm.Name)
	for _, url := range []string{base + "/wrong-secret-0123456789abcdef", base + "/", base + "/" + secret[:len(secret)-1]} {
		st, err := e.account.Send(context.Background(), url, n.ID)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, st, url)
	}
	e.missing(t, "lead-70:amocrm-7")
	assert.Zero(t, e.account.NoteGets(n.ID))
	assert.Equal(t, float64(3), e.count(t, "callaudit_intake_events_total", "outcome", "unauthorized"))
}

// TestMissedCallsAreCountedNotAudited: a call note whose hook says it had
// no talk is skipped on arrival; one only the API says was not answered
// (call_status 6) is skipped by the job. Both are counted, neither is
// written back.
func TestMissedCallsAreCountedNotAudited(t *testing.T) {
	e := newEnv(t, amocrmtest.RequestsPerSecond, 0, testPoll)
	early := amocrmtest.Note{ID: 1, EntityID: 10, Duration: 0, Status: 6, NoLink: true}
	late := amocrmtest.Note{ID: 2, EntityID: 20, Duration: 30, Status: 6, Responsible: 940088}
	e.account.Add(early)
	e.account.Add(late)
	for _, id := range []int{early.ID, late.ID} {
		st, err := e.account.Send(context.Background(), e.hook, id)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, st)
	}
	e.missing(t, "lead-10:amocrm-1")
	assert.Zero(t, e.account.NoteGets(early.ID), "skipped without asking the API")
	require.Eventually(t, func() bool {
		c, err := e.Store.Get(context.Background(), "lead-20:amocrm-2")
		return err == nil && c.Status == storage.StatusFailed
	}, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, float64(2), e.count(t, "callaudit_intake_skipped_total", "reason", "missed"))
	assert.Zero(t, e.account.Fetches(late.ID), "no download for a call nobody answered")
	assert.Empty(t, e.account.Written())
}

// TestOneHookWithSeveralNotes: every call note a hook lists is a call,
// a common note among them is not.
func TestOneHookWithSeveralNotes(t *testing.T) {
	e := newEnv(t, amocrmtest.RequestsPerSecond, 0, testPoll)
	e.account.Add(talked(31, 310))
	e.account.Add(amocrmtest.Note{ID: 32, Entity: "contacts", EntityID: 320, Out: true, Duration: 40, Status: 4, Responsible: 1})
	e.account.Add(talked(33, 330))
	st, err := e.account.Send(context.Background(), e.hook, 31, 32, 33)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, st)
	e.Wait(t, "lead-310:amocrm-31", storage.StatusDone)
	c := e.Wait(t, "contact-320:amocrm-32", storage.StatusDone)
	assert.Equal(t, "amocrm:1", c.ManagerID, "an employee not in the table keeps the vendor's id")
	e.Wait(t, "lead-330:amocrm-33", storage.StatusDone)
	assert.ElementsMatch(t, []string{"leads/310", "contacts/320", "leads/330"}, e.waitWritten(t, 3))
}

// TestBatchAndBurstLoseNoCall: a burst of hooks over amoCRM's limit of 7 requests a second: with the
// intake's limiter off (far above the limit) the account answers 429,
// those reads and notes are retried, and every call is audited and
// written back once.
func TestBatchAndBurstLoseNoCall(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rate    float64
		refused bool
	}{
		{"limiter under the documented rate", 0, false},
		{"limiter above the limit", 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, amocrmtest.RequestsPerSecond, tc.rate, testPoll)
			const n = 10
			ids := make([]int, n)
			for i := range ids {
				ids[i] = 500 + i
				e.account.Add(talked(ids[i], 9000+i))
			}
			statuses := make(chan int, n)
			for _, id := range ids {
				go func() {
					st, err := e.account.Send(context.Background(), e.hook, id)
					assert.NoError(t, err)
					statuses <- st
				}()
			}
			var want []string
			for i, id := range ids {
				assert.Equal(t, http.StatusOK, <-statuses)
				callID := fmt.Sprintf("lead-%d:amocrm-%d", 9000+i, id)
				e.Wait(t, callID, storage.StatusDone)
				e.Completed(t, callID)
				want = append(want, fmt.Sprintf("leads/%d", 9000+i))
			}
			assert.ElementsMatch(t, want, e.waitWritten(t, n), "with every job done, each call written back once on its own lead")
			if tc.refused {
				assert.Positive(t, e.account.Refused(), "the account refused requests over its limit")
			} else {
				assert.Zero(t, e.account.Refused(), "the limiter kept the account's limit")
			}
		})
	}
}
