package signedhook_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
	"github.com/callaudit/callaudit/storage"
)

func newNotifier(t *testing.T, url, secret string) *signedhook.Notifier {
	t.Helper()
	n, err := signedhook.New(signedhook.Config{URL: url, Secret: secret, PublicURL: "https://audit.example.com"})
	require.NoError(t, err)
	return n
}

func TestNotifyDelivers(t *testing.T) {
	secret := webhooks.NewSecret()
	rcv := writebacktest.NewReceiver(secret)
	defer rcv.Close()
	n := newNotifier(t, rcv.URL+"/hooks/audit", secret)

	done := writebacktest.DoneCall("c-1")
	failed := writebacktest.FailedCall("c-2", "recording not found")
	require.NoError(t, n.Notify(context.Background(), done))
	require.NoError(t, n.Notify(context.Background(), failed))
	require.Empty(t, rcv.Problems())

	ds := rcv.Deliveries()
	require.Len(t, ds, 2)
	p := ds[0].Payload
	assert.Equal(t, signedhook.EventAudited, p.Type)
	assert.Equal(t, done.UpdatedAt, p.Timestamp)
	assert.Equal(t, "c-1", p.Data.CallID)
	assert.Equal(t, "m-7", p.Data.ManagerID)
	assert.Equal(t, storage.StatusDone, p.Data.Status)
	require.NotNil(t, p.Data.TotalScore)
	assert.Equal(t, done.Report.TotalScore, *p.Data.TotalScore)
	assert.Equal(t, done.Report.Criteria, p.Data.Criteria)
	assert.Equal(t, done.Report.Summary, p.Data.Summary)
	assert.Equal(t, done.Report.RecommendationList, p.Data.Recommendations)
	assert.Equal(t, "https://audit.example.com/calls/c-1", p.Data.URL)
	assert.Equal(t, signedhook.MessageID(done), ds[0].ID)

	assert.Equal(t, signedhook.EventFailed, ds[1].Payload.Type)
	assert.Nil(t, ds[1].Payload.Data.TotalScore)
	assert.Equal(t, "recording not found", ds[1].Payload.Data.StatusReason)
}

func TestMessageID(t *testing.T) {
	a := writebacktest.DoneCall("c-1")
	again := writebacktest.DoneCall("c-1")
	again.UpdatedAt = again.UpdatedAt.Add(time.Hour) // a retry after a crash
	other := writebacktest.DoneCall("c-2")
	failed := writebacktest.FailedCall("c-1", "x")
	dotted := writebacktest.DoneCall("a.b.c")

	assert.Equal(t, signedhook.MessageID(a), signedhook.MessageID(again), "stable for one result")
	assert.NotEqual(t, signedhook.MessageID(a), signedhook.MessageID(other))
	assert.NotEqual(t, signedhook.MessageID(a), signedhook.MessageID(failed))
	assert.NotContains(t, signedhook.MessageID(dotted), ".", "the standard forbids dots in ids")
	assert.True(t, strings.HasPrefix(signedhook.MessageID(a), "msg_"))
}

func TestNotifyRetriesCarryTheSameID(t *testing.T) {
	secret := webhooks.NewSecret()
	rcv := writebacktest.NewReceiver(secret)
	defer rcv.Close()
	n := newNotifier(t, rcv.URL, secret)
	call := writebacktest.DoneCall("c-1")

	rcv.Fail(writebacktest.Fault{Status: http.StatusServiceUnavailable})
	require.Error(t, n.Notify(context.Background(), call))
	require.NoError(t, n.Notify(context.Background(), call))
	require.NoError(t, n.Notify(context.Background(), call)) // a duplicate after a crash
	assert.Equal(t, 2, rcv.Count("c-1"))
	assert.Equal(t, 2, rcv.CountID(signedhook.MessageID(call)), "every attempt has the same webhook-id")
}

func TestNotifyErrors(t *testing.T) {
	secret := webhooks.NewSecret()
	tests := []struct {
		name  string
		fault writebacktest.Fault
		kind  callaudit.Kind
		wait  time.Duration
	}{
		{name: "429", fault: writebacktest.Fault{Status: 429, RetryAfter: "30"}, kind: callaudit.KindRateLimited, wait: 30 * time.Second},
		{name: "500", fault: writebacktest.Fault{Status: 500}, kind: callaudit.KindUpstream},
		{name: "503", fault: writebacktest.Fault{Status: 503}, kind: callaudit.KindUnavailable},
		{name: "401", fault: writebacktest.Fault{Status: 401}, kind: callaudit.KindUnauthorized},
		{name: "410", fault: writebacktest.Fault{Status: 410}, kind: callaudit.KindNotFound},
		{name: "400", fault: writebacktest.Fault{Status: 400}, kind: callaudit.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := writebacktest.NewReceiver(secret)
			defer rcv.Close()
			rcv.Fail(tt.fault)
			err := newNotifier(t, rcv.URL, secret).Notify(context.Background(), writebacktest.DoneCall("c-1"))
			require.Error(t, err)
			assert.Equal(t, tt.kind, callaudit.KindOf(err))
			assert.Equal(t, tt.wait, callaudit.RetryAfterOf(err))
			assert.Zero(t, rcv.Count("c-1"))
		})
	}
}

func TestWrongSecretIsRefusedByTheReceiver(t *testing.T) {
	rcv := writebacktest.NewReceiver(webhooks.NewSecret())
	defer rcv.Close()
	err := newNotifier(t, rcv.URL, webhooks.NewSecret()).Notify(context.Background(), writebacktest.DoneCall("c-1"))
	assert.Equal(t, callaudit.KindUnauthorized, callaudit.KindOf(err))
	assert.Equal(t, 1, rcv.Rejected())
	assert.Zero(t, rcv.Count("c-1"))
}

func TestConfig(t *testing.T) {
	secret := webhooks.NewSecret()
	badSecret := "whsec_c2hvcnQ="
	const hookURL = "https://crm.example.com/hook"
	tests := []struct {
		name  string
		cfg   signedhook.Config
		field string
	}{
		{name: "ok", cfg: signedhook.Config{URL: hookURL, Secret: secret}},
		{name: "no secret", cfg: signedhook.Config{URL: hookURL}, field: "Secret"},
		{name: "bad secret", cfg: signedhook.Config{URL: hookURL, Secret: badSecret}, field: "Secret"},
		{name: "no prefix", cfg: signedhook.Config{URL: hookURL, Secret: "notasecret"}, field: "Secret"},
		{name: "not http", cfg: signedhook.Config{URL: "ftp://crm.example.com/hook", Secret: secret}, field: "URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, tt.cfg.Configured())
			_, err := signedhook.New(tt.cfg)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			assert.Equal(t, tt.field, callaudit.FieldsOf(err)[0].Field)
			if tt.field == "Secret" {
				assert.Contains(t, callaudit.FieldsOf(err)[0].Message, "whsec_ followed by")
			}
			for _, s := range []string{secret, badSecret, strings.TrimPrefix(badSecret, "whsec_")} {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
	assert.False(t, signedhook.Config{}.Configured())
}
