package checklist_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/score/checklist"
	"github.com/callaudit/callaudit/transcribe"
)

// devDir holds the development set: dialogs written for measuring the
// checklist and graded by a sales QA lead's judgement (devset.json).
const devDir = "testdata/devset"

// devDialog is one entry of devset.json (or of another graded set in its
// format, such as holdout.json).
type devDialog struct {
	ID        string            `json:"id"`
	File      string            `json:"file"`
	Language  string            `json:"language"`
	Domain    string            `json:"domain"`
	Direction string            `json:"direction"`
	Grade     string            `json:"grade"`
	Grades    map[string]string `json:"grades"`
	Kinds     []string          `json:"kinds"`
	// ManagerSpeaker is the label the manager speaks under when the
	// labels do not name roles ("SPEAKER_00", "Ольга").
	ManagerSpeaker string `json:"manager_speaker"`
	Reason         string `json:"reason"`

	tr transcribe.Transcript
}

// gradeIn returns the dialog's grade in mode as 0 (bad), 1 (medium) or 2
// (good).
func (d devDialog) gradeIn(mode score.Mode) int {
	g := d.Grade
	if o, ok := d.Grades[string(mode)]; ok {
		g = o
	}
	return map[string]int{"bad": 0, "medium": 1, "good": 2}[g]
}

func (d devDialog) is(kind string) bool { return slices.Contains(d.Kinds, kind) }

func loadDevSet(t testing.TB) []devDialog { return loadSet(t, devDir, "devset.json", 60) }

// loadSet reads a graded set of dialogs: the index file name in dir, in
// devset.json's format, and the transcript of each dialog, and checks that
// it holds at least minDialogs well-formed entries.
func loadSet(t testing.TB, dir, name string, minDialogs int) []devDialog {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	var m struct {
		Dialogs []devDialog `json:"dialogs"`
	}
	require.NoError(t, json.Unmarshal(b, &m))
	require.GreaterOrEqual(t, len(m.Dialogs), minDialogs)
	for i := range m.Dialogs {
		d := &m.Dialogs[i]
		require.Contains(t, []string{"good", "medium", "bad"}, d.Grade, d.ID)
		for mode, g := range d.Grades {
			_, err := score.ParseMode(mode)
			require.NoError(t, err, d.ID)
			require.Contains(t, []string{"good", "medium", "bad"}, g, d.ID)
		}
		require.NotEmpty(t, d.Reason, d.ID)
		text, err := os.ReadFile(filepath.Join(dir, d.File))
		require.NoError(t, err, d.ID)
		d.tr = transcribe.ParseDialog(string(text))
	}
	return m.Dialogs
}

// devFigures are the measured qualities of the checklist on the set.
type devFigures struct {
	pairs map[score.Mode]float64 // ordered-pair accuracy, ties count half
	// gamingViolations counts (script recital or keyword stuffing, good)
	// pairs of Manager+ where the gaming call does not score below.
	gamingViolations int
	spearman         float64 // Диалог against Manager+
	roles            float64 // anonymous-label dialogs whose manager is found
}

// The ratchet: the figures the checklist reached on the set. The test fails
// when quality falls below them by more than the margin, so a rule change
// may only improve them; raise them when it does.
var devFloor = devFigures{
	pairs: map[score.Mode]float64{
		score.ModeManager: 0.980, // 0.965 before h-tune3; 0.968 before h-tune4; 0.983 with its urgency rule, reverted (docs/benchmarks.md)
		score.ModeClient:  0.926, // 0.900 before h-tune3; h-tune4 measured 0.924 (the terms questions' trade)
		score.ModeDialog:  0.992, // 0.983 before h-tune3; 0.992 before h-tune4 and after (0.994 with its Диалог rules, reverted)
	},
	gamingViolations: 0,
	// A ceiling, not a floor: Диалог must not merely mirror Manager+.
	// The set's own grades correlate at 0.879 (TestDevSet logs it), so
	// ordering both modes better moves the scores closer too; the ceiling
	// follows the measurement and stays below the grades' correlation.
	// 0.746 before h-tune3; 0.774 when a step needs the client's assent;
	// 0.794 when understanding must be shown; 0.808 after h-tune4 (bad
	// calls that press on after a no fall in both modes).
	spearman: 0.808,
	roles:    1.0,
}

const devMargin = 0.02

// TestDevSet scores every dialog of the development set in each mode and
// prints how well the scores order the graded calls. Run with -v to see the
// figures.
func TestDevSet(t *testing.T) {
	got, _ := measureSet(t, loadDevSet(t))
	assertFloor(t, got, devFloor)
}

// measureSet scores every dialog of set in each mode, logs how well the
// scores order the graded calls (and, with -v, each dialog's totals) and
// returns the figures with the totals per mode, in set's order.
func measureSet(t *testing.T, set []devDialog) (devFigures, map[score.Mode][]float64) {
	t.Helper()
	s := checklist.New()
	totals := map[score.Mode][]float64{}
	for _, mode := range score.Modes {
		for _, d := range set {
			rep, err := s.Score(context.Background(), score.Request{Transcript: d.tr, Mode: mode, Language: d.Language})
			require.NoError(t, err, d.ID)
			totals[mode] = append(totals[mode], float64(rep.TotalScore))
		}
	}

	var got devFigures
	got.pairs = map[score.Mode]float64{}
	for _, mode := range score.Modes {
		grades := gradesIn(set, mode)
		got.pairs[mode] = orderedPairs(grades, totals[mode])
		means := meanPerGrade(grades, totals[mode])
		t.Logf("%-8s ordered pairs %.3f (ties count half); mean good %.1f, medium %.1f, bad %.1f",
			mode, got.pairs[mode], means[2], means[1], means[0])
	}
	man, dlg := totals[score.ModeManager], totals[score.ModeDialog]
	got.spearman = spearman(dlg, man)
	t.Logf("Диалог vs Manager+: Spearman %.3f, Pearson %.3f (the grades' own Spearman: %.3f)",
		got.spearman, pearson(dlg, man), spearman(asFloats(gradesIn(set, score.ModeDialog)), asFloats(gradesIn(set, score.ModeManager))))

	gamingPairs := 0
	for i, gi := range set {
		if !gi.is("script-recital") && !gi.is("keyword-stuffing") {
			continue
		}
		for j, gj := range set {
			if gj.gradeIn(score.ModeManager) != 2 {
				continue
			}
			gamingPairs++
			if man[i] >= man[j] {
				got.gamingViolations++
			}
		}
	}
	t.Logf("script-recital/keyword-stuffing calls scoring at or above a good call (Manager+): %d pairs of %d", got.gamingViolations, gamingPairs)

	right, anon := roleAccuracy(t, set)
	if anon > 0 {
		got.roles = float64(right) / float64(anon)
	}
	t.Logf("role assignment on anonymous-label dialogs: %d of %d (%.3f)", right, anon, got.roles)

	if testing.Verbose() {
		for i, d := range set {
			t.Logf("%-40s %s", d.ID, dialogTotals(d, i, totals))
		}
	}
	return got, totals
}

// dialogTotals formats the i-th dialog's total in each mode with its grade
// in that mode in brackets.
func dialogTotals(d devDialog, i int, totals map[score.Mode][]float64) string {
	return fmt.Sprintf("M+ %3.0f (%d) C+ %3.0f (%d) Д %3.0f (%d)",
		totals[score.ModeManager][i], d.gradeIn(score.ModeManager),
		totals[score.ModeClient][i], d.gradeIn(score.ModeClient),
		totals[score.ModeDialog][i], d.gradeIn(score.ModeDialog))
}

func asFloats(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

func gradesIn(set []devDialog, mode score.Mode) []int {
	grades := make([]int, len(set))
	for i, d := range set {
		grades[i] = d.gradeIn(mode)
	}
	return grades
}

// assertFloor fails when the measured figures fall below floor by more
// than devMargin.
func assertFloor(t *testing.T, got, floor devFigures) {
	t.Helper()
	for _, mode := range score.Modes {
		assert.GreaterOrEqual(t, got.pairs[mode], floor.pairs[mode]-devMargin, "ordered pairs in %s fell", mode)
	}
	assert.LessOrEqual(t, got.gamingViolations, floor.gamingViolations, "more gaming calls score at or above good calls")
	assert.LessOrEqual(t, got.spearman, floor.spearman+devMargin, "Диалог moved closer to Manager+")
	assert.GreaterOrEqual(t, got.roles, floor.roles-devMargin, "role assignment fell")
}

// roleAccuracy counts the anonymous-label dialogs in which every turn of
// the manager's label is the manager's and every other labelled turn the
// client's.
func roleAccuracy(t *testing.T, set []devDialog) (right, total int) {
	for _, d := range set {
		if d.ManagerSpeaker == "" {
			continue
		}
		total++
		ok := len(d.tr.Segments) > 0
		for _, seg := range d.tr.Segments {
			want := transcribe.RoleClient
			if strings.EqualFold(seg.Label, d.ManagerSpeaker) {
				want = transcribe.RoleManager
			}
			if seg.Speaker != want {
				ok = false
			}
		}
		if ok {
			right++
		} else {
			t.Logf("roles wrong in %s (manager %q)", d.ID, d.ManagerSpeaker)
		}
		if testing.Verbose() {
			t.Logf("roles %-40s right %-5v confidence %.2f", d.ID, ok, d.tr.RoleConfidence)
		}
	}
	return right, total
}

// orderedPairs is the fraction of pairs with different grades in which the
// better-graded call scores strictly higher; a tie counts half.
func orderedPairs(grades []int, scores []float64) float64 {
	var good, n float64
	for i := range grades {
		for j := range grades {
			if grades[i] <= grades[j] {
				continue
			}
			n++
			switch {
			case scores[i] > scores[j]:
				good++
			case scores[i] == scores[j]:
				good += 0.5
			}
		}
	}
	if n == 0 {
		return 0
	}
	return good / n
}

func meanPerGrade(grades []int, scores []float64) [3]float64 {
	var sum, n [3]float64
	for i, g := range grades {
		sum[g] += scores[i]
		n[g]++
	}
	for g := range sum {
		if n[g] > 0 {
			sum[g] /= n[g]
		}
	}
	return sum
}

func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// spearman is the Pearson correlation of the ranks, ties sharing their
// mean rank.
func spearman(x, y []float64) float64 { return pearson(ranks(x), ranks(y)) }

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			r[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return r
}

func TestDevSetMeasures(t *testing.T) {
	// The measures themselves, on cases worked by hand.
	assert.InDelta(t, 1.0, orderedPairs([]int{0, 1, 2}, []float64{10, 20, 30}), 1e-9)
	assert.InDelta(t, 0.0, orderedPairs([]int{0, 1, 2}, []float64{30, 20, 10}), 1e-9)
	assert.InDelta(t, 0.5, orderedPairs([]int{0, 2}, []float64{50, 50}), 1e-9)
	assert.InDelta(t, 1.0, spearman([]float64{1, 2, 3}, []float64{10, 40, 90}), 1e-9)
	assert.InDelta(t, -1.0, pearson([]float64{1, 2, 3}, []float64{3, 2, 1}), 1e-9)
	assert.Equal(t, []float64{1.5, 1.5, 3}, ranks([]float64{5, 5, 7}))
	assert.Equal(t, [3]float64{10, 0, 25}, meanPerGrade([]int{0, 2, 2}, []float64{10, 20, 30}))
}

// TestDevSetRolesWithDirection: told each call's direction, as the intake
// knows it, role assignment stays right on every anonymous-label dialog
// of the development set.
//
//	go test ./score/checklist -run TestDevSetRolesWithDirection -v
func TestDevSetRolesWithDirection(t *testing.T) {
	set := loadDevSet(t)
	for i := range set {
		d := &set[i]
		text, err := os.ReadFile(filepath.Join(devDir, d.File))
		require.NoError(t, err)
		d.tr = transcribe.ParseDialogDirection(string(text), transcribe.Direction(d.Direction))
	}
	right, total := roleAccuracy(t, set)
	t.Logf("role assignment on anonymous-label dialogs, direction told: %d of %d", right, total)
	require.Positive(t, total)
	assert.Equal(t, total, right)
}
