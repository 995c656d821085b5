package amocrm

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
)

// Hook is one note named by amoCRM's «note added» webhook: the note's id,
// the record it is on, and its numeric type (10 incoming call, 11
// outgoing call).
type Hook struct {
	NoteID int
	// Entity is the API path of the record type: "leads" or "contacts".
	Entity   string
	EntityID int
	NoteType int
	// Responsible is the user the note belongs to, Text the note's text
	// (for a call note, JSON with the call's DURATION and LINK): keys seen
	// in live hooks, not documented.
	Responsible string
	Text        string
}

// Call reports whether the hook names a call note.
func (h Hook) Call() bool { return h.NoteType == 10 || h.NoteType == 11 }

// ParseHook reads the notes of a form-encoded webhook body, whose keys are
// {entity}[note][{i}][note][{field}] («POST переменная содержит массив вида
// {"entity":{"action":{"0":{…}}}}»). A body that is not a form is
// KindMalformed; notes on other records (companies, customers) are left
// out. Notes come in their index order.
func ParseHook(body []byte) ([]Hook, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, callaudit.Errorf(callaudit.KindMalformed, "the amoCRM webhook is not form-encoded")
	}
	var out []Hook
	for _, entity := range []string{"leads", "contacts"} {
		for i := 0; ; i++ {
			prefix := entity + "[note][" + strconv.Itoa(i) + "][note]"
			id := v.Get(prefix + "[id]")
			if id == "" {
				break
			}
			h := Hook{Entity: entity}
			h.NoteID, _ = strconv.Atoi(strings.TrimSpace(id))
			h.EntityID, _ = strconv.Atoi(strings.TrimSpace(v.Get(prefix + "[element_id]")))
			h.NoteType, _ = strconv.Atoi(strings.TrimSpace(v.Get(prefix + "[note_type]")))
			h.Responsible, h.Text = strings.TrimSpace(v.Get(prefix+"[responsible_user_id]")), v.Get(prefix+"[text]")
			if h.NoteID > 0 && h.EntityID > 0 {
				out = append(out, h)
			}
		}
	}
	return out, nil
}

// CallNote is the part of a call note (call_in, call_out) the intake
// uses, as GET /api/v4/{entity}/{id}/notes/{note_id} returns it.
type CallNote struct {
	ID          int    `json:"id"`
	EntityID    int    `json:"entity_id"`
	NoteType    string `json:"note_type"`
	Responsible int    `json:"responsible_user_id"`
	CreatedBy   int    `json:"created_by"`
	Params      struct {
		Uniq       string `json:"uniq"`
		Duration   int    `json:"duration"`
		Link       string `json:"link"`
		Phone      string `json:"phone"`
		CallStatus int    `json:"call_status"`
	} `json:"params"`
}

// Notes reads notes through API v4 with a long-lived token, within the
// account's rate limit.
type Notes struct {
	base   string
	token  string
	client *intake.Client
}

// NewNotes returns a reader of the account at base
// (https://{subdomain}.amocrm.ru) that makes at most perSecond requests a
// second.
func NewNotes(base, token string, perSecond float64, timeout time.Duration, transport http.RoundTripper) *Notes {
	return &Notes{base: strings.TrimRight(base, "/"), token: token,
		client: intake.NewClient(intake.ClientConfig{Service: "amoCRM", PerSecond: perSecond, Burst: max(1, int(perSecond)),
			Timeout: timeout, Secrets: []string{token}, Transport: transport})}
}

// Get reads one note. A note amoCRM does not have (it answers 204) is
// KindNotFound; other failures are send's kinds (429 KindRateLimited).
func (n *Notes) Get(ctx context.Context, entity string, entityID, noteID int) (CallNote, error) {
	const op = "amocrm.Notes"
	u := n.base + "/api/v4/" + entity + "/" + strconv.Itoa(entityID) + "/notes/" + strconv.Itoa(noteID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return CallNote{}, callaudit.Wrap(err, callaudit.KindInternal, op, "cannot build the amoCRM request")
	}
	req.Header.Set("Authorization", "Bearer "+n.token)
	req.Header.Set("Accept", "application/json")
	resp, err := n.client.Do(req, op)
	if err != nil {
		return CallNote{}, err
	}
	var note CallNote
	if resp.Status == http.StatusNoContent || json.Unmarshal(resp.Body, &note) != nil || note.ID != noteID {
		return CallNote{}, callaudit.Errorf(callaudit.KindNotFound, "amoCRM has no note %d on %s %d", noteID, entity, entityID)
	}
	return note, nil
}

// Skip reports why a call note has nothing to audit, or "": not a call
// note (it was not made by a call), or a call_status other than 4
// («разговор состоялся») when one is given, or no seconds of talk.
func (c CallNote) Skip() intake.Reason {
	switch {
	case c.NoteType != "call_in" && c.NoteType != "call_out":
		return intake.ReasonNotRecorded
	case c.Params.CallStatus != 0 && c.Params.CallStatus != 4, c.Params.Duration <= 0:
		return intake.ReasonMissed
	}
	return ""
}
