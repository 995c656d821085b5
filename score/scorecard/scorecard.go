// Package scorecard is the team's own scorecard as data: one file, YAML or
// JSON, that names the criteria a call is judged on, their titles in the
// report languages, their weights per analysis mode, the description a
// model scorer is given, and the rules the offline checklist scorer
// evaluates (phrases and stems, who must say them, where in the call,
// required or forbidden, points, thresholds and caps).
//
// The format is documented in docs/scorecard.md and published as a JSON
// Schema (JSONSchema). Parse refuses a malformed file with the file name,
// line and field path of every problem, as a callaudit KindInvalid error
// of field errors. The built-in sales checklist is itself a scorecard, the
// embedded file default.yaml (Default).
package scorecard

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/score"
)

// Text is a message by report language ("ru", "en").
type Text map[string]string

// In returns the text in lang, falling back to English, then Russian.
func (t Text) In(lang string) string {
	if v := t[lang]; v != "" {
		return v
	}
	if v := t["en"]; v != "" {
		return v
	}
	return t["ru"]
}

// Scorecard is a set of criteria with their weights and rules.
type Scorecard struct {
	// ID names the scorecard ([a-z][a-z0-9_-]*); reports record it in
	// Meta.Scorecard.
	ID string `json:"id" yaml:"id"`
	// Version is a positive integer; a changed scorecard is saved under a
	// new version, and reports record the one they were scored with.
	Version     int  `json:"version" yaml:"version"`
	Title       Text `json:"title" yaml:"title"`
	Description Text `json:"description,omitempty" yaml:"description,omitempty"`
	// Languages are the report languages the texts are written in; every
	// title must have each of them.
	Languages []string    `json:"languages" yaml:"languages"`
	Criteria  []Criterion `json:"criteria" yaml:"criteria"`

	// lines maps field paths ("criteria[2].weight") to the line of the
	// source file they were read from; name is the file's name.
	name  string
	lines map[string]int
}

// Criterion is one thing a call is judged on.
type Criterion struct {
	// ID is the key of the criterion in reports ([a-z][a-z0-9_]*).
	ID    string `json:"id" yaml:"id"`
	Title Text   `json:"title" yaml:"title"`
	// Description says what to look for; a model scorer is given it.
	Description Text `json:"description,omitempty" yaml:"description,omitempty"`
	// Advice is the recommendation given when a call falls short on the
	// criterion.
	Advice Text `json:"advice,omitempty" yaml:"advice,omitempty"`
	// Weight is the criterion's share of the total in every mode it
	// applies to; Weights gives one per mode instead. Weights must be > 0.
	Weight  float64            `json:"weight,omitempty" yaml:"weight,omitempty"`
	Weights map[string]float64 `json:"weights,omitempty" yaml:"weights,omitempty"`
	// Modes are the analysis modes whose rubric has the criterion
	// ("Manager+", "Client+", "Диалог"); none: every mode. With Weights,
	// its keys are the modes.
	Modes []string `json:"modes,omitempty" yaml:"modes,omitempty"`
	// Catalogue keeps the criterion out of every mode's rubric: custom
	// rubrics (score.Request.Rubric) may still pick it by id.
	Catalogue bool `json:"catalogue,omitempty" yaml:"catalogue,omitempty"`
	// Rules are how the offline checklist scores the criterion; a model
	// scorer ignores them.
	Rules *Rules `json:"rules,omitempty" yaml:"rules,omitempty"`
}

// Rules score a criterion offline. The score starts at Base (0 when there
// are Require rules, else 100), adds the points of what was found (Require)
// and takes off the points of what should not have happened (Forbid),
// within 0..100; Caps then limit it. Tally rows score a sum of measures
// instead. Evaluator (deprecated) stands for the default scorecard's rules
// of the criterion it names (Evaluators).
type Rules struct {
	Evaluator string `json:"evaluator,omitempty" yaml:"evaluator,omitempty"`
	// Skip: when any of the conditions holds, the criterion is not scored
	// (reported with weight 0 and score 100) with Comment.
	Skip *Skip `json:"skip,omitempty" yaml:"skip,omitempty"`
	// Cases replace the rules below with their own when their conditions
	// hold: the first whose When holds wins.
	Cases []Case `json:"cases,omitempty" yaml:"cases,omitempty"`
	Base  *int   `json:"base,omitempty" yaml:"base,omitempty"`
	// Pick is "sum" (default: the points of every Require rule found add
	// up) or "first" (the points of the first rule found are the score,
	// else Base; its Found text is the comment, else None).
	Pick    string `json:"pick,omitempty" yaml:"pick,omitempty"`
	Require []Rule `json:"require,omitempty" yaml:"require,omitempty"`
	Forbid  []Rule `json:"forbid,omitempty" yaml:"forbid,omitempty"`
	// Bonus rules add their points after the others (after the pick of
	// Pick "first" too), without a comment.
	Bonus []Rule `json:"bonus,omitempty" yaml:"bonus,omitempty"`
	// Tally rows score the criterion as a sum: from Base (default 0)
	// each row adds the points of what it measures (points per count, or
	// the points of the band its value is in; negative points take off),
	// within 0..100. The comment is the labels of the rows that apply,
	// joined as written (a label carries its own separator, "; …"; a
	// leading "; " of the whole is dropped), or Praise when there is none.
	Tally []Rule `json:"tally,omitempty" yaml:"tally,omitempty"`
	// Average scores the criterion as the mean of other criteria of the
	// scorecard (rounded half up), their comments joined and their
	// evidence merged.
	Average []string `json:"average,omitempty" yaml:"average,omitempty"`
	// Praise is the comment when nothing was missed or found wrong; the
	// PraiseMore parts whose conditions hold are added to it.
	Praise     Text    `json:"praise,omitempty" yaml:"praise,omitempty"`
	PraiseMore []Extra `json:"praise_more,omitempty" yaml:"praise_more,omitempty"`
	// None is the comment of Pick "first" when no rule was found.
	None Text  `json:"none,omitempty" yaml:"none,omitempty"`
	Caps []Cap `json:"caps,omitempty" yaml:"caps,omitempty"`
	// Evidence quotes are added to the rules' own; Fallback quotes are
	// given when there is still none.
	Evidence *Quotes `json:"evidence,omitempty" yaml:"evidence,omitempty"`
	Fallback *Quotes `json:"fallback,omitempty" yaml:"fallback,omitempty"`
}

// Skip leaves a criterion unscored when a condition holds.
type Skip struct {
	When    []string `json:"when" yaml:"when"`
	Comment Text     `json:"comment" yaml:"comment"`
}

// Case is a set of rules used when one of its conditions holds.
type Case struct {
	When  []string `json:"when" yaml:"when"`
	Rules Rules    `json:"rules" yaml:"rules"`
}

// Extra is a comment part added when one of its conditions holds.
type Extra struct {
	When []string `json:"when" yaml:"when"`
	Text Text     `json:"text" yaml:"text"`
}

// Quotes names evidence: up to N hits of the signals, in spoken order,
// then the turns of the facts (QuoteFacts) the call has.
type Quotes struct {
	Signals []string `json:"signals,omitempty" yaml:"signals,omitempty"`
	N       int      `json:"n,omitempty" yaml:"n,omitempty"`
	Facts   []string `json:"facts,omitempty" yaml:"facts,omitempty"`
}

// Cap limits a criterion's score when one of its conditions holds. With
// Note the cap applies only when it lowers the score, Note is added to
// the comment and Quotes to the evidence; with Lead it always applies, Lead opens the comment
// (replacing the praise) and Quotes open the evidence.
type Cap struct {
	When   []string `json:"when" yaml:"when"`
	Max    int      `json:"max" yaml:"max"`
	Note   Text     `json:"note,omitempty" yaml:"note,omitempty"`
	Lead   Text     `json:"lead,omitempty" yaml:"lead,omitempty"`
	Quotes *Quotes  `json:"quotes,omitempty" yaml:"quotes,omitempty"`
}

// Rule is one row of Require (something that earns points when found) or
// Forbid (something that costs points).
type Rule struct {
	// Signal names one of the checklist's built-in phrase tables
	// (Signals); Phrases lists the scorecard's own phrases instead. A
	// phrase is space-separated words over lower-case text: "word",
	// "stem*" (any word starting with stem, at least two letters), "#"
	// (any number) and ".." (up to three words between).
	Signal string `json:"signal,omitempty" yaml:"signal,omitempty"`
	// If makes a Require or Bonus rule depend on conditions of the call
	// (Conditions; "!" before a name negates it), all of which must hold;
	// with no signal or phrases the conditions alone are the rule.
	If []string `json:"if,omitempty" yaml:"if,omitempty"`
	// Signals lists several built-in signals, for a Forbid rule that
	// counts any of them.
	Signals []string `json:"signals,omitempty" yaml:"signals,omitempty"`
	Phrases []string `json:"phrases,omitempty" yaml:"phrases,omitempty"`
	// Who must say the phrases: "manager", "client" or "any" (default);
	// only with Phrases (a built-in signal has its own speaker).
	Who string `json:"who,omitempty" yaml:"who,omitempty"`
	// First: only the first N turns count (the first hit decides); Last:
	// the last N (the last hit decides); neither: anywhere.
	First int `json:"first,omitempty" yaml:"first,omitempty"`
	Last  int `json:"last,omitempty" yaml:"last,omitempty"`
	// Late: the last hit decides, and it must be in the last third of
	// the call (how the client left); for Require and Bonus rules and for
	// a Forbid or Tally rule of measure "found".
	Late bool `json:"late,omitempty" yaml:"late,omitempty"`
	// Cue refines a Require rule: "asked" (a question the manager left
	// room to answer), "intro_name"/"intro_company" (also an introduction
	// in plain words).
	Cue string `json:"cue,omitempty" yaml:"cue,omitempty"`
	// Measure is what a Forbid rule counts (Measures); "sentences" (the
	// sentences with a hit) by default.
	Measure string `json:"measure,omitempty" yaml:"measure,omitempty"`
	// Points: earned by a Require rule; taken per occurrence by a Forbid
	// rule, at most Most (default Points).
	Points int `json:"points" yaml:"points"`
	Most   int `json:"most,omitempty" yaml:"most,omitempty"`
	// Found and Miss are a Require rule's comment parts when it is found
	// (Pick "first") or missed; Unheard when a cue "asked" was said
	// without room to answer. Label is a Forbid rule's, "%s" standing
	// for the count or measure.
	Found   Text `json:"found,omitempty" yaml:"found,omitempty"`
	Miss    Text `json:"miss,omitempty" yaml:"miss,omitempty"`
	Unheard Text `json:"unheard,omitempty" yaml:"unheard,omitempty"`
	// Advice is a Require rule's recommendation: what to do when it is
	// missed, or, with Pick "first", what is left to do when it is the
	// rule found. It replaces the criterion's Advice, which asks for the
	// whole criterion, so that the advice asks only for what the call
	// lacked.
	Advice Text `json:"advice,omitempty" yaml:"advice,omitempty"`
	Label  Text `json:"label,omitempty" yaml:"label,omitempty"`
	// Quote: a Require rule quotes what it found; Quotes: a Forbid rule
	// quotes up to that many occurrences.
	Quote  bool `json:"quote,omitempty" yaml:"quote,omitempty"`
	Quotes int  `json:"quotes,omitempty" yaml:"quotes,omitempty"`
	// Facts are turns (QuoteFacts) a Require or Bonus rule quotes when it
	// is found, and a Tally rule when it applies.
	Facts []string `json:"facts,omitempty" yaml:"facts,omitempty"`
	// Unit, in a Forbid or Tally rule, writes the count in the label's
	// "%s" with its noun: the forms separated by "|" (Russian: one, few,
	// many, as in "вопрос|вопроса|вопросов"; English: one, many).
	Unit Text `json:"unit,omitempty" yaml:"unit,omitempty"`
	// Max, in a Tally rule, limits the score so far to Max (when the
	// rule's value is not 0) instead of adding points.
	Max *int `json:"max,omitempty" yaml:"max,omitempty"`
	// Always shows a Tally rule's label when its value is 0 too.
	Always bool `json:"always,omitempty" yaml:"always,omitempty"`
	// Bands score a Tally rule's value (a share or a count) instead of
	// Points per count: the first band the value is within gives the
	// points.
	Bands []Band `json:"bands,omitempty" yaml:"bands,omitempty"`
	// Each scores every item a Tally rule's measure averages (measure
	// "objection_replies": each objection's reply): the points of the rows
	// whose if conditions (ItemConditions) all hold add up, within 0..100.
	Each []Rule `json:"each,omitempty" yaml:"each,omitempty"`
}

// Band is a range of a Tally rule's value and the points it scores:
// Points, plus Slope points per Per (default 1) the value is above From
// (below it when negative), rounded half away from zero. The value is
// within the band when it is below Below, or at most Upto; a band with
// neither takes every value.
type Band struct {
	Below  *float64 `json:"below,omitempty" yaml:"below,omitempty"`
	Upto   *float64 `json:"upto,omitempty" yaml:"upto,omitempty"`
	Points int      `json:"points" yaml:"points"`
	Slope  float64  `json:"slope,omitempty" yaml:"slope,omitempty"`
	Per    float64  `json:"per,omitempty" yaml:"per,omitempty"`
	From   float64  `json:"from,omitempty" yaml:"from,omitempty"`
	// Label is added to the rule's label when the band scores the value.
	Label Text `json:"label,omitempty" yaml:"label,omitempty"`
}

//go:embed schema.json
var schemaJSON []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the file format.
// The result is a copy.
func JSONSchema() []byte { return bytes.Clone(schemaJSON) }

//go:embed default.yaml
var defaultYAML []byte

// DefaultFile returns the embedded default scorecard file as written.
func DefaultFile() []byte { return bytes.Clone(defaultYAML) }

var defaultCard = sync.OnceValues(func() (*Scorecard, error) { return Parse("default.yaml", defaultYAML) })

// Default returns the default sales scorecard, the checklist's own rules
// (the embedded file default.yaml). The result is a fresh copy.
func Default() *Scorecard {
	sc, err := defaultCard()
	if err != nil {
		// The file is part of the package; its tests parse it.
		panic("scorecard: the default scorecard is invalid: " + err.Error())
	}
	return sc.Clone()
}

// Parse reads a scorecard from a YAML or JSON file's contents; name (the
// file's name, for messages) decides the syntax: ".json" is JSON, anything
// else YAML. Unknown fields, a bad value, a weight <= 0, a duplicate id or
// a rule that cannot match are refused as a KindInvalid error with one
// field error per problem, each saying "name:line: field: reason".
func Parse(name string, data []byte) (*Scorecard, error) {
	sc := &Scorecard{name: name, lines: map[string]int{}}
	if strings.EqualFold(filepath.Ext(name), ".json") {
		if err := checkJSON(name, data); err != nil {
			return nil, err
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, syntaxError(name, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, invalid(fieldError(name, 1, "", "the file is empty"))
	}
	doc := root.Content[0]
	var errs []callaudit.FieldError
	walk(doc, "", typeOf[Scorecard](), sc.lines, name, &errs)
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	if err := doc.Decode(sc); err != nil {
		return nil, syntaxError(name, err)
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return sc, nil
}

// Load reads the scorecards in paths: files, or directories whose *.yaml,
// *.yml and *.json files are read in name order. Two scorecards with the
// same id and version are refused.
func Load(paths ...string) ([]*Scorecard, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, callaudit.Invalid(callaudit.FieldError{Field: "scorecard", Message: fmt.Sprintf("%s: %v", p, err)})
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, callaudit.Invalid(callaudit.FieldError{Field: "scorecard", Message: fmt.Sprintf("%s: %v", p, err)})
		}
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".yaml", ".yml", ".json":
				if !e.IsDir() {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
	}
	var out []*Scorecard
	var errs []callaudit.FieldError
	seen := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, callaudit.Invalid(callaudit.FieldError{Field: "scorecard", Message: fmt.Sprintf("%s: %v", f, err)})
		}
		sc, err := Parse(f, data)
		if err != nil {
			errs = append(errs, fieldErrors(err)...)
			continue
		}
		key := fmt.Sprintf("%s@%d", sc.ID, sc.Version)
		if prev, dup := seen[key]; dup {
			errs = append(errs, fieldError(f, sc.line("id"), "id", fmt.Sprintf("scorecard %q version %d is also in %s", sc.ID, sc.Version, prev)))
			continue
		}
		seen[key] = f
		out = append(out, sc)
	}
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	return out, nil
}

// Clone returns a deep copy of sc.
func (sc *Scorecard) Clone() *Scorecard {
	b, err := json.Marshal(sc)
	if err != nil {
		panic("scorecard: " + err.Error())
	}
	out := &Scorecard{}
	if err := json.Unmarshal(b, out); err != nil {
		panic("scorecard: " + err.Error())
	}
	out.name = sc.name
	out.lines = sc.lines
	return out
}

// Name is the file the scorecard was read from ("" when built in code).
func (sc *Scorecard) Name() string { return sc.name }

// MarshalYAMLFile writes sc in the file format, YAML.
func (sc *Scorecard) MarshalYAMLFile() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(sc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MarshalJSONFile writes sc in the file format, indented JSON.
func (sc *Scorecard) MarshalJSONFile() ([]byte, error) {
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Criterion returns the criterion with the id.
func (sc *Scorecard) Criterion(id string) (*Criterion, bool) {
	for i := range sc.Criteria {
		if sc.Criteria[i].ID == id {
			return &sc.Criteria[i], true
		}
	}
	return nil, false
}

// WeightIn returns the criterion's weight in mode, and whether the
// criterion applies to mode at all.
func (c *Criterion) WeightIn(mode score.Mode) (float64, bool) {
	if c.Catalogue {
		return 0, false
	}
	if len(c.Weights) > 0 {
		w, ok := c.Weights[string(mode)]
		return w, ok
	}
	if len(c.Modes) == 0 || slices.Contains(c.Modes, string(mode)) {
		return c.Weight, true
	}
	return 0, false
}

// ScoreCriterion is the criterion as package score describes it: id,
// titles, description and the given weight.
func (c *Criterion) ScoreCriterion(weight float64) score.Criterion {
	return score.Criterion{ID: c.ID, Title: cloneText(c.Title), Description: cloneText(c.Description), Weight: weight}
}

// Rubric returns the rubric of mode: the criteria that apply to it with
// their weights in it, in file order, named by the scorecard's id and
// version (Rubric.Name, Rubric.Version). An unknown mode gets Manager+'s.
// A mode the scorecard has no criterion for gets every criterion at its
// weight in any mode, so that a one-mode scorecard scores in all three.
func (sc *Scorecard) Rubric(mode score.Mode) score.Rubric {
	if !mode.Valid() {
		mode = score.ModeManager
	}
	r := score.Rubric{Name: sc.ID, Version: sc.Version}
	for i := range sc.Criteria {
		c := &sc.Criteria[i]
		if w, ok := c.WeightIn(mode); ok {
			r.Criteria = append(r.Criteria, c.ScoreCriterion(w))
		}
	}
	return r
}

// Catalogue returns every criterion once, with a zero weight: the
// criteria custom rubrics may pick from.
func (sc *Scorecard) Catalogue() []score.Criterion {
	out := make([]score.Criterion, len(sc.Criteria))
	for i := range sc.Criteria {
		out[i] = sc.Criteria[i].ScoreCriterion(0)
	}
	return out
}

func cloneText(t Text) map[string]string {
	if t == nil {
		return nil
	}
	m := make(map[string]string, len(t))
	for k, v := range t {
		m[k] = v
	}
	return m
}

func sortStrings(s []string) { slices.Sort(s) }
