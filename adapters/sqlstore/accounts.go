package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

var _ storage.Accounts = (*Store)(nil)

// acctErr translates err like translate, with a message about what (a
// user, a token…) rather than about a call.
func (s *Store) acctErr(op, what string, err error) error {
	if err == nil {
		return nil
	}
	e := s.translate(op, err)
	var ce *callaudit.Error
	if errors.As(e, &ce) {
		switch ce.Kind {
		case callaudit.KindNotFound:
			return &callaudit.Error{Kind: ce.Kind, Op: ce.Op, Message: what + " not found", Err: ce.Err}
		case callaudit.KindConflict:
			return &callaudit.Error{Kind: ce.Kind, Op: ce.Op, Message: "a " + what + " with this id or name exists", Err: ce.Err}
		}
	}
	return e
}

// execOne runs a write that must change one row; none is KindNotFound.
func (s *Store) execOne(ctx context.Context, op, what, q string, args ...any) error {
	res, err := s.write.ExecContext(ctx, s.dialect.rebind(q), args...)
	if err != nil {
		return s.acctErr(op, what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.acctErr(op, what, err)
	} else if n == 0 {
		return s.acctErr(op, what, sql.ErrNoRows)
	}
	return nil
}

func (s *Store) execAcct(ctx context.Context, op, what, q string, args ...any) error {
	_, err := s.write.ExecContext(ctx, s.dialect.rebind(q), args...)
	return s.acctErr(op, what, err)
}

// readRow runs a one-row account read: prepared once on SQLite (these
// run on every signed-in request), as it is on PostgreSQL by pgx.
func (s *Store) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = s.dialect.rebind(query)
	if s.stmts != nil {
		if stmt, err := s.stmts.read(ctx, s.read, query); err == nil {
			return stmt.QueryRowContext(ctx, args...)
		}
	}
	return s.read.QueryRowContext(ctx, query, args...)
}

// fixedStmt is the prepared statement of a query without arguments (its
// text never varies), or nil.
func (s *Store) fixedStmt(ctx context.Context, q string, args []any) (*sql.Stmt, error) {
	if s.stmts == nil || len(args) > 0 {
		return nil, nil
	}
	return s.stmts.read(ctx, s.read, q)
}

// nullTimeArg is NULL for a zero time.
func (s *Store) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.dialect.timeArg(t)
}

// nullTime scans a time that may be NULL (a zero time).
type nullTime struct{ t time.Time }

func (v *nullTime) Scan(src any) error {
	if src == nil {
		v.t = time.Time{}
		return nil
	}
	var tv timeValue
	err := tv.Scan(src)
	v.t = tv.t
	return err
}

// jsonList scans a JSON array of strings (of any string type).
type jsonList[T ~string] struct{ v *[]T }

func (j jsonList[T]) Scan(src any) error {
	var b []byte
	switch x := src.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	case nil:
		*j.v = nil
		return nil
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	*j.v = out
	return nil
}

func jsonArg[T ~string](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // a slice of strings always encodes
	return string(b)
}

// Users.

const userColumns = "id, login, name, role, manager_id, teams, password_hash, disabled, created_at, updated_at"

func scanUser(r rowScanner) (storage.User, error) {
	var (
		u                storage.User
		role             string
		disabled         bool
		created, updated timeValue
	)
	err := r.Scan(&u.ID, &u.Login, &u.Name, &role, &u.ManagerID, jsonList[string]{&u.Teams},
		&u.PasswordHash, &disabled, &created, &updated)
	u.Role, u.Disabled, u.CreatedAt, u.UpdatedAt = storage.Role(role), disabled, created.t, updated.t
	return u, err
}

// CreateUser stores a new user.
func (s *Store) CreateUser(ctx context.Context, u storage.User) error {
	switch {
	case u.ID == "":
		return invalid("id", "must not be empty")
	case storage.LoginKey(u.Login) == "":
		return invalid("login", "must not be empty")
	}
	now := s.dialect.timeArg(s.now())
	return s.execAcct(ctx, "CreateUser", "user",
		"INSERT INTO auth_users (id, login, login_key, name, role, manager_id, teams, password_hash, disabled, created_at, updated_at)"+
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		u.ID, u.Login, storage.LoginKey(u.Login), u.Name, string(u.Role), u.ManagerID, jsonArg(u.Teams),
		u.PasswordHash, u.Disabled, now, now)
}

// UpdateUser replaces the user with u.ID, keeping CreatedAt.
func (s *Store) UpdateUser(ctx context.Context, u storage.User) error {
	if storage.LoginKey(u.Login) == "" {
		return invalid("login", "must not be empty")
	}
	return s.execOne(ctx, "UpdateUser", "user",
		"UPDATE auth_users SET login = ?, login_key = ?, name = ?, role = ?, manager_id = ?, teams = ?, password_hash = ?, disabled = ?, updated_at = ?"+
			" WHERE id = ?",
		u.Login, storage.LoginKey(u.Login), u.Name, string(u.Role), u.ManagerID, jsonArg(u.Teams),
		u.PasswordHash, u.Disabled, s.dialect.timeArg(s.now()), u.ID)
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id string) (storage.User, error) {
	u, err := scanUser(s.readRow(ctx, "SELECT "+userColumns+" FROM auth_users WHERE id = ?", id))
	return u, s.acctErr("User", "user", err)
}

// UserByLogin returns the user whose login matches, ignoring case.
func (s *Store) UserByLogin(ctx context.Context, login string) (storage.User, error) {
	u, err := scanUser(s.readRow(ctx, "SELECT "+userColumns+" FROM auth_users WHERE login_key = ?", storage.LoginKey(login)))
	return u, s.acctErr("UserByLogin", "user", err)
}

// Users lists every user by login.
func (s *Store) Users(ctx context.Context) ([]storage.User, error) {
	return queryAll(ctx, s, "Users", "SELECT "+userColumns+" FROM auth_users ORDER BY login_key", nil, scanUser)
}

// queryAll runs q and scans every row with scan.
// Queries of fixed text are prepared once on SQLite (as readRow); the
// access log's, built per query, are not.
func queryAll[T any](ctx context.Context, s *Store, op, q string, args []any, scan func(rowScanner) (T, error)) ([]T, error) {
	q = s.dialect.rebind(q)
	var (
		rows *sql.Rows
		err  error
	)
	if stmt, perr := s.fixedStmt(ctx, q, args); perr == nil && stmt != nil {
		rows, err = stmt.QueryContext(ctx, args...)
	} else {
		rows, err = s.read.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, s.translate(op, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.translate(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.translate(op, err)
	}
	return out, nil
}

// Teams.

// PutTeam inserts or replaces the team t.Name.
func (s *Store) PutTeam(ctx context.Context, t storage.Team) error {
	if t.Name == "" {
		return invalid("name", "must not be empty")
	}
	return s.execAcct(ctx, "PutTeam", "team",
		"INSERT INTO auth_teams (name, manager_ids) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET manager_ids = excluded.manager_ids",
		t.Name, jsonArg(t.ManagerIDs))
}

// DeleteTeam removes the team name.
func (s *Store) DeleteTeam(ctx context.Context, name string) error {
	return s.execOne(ctx, "DeleteTeam", "team", "DELETE FROM auth_teams WHERE name = ?", name)
}

// Teams lists the teams by name.
func (s *Store) Teams(ctx context.Context) ([]storage.Team, error) {
	return queryAll(ctx, s, "Teams", "SELECT name, manager_ids FROM auth_teams ORDER BY name", nil,
		func(r rowScanner) (storage.Team, error) {
			var t storage.Team
			err := r.Scan(&t.Name, jsonList[string]{&t.ManagerIDs})
			return t, err
		})
}

// Sessions.

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se storage.Session) error {
	if se.IDHash == "" {
		return invalid("id_hash", "must not be empty")
	}
	d := s.dialect
	return s.execAcct(ctx, "CreateSession", "session",
		"INSERT INTO auth_sessions (id_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		se.IDHash, se.UserID, d.timeArg(se.CreatedAt), d.timeArg(se.LastSeenAt), d.timeArg(se.ExpiresAt))
}

// Session returns the session with idHash and its user, in one query.
func (s *Store) Session(ctx context.Context, idHash string) (storage.Session, storage.User, error) {
	var (
		se                   storage.Session
		created, seen, until timeValue
	)
	u, err := scanUser(scanPrefix{s.readRow(ctx, "SELECT s.id_hash, s.created_at, s.last_seen_at, s.expires_at, "+
		"u.id, u.login, u.name, u.role, u.manager_id, u.teams, u.password_hash, u.disabled, u.created_at, u.updated_at"+
		" FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id WHERE s.id_hash = ?", idHash),
		[]any{&se.IDHash, &created, &seen, &until}})
	if err != nil {
		return storage.Session{}, storage.User{}, s.acctErr("Session", "session", err)
	}
	se.UserID, se.CreatedAt, se.LastSeenAt, se.ExpiresAt = u.ID, created.t, seen.t, until.t
	return se, u, nil
}

// scanPrefix scans its own destinations, then the caller's, from one row.
type scanPrefix struct {
	r     rowScanner
	first []any
}

func (p scanPrefix) Scan(dest ...any) error { return p.r.Scan(append(p.first, dest...)...) }

// TouchSession sets the session's LastSeenAt.
func (s *Store) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	return s.execOne(ctx, "TouchSession", "session", "UPDATE auth_sessions SET last_seen_at = ? WHERE id_hash = ?", s.dialect.timeArg(at), idHash)
}

// DeleteSession removes the session, if it exists.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.execAcct(ctx, "DeleteSession", "session", "DELETE FROM auth_sessions WHERE id_hash = ?", idHash)
}

// DeleteUserSessions removes every session of the user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	return s.execAcct(ctx, "DeleteUserSessions", "session", "DELETE FROM auth_sessions WHERE user_id = ?", userID)
}

// DeleteExpiredSessions removes the sessions whose ExpiresAt is before t.
func (s *Store) DeleteExpiredSessions(ctx context.Context, t time.Time) error {
	return s.execAcct(ctx, "DeleteExpiredSessions", "session", "DELETE FROM auth_sessions WHERE expires_at < ?", s.dialect.timeArg(t))
}

// Tokens.

const tokenColumns = "id, name, hash, scopes, created_by, created_at, last_used_at, revoked_at"

func scanToken(r rowScanner) (storage.Token, error) {
	var (
		t             storage.Token
		created       timeValue
		used, revoked nullTime
	)
	err := r.Scan(&t.ID, &t.Name, &t.Hash, jsonList[storage.Scope]{&t.Scopes}, &t.CreatedBy, &created, &used, &revoked)
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = created.t, used.t, revoked.t
	return t, err
}

// CreateToken stores a new token.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	switch {
	case t.ID == "":
		return invalid("id", "must not be empty")
	case t.Hash == "":
		return invalid("hash", "must not be empty")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	return s.execAcct(ctx, "CreateToken", "token",
		"INSERT INTO auth_tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		t.ID, t.Name, t.Hash, jsonArg(t.Scopes), t.CreatedBy, s.dialect.timeArg(t.CreatedAt),
		s.nullTimeArg(t.LastUsedAt), s.nullTimeArg(t.RevokedAt))
}

// TokenByHash returns the token whose secret hashes to hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (storage.Token, error) {
	t, err := scanToken(s.readRow(ctx, "SELECT "+tokenColumns+" FROM auth_tokens WHERE hash = ?", hash))
	return t, s.acctErr("TokenByHash", "token", err)
}

// Tokens lists every token, newest first.
func (s *Store) Tokens(ctx context.Context) ([]storage.Token, error) {
	return queryAll(ctx, s, "Tokens", "SELECT "+tokenColumns+" FROM auth_tokens ORDER BY created_at DESC, id DESC", nil, scanToken)
}

// TouchToken sets the token's LastUsedAt.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, "TouchToken", "token", "UPDATE auth_tokens SET last_used_at = ? WHERE id = ?", s.dialect.timeArg(at), id)
}

// RevokeToken sets the token's RevokedAt.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, "RevokeToken", "token", "UPDATE auth_tokens SET revoked_at = ? WHERE id = ?", s.dialect.timeArg(at), id)
}

// Access log.

// LogAccess appends events to the access log, in one transaction.
func (s *Store) LogAccess(ctx context.Context, events ...storage.AccessEvent) error {
	if len(events) == 0 {
		return nil
	}
	const q = "INSERT INTO access_log (at, action, call_id, manager_id, actor_id, actor, client_addr) VALUES (?, ?, ?, ?, ?, ?, ?)"
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.dialect.rebind(q))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range events {
			if e.At.IsZero() {
				e.At = s.now()
			}
			if _, err := stmt.ExecContext(ctx, s.dialect.timeArg(e.At), string(e.Action), e.CallID, e.ManagerID, e.ActorID, e.Actor, e.ClientAddr); err != nil {
				return err
			}
		}
		return nil
	})
	return s.translate("LogAccess", err)
}

// AccessLog returns the access log lines q selects, newest first.
func (s *Store) AccessLog(ctx context.Context, q storage.AccessQuery) ([]storage.AccessEvent, error) {
	limit, err := q.PageLimit()
	if err != nil {
		return nil, err
	}
	var w where
	if q.CallID != "" {
		w.add("call_id = ?", q.CallID)
	}
	if q.ActorID != "" {
		w.add("actor_id = ?", q.ActorID)
	}
	if !q.Before.IsZero() {
		w.add("at < ?", s.dialect.timeArg(q.Before))
	}
	query := "SELECT at, action, call_id, manager_id, actor_id, actor, client_addr FROM access_log" + w.sql() +
		" ORDER BY at DESC, seq DESC LIMIT ?"
	return queryAll(ctx, s, "AccessLog", query, append(w.args, limit), func(r rowScanner) (storage.AccessEvent, error) {
		var (
			e      storage.AccessEvent
			at     timeValue
			action string
		)
		err := r.Scan(&at, &action, &e.CallID, &e.ManagerID, &e.ActorID, &e.Actor, &e.ClientAddr)
		e.At, e.Action = at.t, storage.AccessAction(strings.TrimSpace(action))
		return e, err
	})
}
