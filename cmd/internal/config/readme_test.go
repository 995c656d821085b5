package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleRoot is the folder of go.mod, three levels up.
var moduleRoot = filepath.Join("..", "..", "..")

// declared lists the variables the configuration declares, with the
// struct field that declares each.
func declared(t *testing.T) map[string]reflect.StructField {
	t.Helper()
	vars := map[string]reflect.StructField{}
	var c Config
	for _, s := range c.sections() {
		st := reflect.TypeOf(s).Elem()
		for i := range st.NumField() {
			sf := st.Field(i)
			key := envKey(sf)
			require.NotEmpty(t, key, "%s.%s has no env tag", st.Name(), sf.Name)
			_, dup := vars[key]
			require.False(t, dup, "%s is declared twice", key)
			vars[key] = sf
		}
	}
	return vars
}

// readmeRows returns the default column of each variable row in the
// README's "Configuration" section.
func readmeRows(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot, "README.md"))
	require.NoError(t, err)
	text := string(data)
	start := strings.Index(text, "### Configuration")
	require.GreaterOrEqual(t, start, 0, "README has a Configuration section")
	section := text[start+len("### Configuration"):]
	if end := regexp.MustCompile(`\n##+ `).FindStringIndex(section); end != nil {
		section = section[:end[0]]
	}
	row := regexp.MustCompile("^\\| `((?:AUDIT|OPENAI)_[A-Z0-9_]+)` \\| (.*?) \\|")
	rows := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		_, dup := rows[m[1]]
		require.False(t, dup, "README lists %s twice", m[1])
		rows[m[1]] = m[2]
	}
	require.NotEmpty(t, rows)
	return rows
}

// TestREADMEMatchesConfig keeps the README's configuration tables and the
// struct in step: every declared variable has a row with its default, and
// every row is declared.
func TestREADMEMatchesConfig(t *testing.T) {
	vars := declared(t)
	rows := readmeRows(t)
	for key, sf := range vars {
		cell, ok := rows[key]
		if !assert.True(t, ok, "README's Configuration tables lack %s", key) {
			continue
		}
		if def, ok := sf.Tag.Lookup("envDefault"); ok {
			assert.True(t, strings.HasPrefix(cell, "`"+def+"`"), "%s: README says %q, the default is `%s`", key, cell, def)
			continue
		}
		if doc, ok := sf.Tag.Lookup("defaultDoc"); ok {
			assert.Equal(t, doc, strings.ReplaceAll(cell, "`", ""), "%s: README's default", key)
			continue
		}
		assert.Contains(t, []string{"unset", "—"}, cell, "%s has no default: README should say unset", key)
	}
	for key := range rows {
		_, ok := vars[key]
		assert.True(t, ok, "README documents %s, which the configuration does not declare", key)
	}
}

// TestREADMENamesOnlyDeclaredVariables: no AUDIT_*/OPENAI_* name anywhere
// in the README that the server does not read, except the test harness's
// own (AUDIT_TEST_*, AUDIT_BENCH_*), which only tests read.
func TestREADMENamesOnlyDeclaredVariables(t *testing.T) {
	vars := declared(t)
	data, err := os.ReadFile(filepath.Join(moduleRoot, "README.md"))
	require.NoError(t, err)
	var unknown []string
	for _, name := range regexp.MustCompile(`\b(?:AUDIT|OPENAI)_[A-Z0-9_]*[A-Z0-9]`).FindAllString(string(data), -1) {
		if strings.HasPrefix(name, "AUDIT_TEST_") || strings.HasPrefix(name, "AUDIT_BENCH_") {
			continue
		}
		if _, ok := vars[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	assert.Empty(t, unknown)
}

// TestLibraryReadsNoEnvironment: outside cmd/ no Go file but a test reads
// an environment variable; configuration reaches the library as plain
// Config structs. examples/ holds user programs, not the library: they
// are checked too, so that they show configuration the same way.
//
// It looks at the code, not the comments: a doc comment may well say
// "pass os.Getenv" (storagetest.Getenv does).
func TestLibraryReadsNoEnvironment(t *testing.T) {
	reads := map[string]bool{"Getenv": true, "LookupEnv": true, "Environ": true}
	fset := token.NewFileSet()
	var found []string
	err := filepath.WalkDir(moduleRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(moduleRoot, path)
		if d.IsDir() {
			if rel == "cmd" || (rel != "." && strings.HasPrefix(d.Name(), ".")) || d.Name() == "testdata" || d.Name() == "vendor" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || !reads[sel.Sel.Name] {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "os" {
				found = append(found, rel+":"+strconv.Itoa(fset.Position(sel.Pos()).Line)+": os."+sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, found, "configuration belongs in cmd/internal/config")
}
