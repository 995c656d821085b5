package amocrm

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
)

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
// (https://{subdomain}.amocrm.ru) through an API client keeping api's
// rate limit (its bursts as large as a second's requests); the token is
// added to api's secrets.
func NewNotes(base, token string, api intake.ClientConfig) *Notes {
	api.Service, api.Secrets = "amoCRM", append(slices.Clip(api.Secrets), token) // never into the caller's array
	api.Burst = max(1, int(api.PerSecond))
	return &Notes{base: strings.TrimRight(base, "/"), token: token, client: intake.NewClient(api)}
}

// Get reads one note. A note amoCRM does not show (it answers 204 No
// Content, its empty result: for a note just added, not readable yet) is
// KindNotFound; an answer that is not that note is KindUpstream; other
// failures are send's kinds (429 KindRateLimited).
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
	if resp.Status == http.StatusNoContent {
		return CallNote{}, callaudit.Errorf(callaudit.KindNotFound, "amoCRM has no note %d on %s %d (204 No Content)", noteID, entity, entityID)
	}
	var note CallNote
	if json.Unmarshal(resp.Body, &note) != nil || note.ID != noteID {
		return CallNote{}, callaudit.Errorf(callaudit.KindUpstream, "amoCRM's answer for note %d on %s %d is not that note", noteID, entity, entityID)
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
