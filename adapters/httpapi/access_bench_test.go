package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/adapters/sqlstore"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
)

// BenchmarkAccessCheck measures what signing a request in and checking
// its rule cost: GET /me (a handler that does almost nothing else) with
// no accounts (the baseline), with a session cookie and with a token, on
// the in-memory and the SQLite store. The check's cost is a path's time
// minus the baseline's. Sessions and tokens are touched at most once a
// minute, so the steady state reads and never writes. The session is a
// lead's, the costliest: its teams are read too.
//
//	go test -run '^$' -bench AccessCheck -benchmem -cpu 1 -count 5 ./adapters/httpapi/
func BenchmarkAccessCheck(b *testing.B) {
	newHandler := func(b *testing.B, acc *httpapi.Access, st storage.Store) *httpapi.Handler {
		a, err := audit.New(checklist.New(), audit.WithStore(st))
		require.NoError(b, err)
		h, err := httpapi.New(httpapi.Config{Auditor: a, Access: acc})
		require.NoError(b, err)
		return h
	}
	serve := func(b *testing.B, h http.Handler, set func(*http.Request)) {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		set(req)
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
		// CPU time is what a loaded machine distorts least: wall time
		// here includes waiting for a core.
		b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/1000, "cpu-µs/op")
	}
	b.Run("none", func(b *testing.B) {
		serve(b, newHandler(b, nil, memory.New()), func(*http.Request) {})
	})
	stores := map[string]func(b *testing.B) interface {
		storage.Store
		storage.Accounts
	}{
		"memory": func(*testing.B) interface {
			storage.Store
			storage.Accounts
		} {
			return memory.New()
		},
		"sqlite": func(b *testing.B) interface {
			storage.Store
			storage.Accounts
		} {
			s, err := sqlstore.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
	for _, name := range []string{"memory", "sqlite"} {
		st := stores[name](b)
		ctx := context.Background()
		svc, err := access.NewService(access.Config{Accounts: st})
		require.NoError(b, err)
		require.NoError(b, st.PutTeam(ctx, storage.Team{Name: "north", ManagerIDs: []string{"m1", "m2"}}))
		u, err := svc.CreateUser(ctx, access.NewUser{Login: "lead", Role: storage.RoleLead, Teams: []string{"north"}, Password: "bench-password"})
		require.NoError(b, err)
		sid := access.NewSessionID()
		now := time.Now()
		require.NoError(b, st.CreateSession(ctx, storage.Session{IDHash: access.HashSecret(sid), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}))
		secret, _, err := svc.CreateToken(ctx, "bench", []storage.Scope{storage.ScopeRead}, u.ID)
		require.NoError(b, err)
		h := newHandler(b, &httpapi.Access{Service: svc}, st)
		b.Run("session/"+name, func(b *testing.B) {
			serve(b, h, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: sid}) })
		})
		b.Run("token/"+name, func(b *testing.B) {
			serve(b, h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) })
		})
	}
}
