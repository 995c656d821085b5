package writeback_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/storage"
)

// flaky fails its first failures calls with err, then succeeds.
type flaky struct {
	name     string
	failures int
	err      error
	calls    atomic.Int32
}

func (f *flaky) Name() string { return f.name }

func (f *flaky) Notify(ctx context.Context, call storage.Call) error {
	if int(f.calls.Add(1)) <= f.failures {
		return f.err
	}
	return nil
}

func TestMultiSkipsDeliveredOnRetry(t *testing.T) {
	ok := &flaky{name: "callback"}
	down := &flaky{name: "amocrm", failures: 2, err: &callaudit.Error{Kind: callaudit.KindUnavailable, Message: "amoCRM answered 503", RetryAfter: 4 * time.Second}}
	bad := &flaky{name: "bitrix24", failures: 1, err: callaudit.Invalid(callaudit.FieldError{Field: "call_id", Message: "no record"})}
	m := writeback.NewMulti(ok, down, bad)
	assert.Equal(t, "callback+amocrm+bitrix24", m.Name())
	call := writebacktest.DoneCall("c-1")

	err := m.Notify(context.Background(), call)
	require.Error(t, err)
	assert.True(t, callaudit.IsTransient(err), "one transient failure makes the whole retryable")
	assert.Equal(t, callaudit.KindUnavailable, callaudit.KindOf(err))
	assert.Equal(t, 4*time.Second, callaudit.RetryAfterOf(err))
	assert.Contains(t, callaudit.MessageOf(err), "amocrm: amoCRM answered 503")
	assert.Contains(t, callaudit.MessageOf(err), "bitrix24: call_id: no record")
	assert.NotContains(t, callaudit.MessageOf(err), "callback")

	err = m.Notify(context.Background(), call)
	require.Error(t, err)
	assert.NotContains(t, callaudit.MessageOf(err), "bitrix24", "bitrix24 succeeded on the second try")
	require.NoError(t, m.Notify(context.Background(), call))

	assert.EqualValues(t, 1, ok.calls.Load(), "delivered once, not on every retry")
	assert.EqualValues(t, 3, down.calls.Load())
	assert.EqualValues(t, 2, bad.calls.Load())

	// Once all succeeded the call is forgotten; a new status is a new
	// delivery to everyone.
	failed := call
	failed.Status = storage.StatusFailed
	require.NoError(t, m.Notify(context.Background(), failed))
	assert.EqualValues(t, 2, ok.calls.Load())
}

func TestMultiPermanentFailure(t *testing.T) {
	permanent := &flaky{name: "a", failures: 9, err: callaudit.Errorf(callaudit.KindUnauthorized, "wrong token")}
	m := writeback.NewMulti(permanent, &flaky{name: "b"})
	err := m.Notify(context.Background(), writebacktest.DoneCall("c-1"))
	assert.Equal(t, callaudit.KindUnauthorized, callaudit.KindOf(err))
	assert.False(t, callaudit.IsTransient(err))
	assert.ErrorIs(t, err, permanent.err)
}

func TestMultiSingleKeepsTheError(t *testing.T) {
	want := errors.New("boom")
	err := writeback.NewMulti(&flaky{failures: 1, err: want}).Notify(context.Background(), writebacktest.DoneCall("c"))
	assert.Same(t, want, err)
}

// The three adapters deliver through Multi to the fakes.
func TestAdaptersDeliverThroughMulti(t *testing.T) {
	secret := webhooks.NewSecret()
	rcv := writebacktest.NewReceiver(secret)
	defer rcv.Close()
	amo := writebacktest.NewAmoCRM("tok")
	defer amo.Close()
	bx := writebacktest.NewBitrix24()
	defer bx.Close()
	const public = "https://audit.example.com"
	hook, err := signedhook.New(signedhook.Config{URL: rcv.URL, Secret: secret, PublicURL: public})
	require.NoError(t, err)
	amoN, err := amocrm.New(amocrm.Config{BaseURL: amo.URL, Token: "tok", PublicURL: public})
	require.NoError(t, err)
	bxN, err := bitrix24.New(bitrix24.Config{WebhookURL: bx.WebhookURL(), PublicURL: public})
	require.NoError(t, err)
	var n writeback.Notifier = writeback.NewMulti(hook, amoN, bxN)

	amo.Fail(writebacktest.Fault{Status: 429, RetryAfter: "1"})
	call := writebacktest.DoneCall("lead-42")
	err = n.Notify(context.Background(), call)
	require.Error(t, err)
	assert.Equal(t, callaudit.KindRateLimited, callaudit.KindOf(err))
	require.NoError(t, n.Notify(context.Background(), call))

	assert.Equal(t, 1, rcv.Count("lead-42"))
	require.Len(t, amo.Notes(), 1)
	assert.Equal(t, "42", amo.Notes()[0].EntityID)
	require.Len(t, bx.Comments(), 1)
	assert.Equal(t, "lead", bx.Comments()[0].EntityType)
	assert.True(t, strings.HasSuffix(bx.Comments()[0].Comment, "https://audit.example.com/calls/lead-42"))
}
