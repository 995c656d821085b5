package intake

import (
	"context"
	"strings"

	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/storage"
)

// WriteBack is a write-back notifier (adapters/writeback/bitrix24,
// adapters/writeback/amocrm) to the CRM a vendor's calls come from: its
// requests take their turn in the rate limit of the vendor's Client, which
// the CRM counts together with the intake's reads, and, with Locate, the
// call's CRM record is found only at delivery (Bitrix24 names it in the
// call's statistics, not in the event). Safe for concurrent use.
type WriteBack struct {
	// Inner delivers.
	Inner writeback.Notifier
	// Client is the vendor's API client whose limit the delivery keeps.
	Client *Client
	// Locate, when set, returns the call as Inner should get it: its id
	// with the CRM record in front ("contact-797:bitrix24-…", where the
	// write-back adapters find it). Its error ends the delivery.
	Locate func(ctx context.Context, call storage.Call) (storage.Call, error)
	// Vendor, when set, is the intake vendor whose CRM this is: of the
	// telephony calls, only that vendor's are delivered (Wants), so that
	// a Bitrix24 portal gets no amoCRM lead's result and the other way
	// round. Webhook calls are delivered as without it.
	Vendor string
}

// Wants reports whether call is for this write-back (writeback.Selective).
func (w *WriteBack) Wants(call storage.Call) bool {
	if w.Vendor == "" || call.Source != storage.SourceTelephony {
		return true
	}
	return strings.HasPrefix(call.ID, w.Vendor+"-") || strings.Contains(call.ID, ":"+w.Vendor+"-")
}

// Name is Inner's.
func (w *WriteBack) Name() string { return writeback.NameOf(w.Inner) }

// Notify locates the call's record when Locate is set, waits for the rate
// limit and delivers through Inner.
func (w *WriteBack) Notify(ctx context.Context, call storage.Call) error {
	if w.Locate != nil {
		var err error
		if call, err = w.Locate(ctx, call); err != nil {
			return err
		}
	}
	if err := w.Client.wait(ctx); err != nil {
		return err
	}
	return w.Inner.Notify(ctx, call)
}
