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
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/storage"
)

func TestFromEnv(t *testing.T) {
	secret := webhooks.NewSecret()
	const token = "amo-TOKEN-1"
	tests := []struct {
		name   string
		env    map[string]string
		names  []string
		fields []string
	}{
		{name: "nothing configured", env: map[string]string{"AUDIT_PUBLIC_URL": "https://a.example"}},
		{name: "callback", env: map[string]string{"AUDIT_CALLBACK_URL": "https://crm.example.com/h", "AUDIT_CALLBACK_SECRET": secret}, names: []string{"callback"}},
		{name: "all three", env: map[string]string{
			"AUDIT_CALLBACK_URL": "https://crm.example.com/h", "AUDIT_CALLBACK_SECRET": secret,
			"AUDIT_AMOCRM_SUBDOMAIN": "shop", "AUDIT_AMOCRM_TOKEN": token,
			"AUDIT_BITRIX24_WEBHOOK_URL": "https://shop.bitrix24.ru/rest/1/code/",
		}, names: []string{"callback", "amocrm", "bitrix24"}},
		{name: "every mistake at once", env: map[string]string{
			"AUDIT_CALLBACK_URL":     "https://crm.example.com/h",
			"AUDIT_AMOCRM_TOKEN":     token,
			"AUDIT_BITRIX24_TIMEOUT": "soon", "AUDIT_BITRIX24_WEBHOOK_URL": "https://shop.bitrix24.ru/rest/1/code/",
		}, fields: []string{"AUDIT_CALLBACK_SECRET", "AUDIT_AMOCRM_BASE_URL", "AUDIT_BITRIX24_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, err := writeback.FromEnv(func(k string) string { return tt.env[k] })
			if tt.fields != nil {
				require.Error(t, err)
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
				var got []string
				for _, f := range callaudit.FieldsOf(err) {
					got = append(got, f.Field)
				}
				assert.Equal(t, tt.fields, got)
				assert.NotContains(t, err.Error(), token)
				assert.Nil(t, ns)
				return
			}
			require.NoError(t, err)
			var names []string
			for _, n := range ns {
				names = append(names, writeback.NameOf(n))
			}
			assert.Equal(t, tt.names, names)
		})
	}
}

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

// The adapters from FromEnv deliver through Multi to the fakes.
func TestFromEnvDelivers(t *testing.T) {
	secret := webhooks.NewSecret()
	rcv := writebacktest.NewReceiver(secret)
	defer rcv.Close()
	amo := writebacktest.NewAmoCRM("tok")
	defer amo.Close()
	bx := writebacktest.NewBitrix24()
	defer bx.Close()
	env := map[string]string{
		"AUDIT_CALLBACK_URL": rcv.URL, "AUDIT_CALLBACK_SECRET": secret,
		"AUDIT_AMOCRM_BASE_URL": amo.URL, "AUDIT_AMOCRM_TOKEN": "tok",
		"AUDIT_BITRIX24_WEBHOOK_URL": bx.WebhookURL(),
		"AUDIT_PUBLIC_URL":           "https://audit.example.com",
	}
	ns, err := writeback.FromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	var n writeback.Notifier = writeback.NewMulti(ns...)

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
