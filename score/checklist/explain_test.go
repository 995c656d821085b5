package checklist_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
)

// blindSets are the held-out sets measured blind: the guard scores their
// dialogs like the others, but its messages name only the file, never
// what the report says.
var blindSets = []string{"holdout2", "holdout3", "holdout4"}

func blind(name string) bool {
	for _, b := range blindSets {
		if strings.Contains(name, "/"+b+"/") {
			return true
		}
	}
	return false
}

// TestExplanationsMatchFindings is the guard of the explanations: over
// every dialog of the test data (TestGolden's and the held-out sets), in
// every variant, mode and report language, no recommendation asks for
// what the call achieved — none answers a criterion that scored at least
// checklist.DoneScore, none is a criterion's general advice (which asks
// for all of it) when a part of the criterion was achieved, and none
// repeats the advice of a rule the call satisfied — and every evidence
// quote of a criterion is a sentence of the transcript (or, of a sentence
// too long to quote whole, a part of it) in the segment it names.
func TestExplanationsMatchFindings(t *testing.T) {
	dialogs := goldenDialogs(t)
	for _, set := range append([]string{"holdout"}, blindSets...) {
		files, err := filepath.Glob(filepath.Join("testdata", set, "*.txt"))
		require.NoError(t, err)
		require.NotEmpty(t, files, set)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			dialogs[f] = string(b)
		}
	}
	names := make([]string, 0, len(dialogs))
	for n := range dialogs {
		names = append(names, n)
	}
	sort.Strings(names)
	s := checklist.New()
	reports, advised := 0, 0
	for _, name := range names {
		say := func(format string, args ...any) {
			t.Helper()
			if blind(name) {
				t.Errorf("%s: an explanation contradicts the findings (not shown: a blind set)", name)
				return
			}
			t.Errorf(name+": "+format, args...)
		}
		for v, tr := range variants(transcribe.ParseDialog(dialogs[name])) {
			for _, mode := range score.Modes {
				for _, lang := range []string{"ru", "en"} {
					e, err := s.ScoreExplained(score.Request{Transcript: tr, Mode: mode, Language: lang})
					require.NoError(t, err, name)
					reports++
					key := v + "|" + string(mode) + "|" + lang
					scores := map[string]int{}
					for _, d := range e.Report.Details {
						scores[d.ID] = d.Score
						for _, ev := range d.Evidence {
							if !e.QuoteOf(ev.Segment, ev.Quote) {
								say("%s: %s quotes %q as segment %d, not a sentence of it", key, d.ID, ev.Quote, ev.Segment)
							}
						}
					}
					for _, a := range e.Advised {
						advised++
						if scores[a.ID] >= checklist.DoneScore {
							say("%s: %q answers %s, which scored %d", key, a.Text, a.ID, scores[a.ID])
						}
						if a.General && a.Done {
							say("%s: %q is the general advice of %s, part of which the call achieved (score %d)", key, a.Text, a.ID, scores[a.ID])
						}
						for id, done := range e.DoneAdvice {
							for _, d := range done {
								if strings.Contains(strings.ToLower(a.Text), strings.ToLower(strings.TrimSuffix(d, "."))) {
									say("%s: %q asks for %q, which %s found", key, a.Text, d, id)
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d dialogs, %d reports, %d recommendations checked", len(names), reports, advised)
	require.Greater(t, advised, 1000)
}
