package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/httpapi"
	"github.com/callaudit/callaudit/audit"
)

// recordingRescorer answers as adapters/queue does and keeps the request
// (the queue itself is tested in adapters/queue).
type recordingRescorer struct{ got audit.RescoreRequest }

func (r *recordingRescorer) StartRescore(_ context.Context, req audit.RescoreRequest) (audit.RescoreStatus, error) {
	r.got = req
	return audit.RescoreStatus{ID: "r1", State: audit.RescoreRunning, Since: req.Since, Scorecard: req.Scorecard, CreatedAt: time.Now()}, nil
}

func (r *recordingRescorer) Rescore(_ context.Context, id string) (audit.RescoreStatus, error) {
	if id != "r1" {
		return audit.RescoreStatus{}, callaudit.Errorf(callaudit.KindNotFound, "rescore %q not found", id)
	}
	return audit.RescoreStatus{ID: id, State: audit.RescoreDone, RescoreProgress: audit.RescoreProgress{Total: 3, Done: 2, Failed: 1, Finished: true}}, nil
}

func TestRescoreAPI(t *testing.T) {
	rs := &recordingRescorer{}
	e := newEnv(t, envOpts{cfg: httpapi.Config{Rescorer: rs}})
	rec := e.do(jsonReq(http.MethodPost, "/rescore", `{"since": "2026-01-01", "until": "2026-02-01T00:00:00Z", "scorecard": "bank-retail"}`))
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	assert.Equal(t, "/rescore/r1", rec.Header().Get("Location"))
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), rs.got.Since)
	assert.Equal(t, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), rs.got.Until)
	assert.Equal(t, "bank-retail", rs.got.Scorecard)

	rec = e.do(httptest.NewRequest(http.MethodGet, "/rescore/r1", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	job := decode[httpapi.RescoreJob](t, rec)
	assert.Equal(t, httpapi.RescoreJob{ID: "r1", State: "done", Total: 3, Done: 2, Failed: 1}, job)

	requireError(t, e.do(httptest.NewRequest(http.MethodGet, "/rescore/nope", nil)), http.StatusNotFound, callaudit.KindNotFound)
	requireError(t, e.do(jsonReq(http.MethodPost, "/rescore", `{"since": "yesterday"}`)), http.StatusUnprocessableEntity, callaudit.KindInvalid)

	none := newEnv(t, envOpts{})
	requireError(t, none.do(jsonReq(http.MethodPost, "/rescore", `{}`)), http.StatusServiceUnavailable, callaudit.KindNotConfigured)
}
