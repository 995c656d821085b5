package writebacktest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
)

// BitrixComment is a timeline comment the fake Bitrix24 stored.
type BitrixComment struct {
	EntityType string
	EntityID   string
	Comment    string
}

// Bitrix24 is a fake Bitrix24 portal with one inbound webhook
// (WebhookURL) that serves crm.timeline.comment.add, taking the fields
// form-encoded as fields[ENTITY_ID], fields[ENTITY_TYPE] and
// fields[COMMENT], and answering {"result": id} or
// {"error", "error_description"} like the real REST API.
type Bitrix24 struct {
	*httptest.Server
	faults

	code     string
	mu       sync.Mutex
	comments []BitrixComment
}

var bitrixTypes = map[string]bool{"lead": true, "deal": true, "contact": true, "company": true, "order": true}

var bitrixID = regexp.MustCompile(`^[1-9][0-9]*$`)

// NewBitrix24 starts a fake portal with a random webhook code.
func NewBitrix24() *Bitrix24 {
	code := make([]byte, 8)
	_, _ = rand.Read(code)
	b := &Bitrix24{code: hex.EncodeToString(code)}
	b.Server = httptest.NewServer(http.HandlerFunc(b.serve))
	return b
}

// WebhookURL is the inbound webhook's address, as Bitrix24 shows it:
// {portal}/rest/1/{code}/.
func (b *Bitrix24) WebhookURL() string { return b.URL + "/rest/1/" + b.code + "/" }

// Code is the webhook's secret code, for tests that check it is not
// leaked.
func (b *Bitrix24) Code() string { return b.code }

func bitrixError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (b *Bitrix24) serve(w http.ResponseWriter, r *http.Request) {
	if b.inject(w, func(status int) string {
		if status == http.StatusServiceUnavailable {
			return `{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}`
		}
		return `{"error":"INTERNAL_SERVER_ERROR","error_description":"Internal server error"}`
	}) {
		return
	}
	refuse := func(status int, code, problem string) {
		b.problem(problem)
		bitrixError(w, status, code, problem)
	}
	prefix := "/rest/1/" + b.code + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		refuse(http.StatusUnauthorized, "INVALID_CREDENTIALS", "Invalid request credentials")
		return
	}
	if method := strings.TrimPrefix(r.URL.Path, prefix); method != "crm.timeline.comment.add.json" {
		refuse(http.StatusNotFound, "ERROR_METHOD_NOT_FOUND", "Method not found: "+method)
		return
	}
	if r.Method != http.MethodPost {
		refuse(http.StatusMethodNotAllowed, "ERROR_METHOD", "method "+r.Method+", want POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		refuse(http.StatusBadRequest, "ERROR_ARGUMENT", "Content-Type "+r.Header.Get("Content-Type")+", want form-encoded fields")
		return
	}
	if err := r.ParseForm(); err != nil {
		refuse(http.StatusBadRequest, "ERROR_ARGUMENT", "form: "+err.Error())
		return
	}
	c := BitrixComment{EntityType: r.PostForm.Get("fields[ENTITY_TYPE]"), EntityID: r.PostForm.Get("fields[ENTITY_ID]"), Comment: r.PostForm.Get("fields[COMMENT]")}
	switch {
	case !bitrixID.MatchString(c.EntityID):
		refuse(http.StatusBadRequest, "ERROR_ARGUMENT", "fields[ENTITY_ID] must be a positive integer")
		return
	case !bitrixTypes[c.EntityType]:
		refuse(http.StatusBadRequest, "ERROR_ARGUMENT", "fields[ENTITY_TYPE] must be lead, deal, contact, company or order")
		return
	case c.Comment == "":
		refuse(http.StatusBadRequest, "ERROR_ARGUMENT", "fields[COMMENT] is empty")
		return
	}
	b.mu.Lock()
	b.comments = append(b.comments, c)
	id := len(b.comments)
	b.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"result": id, "time": map[string]any{"start": 0, "finish": 0}})
}

// Comments returns the comments stored, in order.
func (b *Bitrix24) Comments() []BitrixComment {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]BitrixComment(nil), b.comments...)
}
