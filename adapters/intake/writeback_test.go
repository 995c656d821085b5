package intake_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/storage"
)

func TestWriteBackWantsItsVendorsCalls(t *testing.T) {
	w := &intake.WriteBack{Vendor: "bitrix24"}
	tel := func(id string) storage.Call { return storage.Call{ID: id, Source: storage.SourceTelephony} }
	assert.True(t, w.Wants(tel("bitrix24-call.1")))
	assert.True(t, w.Wants(tel("contact-797:bitrix24-call.1")))
	assert.False(t, w.Wants(tel("lead-4821:amocrm-42")), "another vendor's call")
	assert.False(t, w.Wants(tel("mango-entry")))
	assert.True(t, w.Wants(storage.Call{ID: "lead-4821", Source: storage.SourceWebhook}), "webhook calls as before")
	assert.True(t, (&intake.WriteBack{}).Wants(tel("mango-entry")), "no vendor: every call")
}
