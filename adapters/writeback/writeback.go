// Package writeback delivers audit results back to where the sales team
// works. Each adapter implements Notifier and is chosen by
// its own Config:
//
//   - signedhook: a signed Standard Webhooks POST to any URL;
//   - amocrm: a note on the lead in amoCRM;
//   - bitrix24: a timeline comment in Bitrix24.
//
// A server builds the ones it has settings for (the reference server:
// cmd/internal/config and adapters/auditfx). Deliver each with a queue (one job per call and notifier is best: a failing CRM then does
// not make the others deliver twice), or combine them with Multi.
//
// The sub-packages note (what a result says), send (HTTP answers to error
// kinds) and crmref (the CRM record in a call id) are shared by the
// adapters; writebacktest has fake receivers for tests.
package writeback

import "github.com/callaudit/callaudit/storage"

// Named is implemented by notifiers that have a short name for logs and
// call statuses ("amocrm"). All adapters here do.
type Named interface {
	Name() string
}

// Selective is implemented by notifiers that take only some calls (a
// telephony intake's write-back to its own CRM takes that intake's calls
// and the webhook's, not another vendor's). A queue does not deliver to
// them the calls for which Wants is false.
type Selective interface {
	Wants(call storage.Call) bool
}

// NameOf returns n's name, or "notifier" for one without.
func NameOf(n Notifier) string {
	if nn, ok := n.(Named); ok {
		return nn.Name()
	}
	return "notifier"
}
