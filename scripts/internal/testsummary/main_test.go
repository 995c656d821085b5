package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The streams in testdata were recorded from `go test -count=1 -json` on a
// small module: run.jsonl has a pass, a failure, a build failure, a skip for
// a variable, a subtest skipped for a missing sample, a skip for another
// reason and a package without tests; clean.jsonl passes with one skip that
// is not for missing data.

func TestSummarise(t *testing.T) {
	tests := []struct {
		file                  string
		passed, failed        int
		skipped, missing      int
		failedPkgs            []string
		ok                    bool
		closing               string
		inOutput, notInOutput []string
	}{
		{
			file: "run.jsonl", passed: 3, failed: 1, skipped: 3, missing: 2,
			failedPkgs: []string{"example.com/fx/b", "example.com/fx/a"},
			closing:    "tests: 3 passed, 1 failed, 3 skipped",
			inOutput: []string{
				"b/b.go:3:23: undefined: undefined", // build output
				"FAIL\texample.com/fx/a\t",          // go test's package line
				"--- FAIL: TestFail (example.com/fx/a)\n    a_test.go:10: want 2, got 3\n",
				"example.com/fx/a TestSkipNeeds: missing test input: FX_DB is not set  [MISSING DATA]\n",
				"example.com/fx/a TestSub/two: sample two not found  [MISSING DATA]\n",
				"example.com/fx/a TestSkipShort: slow: runs for minutes\n",
				"tests skipped for missing data: 2\n",
			},
			notInOutput: []string{"a_test.go:8: fine", "=== RUN"}, // a passing test's log and progress frames
		},
		{
			file: "clean.jsonl", passed: 3, skipped: 1, ok: true,
			closing:  "tests: 3 passed, 0 failed, 1 skipped",
			inOutput: []string{"ok  \texample.com/fx/a\t", "?   \texample.com/fx/c\t[no test files]", "tests skipped for missing data: 0\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open("testdata/" + tt.file)
			require.NoError(t, err)
			defer f.Close()
			var out strings.Builder
			s, err := summarise(f, &out)
			require.NoError(t, err)
			assert.Equal(t, tt.passed, s.Passed)
			assert.Equal(t, tt.failed, s.Failed)
			assert.Len(t, s.Skipped, tt.skipped)
			assert.Equal(t, tt.missing, s.MissingData())
			assert.Equal(t, tt.failedPkgs, s.FailedPkgs)
			assert.Equal(t, tt.ok, s.ok())
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			assert.Equal(t, tt.closing, lines[len(lines)-1], "the closing line CI reads")
			for _, want := range tt.inOutput {
				assert.Contains(t, out.String(), want)
			}
			for _, not := range tt.notInOutput {
				assert.NotContains(t, out.String(), not)
			}
		})
	}
}

func TestSummariseRefusesOtherInput(t *testing.T) {
	var out strings.Builder
	_, err := summarise(strings.NewReader("ok  \texample.com/fx/a\t0.1s\n"), &out)
	require.Error(t, err, "plain go test output has no events to count")
	assert.Contains(t, out.String(), "example.com/fx/a", "the text is still shown")
}

func TestMissingData(t *testing.T) {
	tests := []struct {
		reason  string
		missing bool
	}{
		{"missing test input: AUDIT_TEST_POSTGRES_URL is not set (scripts/test.sh starts a PostgreSQL server)", true},
		{"OPENAI_API_KEY is not set", true},
		{"sample dialog ../shared/x.txt is not available", true},
		{"open testdata/x.wav: no such file or directory", true},
		{"chromium not found in PATH", true},
		{"ffmpeg is not installed", true},
		{"Missing fixture", true},
		{"child process", false},
		{"writes 64 MiB to a temporary file", false},
		{"the harness has no slow call (Harness.Slow)", false},
		{"Features.SkipEmptyAudio", false},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			assert.Equal(t, tt.missing, missingData(tt.reason))
		})
	}
}

func TestSkipReason(t *testing.T) {
	tests := []struct {
		lines []string
		want  string
	}{
		{[]string{"    harness_test.go:49: missing test input: X is not set\n"}, "missing test input: X is not set"},
		{[]string{"    a_test.go:3: first\n", "    a_test.go:4: then: more\n"}, "first / then: more"},
		{[]string{"note: no file prefix\n"}, "note: no file prefix"},
		{nil, "(no reason given)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, skipReason(tt.lines))
		})
	}
}
