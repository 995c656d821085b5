package amocrm

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/callaudit/callaudit"
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
