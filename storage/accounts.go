package storage

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
)

// Role is what a user account may do; package access holds the table of
// what each role may do.
type Role string

// Roles.
const (
	RoleAdmin   Role = "admin"
	RoleLead    Role = "lead"
	RoleManager Role = "manager"
)

// Scope is one permission of an API token.
type Scope string

// Token scopes.
const (
	ScopeAnalyze Scope = "analyze"
	ScopeWebhook Scope = "webhook"
	ScopeRead    Scope = "read"
	ScopeAdmin   Scope = "admin"
)

// User is one account of the server.
type User struct {
	// ID is the account's id, chosen by the caller (e.g. a random one).
	ID string
	// Login is unique case-insensitively (see LoginKey); a store keeps it
	// as given.
	Login string
	// Name is what the UI shows; empty shows the login.
	Name string
	Role Role
	// ManagerID links a manager account to the manager_id its calls carry.
	ManagerID string
	// Teams are the names of the teams a lead sees (see Team).
	Teams []string
	// PasswordHash is the encoded password hash (access.HashPassword),
	// never the password itself.
	PasswordHash string
	Disabled     bool
	// CreatedAt is set by the store on CreateUser; UpdatedAt on every write.
	CreatedAt, UpdatedAt time.Time
}

// Team is a named set of managers, the unit a lead is given.
type Team struct {
	Name       string
	ManagerIDs []string
}

// Session is one signed-in browser. IDHash is the hash of the cookie's
// random id (access.HashSecret), so that a copy of the database does not
// sign anybody in.
type Session struct {
	IDHash string
	UserID string
	// CreatedAt and ExpiresAt bound the session's whole life; LastSeenAt
	// is what the idle expiry is measured from.
	CreatedAt, LastSeenAt, ExpiresAt time.Time
}

// Token is one API token. Only the hash of its secret is kept.
type Token struct {
	ID     string
	Name   string
	Hash   string
	Scopes []Scope
	// CreatedBy is the id of the user who made it.
	CreatedBy string
	CreatedAt time.Time
	// LastUsedAt and RevokedAt are zero until the token is used or revoked.
	LastUsedAt, RevokedAt time.Time
}

// Revoked reports whether the token has been revoked.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// AccessAction is what somebody did with a call's personal data.
type AccessAction string

// Access actions.
const (
	AccessView   AccessAction = "view"
	AccessExport AccessAction = "export"
	AccessDelete AccessAction = "delete"
)

// AccessEvent is one line of the access log: who did what with which call,
// when and from where.
type AccessEvent struct {
	At     time.Time
	Action AccessAction
	CallID string
	// ManagerID is the call's manager, so that a manager's data can be
	// traced without the call.
	ManagerID string
	// ActorID is the user's or the token's id; Actor its login or
	// "token:" + name, as it was at the time.
	ActorID, Actor string
	// ClientAddr is the client's address as the server saw it.
	ClientAddr string
}

// AccessQuery selects access log lines, newest first. Zero fields do not
// filter; Limit 0 means DefaultLimit, over MaxLimit is KindInvalid.
type AccessQuery struct {
	CallID  string
	ActorID string
	// Before is exclusive: lines strictly older than it, for paging.
	Before time.Time
	Limit  int
}

// PageLimit is the query's page size: DefaultLimit for 0, a KindInvalid
// error outside 1..MaxLimit.
func (q AccessQuery) PageLimit() (int, error) {
	switch {
	case q.Limit == 0:
		return DefaultLimit, nil
	case q.Limit < 0 || q.Limit > MaxLimit:
		return 0, callaudit.Invalid(callaudit.FieldError{Field: "limit", Message: "must be between 1 and " + strconv.Itoa(MaxLimit),
			Code: callaudit.CodeTooBig, Params: map[string]string{"max": strconv.Itoa(MaxLimit)}})
	}
	return q.Limit, nil
}

// LoginKey is the form in which logins are compared: two logins that
// differ only in case (in any script) are the same account.
func LoginKey(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// Accounts is implemented by stores that also keep the server's users,
// teams, sessions, API tokens and access log. It is optional: a library
// user's own Store need not implement it, and a server without it runs
// without accounts. Callers type-assert.
//
// Contract (checked by storagetest.RunAccounts):
//   - Safe for concurrent use; returned values are copies, slices never
//     shared with the store.
//   - Times are kept to the microsecond at least and returned in UTC.
//   - CreateUser stores a new user, setting CreatedAt and UpdatedAt; an
//     empty ID or Login is KindInvalid; an ID or LoginKey(Login) already
//     taken is KindConflict. UpdateUser replaces every field but ID and
//     CreatedAt of the user with that ID (KindNotFound if none; KindConflict
//     if the new login is another user's).
//   - User and UserByLogin of an unknown user are KindNotFound;
//     UserByLogin matches LoginKey. Users lists every user by LoginKey.
//   - PutTeam inserts or replaces a team by Name (empty is KindInvalid);
//     Teams lists them by name; DeleteTeam of an unknown name is KindNotFound.
//   - Session returns the session with its user (one read: it runs on
//     every signed-in request); an unknown hash, or a session whose user
//     is gone, is KindNotFound.
//   - TokenByHash of an unknown hash is KindNotFound, as are
//     TouchSession, TouchToken and RevokeToken of unknown ones.
//     DeleteSession of an unknown session is not an error;
//     DeleteUserSessions removes every session of the user;
//     DeleteExpiredSessions removes those with ExpiresAt before the time.
//   - CreateToken with an empty ID or Hash is KindInvalid, a taken ID or
//     Hash KindConflict. Tokens lists every token, newest first.
//   - LogAccess appends every event; AccessLog returns them newest first
//     (ties in any stable order) filtered by the query.
//   - Every method returns promptly with an error once ctx is done.
type Accounts interface {
	CreateUser(ctx context.Context, u User) error
	UpdateUser(ctx context.Context, u User) error
	User(ctx context.Context, id string) (User, error)
	UserByLogin(ctx context.Context, login string) (User, error)
	Users(ctx context.Context) ([]User, error)

	PutTeam(ctx context.Context, t Team) error
	DeleteTeam(ctx context.Context, name string) error
	Teams(ctx context.Context) ([]Team, error)

	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, idHash string) (Session, User, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteUserSessions(ctx context.Context, userID string) error
	DeleteExpiredSessions(ctx context.Context, before time.Time) error

	CreateToken(ctx context.Context, t Token) error
	TokenByHash(ctx context.Context, hash string) (Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	TouchToken(ctx context.Context, id string, at time.Time) error
	RevokeToken(ctx context.Context, id string, at time.Time) error

	LogAccess(ctx context.Context, events ...AccessEvent) error
	AccessLog(ctx context.Context, q AccessQuery) ([]AccessEvent, error)
}
