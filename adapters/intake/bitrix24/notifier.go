package bitrix24

import (
	"context"
	"errors"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/storage"
)

// Notifier writes the results of the intake's calls back to their CRM
// records through inner, the write-back to the same portal
// (adapters/writeback/bitrix24), within the portal's rate limit. The event
// does not say the record; the call's statistics record does
// (CRM_ENTITY_TYPE, CRM_ENTITY_ID), so the call is handed on with the
// record in front of its id ("contact-797:bitrix24-…"), where the
// write-back adapter finds it. Other calls pass as they are.
func (v *Vendor) Notifier(inner writeback.Notifier) *intake.WriteBack {
	return &intake.WriteBack{Inner: inner, Client: v.stats.client, Locate: v.locate, Vendor: Name}
}

// locate puts the call's CRM record in front of its id. A call of the
// intake whose statistics record names none is KindInvalid (nothing to
// write to; not retried).
func (v *Vendor) locate(ctx context.Context, call storage.Call) (storage.Call, error) {
	callKey, ok := strings.CutPrefix(call.ID, Name+"-")
	if !ok {
		return call, nil
	}
	r, err := v.stats.Get(ctx, callKey)
	switch {
	case errors.Is(err, ErrNoRecord):
		return call, callaudit.Errorf(callaudit.KindInvalid, "the Bitrix24 call history has no record of the call")
	case err != nil:
		return call, err
	case r.EntityType == "" || atoi(r.EntityID) <= 0:
		return call, callaudit.Errorf(callaudit.KindInvalid, "the Bitrix24 call is bound to no CRM record; nothing to write back to")
	}
	call.ID = strings.ToLower(r.EntityType) + "-" + r.EntityID + ":" + call.ID
	return call, nil
}
