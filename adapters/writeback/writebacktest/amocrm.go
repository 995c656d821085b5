package writebacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
)

// AmoNote is a note the fake amoCRM stored.
type AmoNote struct {
	// Entity is the API path of the record type: leads, contacts,
	// companies or customers.
	Entity   string
	EntityID string
	Text     string
}

// AmoCRM is a fake amoCRM account for the notes endpoint of API v4:
// POST /api/v4/{entity}/{id}/notes with a bearer token and a JSON array
// of notes. Point amocrm.Config.BaseURL at its URL.
type AmoCRM struct {
	*httptest.Server
	faults

	token string
	mu    sync.Mutex
	notes []AmoNote
}

var amoNotesPath = regexp.MustCompile(`^/api/v4/(leads|contacts|companies|customers)/([0-9]+)/notes$`)

// NewAmoCRM starts a fake amoCRM that accepts the given long-lived token.
func NewAmoCRM(token string) *AmoCRM {
	a := &AmoCRM{token: token}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

// problem writes amoCRM's error shape (application/problem+json).
func amoProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"title": http.StatusText(status), "type": "https://httpstatus.es/" + fmt.Sprint(status), "status": status, "detail": detail,
	})
}

func (a *AmoCRM) serve(w http.ResponseWriter, r *http.Request) {
	if a.inject(w, func(status int) string {
		return fmt.Sprintf(`{"title":%q,"status":%d,"detail":"injected"}`, http.StatusText(status), status)
	}) {
		return
	}
	refuse := func(status int, problem string) {
		a.problem(problem)
		amoProblem(w, status, problem)
	}
	m := amoNotesPath.FindStringSubmatch(r.URL.Path)
	switch {
	case m == nil:
		refuse(http.StatusNotFound, "no route "+r.URL.Path)
		return
	case r.Method != http.MethodPost:
		refuse(http.StatusMethodNotAllowed, "method "+r.Method+", want POST")
		return
	case r.Header.Get("Authorization") != "Bearer "+a.token:
		refuse(http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		refuse(http.StatusUnsupportedMediaType, "Content-Type "+r.Header.Get("Content-Type")+", want application/json")
		return
	}
	var notes []struct {
		NoteType string `json:"note_type"`
		Params   struct {
			Text string `json:"text"`
		} `json:"params"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(body, &notes); err != nil || len(notes) == 0 {
		refuse(http.StatusBadRequest, "body must be a non-empty JSON array of notes")
		return
	}
	for i, n := range notes {
		if n.NoteType != "common" || n.Params.Text == "" {
			refuse(http.StatusBadRequest, fmt.Sprintf("note %d: want note_type common with params.text", i))
			return
		}
	}
	type created struct {
		ID        int    `json:"id"`
		EntityID  string `json:"entity_id"`
		RequestID string `json:"request_id"`
	}
	out := make([]created, 0, len(notes))
	a.mu.Lock()
	for i, n := range notes {
		a.notes = append(a.notes, AmoNote{Entity: m[1], EntityID: m[2], Text: n.Params.Text})
		out = append(out, created{ID: len(a.notes), EntityID: m[2], RequestID: fmt.Sprint(i)})
	}
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/hal+json")
	_ = json.NewEncoder(w).Encode(map[string]any{"_total_items": len(out), "_embedded": map[string]any{"notes": out}})
}

// Notes returns the notes stored, in order.
func (a *AmoCRM) Notes() []AmoNote {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]AmoNote(nil), a.notes...)
}
