package scorecard_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score/scorecard"
)

// schemaDefs reads the $defs of the published JSON Schema.
func schemaDefs(t *testing.T) map[string]map[string]any {
	t.Helper()
	var doc struct {
		Defs map[string]map[string]any `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(scorecard.JSONSchema(), &doc))
	return doc.Defs
}

func props(t *testing.T, def map[string]any) []string {
	t.Helper()
	p, ok := def["properties"].(map[string]any)
	require.True(t, ok, "a definition with properties")
	var out []string
	for k := range p {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func jsonFields(v any) []string {
	var out []string
	rt := reflect.TypeOf(v)
	for i := 0; i < rt.NumField(); i++ {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func enum(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok)
	var out []string
	for _, e := range m["enum"].([]any) {
		out = append(out, e.(string))
	}
	slices.Sort(out)
	return out
}

func names(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestSchemaMatchesTheFormat: the JSON Schema the server publishes has
// the fields of the Go types, and the vocabulary's names in its enums, so
// that a field or a name added to one is added to the other.
func TestSchemaMatchesTheFormat(t *testing.T) {
	defs := schemaDefs(t)
	assert.Equal(t, jsonFields(scorecard.Rules{}), props(t, defs["rules"]), "rules")
	assert.Equal(t, jsonFields(scorecard.Band{}), props(t, defs["band"]), "band")
	var union []string
	for _, kind := range []string{"require", "forbid", "bonus", "tally"} {
		for _, p := range props(t, defs[kind]) {
			if !slices.Contains(union, p) {
				union = append(union, p)
			}
		}
	}
	slices.Sort(union)
	assert.Equal(t, jsonFields(scorecard.Rule{}), union, "the fields of require, forbid, bonus and tally rules")

	assert.Equal(t, names(scorecard.Measures), enum(t, defs["measure"]), "measures")
	rules := defs["rules"]["properties"].(map[string]any)
	assert.Equal(t, names(scorecard.Evaluators), enum(t, rules["evaluator"]), "evaluators")
	assert.Equal(t, names(scorecard.QuoteFacts), enum(t, defs["facts"]["items"]), "quote facts")
	var signals []string
	for _, s := range scorecard.Signals {
		signals = append(signals, s.Name)
	}
	slices.Sort(signals)
	assert.Equal(t, signals, enum(t, defs["signal"]), "signals")
	desc := defs["condition"]["description"].(string)
	for c := range scorecard.Conditions {
		assert.Contains(t, desc, c, "the conditions' description")
	}
	item := defs["item"]["properties"].(map[string]any)["if"].(map[string]any)["items"].(map[string]any)["pattern"].(string)
	for c := range scorecard.ItemConditions {
		assert.Contains(t, item, c, "the item conditions")
	}
}

// TestDefaultMatchesTheSchema validates the default scorecard and the
// bank's example against the JSON Schema, and checks that the schema
// refuses what Parse refuses in the new rule fields.
func TestDefaultMatchesTheSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(scorecard.JSONSchema()))
	require.NoError(t, err)
	require.NoError(t, c.AddResource("schema.json", doc))
	sch, err := c.Compile("schema.json")
	require.NoError(t, err)
	asJSON := func(sc *scorecard.Scorecard) any {
		b, err := sc.MarshalJSONFile()
		require.NoError(t, err)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		require.NoError(t, err)
		return v
	}
	def := scorecard.Default()
	assert.NoError(t, sch.Validate(asJSON(def)))
	cards, err := scorecard.Load("testdata/bank.yaml")
	require.NoError(t, err)
	assert.NoError(t, sch.Validate(asJSON(cards[0])))

	bad := def.Clone()
	c0, _ := bad.Criterion("balance")
	c0.Rules.Tally[0].Bands[0].Per = -1
	assert.Error(t, sch.Validate(asJSON(bad)), "per must be > 0")
	bad = def.Clone()
	c0, _ = bad.Criterion("resolution")
	c0.Rules.Require[3].If[0] = "client_questions=>2"
	assert.Error(t, sch.Validate(asJSON(bad)), "not a comparison")
	_, err = scorecard.Parse("bad.json", mustJSON(t, bad))
	assert.Error(t, err, "Parse refuses it too")
}

func mustJSON(t *testing.T, sc *scorecard.Scorecard) []byte {
	t.Helper()
	b, err := sc.MarshalJSONFile()
	require.NoError(t, err)
	return b
}
