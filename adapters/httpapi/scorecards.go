package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/scorecard"
	"github.com/callaudit/callaudit/storage"
)

// ScorecardSummary is one scorecard in GET /scorecards: its latest
// version.
type ScorecardSummary struct {
	ID      string         `json:"id"`
	Version int            `json:"version"`
	Team    string         `json:"team,omitempty"`
	Title   scorecard.Text `json:"title"`
	// Default: the scorecard of every team without its own.
	Default bool       `json:"default"`
	SavedBy string     `json:"saved_by,omitempty"`
	SavedAt *time.Time `json:"saved_at,omitempty"`
	// Editable: the caller may save a new version.
	Editable bool `json:"editable"`
}

// ScorecardList is the JSON body of GET /scorecards.
type ScorecardList struct {
	Scorecards []ScorecardSummary `json:"scorecards"`
	// Teams are the teams the caller may give a scorecard to.
	Teams []string `json:"teams"`
}

// ScorecardVersionInfo is one saved version in a ScorecardDetail.
type ScorecardVersionInfo struct {
	Version int        `json:"version"`
	Team    string     `json:"team,omitempty"`
	SavedBy string     `json:"saved_by,omitempty"`
	SavedAt *time.Time `json:"saved_at,omitempty"`
}

// ScorecardDetail is the JSON body of GET and PUT /scorecards/{id}: one
// version with its file and the list of versions.
type ScorecardDetail struct {
	ScorecardSummary
	// Body is the scorecard file, YAML.
	Body     string                 `json:"body"`
	Versions []ScorecardVersionInfo `json:"versions"`
}

// scorecardPut is the body of PUT /scorecards/{id} and POST
// /scorecards/preview.
type scorecardPut struct {
	// Body is the scorecard file; Format "json" reads it as JSON, else
	// YAML.
	Body   string `json:"body"`
	Format string `json:"format"`
	Team   string `json:"team"`
	// BaseVersion is the version the editor started from (0: a new
	// scorecard); another version saved since is a 409.
	BaseVersion int `json:"base_version"`
	// Preview only: the dialog to score and how.
	DialogText  string `json:"dialog_text"`
	ContentMode string `json:"content_mode"`
	Language    string `json:"language"`
}

// ScorecardPreview is the JSON body of POST /scorecards/preview.
type ScorecardPreview struct {
	Scorecard        string        `json:"scorecard"`
	ScorecardVersion int           `json:"scorecard_version"`
	Report           *score.Report `json:"report"`
}

func (h *Handler) needScorecards() (*audit.Scorecards, error) {
	if h.cfg.Scorecards == nil {
		return nil, callaudit.Coded(callaudit.KindNotConfigured, codeScorecardsMissing, "scorecards are not configured on this server", nil)
	}
	return h.cfg.Scorecards, nil
}

// editorTeams returns the teams whose scorecards the caller may edit, and
// whether it may edit every scorecard (admins, admin tokens, local mode).
func (h *Handler) editorTeams(r *http.Request) (teams []string, all bool, err error) {
	p := PrincipalOf(r.Context())
	if p.Kind != access.KindUser || p.Role != storage.RoleLead {
		return nil, p.Can(access.Scorecards), nil
	}
	u, err := h.cfg.Access.Service.Accounts().User(r.Context(), p.ID)
	if err != nil {
		return nil, false, err
	}
	return slices.Sorted(slices.Values(u.Teams)), false, nil
}

// mayEdit is nil when the caller may save scorecard id (whose latest
// saved version is for team current) for team: admins anything, leads a
// scorecard of one of their teams, for one of their teams.
func mayEdit(teams []string, all bool, id, defaultID, current, team string) error {
	if all {
		return nil
	}
	switch {
	case id == defaultID:
		return callaudit.Coded(callaudit.KindForbidden, codeScorecardDefault, "only an admin may change the default scorecard", nil)
	case team == "" || !slices.Contains(teams, team):
		list := strings.Join(teams, ", ")
		return callaudit.Invalid(callaudit.FieldError{Field: "team", Message: "must be one of your teams: " + list, Code: codeScorecardTeam, Params: map[string]string{"teams": list}})
	case current != "" && !slices.Contains(teams, current):
		q := strconv.Quote(id)
		return callaudit.Coded(callaudit.KindForbidden, codeScorecardOtherTeam, "scorecard "+q+" belongs to team "+strconv.Quote(current)+", not to yours", map[string]string{"id": q, "team": current})
	}
	return nil
}

func summaryOf(info audit.ScorecardInfo, editable bool) ScorecardSummary {
	s := ScorecardSummary{ID: info.ID, Version: info.Version, Team: info.Team, Title: info.Title, Default: info.Default, SavedBy: info.SavedBy, Editable: editable}
	if !info.SavedAt.IsZero() {
		s.SavedAt = timePtr(info.SavedAt)
	}
	return s
}

func (h *Handler) listScorecards(w http.ResponseWriter, r *http.Request) {
	book, err := h.needScorecards()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	teams, all, err := h.editorTeams(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	infos, err := book.List(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := ScorecardList{Scorecards: make([]ScorecardSummary, len(infos)), Teams: orEmpty(teams)}
	if all && h.cfg.Access != nil {
		if ts, err := h.cfg.Access.Service.Accounts().Teams(r.Context()); err == nil {
			for _, t := range ts {
				out.Teams = append(out.Teams, t.Name)
			}
		}
	}
	for i, info := range infos {
		out.Scorecards[i] = summaryOf(info, mayEdit(teams, all, info.ID, book.DefaultID(), info.Team, info.Team) == nil)
	}
	writeJSON(w, http.StatusOK, out)
}

// scorecardDetail answers one version of id (0: the latest).
func (h *Handler) scorecardDetail(r *http.Request, book *audit.Scorecards, id string, version int) (ScorecardDetail, error) {
	vs, err := book.Versions(r.Context(), id)
	if err != nil {
		return ScorecardDetail{}, err
	}
	pick := vs[len(vs)-1]
	if version != 0 {
		i := slices.IndexFunc(vs, func(v storage.SavedScorecard) bool { return v.Version == version })
		if i < 0 {
			return ScorecardDetail{}, storage.ScorecardNotFound(id, version)
		}
		pick = vs[i]
	}
	sc, err := book.Get(r.Context(), id, pick.Version)
	if err != nil {
		return ScorecardDetail{}, err
	}
	teams, all, err := h.editorTeams(r)
	if err != nil {
		return ScorecardDetail{}, err
	}
	latest := vs[len(vs)-1]
	info := audit.ScorecardInfo{ID: id, Version: pick.Version, Team: pick.Team, Title: sc.Title, Default: id == book.DefaultID(), SavedBy: pick.SavedBy, SavedAt: pick.SavedAt}
	d := ScorecardDetail{ScorecardSummary: summaryOf(info, mayEdit(teams, all, id, book.DefaultID(), latest.Team, latest.Team) == nil), Body: pick.Body}
	for _, v := range vs {
		vi := ScorecardVersionInfo{Version: v.Version, Team: v.Team, SavedBy: v.SavedBy}
		if !v.SavedAt.IsZero() {
			vi.SavedAt = timePtr(v.SavedAt)
		}
		d.Versions = append(d.Versions, vi)
	}
	return d, nil
}

func (h *Handler) getScorecard(w http.ResponseWriter, r *http.Request) {
	book, err := h.needScorecards()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			h.writeError(w, r, callaudit.Invalid(callaudit.FieldError{Field: "version", Message: "must be a whole number of at least 1"}))
			return
		}
	}
	d, err := h.scorecardDetail(r, book, r.PathValue("id"), version)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// draftOf parses the request's scorecard file.
func draftOf(book *audit.Scorecards, req scorecardPut) (*scorecard.Scorecard, error) {
	name := "scorecard.yaml"
	if strings.EqualFold(req.Format, "json") {
		name = "scorecard.json"
	}
	if strings.TrimSpace(req.Body) == "" {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "body", Message: "is required", Code: callaudit.CodeRequired})
	}
	return book.Draft(name, []byte(req.Body))
}

// scorecardRequest is the server's scorecards and r's body, a draft to
// save or preview.
func (h *Handler) scorecardRequest(w http.ResponseWriter, r *http.Request) (*audit.Scorecards, scorecardPut, error) {
	var req scorecardPut
	book, err := h.needScorecards()
	if err == nil {
		err = decodeJSON(w, r, h.cfg.MaxBodyBytes, &req)
	}
	return book, req, err
}

func (h *Handler) putScorecard(w http.ResponseWriter, r *http.Request) {
	book, req, err := h.scorecardRequest(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	sc, err := draftOf(book, req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if sc.ID != id {
		fid, q := strconv.Quote(sc.ID), strconv.Quote(id)
		h.writeError(w, r, callaudit.Invalid(callaudit.FieldError{Field: "id", Message: "the file's id " + fid + " is not the scorecard's " + q, Code: codeScorecardID, Params: map[string]string{"file_id": fid, "id": q}}))
		return
	}
	teams, all, err := h.editorTeams(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	current, err := book.TeamOf(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := mayEdit(teams, all, id, book.DefaultID(), current, req.Team); err != nil {
		h.writeError(w, r, err)
		return
	}
	saved, err := book.Save(r.Context(), sc, req.Team, req.BaseVersion, PrincipalOf(r.Context()).ID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d, err := h.scorecardDetail(r, book, id, saved.Version)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (h *Handler) previewScorecard(w http.ResponseWriter, r *http.Request) {
	book, req, err := h.scorecardRequest(w, r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	infoOf(r).language = req.Language
	sc, err := draftOf(book, req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rep, err := book.Preview(r.Context(), h.auditor, sc, audit.Input{DialogText: req.DialogText, Mode: req.ContentMode, Language: req.Language})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ScorecardPreview{Scorecard: sc.ID, ScorecardVersion: sc.Version, Report: rep})
}

func (h *Handler) scorecardSchema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(scorecard.JSONSchema())
}
