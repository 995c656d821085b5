package openaitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strings"
)

// Limits of OpenAI structured outputs in strict mode (Structured Outputs
// guide, "Supported schemas").
const (
	MaxSchemaDepth      = 10   // object nesting levels
	MaxSchemaProperties = 5000 // object properties in the whole schema
	MaxSchemaEnumValues = 1000 // enum values in the whole schema
)

// allowedKeywords is the subset of JSON Schema that strict mode accepts.
// Everything else, notably "nullable" (an OpenAPI 3.0 keyword, not JSON
// Schema) and "allOf"/"not"/"if", is rejected the way the API rejects it.
var allowedKeywords = map[string]bool{
	"type": true, "properties": true, "required": true, "additionalProperties": true,
	"items": true, "enum": true, "const": true, "anyOf": true, "description": true,
	"title": true, "$defs": true, "definitions": true, "$ref": true,
	"pattern": true, "format": true, "minimum": true, "maximum": true,
	"exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": true,
	"minItems": true, "maxItems": true,
}

var allowedTypes = map[string]bool{
	"string": true, "number": true, "integer": true, "boolean": true,
	"object": true, "array": true, "null": true,
}

// SchemaError is a strict-schema rule violation; Path says where, in the
// API's own "context=(...)" style.
type SchemaError struct {
	Path    []string
	Message string
}

func (e *SchemaError) Error() string {
	quoted := make([]string, len(e.Path))
	for i, p := range e.Path {
		quoted[i] = "'" + p + "'"
	}
	return fmt.Sprintf("In context=(%s), %s", strings.Join(quoted, ", "), e.Message)
}

// CheckStrictSchema reports whether schema is acceptable to the API as a
// response_format json_schema with strict: true: the root is an object,
// every object lists all its properties in required and sets
// additionalProperties to false, optional values are type unions with
// "null", only supported keywords appear, and the depth and size limits
// hold. It returns nil for a valid schema.
func CheckStrictSchema(schema json.RawMessage) error {
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return &SchemaError{Message: "schema must be a JSON object: " + err.Error()}
	}
	if t, _ := root["type"].(string); t != "object" {
		return &SchemaError{Message: "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"" + fmt.Sprint(root["type"]) + "\"'."}
	}
	c := &strictChecker{defs: defsOf(root)}
	if err := c.check(root, nil, 0); err != nil {
		return err
	}
	if c.props > MaxSchemaProperties {
		return &SchemaError{Message: fmt.Sprintf("schema has %d object properties, more than the %d allowed", c.props, MaxSchemaProperties)}
	}
	if c.enums > MaxSchemaEnumValues {
		return &SchemaError{Message: fmt.Sprintf("schema has %d enum values, more than the %d allowed", c.enums, MaxSchemaEnumValues)}
	}
	return nil
}

type strictChecker struct {
	defs         map[string]any
	props, enums int
	refDepth     int
}

func defsOf(root map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"$defs", "definitions"} {
		if m, ok := root[k].(map[string]any); ok {
			for name, v := range m {
				out["#/"+k+"/"+name] = v
			}
		}
	}
	return out
}

func (c *strictChecker) check(node map[string]any, path []string, depth int) error {
	fail := func(format string, args ...any) error {
		return &SchemaError{Path: slices.Clone(path), Message: fmt.Sprintf(format, args...)}
	}
	keys := make([]string, 0, len(node))
	for k := range node {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowedKeywords[k] {
			return fail("'%s' is not permitted.", k)
		}
	}
	if ref, ok := node["$ref"].(string); ok {
		target, ok := c.defs[ref].(map[string]any)
		if !ok {
			return fail("reference to component '%s' which was not found in the schema.", ref)
		}
		// Recursive schemas are allowed; stop following after a few hops.
		if c.refDepth > MaxSchemaDepth {
			return nil
		}
		c.refDepth++
		defer func() { c.refDepth-- }()
		return c.check(target, append(path, ref), depth)
	}
	if anyOf, ok := node["anyOf"].([]any); ok {
		if len(path) == 0 {
			return fail("the root schema must not be anyOf.")
		}
		for i, sub := range anyOf {
			m, ok := sub.(map[string]any)
			if !ok {
				return fail("anyOf[%d] must be a schema object.", i)
			}
			if err := c.check(m, append(path, "anyOf", fmt.Sprint(i)), depth); err != nil {
				return err
			}
		}
		return nil
	}
	if e, ok := node["enum"].([]any); ok {
		c.enums += len(e)
	}
	types, err := typesOf(node["type"])
	if err != nil {
		return fail("%s", err.Error())
	}
	if len(types) == 0 && node["enum"] == nil && node["const"] == nil {
		return fail("schema must have a 'type' key.")
	}
	for _, t := range types {
		if !allowedTypes[t] {
			return fail("type '%s' is not supported.", t)
		}
	}
	if slices.Contains(types, "object") {
		if depth+1 > MaxSchemaDepth {
			return fail("schema is nested more than %d levels deep.", MaxSchemaDepth)
		}
		if ap, ok := node["additionalProperties"].(bool); !ok || ap {
			return fail("'additionalProperties' is required to be supplied and to be false.")
		}
		props, _ := node["properties"].(map[string]any)
		required := map[string]bool{}
		if rs, ok := node["required"].([]any); ok {
			for _, r := range rs {
				s, _ := r.(string)
				required[s] = true
			}
		} else if node["required"] != nil {
			return fail("'required' must be an array of strings.")
		}
		names := make([]string, 0, len(props))
		for name := range props {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if !required[name] {
				return fail("'required' is required to be supplied and to be an array including every key in properties. Missing '%s'.", name)
			}
		}
		for r := range required {
			if _, ok := props[r]; !ok {
				return fail("'required' names '%s', which is not in properties.", r)
			}
		}
		c.props += len(props)
		for _, name := range names {
			sub, ok := props[name].(map[string]any)
			if !ok {
				return fail("property '%s' must be a schema object.", name)
			}
			if err := c.check(sub, append(path, "properties", name), depth+1); err != nil {
				return err
			}
		}
	}
	if slices.Contains(types, "array") {
		items, ok := node["items"].(map[string]any)
		if !ok {
			return fail("array schema missing items.")
		}
		if err := c.check(items, append(path, "items"), depth); err != nil {
			return err
		}
	}
	return nil
}

func typesOf(v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("'type' must be a string or an array of strings")
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("'type' must be a string or an array of strings")
}

// ValidateInstance checks that the JSON value data conforms to schema
// (within the strict-mode subset: types and unions, properties, required,
// additionalProperties, items, enum, const, anyOf and local $ref). It is
// what the real API guarantees about a strict structured output, so tests
// can check scripted replies with it.
func ValidateInstance(schema, data json.RawMessage) error {
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("instance is not JSON: %w", err)
	}
	return validate(root, defsOf(root), v, "$")
}

func validate(node, defs map[string]any, v any, at string) error {
	if ref, ok := node["$ref"].(string); ok {
		target, ok := defs[ref].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unresolved $ref %s", at, ref)
		}
		return validate(target, defs, v, at)
	}
	if anyOf, ok := node["anyOf"].([]any); ok {
		for _, sub := range anyOf {
			if m, ok := sub.(map[string]any); ok && validate(m, defs, v, at) == nil {
				return nil
			}
		}
		return fmt.Errorf("%s: matches no anyOf branch", at)
	}
	if c, ok := node["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		return fmt.Errorf("%s: want const %v", at, c)
	}
	if e, ok := node["enum"].([]any); ok {
		found := false
		for _, x := range e {
			if fmt.Sprint(x) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%s: %v is not one of the enum values", at, v)
		}
	}
	types, _ := typesOf(node["type"])
	if len(types) == 0 {
		return nil
	}
	got := jsonType(v)
	if !slices.Contains(types, got) && !(got == "integer" && slices.Contains(types, "number")) {
		return fmt.Errorf("%s: type %s, want %s", at, got, strings.Join(types, " or "))
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := node["properties"].(map[string]any)
		if rs, ok := node["required"].([]any); ok {
			for _, r := range rs {
				if _, ok := x[fmt.Sprint(r)]; !ok {
					return fmt.Errorf("%s: missing required property %v", at, r)
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := props[k].(map[string]any)
			if !ok {
				if ap, _ := node["additionalProperties"].(bool); !ap {
					return fmt.Errorf("%s: unexpected property %q", at, k)
				}
				continue
			}
			if err := validate(sub, defs, x[k], at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		if items, ok := node["items"].(map[string]any); ok {
			for i, it := range x {
				if err := validate(items, defs, it, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) {
			return "integer"
		}
		return "number"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "unknown"
}

// GenerateInstance returns a JSON value valid against schema, the way a
// model in strict mode would answer, with made-up content: integers and
// numbers in 0..100 derived from the property path (so different fields
// differ but runs repeat), strings naming their path, one array item, the
// first enum value, and null never chosen for a union that allows another
// type.
func GenerateInstance(schema json.RawMessage) (json.RawMessage, error) {
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	v := generate(root, defsOf(root), "", 0)
	return json.Marshal(v)
}

func generate(node, defs map[string]any, path string, hops int) any {
	if ref, ok := node["$ref"].(string); ok {
		if t, ok := defs[ref].(map[string]any); ok && hops < 4 {
			return generate(t, defs, path, hops+1)
		}
		return nil
	}
	if anyOf, ok := node["anyOf"].([]any); ok && len(anyOf) > 0 {
		m, _ := anyOf[0].(map[string]any)
		return generate(m, defs, path, hops)
	}
	if c, ok := node["const"]; ok {
		return c
	}
	if e, ok := node["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	types, _ := typesOf(node["type"])
	t := "null"
	for _, x := range types {
		if x != "null" {
			t = x
			break
		}
	}
	switch t {
	case "object":
		props, _ := node["properties"].(map[string]any)
		out := make(map[string]any, len(props))
		for name, sub := range props {
			m, _ := sub.(map[string]any)
			out[name] = generate(m, defs, path+"."+name, hops)
		}
		return out
	case "array":
		items, _ := node["items"].(map[string]any)
		return []any{generate(items, defs, path+"[0]", hops)}
	case "string":
		return "generated " + strings.TrimPrefix(path, ".")
	case "integer", "number":
		h := fnv.New32a()
		h.Write([]byte(path))
		return int(h.Sum32() % 101)
	case "boolean":
		return true
	}
	return nil
}
