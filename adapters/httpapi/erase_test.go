package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
)

func saidCall(id, text string) storage.Call {
	tr := transcribe.Transcript{Segments: []transcribe.Segment{{Speaker: transcribe.RoleClient, Text: text}}}
	return storage.Call{ID: id, Status: storage.StatusDone, CreatedAt: time.Now(), Report: &score.Report{Criteria: map[string]int{}, Transcript: &tr}}
}

func erasureEnv(t *testing.T, allow bool) (*env, *memory.Store, *audit.Eraser) {
	st := memory.New()
	for _, c := range []storage.Call{saidCall("a", "мой номер 8 912 345 67 89"), saidCall("b", "+7 (912) 345-67-89"), saidCall("c", "почта x@y.ru")} {
		require.NoError(t, st.Save(context.Background(), c))
	}
	er := &audit.Eraser{Store: st}
	e := newEnv(t, envOpts{store: st, cfg: httpapi.Config{Eraser: er, AllowErasure: allow}})
	return e, st, er
}

func TestEraseBySubject(t *testing.T) {
	e, st, er := erasureEnv(t, true)

	rec := e.do(jsonReq(http.MethodPost, "/erasure", `{"subject":"89123456789"}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got := decode[httpapi.Erasure](t, rec)
	assert.True(t, got.DryRun, "a dry run unless asked otherwise")
	assert.ElementsMatch(t, []string{"a", "b"}, got.Calls)
	assert.Equal(t, 2, got.Count)
	assert.Equal(t, httpapi.WriteBackNote, got.WriteBack)
	assert.Equal(t, 3, st.Len())

	rec = e.do(jsonReq(http.MethodPost, "/erasure", `{"subject":"+7 912 345-67-89","dry_run":false}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	got = decode[httpapi.Erasure](t, rec)
	assert.False(t, got.DryRun)
	assert.ElementsMatch(t, []string{"a", "b"}, got.Calls)
	assert.Equal(t, 1, st.Len(), "exactly the matching calls went")
	assert.NotContains(t, e.logs.String(), "912", "the access log never holds the subject")

	rec = e.do(jsonReq(http.MethodPost, "/erasure", `{"subject":"nobody"}`))
	requireError(t, rec, http.StatusUnprocessableEntity, callaudit.KindInvalid)

	rec = e.do(jsonReq(http.MethodDelete, "/calls/c", ""))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, []string{"c"}, decode[httpapi.Erasure](t, rec).Calls)
	assert.Zero(t, st.Len())
	requireError(t, e.do(jsonReq(http.MethodDelete, "/calls/c", "")), http.StatusNotFound, callaudit.KindNotFound)

	metrics := e.do(jsonReq(http.MethodGet, "/metrics", "")).Body.String()
	assert.Contains(t, metrics, "callaudit_calls_erased_total 3")
	assert.Contains(t, metrics, "callaudit_calls_purged_total 0")
	assert.EqualValues(t, 3, er.Erased())
}

func TestErasureRefusedOutsideLocalMode(t *testing.T) {
	e, st, _ := erasureEnv(t, false)
	requireError(t, e.do(jsonReq(http.MethodDelete, "/calls/a", "")), http.StatusForbidden, callaudit.KindForbidden)
	requireError(t, e.do(jsonReq(http.MethodPost, "/erasure", `{"subject":"89123456789","dry_run":false}`)), http.StatusForbidden, callaudit.KindForbidden)
	assert.Equal(t, 3, st.Len())

	noEraser := newEnv(t, envOpts{})
	requireError(t, noEraser.do(jsonReq(http.MethodDelete, "/calls/a", "")), http.StatusServiceUnavailable, callaudit.KindNotConfigured)
}
