package httpapi

import (
	"time"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// Call is the JSON body of GET /calls/{id}: a storage.Call under the API's
// field names (the original call_id and content_mode among them).
type Call struct {
	ID           string         `json:"call_id"`
	ManagerID    string         `json:"manager_id,omitempty"`
	Mode         score.Mode     `json:"content_mode"`
	Language     string         `json:"language,omitempty"`
	Status       storage.Status `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"`
	Source       storage.Source `json:"source,omitempty"`
	RecordingURL string         `json:"recording_url,omitempty"`
	Report       *score.Report  `json:"report,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// callOf maps a stored call to its answer.
func callOf(c storage.Call) Call {
	return Call{
		ID: c.ID, ManagerID: c.ManagerID, Mode: c.Mode, Language: c.Language,
		Status: c.Status, StatusReason: c.StatusReason, Source: c.Source,
		RecordingURL: c.RecordingURL, Report: c.Report,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}
