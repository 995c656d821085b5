package access_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

func TestRoleTable(t *testing.T) {
	tests := []struct {
		role storage.Role
		may  []access.Permission
	}{
		{storage.RoleAdmin, access.Permissions},
		{storage.RoleLead, []access.Permission{access.Analyze, access.Read, access.Export, access.Review, access.Scorecards}},
		{storage.RoleManager, []access.Permission{access.Analyze, access.Read, access.Dispute}},
		{"visitor", nil},
	}
	for _, tt := range tests {
		for _, p := range access.Permissions {
			want := false
			for _, m := range tt.may {
				want = want || m == p
			}
			assert.Equal(t, want, access.RoleCan(tt.role, p), "%s may %s", tt.role, p)
			assert.Equal(t, want, access.Principal{Kind: access.KindUser, Role: tt.role}.Can(p), "principal %s may %s", tt.role, p)
		}
	}
}

func TestScopeTable(t *testing.T) {
	tests := []struct {
		scope storage.Scope
		may   []access.Permission
	}{
		{storage.ScopeAnalyze, []access.Permission{access.Analyze}},
		{storage.ScopeWebhook, []access.Permission{access.Webhook}},
		{storage.ScopeRead, []access.Permission{access.Read, access.Export}},
		{storage.ScopeAdmin, []access.Permission{access.Admin, access.Delete, access.Scorecards}},
	}
	for _, tt := range tests {
		p := access.Principal{Kind: access.KindToken, Scopes: []storage.Scope{tt.scope}}
		for _, perm := range access.Permissions {
			want := false
			for _, m := range tt.may {
				want = want || m == perm
			}
			assert.Equal(t, want, p.Can(perm), "scope %s may %s", tt.scope, perm)
		}
	}
	assert.False(t, access.Principal{}.Can(access.Read), "anonymous may nothing")
	assert.True(t, access.Local.Can(access.Admin), "local mode may everything")
}

func TestMarkdownNamesEveryRoleAndScope(t *testing.T) {
	md := access.Markdown()
	lines := strings.Split(strings.TrimSpace(md), "\n")
	require.Len(t, lines, 2+len(access.Roles)+len(access.Scopes))
	assert.Contains(t, lines[0], "| who | analyze | webhook | read | export | review | dispute | delete | scorecards | admin | sees |")
	assert.Contains(t, md, "| role `manager` | ✓ | – | ✓ | – | – | ✓ | – | – | – | their own calls |")
	assert.Contains(t, md, "| role `lead` | ✓ | – | ✓ | ✓ | ✓ | – | – | ✓ | – | the calls of their teams' managers |")
	assert.Contains(t, md, "| token scope `read` | – | – | ✓ | ✓ | – | – | – | – | – | every call |")
}

func TestSeesAndRestrict(t *testing.T) {
	manager := access.Principal{Kind: access.KindUser, Role: storage.RoleManager, ManagerID: "m1"}
	lead := access.Principal{Kind: access.KindUser, Role: storage.RoleLead, Managers: []string{"m1", "m2"}}
	lonely := access.Principal{Kind: access.KindUser, Role: storage.RoleLead}
	admin := access.Principal{Kind: access.KindUser, Role: storage.RoleAdmin}
	token := access.Principal{Kind: access.KindToken, Scopes: []storage.Scope{storage.ScopeRead}}

	for _, tt := range []struct {
		name    string
		p       access.Principal
		manager string
		want    bool
	}{
		{"manager, own", manager, "m1", true},
		{"manager, other", manager, "m2", false},
		{"manager, none", manager, "", false},
		{"lead, team", lead, "m2", true},
		{"lead, outside", lead, "m3", false},
		{"lead, none", lead, "", false},
		{"admin", admin, "m9", true},
		{"admin, none", admin, "", true},
		{"token", token, "m9", true},
	} {
		assert.Equal(t, tt.want, tt.p.Sees(tt.manager), tt.name)
	}

	for _, tt := range []struct {
		name   string
		p      access.Principal
		in     storage.Filter
		want   storage.Filter
		wantOK bool
	}{
		{"manager: forced to own", manager, storage.Filter{}, storage.Filter{ManagerID: "m1"}, true},
		{"manager: asks own", manager, storage.Filter{ManagerID: "m1"}, storage.Filter{ManagerID: "m1"}, true},
		{"manager: asks other", manager, storage.Filter{ManagerID: "m2"}, storage.Filter{ManagerID: "m2"}, false},
		{"lead: team set", lead, storage.Filter{}, storage.Filter{ManagerIDs: []string{"m1", "m2"}}, true},
		{"lead: one of the team", lead, storage.Filter{ManagerID: "m2"}, storage.Filter{ManagerID: "m2"}, true},
		{"lead: outside", lead, storage.Filter{ManagerID: "m3"}, storage.Filter{ManagerID: "m3"}, false},
		{"lead without teams", lonely, storage.Filter{}, storage.Filter{}, false},
		{"admin: untouched", admin, storage.Filter{ManagerID: "m3"}, storage.Filter{ManagerID: "m3"}, true},
	} {
		got, ok := tt.p.Restrict(tt.in)
		assert.Equal(t, tt.wantOK, ok, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
	}
}

func TestPasswordHash(t *testing.T) {
	const pw = "correct horse battery"
	h1, h2 := access.HashPassword(pw), access.HashPassword(pw)
	assert.NotEqual(t, h1, h2, "a fresh salt each time")
	assert.True(t, strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$"), h1)
	assert.NotContains(t, h1, pw)
	for _, tt := range []struct {
		hash, pw string
		ok       bool
		err      bool
	}{
		{h1, pw, true, false},
		{h2, pw, true, false},
		{h1, pw + " ", false, false},
		{h1, "", false, false},
		{"$argon2i$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", pw, false, true},
		{"plain text", pw, false, true},
		{strings.Replace(h1, "t=2", "t=0", 1), pw, false, true},
	} {
		ok, err := access.CheckPassword(tt.hash, tt.pw)
		assert.Equal(t, tt.ok, ok, "%q / %q", tt.hash, tt.pw)
		assert.Equal(t, tt.err, err != nil, "%q: %v", tt.hash, err)
	}
}

func TestSecrets(t *testing.T) {
	a, b := access.NewToken(), access.NewToken()
	assert.NotEqual(t, a, b)
	assert.True(t, strings.HasPrefix(a, "ca_"))
	assert.GreaterOrEqual(t, len(a), 40)
	assert.Len(t, access.HashSecret(a), 64)
	assert.NotContains(t, access.HashSecret(a), a[3:])
	assert.NotEqual(t, access.NewSessionID(), access.NewSessionID())
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func newService(t *testing.T) (*access.Service, *memory.Store, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	st := memory.New(memory.WithClock(clk.now))
	svc, err := access.NewService(access.Config{Accounts: st, IdleTimeout: time.Hour, MaxAge: 10 * time.Hour, Now: clk.now})
	require.NoError(t, err)
	return svc, st, clk
}

const password = "s3cret-Pa55word"

func TestLogin(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t)
	u, err := svc.CreateUser(ctx, access.NewUser{Login: "Анна", Name: "Анна П.", Role: storage.RoleManager, ManagerID: "m1", Password: password})
	require.NoError(t, err)
	assert.NotContains(t, u.PasswordHash, password)

	id, got, err := svc.Login(ctx, "аННА", password)
	require.NoError(t, err, "the login is case-insensitive")
	assert.Equal(t, u.ID, got.ID)
	p, err := svc.SessionPrincipal(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, access.Principal{Kind: access.KindUser, ID: u.ID, Name: "Анна", DisplayName: "Анна П.", Role: storage.RoleManager, ManagerID: "m1"}, p)
	_, _, err = st.Session(ctx, id)
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err), "the store keeps the session id's hash, not the id")

	var msgs []string
	for _, tt := range []struct{ login, pw string }{{"Анна", "wrong password"}, {"nobody", password}, {"Анна", ""}} {
		_, _, err := svc.Login(ctx, tt.login, tt.pw)
		require.Error(t, err)
		assert.Equal(t, callaudit.KindUnauthorized, callaudit.KindOf(err))
		if tt.pw != "" {
			assert.NotContains(t, err.Error(), tt.pw)
		}
		msgs = append(msgs, callaudit.MessageOf(err))
	}
	assert.Equal(t, msgs[0], msgs[1], "a wrong password and an unknown login read alike")

	_, err = svc.CreateUser(ctx, access.NewUser{Login: "анна", Role: storage.RoleAdmin, Password: password})
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err))
	_, err = svc.CreateUser(ctx, access.NewUser{Login: "short", Role: storage.RoleAdmin, Password: "1234567"})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.NotContains(t, err.Error(), "1234567")
	_, err = svc.CreateUser(ctx, access.NewUser{Login: "m", Role: storage.RoleManager, Password: password})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "a manager needs a manager_id")
	_, err = svc.CreateUser(ctx, access.NewUser{Login: "x", Role: "owner", Password: password})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

func TestSessionLifetime(t *testing.T) {
	ctx := context.Background()
	svc, _, clk := newService(t)
	u, err := svc.CreateUser(ctx, access.NewUser{Login: "lead", Role: storage.RoleLead, Password: password})
	require.NoError(t, err)
	login := func() string {
		id, _, err := svc.Login(ctx, "lead", password)
		require.NoError(t, err)
		return id
	}
	alive := func(id string) bool {
		_, err := svc.SessionPrincipal(ctx, id)
		if err != nil {
			require.True(t, access.IsUnauthorized(err), "%v", err)
		}
		return err == nil
	}

	idle := login()
	clk.add(59 * time.Minute)
	assert.True(t, alive(idle), "used within the idle timeout")
	clk.add(59 * time.Minute)
	assert.True(t, alive(idle), "the last use counts, not the sign-in")
	clk.add(61 * time.Minute)
	assert.False(t, alive(idle), "idle too long")

	long := login()
	for range 12 {
		clk.add(55 * time.Minute)
		alive(long)
	}
	assert.False(t, alive(long), "past the absolute age, however busy")

	a, b := login(), login()
	require.NoError(t, svc.Logout(ctx, a))
	assert.False(t, alive(a), "logout ends the session")
	assert.True(t, alive(b), "other sessions stay")
	pw := "another-password"
	_, err = svc.UpdateUser(ctx, u.ID, access.UserChange{Password: &pw})
	require.NoError(t, err)
	assert.False(t, alive(b), "a new password ends every session")
	_, _, err = svc.Login(ctx, "lead", password)
	assert.Error(t, err, "the old password no longer works")

	c := login2(t, svc, "lead", pw)
	yes := true
	_, err = svc.UpdateUser(ctx, u.ID, access.UserChange{Disabled: &yes})
	require.NoError(t, err)
	assert.False(t, alive(c), "disabling ends every session")
	_, _, err = svc.Login(ctx, "lead", pw)
	assert.Error(t, err, "a disabled user cannot sign in")
	assert.False(t, alive("made-up"))
}

func login2(t *testing.T, svc *access.Service, login, pw string) string {
	t.Helper()
	id, _, err := svc.Login(context.Background(), login, pw)
	require.NoError(t, err)
	return id
}

func TestKeepsAnAdmin(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	_, err := svc.CreateFirstUser(ctx, access.NewUser{Login: "m", Role: storage.RoleManager, ManagerID: "m1", Password: password})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "the first account must be an admin")
	a, err := svc.CreateFirstUser(ctx, access.NewUser{Login: "root", Role: storage.RoleAdmin, Password: password})
	require.NoError(t, err)
	yes, lead := true, storage.RoleLead
	_, err = svc.UpdateUser(ctx, a.ID, access.UserChange{Disabled: &yes})
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err), "the last admin cannot be disabled")
	_, err = svc.UpdateUser(ctx, a.ID, access.UserChange{Role: &lead})
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err), "nor demoted")
	b, err := svc.CreateFirstUser(ctx, access.NewUser{Login: "second", Role: storage.RoleAdmin, Password: password})
	require.NoError(t, err)
	_, err = svc.UpdateUser(ctx, a.ID, access.UserChange{Disabled: &yes})
	require.NoError(t, err, "with another admin, one may be disabled")
	_, err = svc.UpdateUser(ctx, b.ID, access.UserChange{Role: &lead})
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err), "a disabled admin does not count")
	_, err = svc.CreateFirstUser(ctx, access.NewUser{Login: "m", Role: storage.RoleManager, ManagerID: "m1", Password: password})
	require.NoError(t, err, "once accounts exist, any role")
}

func TestLeadTeams(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t)
	require.NoError(t, st.PutTeam(ctx, storage.Team{Name: "north", ManagerIDs: []string{"m2", "m1"}}))
	require.NoError(t, st.PutTeam(ctx, storage.Team{Name: "south", ManagerIDs: []string{"m3", "m1"}}))
	require.NoError(t, st.PutTeam(ctx, storage.Team{Name: "west", ManagerIDs: []string{"m9"}}))
	u, err := svc.CreateUser(ctx, access.NewUser{Login: "lead", Role: storage.RoleLead, Teams: []string{"north", "south"}, Password: password})
	require.NoError(t, err)
	p, err := svc.UserPrincipal(ctx, u)
	require.NoError(t, err)
	assert.Equal(t, []string{"m1", "m2", "m3"}, p.Managers)
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	svc, st, clk := newService(t)
	secret, tok, err := svc.CreateToken(ctx, "amoCRM", []storage.Scope{storage.ScopeWebhook, storage.ScopeRead, storage.ScopeWebhook}, "u1")
	require.NoError(t, err)
	assert.Equal(t, []storage.Scope{storage.ScopeRead, storage.ScopeWebhook}, tok.Scopes)
	stored, err := st.Tokens(ctx)
	require.NoError(t, err)
	require.Len(t, stored, 1)
	assert.NotContains(t, fmt.Sprintf("%+v", stored[0]), secret[3:], "the store has no trace of the secret")

	p, err := svc.TokenPrincipal(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, "token:amoCRM", p.Label())
	assert.True(t, p.Can(access.Webhook))
	assert.False(t, p.Can(access.Analyze))
	stored, _ = st.Tokens(ctx)
	assert.True(t, stored[0].LastUsedAt.Equal(clk.now()), "last use recorded")

	for _, bad := range []string{"", "Bearer x", "ca_unknown", secret + "x"} {
		_, err := svc.TokenPrincipal(ctx, bad)
		assert.True(t, access.IsUnauthorized(err), "%q: %v", bad, err)
		if bad != "" {
			assert.NotContains(t, err.Error(), bad)
		}
	}
	require.NoError(t, svc.RevokeToken(ctx, tok.ID))
	_, err = svc.TokenPrincipal(ctx, secret)
	assert.True(t, access.IsUnauthorized(err), "revoked")

	for _, tt := range []struct {
		name   string
		scopes []storage.Scope
	}{{"", []storage.Scope{storage.ScopeRead}}, {"x", nil}, {"x", []storage.Scope{"everything"}}} {
		_, _, err := svc.CreateToken(ctx, tt.name, tt.scopes, "u1")
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), "%+v", tt)
	}
}
