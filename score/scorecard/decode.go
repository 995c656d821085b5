package scorecard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/callaudit/callaudit"
)

// The files are read in two steps: a walk over the YAML node tree (JSON is
// YAML too, once encoding/json has checked its syntax) that refuses
// unknown fields and values of the wrong shape and records the line of
// every field path, then the decoding into the types and Validate, whose
// errors name the paths the walk found lines for.

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// walk checks n against t and records the line of path.
func walk(n *yaml.Node, path string, t reflect.Type, lines map[string]int, name string, errs *[]callaudit.FieldError) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	lines[path] = n.Line
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	isNull := n.Kind == yaml.ScalarNode && n.Tag == "!!null"
	if isNull {
		return
	}
	bad := func(want string) {
		*errs = append(*errs, fieldError(name, n.Line, path, "must be "+want+", not "+describe(n)))
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad("an object")
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			p := join(path, k.Value)
			if !ok {
				*errs = append(*errs, fieldError(name, k.Line, p, "unknown field "+strconv.Quote(k.Value)+"; known fields: "+strings.Join(fieldNames(t), ", ")))
				continue
			}
			walk(v, p, f.Type, lines, name, errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad("a list")
			return
		}
		for i, v := range n.Content {
			walk(v, fmt.Sprintf("%s[%d]", path, i), t.Elem(), lines, name, errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			bad("an object")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			walk(v, join(path, k.Value), t.Elem(), lines, name, errs)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			bad("a string")
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			bad("an integer")
		}
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			bad("a number")
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			bad("true or false")
		}
	}
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		m[tag] = f
	}
	return m
}

func fieldNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	return out
}

// checkJSON reports a JSON syntax error with its line.
func checkJSON(name string, data []byte) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&v)
	if err == nil {
		if _, extra := dec.Token(); extra == nil {
			return invalid(fieldError(name, lineAt(data, int(dec.InputOffset())), "", "unexpected data after the top-level value"))
		}
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return invalid(fieldError(name, lineAt(data, int(se.Offset)), "", "JSON syntax: "+se.Error()))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return invalid(fieldError(name, lineAt(data, len(data)), "", "JSON syntax: unexpected end of the file"))
	}
	return invalid(fieldError(name, 1, "", "JSON syntax: "+err.Error()))
}

func lineAt(data []byte, off int) int {
	off = min(max(off, 0), len(data))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// syntaxError turns a YAML parser or decoder error into field errors with
// their lines.
func syntaxError(name string, err error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var out []callaudit.FieldError
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		line := 1
		if sm := yamlLine.FindStringSubmatch(m); sm != nil {
			line, _ = strconv.Atoi(sm[1])
			m = sm[2]
		}
		out = append(out, fieldError(name, line, "", "syntax: "+m))
	}
	return invalid(out...)
}

// fieldError is one problem: "name:line: path: reason".
func fieldError(name string, line int, path, reason string) callaudit.FieldError {
	var msg string
	switch {
	case name != "" && line > 0:
		msg = fmt.Sprintf("%s:%d: ", name, line)
	case name != "":
		msg = name + ": "
	}
	if path != "" {
		msg += path + ": "
	}
	msg += reason
	field := "scorecard"
	if path != "" {
		field = path
	}
	return callaudit.FieldError{Field: field, Message: msg, Params: map[string]string{"file": name, "line": strconv.Itoa(line), "reason": reason}}
}

func invalid(errs ...callaudit.FieldError) error { return callaudit.Invalid(errs...) }

// fieldErrors returns the field errors of a KindInvalid error.
func fieldErrors(err error) []callaudit.FieldError {
	var e *callaudit.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields
	}
	return []callaudit.FieldError{{Field: "scorecard", Message: err.Error()}}
}

// line returns the line of path, or of its nearest parent that has one.
func (sc *Scorecard) line(path string) int {
	for {
		if l, ok := sc.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			if l, ok := sc.lines[""]; ok {
				return l
			}
			return 0
		}
		path = path[:i]
	}
}
