package httpapi

import (
	"net/http"

	"github.com/callaudit/callaudit/storage"
)

// swapRoles answers POST /calls/{id}/swap_roles: the call is scored again
// with its manager and client swapped (audit.Auditor.SwapRoles), the new
// report becomes the call's and the earlier one stays in its history
// (storage.ReportVersions). It answers the call as stored. A call the
// principal does not see is a 404, as for GET.
func (h *Handler) swapRoles(w http.ResponseWriter, r *http.Request) {
	st, err := h.needStore()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	id, err := callIDOf(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	p := PrincipalOf(r.Context())
	c, err := st.Get(r.Context(), id)
	if err == nil && !p.Sees(c.ManagerID) {
		err = storage.NotFound(c.ID)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	by := p.ID
	if by == "" {
		by = p.Name
	}
	c, err = h.auditor.SwapRoles(r.Context(), c.ID, by)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, callOf(c))
}
