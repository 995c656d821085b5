package storagetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// base is the fixed origin of the fixtures' clock: a Monday, 00:00 UTC, so
// that day and week buckets are easy to read in the tests.
var base = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// FullCall returns a done call with every field of the record and of its
// report filled in, including the optional ones (timed metrics, a timed
// transcript, evidence with timestamps, raw model output and token usage),
// for round-trip tests of a store. Each call is new: nothing is shared
// between the calls it returns.
func FullCall(id string, createdAt time.Time) storage.Call {
	sec := transcribe.Seconds
	tr := transcribe.Transcript{
		Language: "ru",
		Segments: []transcribe.Segment{
			{Speaker: transcribe.RoleManager, Text: "Добрый день! Меня зовут Анна, компания «ТаскФлоу».", Start: sec(0), End: sec(3.5)},
			{Speaker: transcribe.RoleClient, Text: "Здравствуйте, слушаю.", Start: sec(3.9), End: sec(5.25)},
			{Speaker: transcribe.RoleManager, Text: "Как сейчас ваши менеджеры ведут сделки?", Start: sec(5.5), End: sec(8)},
			{Speaker: transcribe.RoleClient, Text: "В таблицах, и это неудобно.", Start: sec(7.75), End: sec(10.125)},
		},
		Duration: sec(10.125),
		Source:   "openai:whisper-1",
	}
	interruptions, byManager := 1, 0
	rep := &score.Report{
		Summary:            "Менеджер представился и выяснил текущий процесс; не договорился о следующем шаге.",
		Recommendations:    "Назначьте демонстрацию с датой и временем.\nУточните бюджет.",
		RawModelOutput:     json.RawMessage(`{"criteria": {"greeting": {"score": 90}, "needs": {"score": 70}, "next_step": {"score": 20}}, "summary": "ok"}`),
		ID:                 id,
		RecommendationList: []string{"Назначьте демонстрацию с датой и временем.", "Уточните бюджет."},
		Details: []score.CriterionResult{
			{ID: "greeting", Title: "Приветствие", Score: 90, Weight: 1, Comment: "Представился и назвал компанию.", Evidence: []score.Evidence{
				{Quote: "Меня зовут Анна", Segment: 0, Speaker: transcribe.RoleManager, Start: sec(0), Grounded: true},
			}},
			{ID: "needs", Title: "Выявление потребностей", Score: 70, Weight: 2.5, Comment: "Один открытый вопрос.", Evidence: []score.Evidence{
				{Quote: "Как сейчас ваши менеджеры ведут сделки?", Segment: 2, Speaker: transcribe.RoleManager, Start: sec(5.5), Grounded: true},
				{Quote: "В таблицах", Segment: 3, Speaker: transcribe.RoleClient, Start: sec(7.75), Grounded: true},
			}},
			{ID: "next_step", Title: "Следующий шаг", Score: 20, Weight: 1.5, Comment: "Следующий шаг не назначен.", Evidence: []score.Evidence{
				{Quote: "созвонимся как-нибудь", Segment: -1, Grounded: false},
			}},
		},
		Metrics: transcribe.Metrics{
			Turns: 4, Segments: 4,
			ManagerWords: 14, ClientWords: 7, ManagerTalkShare: 14.0 / 21,
			ManagerQuestions: 1, LongestMonologueWords: 8, LongestMonologueSpeaker: transcribe.RoleManager,
			DurationSeconds: sec(10.125), ManagerTalkSeconds: sec(6), ClientTalkSeconds: sec(3.725),
			ManagerTalkShareByTime: sec(6 / 9.725), LongestMonologueSeconds: sec(3.5),
			SilenceSeconds: sec(0.65), LongestSilenceSeconds: sec(0.4),
			Interruptions: &interruptions, ManagerInterruptions: &byManager,
		},
		Meta: score.Meta{
			CallID: id, ManagerID: "anna", Mode: score.ModeManager, Language: "ru",
			Scorer: "openai", ScorerVersion: "1", Model: "gpt-4o-mini", Transcriber: "openai:whisper-1",
			Usage:     &score.Usage{Requests: 1, PromptTokens: 1200, CachedTokens: 1024, CompletionTokens: 310, TotalTokens: 1510},
			Timings:   score.Timings{FetchMS: 120, TranscribeMS: 2300, ScoreMS: 4100, TotalMS: 6600},
			CreatedAt: createdAt,
		},
		Transcript: &tr,
	}
	rep.Recompute()
	return storage.Call{
		ID:           id,
		ManagerID:    "anna",
		Mode:         score.ModeManager,
		Language:     "ru",
		Status:       storage.StatusDone,
		Source:       storage.SourceURL,
		RecordingURL: "https://records.example.com/calls/" + id + ".mp3",
		Report:       rep,
		CreatedAt:    createdAt,
	}
}

// scored returns a small done call with a report whose total is total:
// one criterion per entry of criteria (id → score) with equal weights, or a
// single "overall" criterion scoring total when criteria is nil.
func scored(id, manager string, mode score.Mode, at time.Time, total int, criteria map[string]int) storage.Call {
	rep := &score.Report{
		Summary:         "summary of " + id,
		Recommendations: "advice for " + id,
		Meta:            score.Meta{CallID: id, ManagerID: manager, Mode: mode, Language: "en", Scorer: "checklist", CreatedAt: at},
	}
	if criteria == nil {
		criteria = map[string]int{"overall": total}
	}
	for _, cid := range slices.Sorted(maps.Keys(criteria)) {
		rep.Details = append(rep.Details, score.CriterionResult{ID: cid, Title: cid, Score: criteria[cid], Weight: 1})
	}
	rep.Recompute()
	// The fixtures name the total they want; a fixture whose criteria
	// do not add up to it is a bug in the kit, not in the store.
	if rep.TotalScore != total {
		panic(fmt.Sprintf("storagetest: fixture %s: criteria give %d, not %d", id, rep.TotalScore, total))
	}
	return storage.Call{ID: id, ManagerID: manager, Mode: mode, Language: "en", Status: storage.StatusDone, Source: storage.SourceText, Report: rep, CreatedAt: at}
}

// pending returns a call without a report.
func pending(id, manager string, mode score.Mode, at time.Time, status storage.Status) storage.Call {
	return storage.Call{ID: id, ManagerID: manager, Mode: mode, Status: status, Source: storage.SourceWebhook, RecordingURL: "https://records.example.com/" + id, StatusReason: "waiting", CreatedAt: at}
}

// listFixture is 30 calls over three weeks: three managers, three modes,
// scores spread over 0..100, six calls without a report, two pairs of
// calls created at the same instant (to check the ID tie-break) and some
// times given in another zone (to check that instants are compared).
func listFixture() []storage.Call {
	managers := []string{"anna", "boris", "vera"}
	statuses := []storage.Status{storage.StatusQueued, storage.StatusProcessing, storage.StatusFailed}
	msk := time.FixedZone("MSK", 3*3600)
	var calls []storage.Call
	for i := range 30 {
		id := fmt.Sprintf("call-%02d", i)
		manager := managers[i%3]
		mode := score.Modes[(i/3)%3]
		at := base.Add(time.Duration(i) * 17 * time.Hour)
		switch i {
		case 11:
			at = base.Add(10 * 17 * time.Hour) // same instant as call-10
		case 21, 22:
			at = base.Add(20 * 17 * time.Hour) // same instant as call-20
		}
		if i%4 == 1 {
			at = at.In(msk)
		}
		if i%5 == 2 {
			calls = append(calls, pending(id, manager, mode, at, statuses[(i/5)%3]))
			continue
		}
		calls = append(calls, scored(id, manager, mode, at, (i*37)%101, nil))
	}
	return calls
}

// matches is the plain-words reading of storage.Filter, the oracle the
// list tests compare a store with.
func matches(f storage.Filter, c storage.Call) bool {
	if f.ManagerID != "" && c.ManagerID != f.ManagerID {
		return false
	}
	if len(f.ManagerIDs) > 0 && !slices.Contains(f.ManagerIDs, c.ManagerID) {
		return false
	}
	if !f.From.IsZero() && c.CreatedAt.Before(f.From) {
		return false
	}
	if !f.To.IsZero() && !c.CreatedAt.Before(f.To) {
		return false
	}
	if f.MinScore != nil || f.MaxScore != nil {
		s, ok := c.Score()
		if !ok || (f.MinScore != nil && s < *f.MinScore) || (f.MaxScore != nil && s > *f.MaxScore) {
			return false
		}
	}
	if f.Mode != "" && c.Mode != f.Mode {
		return false
	}
	if f.Status != "" && c.Status != f.Status {
		return false
	}
	return true
}

func ptr(v int) *int { return &v }
