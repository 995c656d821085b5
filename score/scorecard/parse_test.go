package scorecard_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	// The checklist registers its phrase compiler: phrases it cannot
	// match are refused where the file is read.
	_ "github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/score/scorecard"
)

// base is a small valid scorecard; the cases below change one line of it.
// Line numbers (1-based) are in the comments.
const base = `id: bank
version: 1
title: {en: Bank}
languages: [en]
criteria:
  - id: disclaimer
    title: {en: Disclaimer}
    weight: 30
    rules:
      require:
        - phrases: ["call is recorded"]
          who: manager
          first: 3
          points: 100
          miss: {en: no disclaimer}
      praise: {en: disclaimer given}
  - id: consent
    title: {en: Consent}
    weight: 20
    modes: [Manager+]
    rules:
      forbid:
        - signal: pressure
          points: 30
          label: {en: "pressure: %s"}
      praise: {en: no pressure}
`

// TestParseValid reads the base and the bank's example.
func TestParseValid(t *testing.T) {
	sc, err := scorecard.Parse("bank.yaml", []byte(base))
	require.NoError(t, err)
	assert.Equal(t, "bank", sc.ID)
	assert.Len(t, sc.Criteria, 2)
	cards, err := scorecard.Load("testdata")
	require.NoError(t, err)
	require.Len(t, cards, 1)
	assert.Equal(t, "bank-retail", cards[0].ID)
}

func fieldErrs(t *testing.T, err error) []callaudit.FieldError {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	var e *callaudit.Error
	require.True(t, errors.As(err, &e), "a callaudit error: %v", err)
	require.NotEmpty(t, e.Fields)
	return e.Fields
}

// TestParseRefuses: every malformed file is refused with the file, the
// line, the field path and the reason.
// forbidBlock is the consent criterion's forbid rules in base; tally
// replaces them with a tally of one row.
const forbidBlock = "      forbid:\n        - signal: pressure\n          points: 30\n          label: {en: \"pressure: %s\"}\n"

func tally(row string) string { return "      tally:\n        - " + row + "\n" }

func TestParseRefuses(t *testing.T) {
	for _, tt := range []struct {
		name     string
		file     string
		from, to string // replace in base (YAML cases)
		data     string // the whole file instead
		field    string
		want     string // the message: "file:line: field: reason"
	}{
		{name: "unknown field", from: "    weight: 30", to: "    wieght: 30",
			field: "criteria[0].wieght", want: `bank.yaml:8: criteria[0].wieght: unknown field "wieght"`},
		{name: "weight zero", from: "    weight: 20", to: "    weight: 0",
			field: "criteria[1].weight", want: "bank.yaml:19: criteria[1].weight: must be > 0"},
		{name: "weight negative", from: "    weight: 30", to: "    weight: -5",
			field: "criteria[0].weight", want: "bank.yaml:8: criteria[0].weight: must be > 0"},
		{name: "weight missing", from: "    weight: 30\n", to: "",
			field: "criteria[0].weight", want: "bank.yaml:6: criteria[0].weight: must be > 0"},
		{name: "weight not a number", from: "    weight: 30", to: "    weight: ten",
			field: "criteria[0].weight", want: `bank.yaml:8: criteria[0].weight: must be a number, not "ten"`},
		{name: "duplicate id", from: "  - id: consent", to: "  - id: disclaimer",
			field: "criteria[1].id", want: `bank.yaml:17: criteria[1].id: duplicate id "disclaimer" (also criteria[0])`},
		{name: "empty phrase", from: `["call is recorded"]`, to: `["call is recorded", " "]`,
			field: "criteria[0].rules.require[0].phrases[1]", want: "bank.yaml:11: criteria[0].rules.require[0].phrases[1]: the phrase is empty"},
		{name: "phrase without letters", from: `["call is recorded"]`, to: `["12 !!"]`,
			field: "criteria[0].rules.require[0].phrases[0]", want: `bank.yaml:11: criteria[0].rules.require[0].phrases[0]: the phrase "12 !!" has no letters`},
		{name: "stem too short", from: `["call is recorded"]`, to: `["записыва* р*"]`,
			field: "criteria[0].rules.require[0].phrases[0]", want: `bank.yaml:11: criteria[0].rules.require[0].phrases[0]: phrase "записыва* р*": stem "р*" is shorter than two letters`},
		{name: "phrase ends with a gap", from: `["call is recorded"]`, to: `["recorded .."]`,
			field: "criteria[0].rules.require[0].phrases[0]", want: `starts or ends with a gap`},
		{name: "unknown signal", from: "signal: pressure", to: "signal: presure",
			field: "criteria[1].rules.forbid[0].signal", want: `bank.yaml:23: criteria[1].rules.forbid[0].signal: unknown signal "presure"`},
		{name: "unknown measure", from: "        - signal: pressure\n", to: "        - measure: shouting\n",
			field: "criteria[1].rules.forbid[0].measure", want: `bank.yaml:23: criteria[1].rules.forbid[0].measure: unknown measure "shouting"`},
		{name: "unknown mode", from: "modes: [Manager+]", to: "modes: [Seller+]",
			field: "criteria[1].modes[0]", want: `bank.yaml:20: criteria[1].modes[0]: unknown mode "Seller+"`},
		{name: "unknown speaker", from: "who: manager", to: "who: operator",
			field: "criteria[0].rules.require[0].who", want: `bank.yaml:12: criteria[0].rules.require[0].who: must be manager, client or any, not "operator"`},
		{name: "points zero", from: "points: 100", to: "points: 0",
			field: "criteria[0].rules.require[0].points", want: "bank.yaml:14: criteria[0].rules.require[0].points: must be > 0"},
		{name: "missing title", from: "    title: {en: Consent}\n", to: "",
			field: "criteria[1].title", want: "bank.yaml:17: criteria[1].title: is required (en)"},
		{name: "bad YAML", from: "    title: {en: Consent}", to: "    title: {en: Consent",
			field: "scorecard", want: "bank.yaml:"},
		{name: "YAML tab", from: "    weight: 20", to: "\tweight: 20",
			field: "scorecard", want: "bank.yaml:19: syntax:"},
		{name: "bad JSON", file: "bank.json", data: "{\n  \"id\": \"bank\",\n  \"version\": 1,\n}\n",
			field: "scorecard", want: "bank.json:4: JSON syntax: invalid character '}'"},
		{name: "truncated JSON", file: "bank.json", data: "{\n  \"id\": \"bank\",\n  \"criteria\": [\n",
			field: "scorecard", want: "bank.json:4: JSON syntax: unexpected end of the file"},
		{name: "JSON unknown field", file: "bank.json", data: "{\n  \"id\": \"bank\",\n  \"version\": 1,\n  \"colour\": \"red\"\n}\n",
			field: "colour", want: `bank.json:4: colour: unknown field "colour"`},
		{name: "empty file", data: " \n", field: "scorecard", want: "bank.yaml:1: the file is empty"},
		{name: "tally with forbid", from: forbidBlock, to: "      tally:\n        - measure: client_questions\n          points: 5\n" + forbidBlock,
			field: "criteria[1].rules.tally", want: "tally rows are the whole score"},
		{name: "comparison of an unknown measure", from: forbidBlock, to: tally(`measure: once
          if: ["loudness>2"]
          points: 5`),
			field: "criteria[1].rules.tally[0].if[0]", want: `cannot compare "loudness"`},
		{name: "comparison of a phrase measure", from: forbidBlock, to: tally(`measure: once
          if: ["hits>2"]
          points: 5`),
			field: "criteria[1].rules.tally[0].if[0]", want: `cannot compare "hits"`},
		{name: "unknown alternative", from: forbidBlock, to: tally(`measure: once
          if: ["rude|rudeness"]
          points: 5`),
			field: "criteria[1].rules.tally[0].if[0]", want: `unknown condition "rudeness"`},
		{name: "once without if", from: forbidBlock, to: tally(`measure: once
          points: 5`),
			field: "criteria[1].rules.tally[0].if", want: `measure "once" counts the rule's conditions`},
		{name: "max in a forbid rule", from: forbidBlock, to: "      forbid:\n        - signal: pressure\n          points: 30\n          max: 10\n          label: {en: \"pressure: %s\"}\n",
			field: "criteria[1].rules.forbid[0].max", want: "only a tally rule has max"},
		{name: "max with points", from: forbidBlock, to: tally(`measure: once
          if: [rude]
          points: 5
          max: 10`),
			field: "criteria[1].rules.tally[0].max", want: "limits the score (max) or adds points, not both"},
		{name: "bands in a forbid rule", from: forbidBlock, to: "      forbid:\n        - signal: pressure\n          points: 30\n          bands: [{points: 10}]\n          label: {en: \"pressure: %s\"}\n",
			field: "criteria[1].rules.forbid[0].bands", want: "only a tally rule has bands"},
		{name: "share without bands", from: forbidBlock, to: tally(`measure: manager_talk
          points: 10`),
			field: "criteria[1].rules.tally[0].measure", want: `the share "manager_talk" is scored by bands`},
		{name: "band with below and upto", from: forbidBlock, to: tally(`measure: client_talk
          bands: [{below: 0.3, upto: 0.6, points: 10}]`),
			field: "criteria[1].rules.tally[0].bands[0]", want: "give below or upto, not both"},
		{name: "each without its measure", from: forbidBlock, to: tally(`measure: client_questions
          points: 5
          each: [{if: [reply], points: 10}]`),
			field: "criteria[1].rules.tally[0].each", want: `measure "objection_replies" and each go together`},
		{name: "each row condition", from: forbidBlock, to: tally(`measure: objection_replies
          points: 1
          each: [{if: [reply_polite], points: 10}]`),
			field: "criteria[1].rules.tally[0].each[0].if[0]", want: `unknown condition "reply_polite"`},
		{name: "late outside found", from: forbidBlock, to: "      forbid:\n        - signal: pressure\n          late: true\n          points: 30\n          label: {en: \"pressure: %s\"}\n",
			field: "criteria[1].rules.forbid[0].late", want: `late is for measure "found"`},
		{name: "unknown fact", from: forbidBlock, to: tally(`measure: once
          if: [rude]
          points: 5
          facts: [the_offer]`),
			field: "criteria[1].rules.tally[0].facts[0]", want: `unknown fact "the_offer"`},
		{name: "unit in a require rule", from: forbidBlock, to: "      forbid:\n        - signal: pressure\n          points: 30\n          label: {en: \"pressure: %s\"}\n      require:\n        - signal: greet\n          points: 10\n          unit: {en: \"a|b\"}\n          miss: {en: no}\n",
			field: "criteria[1].rules.require[0]", want: "label, unit, always and quotes are a forbid or tally rule's"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = "bank.yaml"
			}
			data := tt.data
			if data == "" {
				require.Contains(t, base, tt.from)
				data = strings.Replace(base, tt.from, tt.to, 1)
			}
			_, err := scorecard.Parse(file, []byte(data))
			errs := fieldErrs(t, err)
			var found bool
			for _, e := range errs {
				if e.Field == tt.field && strings.Contains(e.Message, tt.want) {
					found = true
				}
			}
			assert.True(t, found, "want %s: %s among %+v", tt.field, tt.want, errs)
		})
	}
}

// TestLoadRefusesTheWholeSet: one bad file in a directory refuses the
// load, naming that file; a duplicate id and version across files is
// refused too.
func TestLoadRefusesTheWholeSet(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(base), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(strings.Replace(base, "weight: 30", "weight: 0", 1)), 0o600))
	_, err := scorecard.Load(dir)
	errs := fieldErrs(t, err)
	assert.Contains(t, errs[0].Message, filepath.Join(dir, "b.yaml")+":8: criteria[0].weight: must be > 0")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(base), 0o600))
	_, err = scorecard.Load(dir)
	errs = fieldErrs(t, err)
	assert.Contains(t, errs[0].Message, `scorecard "bank" version 1 is also in`)
}
