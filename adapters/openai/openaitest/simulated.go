package openaitest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// SimulatedReport answers a call-audit request the way a well-behaved
// model does: a value valid against schema (GenerateInstance), the
// summary, recommendations and comments in Russian when the instructions
// (system) ask for it and in English otherwise, and each criterion's
// evidence quoted from the first "[n] speaker: text" line of the
// <transcript> in user. Fakes of other chat APIs (gigachattest) answer
// with it too.
func SimulatedReport(schema json.RawMessage, system, user string) (json.RawMessage, error) {
	gen, err := GenerateInstance(schema)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(gen, &out); err != nil {
		return nil, err
	}
	summary, rec, comment := "The manager greeted the client and asked about their needs.", "Agree on a concrete next step with a date.", "Partly done."
	if strings.Contains(system, "in Russian") {
		summary, rec, comment = "Менеджер поздоровался и выяснил потребности клиента.", "Договоритесь о конкретном следующем шаге с датой.", "Сделано частично."
	}
	out["summary"], out["recommendations"] = summary, []string{rec}
	evidence := []any{}
	if start, end := strings.Index(user, "<transcript>\n"), strings.LastIndex(user, "\n</transcript>"); start >= 0 && end > start {
		first := strings.SplitN(user[start+len("<transcript>\n"):end], "\n", 2)[0]
		if _, text, ok := strings.Cut(first, ": "); ok && len(strings.Fields(text)) > 0 {
			var seg int
			_, _ = fmt.Sscanf(first, "[%d]", &seg)
			words := strings.Fields(text)
			evidence = []any{map[string]any{"quote": strings.Join(words[:min(4, len(words))], " "), "segment": seg}}
		}
	}
	if crit, ok := out["criteria"].(map[string]any); ok {
		for id, c := range crit {
			if cm, ok := c.(map[string]any); ok {
				cm["comment"], cm["evidence"] = comment, evidence
				crit[id] = cm
			}
		}
	}
	return json.Marshal(out)
}

// SimulatedModel is a ChatResponder that answers with SimulatedReport.
func SimulatedModel(call *ChatCall) ChatReply {
	b, err := SimulatedReport(call.Schema, call.System(), call.LastUser())
	if err != nil {
		return ChatReply{}
	}
	return ChatReply{Content: string(b)}
}
