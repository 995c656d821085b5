package amocrm_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/note"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
)

const token = "long-lived-TOKEN-abc"

func newNotifier(t *testing.T, base, tok string) *amocrm.Notifier {
	t.Helper()
	n, err := amocrm.New(amocrm.Config{BaseURL: base, Token: tok, PublicURL: "https://audit.example.com"})
	require.NoError(t, err)
	return n
}

func TestNotifyAddsNote(t *testing.T) {
	fake := writebacktest.NewAmoCRM(token)
	defer fake.Close()
	n := newNotifier(t, fake.URL+"/", token)

	tests := []struct {
		callID, entity, id string
	}{
		{callID: "4821", entity: "leads", id: "4821"},
		{callID: "lead-4822", entity: "leads", id: "4822"},
		{callID: "deal-4823", entity: "leads", id: "4823"},
		{callID: "contact:12:abc", entity: "contacts", id: "12"},
		{callID: "company_5", entity: "companies", id: "5"},
	}
	for i, tt := range tests {
		call := writebacktest.DoneCall(tt.callID)
		require.NoError(t, n.Notify(context.Background(), call), fake.Problems())
		notes := fake.Notes()
		require.Len(t, notes, i+1)
		got := notes[i]
		assert.Equal(t, tt.entity, got.Entity, tt.callID)
		assert.Equal(t, tt.id, got.EntityID, tt.callID)
		assert.Equal(t, note.Text(call, "https://audit.example.com"), got.Text)
	}
	assert.Empty(t, fake.Problems())
}

func TestNotifyErrors(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		callID string
		fault  *writebacktest.Fault
		kind   callaudit.Kind
		wait   time.Duration
	}{
		{name: "wrong token", token: "other-token", callID: "1", kind: callaudit.KindUnauthorized},
		{name: "call id without a lead", token: token, callID: "call-abc", kind: callaudit.KindInvalid},
		{name: "rate limited", token: token, callID: "1", fault: &writebacktest.Fault{Status: 429, RetryAfter: "1"}, kind: callaudit.KindRateLimited, wait: time.Second},
		{name: "server error", token: token, callID: "1", fault: &writebacktest.Fault{Status: 500}, kind: callaudit.KindUpstream},
		{name: "unavailable", token: token, callID: "1", fault: &writebacktest.Fault{Status: 503, RetryAfter: "5"}, kind: callaudit.KindUnavailable, wait: 5 * time.Second},
		{name: "account unpaid", token: token, callID: "1", fault: &writebacktest.Fault{Status: http.StatusPaymentRequired}, kind: callaudit.KindInvalid},
		{name: "lead gone", token: token, callID: "1", fault: &writebacktest.Fault{Status: 404}, kind: callaudit.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := writebacktest.NewAmoCRM(token)
			defer fake.Close()
			if tt.fault != nil {
				fake.Fail(*tt.fault)
			}
			err := newNotifier(t, fake.URL, tt.token).Notify(context.Background(), writebacktest.DoneCall(tt.callID))
			require.Error(t, err)
			assert.Equal(t, tt.kind, callaudit.KindOf(err))
			assert.Equal(t, tt.wait, callaudit.RetryAfterOf(err))
			assert.NotContains(t, err.Error(), tt.token)
			assert.Empty(t, fake.Notes())
		})
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   amocrm.Config
		field string
	}{
		{name: "ok", cfg: amocrm.Config{BaseURL: "https://shop.amocrm.ru", Token: token}},
		{name: "no token", cfg: amocrm.Config{BaseURL: "https://shop.amocrm.ru"}, field: "Token"},
		{name: "token without account", cfg: amocrm.Config{Token: token}, field: "BaseURL"},
		{name: "unknown entity type", cfg: amocrm.Config{BaseURL: "https://shop.amocrm.ru", Token: token, EntityType: "invoice"}, field: "CallIDPattern"},
		{name: "bad pattern", cfg: amocrm.Config{BaseURL: "https://shop.amocrm.ru", Token: token, CallIDPattern: "(\\d+)"}, field: "CallIDPattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, tt.cfg.Configured())
			_, err := amocrm.New(tt.cfg)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			assert.Equal(t, tt.field, callaudit.FieldsOf(err)[0].Field)
			assert.NotContains(t, err.Error(), token)
		})
	}
	assert.False(t, amocrm.Config{}.Configured())
}
