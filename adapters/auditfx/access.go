package auditfx

import (
	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/storage"
)

// Access provides the *access.Service over the store's accounts: the
// store must implement storage.Accounts (sqlstore and memory do).
// cfg.Accounts is taken from the graph.
func Access(cfg access.Config) fx.Option {
	return fx.Module("access", fx.Provide(func(s storage.Store) (*access.Service, error) {
		acct, ok := s.(storage.Accounts)
		if !ok {
			return nil, callaudit.Errorf(callaudit.KindNotConfigured, "accounts need a store that keeps them (storage.Accounts), and %T does not", s)
		}
		c := cfg
		c.Accounts = acct
		return access.NewService(c)
	}))
}
