package access

import (
	"slices"

	"github.com/callaudit/callaudit/storage"
)

// Kind is what a request is authenticated as.
type Kind string

// Principal kinds.
const (
	// KindUser is a signed-in account (a session cookie).
	KindUser Kind = "user"
	// KindToken is an API token.
	KindToken Kind = "token"
	// KindLocal is every request of a server without accounts: local mode
	// on a loopback address, or accounts switched off explicitly. It may do
	// everything, as the server did before accounts existed.
	KindLocal Kind = "local"
)

// Principal is who a request acts as. The zero value is anonymous and may
// do nothing.
type Principal struct {
	Kind Kind
	// ID is the user's or the token's id; Name the login or the token's
	// name.
	ID, Name string
	// DisplayName is the user's name for the UI.
	DisplayName string
	// Role is set for users.
	Role storage.Role
	// Scopes are set for tokens.
	Scopes []storage.Scope
	// ManagerID is a manager user's own manager id.
	ManagerID string
	// Managers are the manager ids of a lead's teams.
	Managers []string
}

// Local is the principal of a server without accounts.
var Local = Principal{Kind: KindLocal, Name: "local"}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.Kind == "" }

// Can reports whether the principal has the permission.
func (p Principal) Can(perm Permission) bool {
	switch p.Kind {
	case KindLocal:
		return true
	case KindUser:
		return RoleCan(p.Role, perm)
	case KindToken:
		for _, s := range p.Scopes {
			if ScopeCan(s, perm) {
				return true
			}
		}
	}
	return false
}

// Visibility says whose calls the principal sees.
func (p Principal) Visibility() Visibility {
	if p.Kind == KindUser {
		if g, ok := roleTable[p.Role]; ok {
			return g.sees
		}
		return SeesOwn
	}
	return SeesAll
}

// Sees reports whether the principal sees the calls of managerID. A call
// without a manager is seen only by those who see every call.
func (p Principal) Sees(managerID string) bool {
	switch p.Visibility() {
	case SeesAll:
		return true
	case SeesTeams:
		return managerID != "" && slices.Contains(p.Managers, managerID)
	default:
		return managerID != "" && managerID == p.ManagerID
	}
}

// Restrict narrows a listing filter to the calls the principal sees. It
// returns false when the principal sees none of what f asks for, so the
// caller answers an empty page without asking the store.
func (p Principal) Restrict(f storage.Filter) (storage.Filter, bool) {
	switch p.Visibility() {
	case SeesAll:
		return f, true
	case SeesTeams:
		if f.ManagerID != "" {
			return f, p.Sees(f.ManagerID)
		}
		if len(p.Managers) == 0 {
			return f, false
		}
		f.ManagerIDs = slices.Clone(p.Managers)
		return f, true
	default:
		if p.ManagerID == "" || (f.ManagerID != "" && f.ManagerID != p.ManagerID) {
			return f, false
		}
		f.ManagerID = p.ManagerID
		return f, true
	}
}

// Label names the principal in the access log: the login, or "token:" and
// the token's name.
func (p Principal) Label() string {
	if p.Kind == KindToken {
		return "token:" + p.Name
	}
	return p.Name
}
