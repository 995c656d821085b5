package memory

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// accounts is the storage.Accounts part of a Store. The zero value is
// ready; maps are made on first write.
type accounts struct {
	mu       sync.RWMutex
	users    map[string]storage.User // by ID
	logins   map[string]string       // LoginKey → ID
	teams    map[string]storage.Team
	sessions map[string]storage.Session
	tokens   map[string]storage.Token // by ID
	hashes   map[string]string        // token hash → ID
	log      []storage.AccessEvent
}

func (a *accounts) init() {
	if a.users == nil {
		a.users, a.logins = map[string]storage.User{}, map[string]string{}
		a.teams, a.sessions = map[string]storage.Team{}, map[string]storage.Session{}
		a.tokens, a.hashes = map[string]storage.Token{}, map[string]string{}
	}
}

func notFound(op, what string) error {
	return &callaudit.Error{Kind: callaudit.KindNotFound, Op: "memory." + op, Message: what + " not found"}
}

func conflict(op, msg string) error {
	return &callaudit.Error{Kind: callaudit.KindConflict, Op: "memory." + op, Message: msg}
}

func invalidField(field, msg string) error {
	return callaudit.Invalid(callaudit.FieldError{Field: field, Message: msg})
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func copyUser(u storage.User) storage.User {
	u.Teams = slices.Clone(u.Teams)
	u.CreatedAt, u.UpdatedAt = utc(u.CreatedAt), utc(u.UpdatedAt)
	return u
}

func copyToken(t storage.Token) storage.Token {
	t.Scopes = slices.Clone(t.Scopes)
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = utc(t.CreatedAt), utc(t.LastUsedAt), utc(t.RevokedAt)
	return t
}

func copyTeam(t storage.Team) storage.Team {
	t.ManagerIDs = slices.Clone(t.ManagerIDs)
	return t
}

// sortedCopies returns a copy of every value of m, in the order of cmp.
func sortedCopies[T any](m map[string]T, copyOf func(T) T, cmp func(x, y T) int) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, copyOf(v))
	}
	slices.SortFunc(out, cmp)
	return out
}

// write runs f under the accounts' lock, the maps made, once ctx allows.
func (s *Store) write(ctx context.Context, op string, f func(a *accounts) error) error {
	if err := ctxErr(ctx, "memory."+op); err != nil {
		return err
	}
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	a.init()
	return f(a)
}

// read runs f under the accounts' read lock, once ctx allows.
func read[T any](s *Store, ctx context.Context, op string, f func(a *accounts) (T, error)) (T, error) {
	if err := ctxErr(ctx, "memory."+op); err != nil {
		var zero T
		return zero, err
	}
	a := &s.acct
	a.mu.RLock()
	defer a.mu.RUnlock()
	return f(a)
}

// lookup is a copy of m[key], or what's KindNotFound for op.
func lookup[T any](m map[string]T, key string, copyOf func(T) T, op, what string) (T, error) {
	v, ok := m[key]
	if !ok {
		var zero T
		return zero, notFound(op, what)
	}
	return copyOf(v), nil
}

// CreateUser stores a new user.
func (s *Store) CreateUser(ctx context.Context, u storage.User) error {
	return s.write(ctx, "CreateUser", func(a *accounts) error {
		if u.ID == "" {
			return invalidField("id", "must not be empty")
		}
		key := storage.LoginKey(u.Login)
		switch {
		case key == "":
			return invalidField("login", "must not be empty")
		case a.users[u.ID].ID != "":
			return conflict("CreateUser", "a user with this id exists")
		case a.logins[key] != "":
			return conflict("CreateUser", "a user with this login exists")
		}
		now := s.now()
		u.CreatedAt, u.UpdatedAt = now, now
		a.users[u.ID] = copyUser(u)
		a.logins[key] = u.ID
		return nil
	})
}

// UpdateUser replaces the user with u.ID, keeping CreatedAt.
func (s *Store) UpdateUser(ctx context.Context, u storage.User) error {
	return s.write(ctx, "UpdateUser", func(a *accounts) error {
		key := storage.LoginKey(u.Login)
		if key == "" {
			return invalidField("login", "must not be empty")
		}
		old, ok := a.users[u.ID]
		if !ok {
			return notFound("UpdateUser", "user")
		}
		if id, ok := a.logins[key]; ok && id != u.ID {
			return conflict("UpdateUser", "a user with this login exists")
		}
		delete(a.logins, storage.LoginKey(old.Login))
		a.logins[key] = u.ID
		u.CreatedAt, u.UpdatedAt = old.CreatedAt, s.now()
		a.users[u.ID] = copyUser(u)
		return nil
	})
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id string) (storage.User, error) {
	return read(s, ctx, "User", func(a *accounts) (storage.User, error) {
		return lookup(a.users, id, copyUser, "User", "user")
	})
}

// UserByLogin returns the user whose login matches, ignoring case.
func (s *Store) UserByLogin(ctx context.Context, login string) (storage.User, error) {
	return read(s, ctx, "UserByLogin", func(a *accounts) (storage.User, error) {
		return lookup(a.users, a.logins[storage.LoginKey(login)], copyUser, "UserByLogin", "user")
	})
}

// Users lists every user by login.
func (s *Store) Users(ctx context.Context) ([]storage.User, error) {
	return read(s, ctx, "Users", func(a *accounts) ([]storage.User, error) {
		return sortedCopies(a.users, copyUser, func(x, y storage.User) int {
			return cmp.Compare(storage.LoginKey(x.Login), storage.LoginKey(y.Login))
		}), nil
	})
}

// PutTeam inserts or replaces the team t.Name.
func (s *Store) PutTeam(ctx context.Context, t storage.Team) error {
	return s.write(ctx, "PutTeam", func(a *accounts) error {
		if t.Name == "" {
			return invalidField("name", "must not be empty")
		}
		a.teams[t.Name] = copyTeam(t)
		return nil
	})
}

// DeleteTeam removes the team name.
func (s *Store) DeleteTeam(ctx context.Context, name string) error {
	return s.write(ctx, "DeleteTeam", func(a *accounts) error {
		if _, ok := a.teams[name]; !ok {
			return notFound("DeleteTeam", "team")
		}
		delete(a.teams, name)
		return nil
	})
}

// Teams lists the teams by name.
func (s *Store) Teams(ctx context.Context) ([]storage.Team, error) {
	return read(s, ctx, "Teams", func(a *accounts) ([]storage.Team, error) {
		return sortedCopies(a.teams, copyTeam, func(x, y storage.Team) int { return cmp.Compare(x.Name, y.Name) }), nil
	})
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se storage.Session) error {
	return s.write(ctx, "CreateSession", func(a *accounts) error {
		if se.IDHash == "" {
			return invalidField("id_hash", "must not be empty")
		}
		if _, ok := a.sessions[se.IDHash]; ok {
			return conflict("CreateSession", "the session exists")
		}
		se.CreatedAt, se.LastSeenAt, se.ExpiresAt = utc(se.CreatedAt), utc(se.LastSeenAt), utc(se.ExpiresAt)
		a.sessions[se.IDHash] = se
		return nil
	})
}

// Session returns the session with idHash and its user.
func (s *Store) Session(ctx context.Context, idHash string) (storage.Session, storage.User, error) {
	var se storage.Session
	u, err := read(s, ctx, "Session", func(a *accounts) (storage.User, error) {
		var ok bool
		if se, ok = a.sessions[idHash]; !ok {
			return storage.User{}, notFound("Session", "session")
		}
		return lookup(a.users, se.UserID, copyUser, "Session", "session")
	})
	if err != nil {
		return storage.Session{}, storage.User{}, err
	}
	return se, u, nil
}

// TouchSession sets the session's LastSeenAt.
func (s *Store) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	return s.write(ctx, "TouchSession", func(a *accounts) error {
		se, ok := a.sessions[idHash]
		if !ok {
			return notFound("TouchSession", "session")
		}
		se.LastSeenAt = utc(at)
		a.sessions[idHash] = se
		return nil
	})
}

// DeleteSession removes the session, if it exists.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.write(ctx, "DeleteSession", func(a *accounts) error {
		delete(a.sessions, idHash)
		return nil
	})
}

// DeleteUserSessions removes every session of the user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	return s.deleteSessions(ctx, "DeleteUserSessions", func(se storage.Session) bool { return se.UserID == userID })
}

// DeleteExpiredSessions removes the sessions whose ExpiresAt is before t.
func (s *Store) DeleteExpiredSessions(ctx context.Context, t time.Time) error {
	return s.deleteSessions(ctx, "DeleteExpiredSessions", func(se storage.Session) bool { return se.ExpiresAt.Before(t) })
}

func (s *Store) deleteSessions(ctx context.Context, op string, match func(storage.Session) bool) error {
	return s.write(ctx, op, func(a *accounts) error {
		maps.DeleteFunc(a.sessions, func(_ string, se storage.Session) bool { return match(se) })
		return nil
	})
}

// CreateToken stores a new token.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	return s.write(ctx, "CreateToken", func(a *accounts) error {
		switch {
		case t.ID == "":
			return invalidField("id", "must not be empty")
		case t.Hash == "":
			return invalidField("hash", "must not be empty")
		case a.tokens[t.ID].ID != "":
			return conflict("CreateToken", "a token with this id exists")
		case a.hashes[t.Hash] != "":
			return conflict("CreateToken", "a token with this hash exists")
		}
		if t.CreatedAt.IsZero() {
			t.CreatedAt = s.now()
		}
		a.tokens[t.ID] = copyToken(t)
		a.hashes[t.Hash] = t.ID
		return nil
	})
}

// TokenByHash returns the token whose secret hashes to hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (storage.Token, error) {
	return read(s, ctx, "TokenByHash", func(a *accounts) (storage.Token, error) {
		return lookup(a.tokens, a.hashes[hash], copyToken, "TokenByHash", "token")
	})
}

// Tokens lists every token, newest first.
func (s *Store) Tokens(ctx context.Context) ([]storage.Token, error) {
	return read(s, ctx, "Tokens", func(a *accounts) ([]storage.Token, error) {
		return sortedCopies(a.tokens, copyToken, func(x, y storage.Token) int {
			if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(y.ID, x.ID)
		}), nil
	})
}

// TouchToken sets the token's LastUsedAt.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.stampToken(ctx, "TouchToken", id, func(t *storage.Token) { t.LastUsedAt = at })
}

// RevokeToken sets the token's RevokedAt.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.stampToken(ctx, "RevokeToken", id, func(t *storage.Token) { t.RevokedAt = at })
}

func (s *Store) stampToken(ctx context.Context, op, id string, set func(*storage.Token)) error {
	return s.write(ctx, op, func(a *accounts) error {
		t, ok := a.tokens[id]
		if !ok {
			return notFound(op, "token")
		}
		set(&t)
		a.tokens[id] = copyToken(t)
		return nil
	})
}

// LogAccess appends events to the access log.
func (s *Store) LogAccess(ctx context.Context, events ...storage.AccessEvent) error {
	return s.write(ctx, "LogAccess", func(a *accounts) error {
		for _, e := range events {
			if e.At.IsZero() {
				e.At = s.now()
			}
			e.At = utc(e.At)
			a.log = append(a.log, e)
		}
		return nil
	})
}

// AccessLog returns the access log lines q selects, newest first.
func (s *Store) AccessLog(ctx context.Context, q storage.AccessQuery) ([]storage.AccessEvent, error) {
	limit, err := q.PageLimit()
	if err != nil {
		return nil, err
	}
	return read(s, ctx, "AccessLog", func(a *accounts) ([]storage.AccessEvent, error) {
		var out []storage.AccessEvent
		for _, e := range a.log {
			if (q.CallID == "" || e.CallID == q.CallID) && (q.ActorID == "" || e.ActorID == q.ActorID) &&
				(q.Before.IsZero() || e.At.Before(q.Before)) {
				out = append(out, e)
			}
		}
		// Appended in order, so a stable sort by time keeps ties in log order;
		// newest first is then the reverse.
		slices.SortStableFunc(out, func(x, y storage.AccessEvent) int { return x.At.Compare(y.At) })
		slices.Reverse(out)
		if len(out) > limit {
			out = out[:limit]
		}
		if out == nil {
			out = []storage.AccessEvent{}
		}
		return out, nil
	})
}
