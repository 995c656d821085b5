package openai

import (
	"encoding/json"

	"github.com/callaudit/callaudit/score"
)

// schemaName names the structured output in requests.
const schemaName = "call_audit_report"

// reportSchema is the strict JSON schema of the model's answer for a
// rubric. It is written by hand because strict mode accepts only a subset
// of JSON Schema (every property required, additionalProperties false on
// every object, optional values as a ["T","null"] type union) and
// go-openai's jsonschema package emits "nullable", which is outside it.
//
// Criteria are properties of one object, keyed by criterion id, so the
// model must answer every criterion exactly once and cannot invent new
// ones. Ranges (0..100) are stated in descriptions and enforced in code.
// The output is deterministic (maps marshal with sorted keys) so the
// request prefix stays byte-identical for prompt caching.
func reportSchema(r score.Rubric) json.RawMessage {
	type obj = map[string]any
	strictObject := func(props obj, order ...string) obj {
		return obj{"type": "object", "properties": props, "required": order, "additionalProperties": false}
	}
	criteria := obj{}
	ids := make([]string, 0, len(r.Criteria))
	for _, c := range r.Criteria {
		criteria[c.ID] = obj{"$ref": "#/$defs/criterion"}
		ids = append(ids, c.ID)
	}
	evidence := strictObject(obj{
		"quote":   obj{"type": "string", "description": "An exact quote copied from one transcript line, without the [n] and speaker prefix."},
		"segment": obj{"type": []string{"integer", "null"}, "description": "The [n] number of the quoted line, or null if unsure."},
	}, "quote", "segment")
	criterion := strictObject(obj{
		"score":    obj{"type": []string{"integer", "null"}, "description": "0 to 100; null only when this transcript part gives nothing to judge the criterion by."},
		"comment":  obj{"type": "string", "description": "One or two sentences explaining the score, in the report language."},
		"evidence": obj{"type": "array", "items": evidence, "description": "Up to three quotes supporting the score."},
	}, "score", "comment", "evidence")
	root := strictObject(obj{
		"criteria":        strictObject(criteria, ids...),
		"summary":         obj{"type": "string", "description": "What went well and what went badly, 2-5 sentences, in the report language."},
		"recommendations": obj{"type": "array", "items": obj{"type": "string"}, "description": "Concrete advice for the manager, 2-5 items, in the report language."},
	}, "criteria", "summary", "recommendations")
	root["$defs"] = obj{"criterion": criterion}
	b, err := json.Marshal(root)
	if err != nil {
		panic("openai: cannot marshal the report schema: " + err.Error())
	}
	return b
}

// modelOutput is the answer the schema describes.
type modelOutput struct {
	Criteria        map[string]modelCriterion `json:"criteria"`
	Summary         string                    `json:"summary"`
	Recommendations []string                  `json:"recommendations"`
}

type modelCriterion struct {
	Score    *float64        `json:"score"`
	Comment  string          `json:"comment"`
	Evidence []modelEvidence `json:"evidence"`
}

type modelEvidence struct {
	Quote   string `json:"quote"`
	Segment *int   `json:"segment"`
}
