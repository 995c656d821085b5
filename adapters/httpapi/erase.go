package httpapi

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/storage"
)

// WriteBackNote is what every erasure answer says about copies sent out.
const WriteBackNote = "write-back targets (CRM notes, callbacks) are not touched: delete the copies there"

// Erasure is the JSON answer of DELETE /calls/{id} and POST /erasure.
type Erasure struct {
	// DryRun is true when nothing was deleted and Calls are what would go.
	DryRun bool     `json:"dry_run"`
	Calls  []string `json:"calls"`
	Count  int      `json:"count"`
	// WriteBack is WriteBackNote.
	WriteBack string `json:"write_back"`
}

// ErasureRequest is the JSON body of POST /erasure.
type ErasureRequest struct {
	// Subject is the data subject's phone number (any common form) or
	// e-mail address.
	Subject string `json:"subject"`
	// DryRun unset or true only lists the calls; false deletes them.
	DryRun *bool `json:"dry_run"`
}

// canErase refuses erasure unless the server allows it (Config.AllowErasure)
// and has an eraser.
func (h *Handler) canErase() error {
	if h.cfg.Eraser == nil {
		return callaudit.Errorf(callaudit.KindNotConfigured, "erasure needs a store that can delete calls, and none is configured")
	}
	// With accounts, the route's rule has already allowed it (admins).
	if !h.cfg.AllowErasure && h.cfg.Access == nil {
		return callaudit.Errorf(callaudit.KindForbidden, "erasing calls is for administrators; until accounts and roles are configured it is allowed only when the server listens on a loopback address (local mode)")
	}
	return nil
}

func (h *Handler) deleteCall(w http.ResponseWriter, r *http.Request) {
	if err := h.canErase(); err != nil {
		h.writeError(w, r, err)
		return
	}
	id, err := callIDOf(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	call := storage.Call{ID: id}
	if h.store != nil {
		if c, err := h.store.Get(r.Context(), id); err == nil {
			call = c // for the manager id in the access log
		}
	}
	if err := h.cfg.Eraser.Delete(r.Context(), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.logAccess(r, storage.AccessDelete, call)
	writeJSON(w, http.StatusOK, Erasure{Calls: []string{id}, Count: 1, WriteBack: WriteBackNote})
}

func (h *Handler) eraseSubject(w http.ResponseWriter, r *http.Request) {
	if err := h.canErase(); err != nil {
		h.writeError(w, r, err)
		return
	}
	var req ErasureRequest
	if err := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	dry := req.DryRun == nil || *req.DryRun
	ids, err := h.cfg.Eraser.EraseSubject(r.Context(), req.Subject, dry)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if ids == nil {
		ids = []string{}
	}
	if !dry {
		erased := make([]storage.Call, len(ids))
		for i, id := range ids {
			erased[i] = storage.Call{ID: id}
		}
		h.logAccess(r, storage.AccessDelete, erased...)
	}
	writeJSON(w, http.StatusOK, Erasure{DryRun: dry, Calls: ids, Count: len(ids), WriteBack: WriteBackNote})
}

// erasureMetrics counts what the eraser deleted, on request and for age.
func (h *Handler) erasureMetrics(reg prometheus.Registerer) error {
	e := h.cfg.Eraser
	if e == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "callaudit_calls_erased_total",
			Help: "Calls deleted on request (DELETE /calls/{id}, POST /erasure).",
		}, func() float64 { return float64(e.Erased()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "callaudit_calls_purged_total",
			Help: "Calls deleted by the retention job (AUDIT_RETENTION).",
		}, func() float64 { return float64(e.Purged()) }),
	} {
		if err := reg.Register(c); err != nil {
			return callaudit.Wrap(err, callaudit.KindInvalid, "httpapi.New", "the erasure metrics cannot be registered")
		}
	}
	return nil
}
