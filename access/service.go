package access

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// Session defaults.
const (
	// DefaultIdleTimeout ends a session nobody used for a working day.
	DefaultIdleTimeout = 8 * time.Hour
	// DefaultMaxAge ends every session a week after sign-in.
	DefaultMaxAge = 7 * 24 * time.Hour
)

// touchEvery is how stale a session's LastSeenAt or a token's LastUsedAt
// may get before a request writes it again: one write a minute per
// session, not one per request.
const touchEvery = time.Minute

// Config configures a Service.
type Config struct {
	// Accounts keeps users, sessions and tokens (required).
	Accounts storage.Accounts
	// IdleTimeout ends a session unused for this long; 0 is DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxAge ends a session this long after sign-in; 0 is DefaultMaxAge.
	MaxAge time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Service signs users in and out, checks sessions and tokens, and manages
// accounts. It is safe for concurrent use.
type Service struct {
	acct      storage.Accounts
	idle, max time.Duration
	now       func() time.Time
}

// NewService returns a Service for cfg.
func NewService(cfg Config) (*Service, error) {
	if cfg.Accounts == nil {
		return nil, callaudit.Errorf(callaudit.KindNotConfigured, "access.NewService: Accounts is required")
	}
	if cfg.IdleTimeout < 0 || cfg.MaxAge < 0 {
		return nil, callaudit.Errorf(callaudit.KindInvalid, "access.NewService: session lifetimes must not be negative")
	}
	s := &Service{acct: cfg.Accounts, idle: cfg.IdleTimeout, max: cfg.MaxAge, now: cfg.Now}
	if s.idle == 0 {
		s.idle = DefaultIdleTimeout
	}
	if s.max == 0 {
		s.max = DefaultMaxAge
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Accounts returns the store the service works on.
func (s *Service) Accounts() storage.Accounts { return s.acct }

// MaxAge is how long a session lives at most, for the cookie's Max-Age.
func (s *Service) MaxAge() time.Duration { return s.max }

// errSignIn is the one answer to a failed sign-in, whatever failed, so
// that it tells nobody which logins exist.
func errSignIn(err error) error {
	e := callaudit.Coded(callaudit.KindUnauthorized, CodeSignInWrong, "the login or the password is wrong", nil)
	e.Op, e.Err = "access.Login", err
	return e
}

// errSession is the answer to a session that is unknown or has ended.
var errSession = callaudit.Coded(callaudit.KindUnauthorized, CodeSessionEnded, "the session has ended: sign in again", nil)

// HasUsers reports whether any account exists.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	users, err := s.acct.Users(ctx)
	return len(users) > 0, err
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Login, Name string
	Role        storage.Role
	ManagerID   string
	Teams       []string
	Password    string
}

func checkPassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return callaudit.Invalid(callaudit.FieldError{Field: "password", Message: "must be at least 8 characters",
			Code: callaudit.CodeTooShort, Params: map[string]string{"min": "8"}})
	}
	return nil
}

func checkUser(u storage.User) error {
	var fields []callaudit.FieldError
	if storage.LoginKey(u.Login) == "" || strings.ContainsAny(u.Login, " \t\r\n") {
		fields = append(fields, callaudit.FieldError{Field: "login", Message: "must not be empty or hold spaces", Code: CodeLoginSpaces})
	}
	if !ValidRole(u.Role) {
		fields = append(fields, callaudit.FieldError{Field: "role", Message: "must be one of: admin, lead, manager",
			Code: callaudit.CodeOneOf, Params: map[string]string{"values": "admin, lead, manager"}})
	}
	if u.Role == storage.RoleManager && u.ManagerID == "" {
		fields = append(fields, callaudit.FieldError{Field: "manager_id", Message: "a manager needs the manager_id their calls carry", Code: CodeManagerIDFor})
	}
	if len(fields) > 0 {
		return callaudit.Invalid(fields...)
	}
	return nil
}

// CreateUser adds an account with a hashed password.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (storage.User, error) {
	u := storage.User{ID: NewID(), Login: strings.TrimSpace(n.Login), Name: n.Name, Role: n.Role,
		ManagerID: n.ManagerID, Teams: n.Teams}
	if err := checkUser(u); err != nil {
		return storage.User{}, err
	}
	if err := checkPassword(n.Password); err != nil {
		return storage.User{}, err
	}
	u.PasswordHash = HashPassword(n.Password)
	if err := s.acct.CreateUser(ctx, u); err != nil {
		if callaudit.KindOf(err) == callaudit.KindConflict {
			e := callaudit.Coded(callaudit.KindConflict, CodeLoginExists, "a user with this login exists", nil)
			e.Op, e.Err = "access.CreateUser", err
			return storage.User{}, e
		}
		return storage.User{}, err
	}
	return s.acct.User(ctx, u.ID)
}

// UserChange is a change to an account; nil fields stay as they are.
type UserChange struct {
	Name      *string
	Role      *storage.Role
	ManagerID *string
	Teams     *[]string
	Disabled  *bool
	Password  *string
}

// UpdateUser changes an account. A new password or disabling the account
// ends every session of the user.
func (s *Service) UpdateUser(ctx context.Context, id string, c UserChange) (storage.User, error) {
	u, err := s.acct.User(ctx, id)
	if err != nil {
		return storage.User{}, err
	}
	wasAdmin := u.Role == storage.RoleAdmin && !u.Disabled
	if c.Name != nil {
		u.Name = *c.Name
	}
	if c.Role != nil {
		u.Role = *c.Role
	}
	if c.ManagerID != nil {
		u.ManagerID = *c.ManagerID
	}
	if c.Teams != nil {
		u.Teams = slices.Clone(*c.Teams)
	}
	endSessions := false
	if c.Disabled != nil {
		endSessions = *c.Disabled && !u.Disabled
		u.Disabled = *c.Disabled
	}
	if err := checkUser(u); err != nil {
		return storage.User{}, err
	}
	if wasAdmin {
		if err := s.keepAnAdmin(ctx, u); err != nil {
			return storage.User{}, err
		}
	}
	if c.Password != nil {
		if err := checkPassword(*c.Password); err != nil {
			return storage.User{}, err
		}
		u.PasswordHash = HashPassword(*c.Password)
		endSessions = true
	}
	if err := s.acct.UpdateUser(ctx, u); err != nil {
		return storage.User{}, err
	}
	if endSessions {
		if err := s.acct.DeleteUserSessions(ctx, u.ID); err != nil {
			return storage.User{}, err
		}
	}
	return s.acct.User(ctx, u.ID)
}

// keepAnAdmin refuses a change to an active admin that leaves none: nobody could
// manage the accounts any more (but with the command line).
func (s *Service) keepAnAdmin(ctx context.Context, changed storage.User) error {
	if changed.Role == storage.RoleAdmin && !changed.Disabled {
		return nil
	}
	users, err := s.acct.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.ID != changed.ID && u.Role == storage.RoleAdmin && !u.Disabled {
			return nil
		}
	}
	return callaudit.Coded(callaudit.KindConflict, CodeLastAdmin, "this is the last active admin: make another admin first", nil)
}

// CreateFirstUser is CreateUser for the account that ends local mode: it
// must be an admin, or nobody could manage the others.
func (s *Service) CreateFirstUser(ctx context.Context, n NewUser) (storage.User, error) {
	has, err := s.HasUsers(ctx)
	if err != nil {
		return storage.User{}, err
	}
	if !has && n.Role != storage.RoleAdmin {
		return storage.User{}, callaudit.Invalid(callaudit.FieldError{Field: "role", Code: CodeFirstAdmin,
			Message: "the first account must be an admin"})
	}
	return s.CreateUser(ctx, n)
}

// Login checks a login and password and starts a session. It returns the
// session id for the cookie (never stored: the store keeps its hash).
// Whatever fails, the error is the same KindUnauthorized.
func (s *Service) Login(ctx context.Context, login, password string) (sessionID string, u storage.User, err error) {
	u, err = s.acct.UserByLogin(ctx, login)
	if err != nil {
		if callaudit.KindOf(err) != callaudit.KindNotFound {
			return "", storage.User{}, err
		}
		_, _ = CheckPassword(dummyHash, password) // as long as a wrong password
		return "", storage.User{}, errSignIn(nil)
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil || !ok || u.Disabled {
		return "", storage.User{}, errSignIn(err)
	}
	now := s.now().UTC()
	// Sign-ins are rare: a good moment to forget sessions that ended.
	_ = s.acct.DeleteExpiredSessions(ctx, now)
	id := NewSessionID()
	err = s.acct.CreateSession(ctx, storage.Session{IDHash: HashSecret(id), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.max)})
	if err != nil {
		return "", storage.User{}, err
	}
	return id, u, nil
}

// Logout ends the session; an unknown one is not an error.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	return s.acct.DeleteSession(ctx, HashSecret(sessionID))
}

// SessionPrincipal returns who the session's cookie signs in, or a
// KindUnauthorized error when the session is unknown, idle too long, past
// its age, or its user is disabled or gone.
func (s *Service) SessionPrincipal(ctx context.Context, sessionID string) (Principal, error) {
	hash := HashSecret(sessionID)
	se, u, err := s.acct.Session(ctx, hash)
	if err != nil {
		return Principal{}, unauthorizedIfNotFound(err, errSession)
	}
	now := s.now()
	if !now.Before(se.ExpiresAt) || now.Sub(se.LastSeenAt) >= s.idle {
		_ = s.acct.DeleteSession(ctx, hash)
		return Principal{}, errSession
	}
	if u.Disabled {
		return Principal{}, errSession
	}
	if now.Sub(se.LastSeenAt) >= touchEvery {
		if err := s.acct.TouchSession(ctx, hash, now); err != nil {
			return Principal{}, unauthorizedIfNotFound(err, errSession)
		}
	}
	return s.UserPrincipal(ctx, u)
}

// UserPrincipal returns the principal of a user: a lead's teams resolved
// to manager ids.
func (s *Service) UserPrincipal(ctx context.Context, u storage.User) (Principal, error) {
	p := Principal{Kind: KindUser, ID: u.ID, Name: u.Login, DisplayName: u.Name, Role: u.Role, ManagerID: u.ManagerID}
	if u.Role == storage.RoleLead && len(u.Teams) > 0 {
		teams, err := s.acct.Teams(ctx)
		if err != nil {
			return Principal{}, err
		}
		for _, t := range teams {
			if slices.Contains(u.Teams, t.Name) {
				p.Managers = append(p.Managers, t.ManagerIDs...)
			}
		}
		slices.Sort(p.Managers)
		p.Managers = slices.Compact(p.Managers)
	}
	return p, nil
}

var errToken = callaudit.Coded(callaudit.KindUnauthorized, CodeTokenUnknown, "the API token is unknown or revoked", nil)

var scopesError = callaudit.FieldError{Field: "scopes", Message: "must be one of: analyze, webhook, read, admin",
	Code: callaudit.CodeOneOf, Params: map[string]string{"values": "analyze, webhook, read, admin"}}

// CreateToken makes an API token and returns its secret, which is shown
// once: the store keeps only its hash.
func (s *Service) CreateToken(ctx context.Context, name string, scopes []storage.Scope, createdBy string) (secret string, t storage.Token, err error) {
	if strings.TrimSpace(name) == "" {
		return "", storage.Token{}, callaudit.Invalid(callaudit.FieldError{Field: "name", Message: "is required and must not be empty", Code: callaudit.CodeEmpty})
	}
	if len(scopes) == 0 {
		return "", storage.Token{}, callaudit.Invalid(scopesError)
	}
	for _, sc := range scopes {
		if !ValidScope(sc) {
			return "", storage.Token{}, callaudit.Invalid(scopesError)
		}
	}
	secret = NewToken()
	t = storage.Token{ID: NewID(), Name: strings.TrimSpace(name), Hash: HashSecret(secret), Scopes: slices.Compact(slices.Sorted(slices.Values(scopes))),
		CreatedBy: createdBy, CreatedAt: s.now().UTC()}
	if err := s.acct.CreateToken(ctx, t); err != nil {
		return "", storage.Token{}, err
	}
	return secret, t, nil
}

// TokenPrincipal returns who the token signs in, or a KindUnauthorized
// error for a malformed, unknown or revoked token.
func (s *Service) TokenPrincipal(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return Principal{}, callaudit.Coded(callaudit.KindUnauthorized, CodeTokenPrefix, "an API token starts with ca_", nil)
	}
	t, err := s.acct.TokenByHash(ctx, HashSecret(secret))
	if err != nil {
		return Principal{}, unauthorizedIfNotFound(err, errToken)
	}
	if t.Revoked() {
		return Principal{}, errToken
	}
	if now := s.now(); now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.acct.TouchToken(ctx, t.ID, now); err != nil {
			return Principal{}, unauthorizedIfNotFound(err, errToken)
		}
	}
	return Principal{Kind: KindToken, ID: t.ID, Name: t.Name, Scopes: t.Scopes}, nil
}

// RevokeToken revokes the token with id.
func (s *Service) RevokeToken(ctx context.Context, id string) error {
	return s.acct.RevokeToken(ctx, id, s.now())
}

func unauthorizedIfNotFound(err, instead error) error {
	if callaudit.KindOf(err) == callaudit.KindNotFound {
		return instead
	}
	return err
}

// IsUnauthorized reports whether err is a KindUnauthorized error.
func IsUnauthorized(err error) bool {
	var ce *callaudit.Error
	return errors.As(err, &ce) && ce.Kind == callaudit.KindUnauthorized
}
