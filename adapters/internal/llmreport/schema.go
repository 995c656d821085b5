package llmreport

import (
	"encoding/json"

	"github.com/callaudit/callaudit/score"
)

// SchemaName names the structured output in requests (OpenAI's
// json_schema name, GigaChat's function name).
const SchemaName = "call_audit_report"

type obj = map[string]any

// Descriptions of the answer's fields, shared by both schema forms.
const (
	descQuote     = "An exact quote copied from one transcript line, without the [n] and speaker prefix."
	descSegment   = "The [n] number of the quoted line, or null if unsure."
	descScore     = "0 to 100; null only when this transcript part gives nothing to judge the criterion by."
	descComment   = "One or two sentences explaining the score, in the report language."
	descEvidence  = "Up to three quotes supporting the score."
	descSummary   = "What went well and what went badly, 2-5 sentences, in the report language."
	descRecommend = "Concrete advice for the manager, 2-5 items, in the report language."
)

// Schema is the strict JSON schema of the model's answer for a rubric, in
// the form OpenAI's structured outputs accept. It is written by hand
// because strict mode accepts only a subset of JSON Schema (every
// property required, additionalProperties false on every object, optional
// values as a ["T","null"] type union) and go-openai's jsonschema package
// emits "nullable", which is outside it.
//
// Criteria are properties of one object, keyed by criterion id, so the
// model must answer every criterion exactly once and cannot invent new
// ones. Ranges (0..100) are stated in descriptions and enforced in code.
// The output is deterministic (maps marshal with sorted keys) so the
// request prefix stays byte-identical for prompt caching.
func Schema(r score.Rubric) json.RawMessage {
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
		"quote":   obj{"type": "string", "description": descQuote},
		"segment": obj{"type": []string{"integer", "null"}, "description": descSegment},
	}, "quote", "segment")
	criterion := strictObject(obj{
		"score":    obj{"type": []string{"integer", "null"}, "description": descScore},
		"comment":  obj{"type": "string", "description": descComment},
		"evidence": obj{"type": "array", "items": evidence, "description": descEvidence},
	}, "score", "comment", "evidence")
	root := strictObject(obj{
		"criteria":        strictObject(criteria, ids...),
		"summary":         obj{"type": "string", "description": descSummary},
		"recommendations": obj{"type": "array", "items": obj{"type": "string"}, "description": descRecommend},
	}, "criteria", "summary", "recommendations")
	root["$defs"] = obj{"criterion": criterion}
	return mustMarshal(root)
}

// FunctionParameters is the same answer as Schema in the plainer subset
// that function-calling APIs describe for a function's parameters
// (GigaChat: type, description, properties, required, items, enum): no
// $ref, no type unions, no additionalProperties. A null score or segment
// is still accepted when the model sends one.
func FunctionParameters(r score.Rubric) json.RawMessage {
	object := func(props obj, order ...string) obj {
		return obj{"type": "object", "properties": props, "required": order}
	}
	evidence := object(obj{
		"quote":   obj{"type": "string", "description": descQuote},
		"segment": obj{"type": "integer", "description": descSegment},
	}, "quote")
	criteria := obj{}
	ids := make([]string, 0, len(r.Criteria))
	for _, c := range r.Criteria {
		criteria[c.ID] = object(obj{
			"score":    obj{"type": "integer", "description": descScore},
			"comment":  obj{"type": "string", "description": descComment},
			"evidence": obj{"type": "array", "items": evidence, "description": descEvidence},
		}, "score", "comment", "evidence")
		criteria[c.ID].(obj)["description"] = c.TitleIn("en")
		ids = append(ids, c.ID)
	}
	return mustMarshal(object(obj{
		"criteria":        object(criteria, ids...),
		"summary":         obj{"type": "string", "description": descSummary},
		"recommendations": obj{"type": "array", "items": obj{"type": "string"}, "description": descRecommend},
	}, "criteria", "summary", "recommendations"))
}

func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("llmreport: cannot marshal the report schema: " + err.Error())
	}
	return b
}

// Output is the answer the schemas describe.
type Output struct {
	Criteria        map[string]Criterion `json:"criteria"`
	Summary         string               `json:"summary"`
	Recommendations []string             `json:"recommendations"`
}

// Criterion is the answer for one rubric criterion.
type Criterion struct {
	Score    *float64 `json:"score"`
	Comment  string   `json:"comment"`
	Evidence []Quote  `json:"evidence"`
}

// Quote is one evidence quote as the model gives it.
type Quote struct {
	Quote   string `json:"quote"`
	Segment *int   `json:"segment"`
}
