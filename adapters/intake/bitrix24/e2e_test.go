package bitrix24_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/intake/bitrix24"
	"github.com/callaudit/callaudit/adapters/intake/bitrix24/bitrix24test"
	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/adapters/writeback"
	wbbitrix24 "github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

// env is the intake of one fake portal, through the real queue on SQLite
// (or the database newEnvOn is given).
type env struct {
	*intaketest.Env
	portal  *bitrix24test.Portal
	handler string
}

// keep is the intake's limit, as Config.Rate and Config.Burst, and
// whether the job waits the vendor's own poll delay (else 30ms).
type keep struct {
	rate      float64
	burst     int
	ownDelays bool
}

func newEnv(t *testing.T, limit bitrix24test.Limit, k keep) *env {
	t.Helper()
	return newEnvOn(t, "", limit, k)
}

// newEnvOn is newEnv on the database dsn (empty: a new SQLite file).
func newEnvOn(t *testing.T, dsn string, limit bitrix24test.Limit, k keep) *env {
	t.Helper()
	portal := bitrix24test.NewWithLimit(limit)
	t.Cleanup(portal.Close)
	tokens, err := bitrix24.ParseTokens(portal.MemberID + "=" + portal.AppToken)
	require.NoError(t, err)
	comments, err := wbbitrix24.New(wbbitrix24.Config{WebhookURL: portal.WebhookURL()})
	require.NoError(t, err)
	poll := 30 * time.Millisecond
	if k.ownDelays {
		poll = 0
	}
	e := intaketest.NewEnv(t, intaketest.EnvConfig{
		DSN: dsn,
		Vendor: func(files audit.Fetcher) (intake.Vendor, error) {
			return bitrix24.New(bitrix24.Config{WebhookURL: portal.WebhookURL(), Tokens: tokens, Rate: k.rate, Burst: k.burst,
				Common: intake.Common{Managers: map[string]string{"1269": "anna"}, PollDelay: poll}}, files)
		},
		Notifiers: func(v intake.Vendor) ([]writeback.Notifier, error) {
			return []writeback.Notifier{v.(*bitrix24.Vendor).Notifier(comments)}, nil
		},
	})
	return &env{Env: e, portal: portal, handler: e.Target(bitrix24.Name)}
}

// waitComments waits for n timeline comments and returns their records.
func (e *env) waitComments(t *testing.T, n int) []string {
	t.Helper()
	return intaketest.WaitFor(t, n, e.portal.Comments, func(c writebacktest.BitrixComment) string { return c.EntityType + "-" + c.EntityID })
}

// finish has the portal know c and send its events in order, each
// answered 200.
func (e *env) finish(t *testing.T, c bitrix24test.Call) {
	t.Helper()
	e.portal.AddCall(c)
	statuses, err := e.portal.Finish(context.Background(), e.handler, c.ID)
	require.NoError(t, err)
	want := []int{200, 200, 200}
	if c.FailedCode != "200" {
		want = want[1:] // no start for a call nobody answered
	}
	assert.Equal(t, want, statuses, "init, start when answered, end")
}

func (e *env) missing(t *testing.T, id string) {
	t.Helper()
	_, err := e.Store.Get(context.Background(), id)
	assert.Error(t, err, "call %s should not be recorded", id)
}

func (e *env) events(t *testing.T, outcome string) float64 {
	return e.Counter(t, "callaudit_intake_events_total", map[string]string{"vendor": bitrix24.Name, "outcome": outcome})
}

func (e *env) skipped(t *testing.T, reason string) float64 {
	return e.Counter(t, "callaudit_intake_skipped_total", map[string]string{"vendor": bitrix24.Name, "reason": reason})
}

func answered(id string, entityID int) bitrix24test.Call {
	return bitrix24test.Call{ID: id, Type: 2, Phone: "+79161234567", UserID: 1269, Duration: 95, FailedCode: "200",
		EntityType: "CONTACT", EntityID: entityID}
}

// TestAnsweredCallIsAuditedAndCommented: the portal's events in their
// order, the recording URL appearing only on the fourth statistics poll,
// the call stored and scored with its manager, and one comment in the
// contact's timeline.
func TestAnsweredCallIsAuditedAndCommented(t *testing.T) {
	e := newEnv(t, bitrix24test.DefaultLimit, keep{})
	c := answered("externalCall.7b0c7de811455ef32b18dc5917e4306a.1773239327", 797)
	c.ReadyAfter = 3
	e.finish(t, c)

	call := e.Wait(t, "bitrix24-"+c.ID, storage.StatusDone)
	require.NotNil(t, call.Report)
	assert.Equal(t, "anna", call.ManagerID, "PORTAL_USER_ID 1269 through the manager table")
	assert.Equal(t, storage.SourceTelephony, call.Source)
	assert.NotEmpty(t, call.Report.Criteria, "scored")
	assert.Equal(t, 5, e.portal.Polls(c.ID), "three polls without a URL, the one with it, and the write-back's for the CRM record")
	assert.Equal(t, 1, e.portal.Downloads(c.ID))
	assert.Equal(t, float64(3), e.Counter(t, "callaudit_intake_recording_polls_total", map[string]string{"vendor": bitrix24.Name}), "three snoozes")

	assert.Equal(t, []string{"contact-797"}, e.waitComments(t, 1))
	assert.Contains(t, e.portal.Comments()[0].Comment, "bitrix24-"+c.ID)
	assert.Equal(t, "delivered", e.Wait(t, "bitrix24-"+c.ID, storage.StatusDone).StatusReason)
}

// TestWrongTokenIsRefusedWith403: another portal's token, an unknown
// member and no token are refused as the documentation says, and nothing
// is queued.
func TestWrongTokenIsRefusedWith403(t *testing.T) {
	e := newEnv(t, bitrix24test.DefaultLimit, keep{})
	c := answered("call.forged", 5)
	e.portal.AddCall(c)
	otherPortal := e.portal.EndEvent(c.ID, e.portal.AppToken)
	otherPortal.Set("auth[member_id]", "another-member")
	for _, form := range []url.Values{e.portal.EndEvent(c.ID, "not-the-token"), e.portal.EndEvent(c.ID, ""), otherPortal} {
		a, err := intaketest.PostForm(context.Background(), e.handler, form, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusForbidden, a.Status)
	}
	e.missing(t, "bitrix24-"+c.ID)
	assert.Equal(t, float64(3), e.events(t, "unauthorized"))
	assert.Zero(t, e.portal.Polls(c.ID))
}

// TestMissedCallIsCountedNotAudited: CALL_FAILED_CODE 304 is kept as
// missed and counted, with no statistics request and no comment.
func TestMissedCallIsCountedNotAudited(t *testing.T) {
	e := newEnv(t, bitrix24test.DefaultLimit, keep{})
	c := bitrix24test.Call{ID: "call.missed", Type: 2, Phone: "+79161234567", UserID: 1269, FailedCode: "304", EntityType: "LEAD", EntityID: 9}
	e.finish(t, c)
	assert.Equal(t, float64(1), e.skipped(t, "missed"))
	e.missing(t, "bitrix24-"+c.ID)
	assert.Zero(t, e.portal.Polls(c.ID))
	assert.Empty(t, e.portal.Comments())
}

// TestBurstAboveTheLimitLosesNoCall: more calls at once than the portal's
// bucket holds. With the intake's limiter kept below the bucket, the
// portal refuses nothing; with bursts three times the bucket, the portal
// answers 503 QUERY_LIMIT_EXCEEDED and those requests are retried. Either way every
// call is audited and commented once. The bucket is smaller than the
// documented 50 so that the test runs in seconds; the mechanism is the
// same.
func TestBurstAboveTheLimitLosesNoCall(t *testing.T) {
	limit := bitrix24test.Limit{Depth: 5, Drain: 10}
	for _, tc := range []struct {
		name    string
		keep    keep
		refused bool
	}{
		{"limiter below the bucket", keep{rate: 8, burst: 4}, false},
		{"bursts above the bucket", keep{rate: 10, burst: 15}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, limit, tc.keep)
			const n = 12
			answers := make(chan []int, n)
			for i := range n {
				c := answered(fmt.Sprintf("call.burst.%d", i), 100+i)
				e.portal.AddCall(c)
				go func() {
					statuses, err := e.portal.Finish(context.Background(), e.handler, c.ID)
					assert.NoError(t, err)
					answers <- statuses
				}()
			}
			want := make([]string, n)
			for i := range n {
				assert.Equal(t, []int{200, 200, 200}, <-answers)
				id := fmt.Sprintf("bitrix24-call.burst.%d", i)
				e.Wait(t, id, storage.StatusDone)
				e.Completed(t, id)
				want[i] = fmt.Sprintf("contact-%d", 100+i)
			}
			// Every job is done: the comments are all there will be.
			assert.ElementsMatch(t, want, e.waitComments(t, n), "each call commented once on its own contact")
			if tc.refused {
				assert.Positive(t, e.portal.Limited(), "the portal refused requests over its bucket")
			} else {
				assert.Zero(t, e.portal.Limited(), "the limiter kept the portal's limit")
			}
		})
	}
}
