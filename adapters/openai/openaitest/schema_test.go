package openaitest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/openai/openaitest"
)

func TestCheckStrictSchema(t *testing.T) {
	nested := func(depth int) string {
		s := `{"type":"string"}`
		for range depth {
			s = `{"type":"object","properties":{"x":` + s + `},"required":["x"],"additionalProperties":false}`
		}
		return s
	}
	tests := []struct {
		name    string
		schema  string
		wantErr string // substring; "" means valid
	}{
		{"valid", `{"type":"object","properties":{"a":{"type":["integer","null"]},"b":{"type":"array","items":{"type":"string"}}},"required":["a","b"],"additionalProperties":false}`, ""},
		{"valid with $defs and $ref", `{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}},"required":["a"],"additionalProperties":false,"$defs":{"x":{"type":"object","properties":{"s":{"type":"string"}},"required":["s"],"additionalProperties":false}}}`, ""},
		{"valid anyOf", `{"type":"object","properties":{"a":{"anyOf":[{"type":"string"},{"type":"null"}]}},"required":["a"],"additionalProperties":false}`, ""},
		{"root not an object", `{"type":"array","items":{"type":"string"}}`, "type: \"object\""},
		{"additionalProperties missing", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`, "additionalProperties"},
		{"additionalProperties true", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":true}`, "additionalProperties"},
		{"optional property", `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"],"additionalProperties":false}`, "Missing 'b'"},
		{"nullable keyword", `{"type":"object","properties":{"a":{"type":"string","nullable":true}},"required":["a"],"additionalProperties":false}`, "'nullable' is not permitted"},
		{"nested object without additionalProperties", `{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},"required":["b"]}},"required":["a"],"additionalProperties":false}`, "context=('properties', 'a')"},
		{"array items without additionalProperties", `{"type":"object","properties":{"a":{"type":"array","items":{"type":"object","properties":{"b":{"type":"string"}},"required":["b"]}}},"required":["a"],"additionalProperties":false}`, "additionalProperties"},
		{"allOf", `{"type":"object","properties":{"a":{"allOf":[{"type":"string"}]}},"required":["a"],"additionalProperties":false}`, "'allOf' is not permitted"},
		{"unknown type", `{"type":"object","properties":{"a":{"type":"date"}},"required":["a"],"additionalProperties":false}`, "not supported"},
		{"missing ref", `{"type":"object","properties":{"a":{"$ref":"#/$defs/nope"}},"required":["a"],"additionalProperties":false}`, "not found"},
		{"ten levels", nested(10), ""},
		{"eleven levels", nested(11), "nested more than"},
		{"not JSON", `{`, "JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openaitest.CheckStrictSchema(json.RawMessage(tt.schema))
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestCheckStrictSchemaLimits(t *testing.T) {
	props := make([]string, 0, openaitest.MaxSchemaProperties+1)
	names := make([]string, 0, cap(props))
	for i := range openaitest.MaxSchemaProperties + 1 {
		props = append(props, fmt.Sprintf(`"p%d":{"type":"string"}`, i))
		names = append(names, fmt.Sprintf(`"p%d"`, i))
	}
	s := `{"type":"object","properties":{` + strings.Join(props, ",") + `},"required":[` + strings.Join(names, ",") + `],"additionalProperties":false}`
	err := openaitest.CheckStrictSchema(json.RawMessage(s))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "object properties")
}

func TestGenerateAndValidateInstance(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{
		"n":{"type":["integer","null"]},"s":{"type":"string"},"e":{"type":"string","enum":["a","b"]},
		"list":{"type":"array","items":{"$ref":"#/$defs/item"}},"f":{"type":"number"},"b":{"type":"boolean"}},
		"required":["n","s","e","list","f","b"],"additionalProperties":false,
		"$defs":{"item":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"],"additionalProperties":false}}}`)
	gen, err := openaitest.GenerateInstance(schema)
	require.NoError(t, err)
	require.NoError(t, openaitest.ValidateInstance(schema, gen), "%s", gen)
	var v map[string]any
	require.NoError(t, json.Unmarshal(gen, &v))
	assert.NotNil(t, v["n"], "a union with null prefers the other type")
	assert.Equal(t, "a", v["e"])

	tests := []struct {
		name, instance, wantErr string
	}{
		{"missing property", `{"n":1,"s":"x","e":"a","list":[],"f":1.5}`, "missing required property b"},
		{"extra property", `{"n":1,"s":"x","e":"a","list":[],"f":1,"b":true,"total":100}`, `unexpected property "total"`},
		{"wrong type", `{"n":"1","s":"x","e":"a","list":[],"f":1,"b":true}`, "$.n: type string"},
		{"null allowed", `{"n":null,"s":"x","e":"a","list":[],"f":1,"b":true}`, ""},
		{"fraction for integer", `{"n":1.5,"s":"x","e":"a","list":[],"f":1,"b":true}`, "$.n: type number"},
		{"enum", `{"n":1,"s":"x","e":"c","list":[],"f":1,"b":true}`, "enum"},
		{"nested item", `{"n":1,"s":"x","e":"a","list":[{"q":1}],"f":1,"b":true}`, "$.list[0].q"},
		{"not JSON", `{"n":`, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openaitest.ValidateInstance(schema, json.RawMessage(tt.instance))
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}
