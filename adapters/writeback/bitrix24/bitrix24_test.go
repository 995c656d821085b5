package bitrix24_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/writeback/note"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
)

func newNotifier(t *testing.T, webhook, entityType string) *bitrix24.Notifier {
	t.Helper()
	n, err := bitrix24.New(bitrix24.Config{WebhookURL: webhook, EntityType: entityType})
	require.NoError(t, err)
	return n
}

func TestNotifyAddsComment(t *testing.T) {
	fake := writebacktest.NewBitrix24()
	defer fake.Close()
	tests := []struct {
		callID, defType, wantType, wantID string
	}{
		{callID: "77", defType: "", wantType: "deal", wantID: "77"},
		{callID: "77", defType: "lead", wantType: "lead", wantID: "77"},
		{callID: "lead-5", defType: "", wantType: "lead", wantID: "5"},
		{callID: "Contact:9:x", defType: "", wantType: "contact", wantID: "9"},
	}
	for i, tt := range tests {
		call := writebacktest.DoneCall(tt.callID)
		require.NoError(t, newNotifier(t, fake.WebhookURL(), tt.defType).Notify(context.Background(), call), fake.Problems())
		cs := fake.Comments()
		require.Len(t, cs, i+1)
		assert.Equal(t, tt.wantType, cs[i].EntityType, tt.callID)
		assert.Equal(t, tt.wantID, cs[i].EntityID, tt.callID)
		assert.Equal(t, note.Text(call, ""), cs[i].Comment)
	}
	// The URL without its trailing slash works the same.
	require.NoError(t, newNotifier(t, strings.TrimSuffix(fake.WebhookURL(), "/"), "").Notify(context.Background(), writebacktest.DoneCall("1")))
	assert.Empty(t, fake.Problems())
}

func TestNotifyErrors(t *testing.T) {
	tests := []struct {
		name    string
		webhook func(f *writebacktest.Bitrix24) string
		callID  string
		fault   *writebacktest.Fault
		kind    callaudit.Kind
		minWait time.Duration
	}{
		{name: "wrong webhook code", webhook: func(f *writebacktest.Bitrix24) string { return f.URL + "/rest/1/wrongcode/" }, callID: "1", kind: callaudit.KindUnauthorized},
		{name: "query limit", callID: "1", fault: &writebacktest.Fault{Status: 503}, kind: callaudit.KindRateLimited, minWait: time.Second},
		{name: "too many requests", callID: "1", fault: &writebacktest.Fault{Status: 429, RetryAfter: "3"}, kind: callaudit.KindRateLimited, minWait: 3 * time.Second},
		{name: "server error", callID: "1", fault: &writebacktest.Fault{Status: 500}, kind: callaudit.KindUpstream},
		{name: "argument error", callID: "1", fault: &writebacktest.Fault{Status: 400, Body: `{"error":"ERROR_ARGUMENT","error_description":"not found"}`}, kind: callaudit.KindInvalid},
		{name: "error inside a 200", callID: "1", fault: &writebacktest.Fault{Status: 200, Body: `{"error":"ACCESS_DENIED","error_description":"no crm scope"}`}, kind: callaudit.KindInvalid},
		{name: "call id without a record", callID: "x-y", kind: callaudit.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := writebacktest.NewBitrix24()
			defer fake.Close()
			if tt.fault != nil {
				fake.Fail(*tt.fault)
			}
			webhook := fake.WebhookURL()
			if tt.webhook != nil {
				webhook = tt.webhook(fake)
			}
			err := newNotifier(t, webhook, "").Notify(context.Background(), writebacktest.DoneCall(tt.callID))
			require.Error(t, err)
			assert.Equal(t, tt.kind, callaudit.KindOf(err))
			assert.GreaterOrEqual(t, callaudit.RetryAfterOf(err), tt.minWait)
			assert.NotContains(t, err.Error(), fake.Code(), "the webhook code is a credential")
			assert.NotContains(t, err.Error(), "wrongcode")
			assert.Empty(t, fake.Comments())
		})
	}
}

func TestConfig(t *testing.T) {
	const hook = "https://shop.bitrix24.ru/rest/1/s3cr3tc0de/"
	tests := []struct {
		name  string
		cfg   bitrix24.Config
		field string
	}{
		{name: "ok", cfg: bitrix24.Config{WebhookURL: hook, EntityType: "lead"}},
		{name: "not a webhook", cfg: bitrix24.Config{WebhookURL: "https://shop.bitrix24.ru/s3cr3tc0de"}, field: "WebhookURL"},
		{name: "not a url", cfg: bitrix24.Config{WebhookURL: "shop s3cr3tc0de"}, field: "WebhookURL"},
		{name: "unknown type", cfg: bitrix24.Config{WebhookURL: hook, EntityType: "invoice"}, field: "CallIDPattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, tt.cfg.Configured())
			_, err := bitrix24.New(tt.cfg)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			assert.Equal(t, tt.field, callaudit.FieldsOf(err)[0].Field)
			assert.NotContains(t, err.Error(), "s3cr3tc0de")
		})
	}
	assert.False(t, bitrix24.Config{}.Configured())
}
