package checklist_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden/reports.jsonl from the current checklist")

// goldenFile holds the reports the checklist wrote before its criteria
// became the default scorecard's data: TestGolden checks that the
// scorecard reproduces every score, total, comment and evidence quote.
const goldenFile = "testdata/golden/reports.jsonl"

// goldenCase is one scored call: a dialog of the repository's test data,
// in one variant, mode and report language.
type goldenCase struct {
	Key  string `json:"key"`
	tr   transcribe.Transcript
	mode score.Mode
	lang string
}

// goldenRecord is what is compared: the whole report but its timings and
// creation time.
type goldenRecord struct {
	Key    string        `json:"key"`
	Report *score.Report `json:"report"`
}

// goldenDialogs are every dialog file of the repository's test data:
// the checklist's, its dev set, the sample dialogs of transcribetest and
// copies of the shared sample dialogs.
func goldenDialogs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, glob := range []string{"testdata/*.txt", "testdata/devset/*.txt", "testdata/golden/shared/*.txt"} {
		files, err := filepath.Glob(glob)
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			out[f] = string(b)
		}
	}
	for _, n := range transcribetest.DialogNames() {
		out["transcribetest/"+n] = transcribetest.Dialog(t, n)
	}
	require.Greater(t, len(out), 90)
	return out
}

// variants of a transcript: as written; without speaker roles (every turn
// unknown, the anonymous path); and timed, with every third turn starting
// before the previous one ends (the interruption measures).
func variants(tr transcribe.Transcript) map[string]transcribe.Transcript {
	anon := tr
	anon.Segments = make([]transcribe.Segment, len(tr.Segments))
	for i, s := range tr.Segments {
		s.Speaker, s.Label = transcribe.RoleUnknown, ""
		anon.Segments[i] = s
	}
	timed := tr
	timed.Segments = make([]transcribe.Segment, len(tr.Segments))
	at := 0.0
	for i, s := range tr.Segments {
		start := at
		if i%3 == 2 {
			start -= 0.8
		}
		end := start + 0.35*float64(len(strings.Fields(s.Text))) + 0.2
		s.Start, s.End = &start, &end
		timed.Segments[i] = s
		at = end + 0.3
	}
	return map[string]transcribe.Transcript{"plain": tr, "anon": anon, "timed": timed}
}

func goldenCases(t *testing.T) []goldenCase {
	var cases []goldenCase
	for name, text := range goldenDialogs(t) {
		for v, tr := range variants(transcribe.ParseDialog(text)) {
			for _, mode := range score.Modes {
				langs := []string{""}
				if v == "plain" {
					langs = []string{"ru", "en"}
				}
				for _, lang := range langs {
					cases = append(cases, goldenCase{Key: name + "|" + v + "|" + string(mode) + "|" + lang, tr: tr, mode: mode, lang: lang})
				}
			}
		}
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Key < cases[j].Key })
	return cases
}

func goldenRun(t *testing.T, s score.Scorer, c goldenCase) goldenRecord {
	rep, err := s.Score(context.Background(), score.Request{Transcript: c.tr, Mode: c.mode, Language: c.lang})
	require.NoError(t, err, c.Key)
	rep.Meta.Timings = score.Timings{}
	// Named by the scorecard since it exists; the scores are what must
	// not change.
	rep.Meta.Scorecard, rep.Meta.ScorecardVersion, rep.Meta.ScorerVersion = "", 0, ""
	return goldenRecord{Key: c.Key, Report: rep}
}

// TestGolden checks that the checklist scores every dialog of the test
// data exactly as it did when the golden file was recorded: every
// criterion's score, weight, comment and evidence, the total, the summary
// and the recommendations, in every mode.
func TestGolden(t *testing.T) {
	s := checklist.New()
	cases := goldenCases(t)
	if *updateGolden {
		var buf bytes.Buffer
		for _, c := range cases {
			b, err := json.Marshal(goldenRun(t, s, c))
			require.NoError(t, err)
			buf.Write(b)
			buf.WriteByte('\n')
		}
		require.NoError(t, os.WriteFile(goldenFile, buf.Bytes(), 0o644))
		return
	}
	f, err := os.Open(goldenFile)
	require.NoError(t, err)
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r struct {
			Key string `json:"key"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		want[r.Key] = sc.Text()
	}
	require.NoError(t, sc.Err())
	require.Len(t, want, len(cases), "the golden file has another set of cases: rerun with -update-golden only before a rule change")
	for _, c := range cases {
		b, err := json.Marshal(goldenRun(t, s, c))
		require.NoError(t, err)
		exp, ok := want[c.Key]
		require.True(t, ok, c.Key)
		if string(b) != exp {
			require.JSONEq(t, exp, string(b), c.Key)
		}
	}
}
