package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe"
)

// declaredCodes returns the values of the constants of type Code
// (callaudit.Code) declared in a Go file.
func declaredCodes(t *testing.T, path string) []callaudit.Code {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	require.NoError(t, err)
	var out []callaudit.Code
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			typ := ""
			switch tt := vs.Type.(type) {
			case *ast.Ident:
				typ = tt.Name
			case *ast.SelectorExpr:
				typ = tt.Sel.Name
			}
			if typ != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				require.True(t, ok, "code constants are string literals")
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				out = append(out, callaudit.Code(s))
			}
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Every code declared by the core and by this package has Russian and
// English text, and the catalogue holds no code nobody declares.
func TestCatalogueHasEveryCode(t *testing.T) {
	declared := append(declaredCodes(t, "../../codes.go"), declaredCodes(t, "messages.go")...)
	declared = append(declared, declaredCodes(t, "../../access/codes.go")...)
	require.Greater(t, len(declared), 40, "the files declare the codes")
	seen := map[callaudit.Code]bool{}
	for _, c := range declared {
		assert.False(t, seen[c], "code %q is declared twice", c)
		seen[c] = true
		m, ok := catalogue[c]
		if !assert.True(t, ok, "code %q has no text", c) {
			continue
		}
		assert.NotEmpty(t, strings.TrimSpace(m.ru), "code %q has no Russian text", c)
		assert.NotEmpty(t, strings.TrimSpace(m.en), "code %q has no English text", c)
		assert.Regexp(t, `[а-яё]`, m.ru, "the Russian text of %q is Russian", c)
		// The English text is the core's message, which uses every param;
		// the Russian one may leave one out (the deployment's English
		// transcriber hint), never invent one.
		for _, p := range placeholders(m.ru) {
			assert.Contains(t, placeholders(m.en), p, "code %q: the Russian text's {%s} is not a param", c, p)
		}
	}
	for c := range catalogue {
		assert.True(t, seen[c], "catalogue code %q is declared nowhere", c)
	}
}

// The catalogue's English text is the core's own message, so an English
// answer says exactly what the library says to its Go callers.
func TestCatalogueEnglishIsTheCoreMessage(t *testing.T) {
	audio := transcribe.AudioFromBytes("a.wav", nil)
	inputs := []audit.Input{
		{},
		{Source: storage.SourceWebhook},
		{DialogText: "x", AudioURL: "https://a.example/a.wav"},
		{DialogText: "\xff"},
		{Audio: &audio},
		{AudioURL: "ftp://a"},
		{DialogText: "x", CallID: strings.Repeat("c", 201), Prompt: strings.Repeat("p", 2001)},
		{DialogText: "x", Language: "de"},
		{DialogText: "x", Mode: "Boss"},
		{DialogText: strings.Repeat("a", audit.DefaultMaxDialogBytes+1)},
	}
	var errs []error
	for _, in := range inputs {
		err := audit.Check(in)
		require.Error(t, err, "%+v", in)
		errs = append(errs, err)
	}
	_, modeErr := score.ParseMode("Boss")
	errs = append(errs, modeErr, storage.NotFound("c-1"))
	checked := 0
	for _, err := range errs {
		if code, params := callaudit.CodeOf(err); code != "" {
			assert.Equal(t, callaudit.MessageOf(err), text(langEN, code, params, ""), "code %q", code)
			checked++
		}
		for _, f := range callaudit.FieldsOf(err) {
			require.NotEmpty(t, f.Code, "field %s: %s has a code", f.Field, f.Message)
			assert.Equal(t, f.Message, text(langEN, f.Code, f.Params, ""), "code %q", f.Code)
			checked++
		}
	}
	assert.GreaterOrEqual(t, checked, 15)
}

func TestText(t *testing.T) {
	assert.Equal(t, "не длиннее 5 символов", text(langRU, callaudit.CodeTooLong, map[string]string{"max": "5"}, "fallback"))
	assert.Equal(t, "must be at most 5 characters", text(langEN, callaudit.CodeTooLong, map[string]string{"max": "5"}, "fallback"))
	assert.Equal(t, "fallback", text(langRU, "no_such_code", nil, "fallback"), "an unknown code keeps the error's message")
	assert.Equal(t, "fallback", text(langRU, "", nil, "fallback"))
	assert.Equal(t, "{x}} {max", text(langEN, "", nil, "{x}} {max"))
}
