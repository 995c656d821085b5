package writeback_test

import (
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/adapters/writeback/amocrm"
	"github.com/callaudit/callaudit/adapters/writeback/bitrix24"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
)

// The adapters implement Notifier. Checked here rather than in each
// adapter: this package imports them, so they cannot import it.
var (
	_ writeback.Notifier = (*signedhook.Notifier)(nil)
	_ writeback.Notifier = (*amocrm.Notifier)(nil)
	_ writeback.Notifier = (*bitrix24.Notifier)(nil)
	_ writeback.Notifier = (*writeback.Multi)(nil)
)
