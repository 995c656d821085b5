// Command testsummary reads `go test -json` from standard input and prints
// what a person or CI needs from it: each package's ok/FAIL line, the full
// output of failed tests, every skipped test with its reason, the number of
// tests skipped for missing data, and a closing line
//
//	tests: 812 passed, 0 failed, 3 skipped
//
// It exits 1 when a test or package failed, when a test was skipped for
// missing data (a file, folder, server, binary or variable the test needs
// is missing, not set or not found: scripts/test.sh provides all of them,
// so such a skip there means a test silently did not run), or when the
// input is not a test2json stream. scripts/test.sh runs it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

func main() {
	s, err := summarise(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	if !s.ok() {
		os.Exit(1)
	}
}

// event is one line of test2json output (go doc test2json).
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string
	FailedBuild string
}

// MissingPrefix is the wording the project's own tests use when they skip
// because something they need is absent, e.g.
//
//	t.Skip("missing test input: AUDIT_TEST_POSTGRES_URL is not set")
const MissingPrefix = "missing test input:"

// missingWords catches the same kind of skip worded otherwise (a
// dependency's test, or one written before the wording was settled).
var missingWords = regexp.MustCompile(`(?i)\b(missing|not set|not found|not available|unavailable|not installed|no such file|does not exist|absent)\b`)

// missingData reports whether a skip reason says that a file, folder,
// server, binary or variable is missing.
func missingData(reason string) bool {
	return strings.Contains(strings.ToLower(reason), MissingPrefix) || missingWords.MatchString(reason)
}

// skip is one skipped test.
type skip struct {
	Package, Test, Reason string
	Missing               bool
}

// summary is the outcome of a run.
type summary struct {
	Passed, Failed int
	Skipped        []skip
	FailedPkgs     []string
}

// MissingData counts the tests skipped for missing data.
func (s summary) MissingData() int {
	n := 0
	for _, k := range s.Skipped {
		if k.Missing {
			n++
		}
	}
	return n
}

func (s summary) ok() bool {
	return s.Failed == 0 && len(s.FailedPkgs) == 0 && s.MissingData() == 0
}

// summarise reads the stream from r and writes the report to w as it goes.
func summarise(r io.Reader, w io.Writer) (summary, error) {
	var (
		s       summary
		outputs = map[string][]string{} // running test → its output lines
		events  int
	)
	key := func(e event) string { return e.Package + " " + e.Test }
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// go test writes some errors (e.g. a bad flag) as plain text.
			fmt.Fprintln(w, string(line))
			continue
		}
		events++
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output)
		case e.Test == "" && e.Action == "output":
			if e.Output != "PASS\n" {
				fmt.Fprint(w, e.Output)
			}
		case e.Test == "" && e.Action == "fail":
			s.FailedPkgs = append(s.FailedPkgs, e.Package)
		case e.Test == "":
		case e.Action == "output":
			if !isFrame(e.Output) {
				outputs[key(e)] = append(outputs[key(e)], e.Output)
			}
		case e.Action == "pass":
			s.Passed++
			delete(outputs, key(e))
		case e.Action == "fail":
			s.Failed++
			fmt.Fprintf(w, "--- FAIL: %s (%s)\n", e.Test, e.Package)
			for _, o := range outputs[key(e)] {
				fmt.Fprint(w, o)
			}
			delete(outputs, key(e))
		case e.Action == "skip":
			reason := skipReason(outputs[key(e)])
			s.Skipped = append(s.Skipped, skip{Package: e.Package, Test: e.Test, Reason: reason, Missing: missingData(reason)})
			delete(outputs, key(e))
		}
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	if events == 0 {
		return s, fmt.Errorf("no test events on standard input (is it `go test -json` output?)")
	}
	report(s, w)
	return s, nil
}

// isFrame tells go test's own progress lines from what a test printed.
func isFrame(o string) bool {
	t := strings.TrimSpace(o)
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- FAIL", "--- SKIP"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// skipReason joins what a skipped test logged, dropping the file:line
// prefix t.Skip puts before its message.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if i := strings.Index(l, ": "); i > 0 && strings.Contains(l[:i], ".go:") && !strings.ContainsAny(l[:i], " \t") {
			l = l[i+2:]
		}
		if l != "" {
			parts = append(parts, l)
		}
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " / ")
}

// report writes the closing part: skipped tests, the missing-data count,
// the failed packages and the closing counts line.
func report(s summary, w io.Writer) {
	sort.Slice(s.Skipped, func(i, j int) bool {
		a, b := s.Skipped[i], s.Skipped[j]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.Test < b.Test
	})
	fmt.Fprintln(w)
	if len(s.Skipped) > 0 {
		fmt.Fprintln(w, "skipped tests:")
		for _, k := range s.Skipped {
			mark := ""
			if k.Missing {
				mark = "  [MISSING DATA]"
			}
			fmt.Fprintf(w, "  %s %s: %s%s\n", k.Package, k.Test, k.Reason, mark)
		}
	}
	for _, p := range s.FailedPkgs {
		fmt.Fprintf(w, "failed package: %s\n", p)
	}
	fmt.Fprintf(w, "tests skipped for missing data: %d\n", s.MissingData())
	fmt.Fprintf(w, "tests: %d passed, %d failed, %d skipped\n", s.Passed, s.Failed, len(s.Skipped))
}
