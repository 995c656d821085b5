package writebacktest

import (
	"time"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
)

// DoneCall returns a done call with a Russian report of four criteria
// (the total computed by score.Report.Recompute), for adapter tests.
func DoneCall(id string) storage.Call {
	r := &score.Report{
		Summary: "Менеджер поздоровался и представился, но не выяснил потребности и не договорился о следующем шаге.",
		RecommendationList: []string{
			"Задавайте открытые вопросы о задачах клиента.",
			"Отвечайте на возражение о цене через ценность.",
			"Завершайте звонок договорённостью о следующем шаге.",
			"Называйте клиента по имени.",
		},
		Details: []score.CriterionResult{
			{ID: "greeting", Title: "Приветствие", Score: 100, Weight: 1},
			{ID: "needs", Title: "Выявление потребностей", Score: 30, Weight: 2},
			{ID: "objections", Title: "Работа с возражениями", Score: 55, Weight: 2},
			{ID: "closing", Title: "Следующий шаг", Score: 20, Weight: 1},
		},
		Meta: score.Meta{CallID: id, ManagerID: "m-7", Mode: score.ModeManager, Language: "ru", Scorer: "checklist"},
	}
	r.Recompute()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return storage.Call{
		ID: id, ManagerID: "m-7", Mode: score.ModeManager, Language: "ru", Status: storage.StatusDone,
		Source: "webhook", RecordingURL: "https://pbx.example.com/rec/" + id + ".mp3",
		Report: r, CreatedAt: at, UpdatedAt: at.Add(90 * time.Second),
	}
}

// FailedCall returns a failed call with a reason.
func FailedCall(id, reason string) storage.Call {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return storage.Call{ID: id, ManagerID: "m-7", Mode: score.ModeManager, Status: storage.StatusFailed, StatusReason: reason,
		Source: "webhook", CreatedAt: at, UpdatedAt: at.Add(time.Minute)}
}
