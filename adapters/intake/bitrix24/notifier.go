package bitrix24

import (
	"context"
	"errors"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/storage"
)

// Notifier writes the results of the intake's calls back to their CRM
// records through a write-back notifier (adapters/writeback/bitrix24).
// The event does not say the record; the call's statistics record does
// (CRM_ENTITY_TYPE, CRM_ENTITY_ID), so Notifier reads it and hands the
// call on with the record in front of its id ("contact-797:bitrix24-…"),
// which is where the write-back adapter finds it. Other calls pass as
// they are. It keeps the vendor's rate limit.
type Notifier struct {
	inner writeback.Notifier
	v     *Vendor
}

// Notifier wraps inner, the write-back to the same portal.
func (v *Vendor) Notifier(inner writeback.Notifier) *Notifier { return &Notifier{inner: inner, v: v} }

// Name is the wrapped notifier's.
func (n *Notifier) Name() string { return writeback.NameOf(n.inner) }

// Notify delivers call. A call of the intake whose statistics record
// names no CRM record is KindInvalid (nothing to write to; not retried).
func (n *Notifier) Notify(ctx context.Context, call storage.Call) error {
	callKey, ok := strings.CutPrefix(call.ID, Name+"-")
	if !ok {
		return n.inner.Notify(ctx, call)
	}
	r, err := n.v.stats.Get(ctx, callKey)
	if errors.Is(err, ErrNoRecord) {
		return callaudit.Errorf(callaudit.KindInvalid, "the Bitrix24 call history has no record of the call")
	}
	if err != nil {
		return err
	}
	if r.EntityType == "" || atoi(r.EntityID) <= 0 {
		return callaudit.Errorf(callaudit.KindInvalid, "the Bitrix24 call is bound to no CRM record; nothing to write back to")
	}
	call.ID = strings.ToLower(r.EntityType) + "-" + r.EntityID + ":" + call.ID
	// The comment is a request to the same portal: it waits its turn.
	if err := n.v.stats.client.Wait(ctx); err != nil {
		return err
	}
	return n.inner.Notify(ctx, call)
}
