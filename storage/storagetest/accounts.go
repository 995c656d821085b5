package storagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// RunAccounts checks newStore's stores against the storage.Accounts
// contract, each subtest with a fresh store.
//
//	storagetest.RunAccounts(t, func(t *testing.T) storage.Accounts { return mystore.New() })
func RunAccounts(t *testing.T, newStore func(t *testing.T) storage.Accounts) {
	t.Helper()
	runEach(t, newStore,
		kit[storage.Accounts]{"UserRoundTrip", testUserRoundTrip},
		kit[storage.Accounts]{"UserBadRequests", testUserBadRequests},
		kit[storage.Accounts]{"UserUpdate", testUserUpdate},
		kit[storage.Accounts]{"UsersOrder", testUsersOrder},
		kit[storage.Accounts]{"UserCopies", testUserCopies},
		kit[storage.Accounts]{"UserConcurrentLogins", testUserConcurrentLogins},
		kit[storage.Accounts]{"Teams", testTeams},
		kit[storage.Accounts]{"Sessions", testSessions},
		kit[storage.Accounts]{"Tokens", testTokens},
		kit[storage.Accounts]{"AccessLog", testAccessLog},
		kit[storage.Accounts]{"AccountsCanceledContext", testAccountsCanceled},
	)
}

// kit is one conformance test of a store capability S.
type kit[S any] struct {
	name string
	run  func(t *testing.T, s S)
}

// runEach runs each test in its own subtest with a fresh store.
func runEach[S any](t *testing.T, newStore func(t *testing.T) S, tests ...kit[S]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "NewStore returned nil")
			tt.run(t, s)
		})
	}
}

func kindIs(t *testing.T, want callaudit.Kind, err error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	assert.Equal(t, want, callaudit.KindOf(err), append([]any{"error %v"}, err)...)
}

func sampleUser(id, login string) storage.User {
	return storage.User{ID: id, Login: login, Name: "Name of " + login, Role: storage.RoleLead,
		ManagerID: "m-" + id, Teams: []string{"north", "south"}, PasswordHash: "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA"}
}

// assertUser compares every field but the times, which are checked to be set.
func assertUser(t *testing.T, want, got storage.User) {
	t.Helper()
	assert.False(t, got.CreatedAt.IsZero(), "CreatedAt is set")
	assert.False(t, got.UpdatedAt.IsZero(), "UpdatedAt is set")
	assert.Equal(t, time.UTC, got.CreatedAt.Location(), "times in UTC")
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	assert.Equal(t, want, got)
}

func testUserRoundTrip(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	u := sampleUser("u1", "Анна.Петрова")
	u.Disabled = true
	require.NoError(t, s.CreateUser(c, u))
	got, err := s.User(c, "u1")
	require.NoError(t, err)
	assertUser(t, u, got)
	for _, login := range []string{"Анна.Петрова", "анна.петрова", "АННА.ПЕТРОВА", " анна.Петрова "} {
		got, err := s.UserByLogin(c, login)
		require.NoError(t, err, "login %q", login)
		assert.Equal(t, "u1", got.ID, "login %q", login)
	}
	_, err = s.User(c, "nobody")
	kindIs(t, callaudit.KindNotFound, err)
	_, err = s.UserByLogin(c, "nobody")
	kindIs(t, callaudit.KindNotFound, err)
}

func testUserBadRequests(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	require.NoError(t, s.CreateUser(c, sampleUser("u1", "Boris")))
	kindIs(t, callaudit.KindConflict, s.CreateUser(c, sampleUser("u2", "bORIS")), "same login, other case")
	kindIs(t, callaudit.KindConflict, s.CreateUser(c, sampleUser("u1", "other")), "same id")
	kindIs(t, callaudit.KindInvalid, s.CreateUser(c, sampleUser("", "x")), "empty id")
	kindIs(t, callaudit.KindInvalid, s.CreateUser(c, sampleUser("u3", "  ")), "empty login")
	kindIs(t, callaudit.KindNotFound, s.UpdateUser(c, sampleUser("nobody", "nobody")), "update unknown")
	users, err := s.Users(c)
	require.NoError(t, err)
	assert.Len(t, users, 1, "refused users are not stored")
}

func testUserUpdate(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	require.NoError(t, s.CreateUser(c, sampleUser("u1", "anna")))
	require.NoError(t, s.CreateUser(c, sampleUser("u2", "boris")))
	before, err := s.User(c, "u1")
	require.NoError(t, err)

	changed := before
	changed.Login, changed.Name, changed.Role = "Anna.K", "Anna K.", storage.RoleManager
	changed.ManagerID, changed.Teams, changed.PasswordHash, changed.Disabled = "anna-k", nil, "new-hash", true
	require.NoError(t, s.UpdateUser(c, changed))
	got, err := s.User(c, "u1")
	require.NoError(t, err)
	assert.True(t, before.CreatedAt.Equal(got.CreatedAt), "CreatedAt kept")
	changed.Teams = got.Teams // nil and empty are alike
	assert.Empty(t, got.Teams)
	assertUser(t, changed, got)

	_, err = s.UserByLogin(c, "anna")
	kindIs(t, callaudit.KindNotFound, err, "the old login is free")
	byNew, err := s.UserByLogin(c, "anna.k")
	require.NoError(t, err)
	assert.Equal(t, "u1", byNew.ID)

	taken := got
	taken.Login = "BORIS"
	kindIs(t, callaudit.KindConflict, s.UpdateUser(c, taken), "another user's login")
	require.NoError(t, s.CreateUser(c, sampleUser("u3", "anna")), "the old login can be taken again")
}

func testUsersOrder(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	for i, login := range []string{"vera", "Anna", "boris"} {
		require.NoError(t, s.CreateUser(c, sampleUser(fmt.Sprint("u", i), login)))
	}
	users, err := s.Users(c)
	require.NoError(t, err)
	var logins []string
	for _, u := range users {
		logins = append(logins, u.Login)
	}
	assert.Equal(t, []string{"Anna", "boris", "vera"}, logins)
}

func testUserCopies(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	u := sampleUser("u1", "anna")
	require.NoError(t, s.CreateUser(c, u))
	u.Teams[0] = "changed after create"
	got, err := s.User(c, "u1")
	require.NoError(t, err)
	got.Teams[1] = "changed after read"
	again, err := s.User(c, "u1")
	require.NoError(t, err)
	assert.Equal(t, []string{"north", "south"}, again.Teams)
}

func testUserConcurrentLogins(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	const n = 16
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		ok, clash int
	)
	for i := range n {
		wg.Go(func() {
			err := s.CreateUser(c, sampleUser(fmt.Sprint("u", i), fmt.Sprintf("Same%c", "Ss"[i%2])))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case callaudit.KindOf(err) == callaudit.KindConflict:
				clash++
			default:
				t.Errorf("CreateUser: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, ok, "exactly one of concurrent creates of one login succeeds")
	assert.Equal(t, n-1, clash)
}

func testTeams(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	teams, err := s.Teams(c)
	require.NoError(t, err)
	assert.Empty(t, teams)
	require.NoError(t, s.PutTeam(c, storage.Team{Name: "south", ManagerIDs: []string{"m3"}}))
	require.NoError(t, s.PutTeam(c, storage.Team{Name: "north", ManagerIDs: []string{"m1"}}))
	require.NoError(t, s.PutTeam(c, storage.Team{Name: "north", ManagerIDs: []string{"m1", "m2"}}), "put replaces")
	kindIs(t, callaudit.KindInvalid, s.PutTeam(c, storage.Team{}), "empty name")
	teams, err = s.Teams(c)
	require.NoError(t, err)
	assert.Equal(t, []storage.Team{{Name: "north", ManagerIDs: []string{"m1", "m2"}}, {Name: "south", ManagerIDs: []string{"m3"}}}, teams)
	require.NoError(t, s.DeleteTeam(c, "north"))
	kindIs(t, callaudit.KindNotFound, s.DeleteTeam(c, "north"), "delete twice")
	teams, err = s.Teams(c)
	require.NoError(t, err)
	assert.Len(t, teams, 1)
}

func testSessions(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	at := base.Add(time.Hour)
	mk := func(id, user string, expires time.Time) storage.Session {
		return storage.Session{IDHash: id, UserID: user, CreatedAt: at, LastSeenAt: at, ExpiresAt: expires}
	}
	require.NoError(t, s.CreateUser(c, sampleUser("u1", "anna")))
	require.NoError(t, s.CreateUser(c, sampleUser("u2", "boris")))
	require.NoError(t, s.CreateSession(c, mk("s1", "u1", at.Add(time.Hour))))
	require.NoError(t, s.CreateSession(c, mk("s2", "u1", at.Add(2*time.Hour))))
	require.NoError(t, s.CreateSession(c, mk("s3", "u2", at.Add(3*time.Hour))))
	kindIs(t, callaudit.KindInvalid, s.CreateSession(c, mk("", "u1", at)), "empty hash")
	kindIs(t, callaudit.KindConflict, s.CreateSession(c, mk("s1", "u2", at)), "taken hash")

	got, user, err := s.Session(c, "s1")
	require.NoError(t, err)
	assert.Equal(t, "u1", got.UserID)
	assert.Equal(t, "anna", user.Login, "the session's user comes with it")
	assert.Equal(t, []string{"north", "south"}, user.Teams)
	assert.True(t, got.ExpiresAt.Equal(at.Add(time.Hour)), "ExpiresAt %v", got.ExpiresAt)
	assert.True(t, got.CreatedAt.Equal(at))

	seen := at.Add(10*time.Minute + 123*time.Microsecond)
	require.NoError(t, s.TouchSession(c, "s1", seen))
	got, _, err = s.Session(c, "s1")
	require.NoError(t, err)
	assert.True(t, got.LastSeenAt.Equal(seen), "LastSeenAt %v, want %v", got.LastSeenAt, seen)
	kindIs(t, callaudit.KindNotFound, s.TouchSession(c, "nobody", seen))
	_, _, err = s.Session(c, "nobody")
	kindIs(t, callaudit.KindNotFound, err)

	require.NoError(t, s.DeleteSession(c, "nobody"), "deleting an unknown session is not an error")
	require.NoError(t, s.DeleteExpiredSessions(c, at.Add(90*time.Minute)))
	_, _, err = s.Session(c, "s1")
	kindIs(t, callaudit.KindNotFound, err, "expired before the time")
	_, _, err = s.Session(c, "s2")
	require.NoError(t, err, "expires after the time")

	require.NoError(t, s.DeleteUserSessions(c, "u1"))
	_, _, err = s.Session(c, "s2")
	kindIs(t, callaudit.KindNotFound, err, "the user's sessions end")
	_, _, err = s.Session(c, "s3")
	require.NoError(t, err, "another user's session stays")
	require.NoError(t, s.DeleteSession(c, "s3"))
	_, _, err = s.Session(c, "s3")
	kindIs(t, callaudit.KindNotFound, err)

	require.NoError(t, s.CreateSession(c, mk("orphan", "gone", at.Add(time.Hour))))
	_, _, err = s.Session(c, "orphan")
	kindIs(t, callaudit.KindNotFound, err, "a session whose user is gone")
}

func testTokens(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	at := base.Add(time.Hour)
	older := storage.Token{ID: "t1", Name: "amoCRM", Hash: "h1", Scopes: []storage.Scope{storage.ScopeWebhook}, CreatedBy: "u1", CreatedAt: at}
	newer := storage.Token{ID: "t2", Name: "BI", Hash: "h2", Scopes: []storage.Scope{storage.ScopeRead, storage.ScopeAnalyze}, CreatedBy: "u1", CreatedAt: at.Add(time.Minute)}
	require.NoError(t, s.CreateToken(c, older))
	require.NoError(t, s.CreateToken(c, newer))
	kindIs(t, callaudit.KindConflict, s.CreateToken(c, storage.Token{ID: "t3", Hash: "h1", CreatedAt: at}), "taken hash")
	kindIs(t, callaudit.KindConflict, s.CreateToken(c, storage.Token{ID: "t1", Hash: "h3", CreatedAt: at}), "taken id")
	kindIs(t, callaudit.KindInvalid, s.CreateToken(c, storage.Token{ID: "t4"}), "empty hash")
	kindIs(t, callaudit.KindInvalid, s.CreateToken(c, storage.Token{Hash: "h4"}), "empty id")

	got, err := s.TokenByHash(c, "h2")
	require.NoError(t, err)
	assert.Equal(t, "t2", got.ID)
	assert.Equal(t, []storage.Scope{storage.ScopeRead, storage.ScopeAnalyze}, got.Scopes)
	assert.True(t, got.CreatedAt.Equal(newer.CreatedAt))
	assert.True(t, got.LastUsedAt.IsZero(), "never used")
	assert.False(t, got.Revoked())
	_, err = s.TokenByHash(c, "nobody")
	kindIs(t, callaudit.KindNotFound, err)

	used := at.Add(time.Hour)
	require.NoError(t, s.TouchToken(c, "t1", used))
	require.NoError(t, s.RevokeToken(c, "t1", used.Add(time.Second)))
	kindIs(t, callaudit.KindNotFound, s.TouchToken(c, "nobody", used))
	kindIs(t, callaudit.KindNotFound, s.RevokeToken(c, "nobody", used))

	list, err := s.Tokens(c)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{"t2", "t1"}, []string{list[0].ID, list[1].ID}, "newest first")
	assert.True(t, list[1].LastUsedAt.Equal(used))
	assert.True(t, list[1].Revoked())
	assert.True(t, list[1].RevokedAt.Equal(used.Add(time.Second)))
	assert.Equal(t, "amoCRM", list[1].Name)
	assert.Equal(t, "u1", list[1].CreatedBy)
}

func testAccessLog(t *testing.T, s storage.Accounts) {
	c := ctx(t)
	ev := func(i int, call, actor string) storage.AccessEvent {
		return storage.AccessEvent{At: base.Add(time.Duration(i) * time.Minute), Action: storage.AccessView, CallID: call,
			ManagerID: "m1", ActorID: actor, Actor: "login-" + actor, ClientAddr: "192.0.2.1"}
	}
	require.NoError(t, s.LogAccess(c, ev(1, "c1", "u1"), ev(2, "c2", "u1")))
	exp := ev(3, "c1", "u2")
	exp.Action = storage.AccessExport
	require.NoError(t, s.LogAccess(c, exp))
	require.NoError(t, s.LogAccess(c), "nothing to log")

	all, err := s.AccessLog(c, storage.AccessQuery{})
	require.NoError(t, err)
	require.Len(t, all, 3)
	assert.Equal(t, exp.Action, all[0].Action, "newest first")
	assert.True(t, all[0].At.Equal(exp.At))
	all[0].At = exp.At
	assert.Equal(t, exp, all[0], "every field kept")

	calls := func(q storage.AccessQuery) []string {
		t.Helper()
		got, err := s.AccessLog(c, q)
		require.NoError(t, err)
		out := []string{}
		for _, e := range got {
			out = append(out, e.CallID+"/"+e.ActorID)
		}
		return out
	}
	assert.Equal(t, []string{"c1/u2", "c1/u1"}, calls(storage.AccessQuery{CallID: "c1"}))
	assert.Equal(t, []string{"c2/u1", "c1/u1"}, calls(storage.AccessQuery{ActorID: "u1"}))
	assert.Equal(t, []string{"c2/u1", "c1/u1"}, calls(storage.AccessQuery{Before: exp.At}))
	assert.Equal(t, []string{"c1/u2"}, calls(storage.AccessQuery{Limit: 1}))
	_, err = s.AccessLog(c, storage.AccessQuery{Limit: -1})
	kindIs(t, callaudit.KindInvalid, err)
	_, err = s.AccessLog(c, storage.AccessQuery{Limit: storage.MaxLimit + 1})
	kindIs(t, callaudit.KindInvalid, err)
}

func testAccountsCanceled(t *testing.T, s storage.Accounts) {
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	at := base
	errs := map[string]error{
		"CreateUser":            s.CreateUser(c, sampleUser("u1", "anna")),
		"UpdateUser":            s.UpdateUser(c, sampleUser("u1", "anna")),
		"PutTeam":               s.PutTeam(c, storage.Team{Name: "north"}),
		"DeleteTeam":            s.DeleteTeam(c, "north"),
		"CreateSession":         s.CreateSession(c, storage.Session{IDHash: "s", UserID: "u1", CreatedAt: at, LastSeenAt: at, ExpiresAt: at}),
		"TouchSession":          s.TouchSession(c, "s", at),
		"DeleteSession":         s.DeleteSession(c, "s"),
		"DeleteUserSessions":    s.DeleteUserSessions(c, "u1"),
		"DeleteExpiredSessions": s.DeleteExpiredSessions(c, at),
		"CreateToken":           s.CreateToken(c, storage.Token{ID: "t", Hash: "h", CreatedAt: at}),
		"TouchToken":            s.TouchToken(c, "t", at),
		"RevokeToken":           s.RevokeToken(c, "t", at),
		"LogAccess":             s.LogAccess(c, storage.AccessEvent{At: at, Action: storage.AccessView}),
	}
	_, errs["User"] = s.User(c, "u1")
	_, errs["UserByLogin"] = s.UserByLogin(c, "anna")
	_, errs["Users"] = s.Users(c)
	_, errs["Teams"] = s.Teams(c)
	_, _, errs["Session"] = s.Session(c, "s")
	_, errs["TokenByHash"] = s.TokenByHash(c, "h")
	_, errs["Tokens"] = s.Tokens(c)
	_, errs["AccessLog"] = s.AccessLog(c, storage.AccessQuery{})
	for name, err := range errs {
		kindIs(t, callaudit.KindCanceled, err, name)
	}
}
