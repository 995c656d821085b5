package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/access"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// handPair is one criterion (or total) a lead scored: the model's score
// and the lead's.
type handPair struct{ model, human int }

// handFigures are the agreement figures of pairs worked out here, apart
// from score/agreement: kappa is nil when undefined.
type handFigures struct {
	n                    int
	mad, bias, exact     float64
	kappa                *float64
	modelBins, humanBins []int
	sumSq, sumCrossSq    int
}

// figuresByHand computes the figures the agreement page documents: the
// 0–5 category of a score is round(score/20), halves up; exact agreement
// is the share of pairs in one category; the quadratic-weighted κ is
// 1 − Σw·O / Σw·E with w = (i−j)²/25, which for n pairs of categories
// (m_a, h_a) is 1 − n·Σ_a (m_a−h_a)² / Σ_a Σ_b (m_a−h_b)², the chance term
// pairing every model category with every human one.
func figuresByHand(pairs []handPair) handFigures {
	f := handFigures{n: len(pairs)}
	cat := func(s int) int { return int(math.Floor(float64(s)/20 + 0.5)) }
	same := 0
	for _, p := range pairs {
		d := p.model - p.human
		f.mad += math.Abs(float64(d))
		f.bias += float64(d)
		m, h := cat(p.model), cat(p.human)
		f.modelBins, f.humanBins = append(f.modelBins, m), append(f.humanBins, h)
		if m == h {
			same++
		}
		f.sumSq += (m - h) * (m - h)
	}
	n := float64(len(pairs))
	f.mad, f.bias, f.exact = f.mad/n, f.bias/n, float64(same)/n
	for _, m := range f.modelBins {
		for _, h := range f.humanBins {
			f.sumCrossSq += (m - h) * (m - h)
		}
	}
	if f.sumCrossSq != 0 {
		k := 1 - n*float64(f.sumSq)/float64(f.sumCrossSq)
		f.kappa = &k
	}
	return f
}

// TestFiguresByHand pins the test's own arithmetic to the table of
// score/agreement's TestComputeByHand, worked out on paper there.
func TestFiguresByHand(t *testing.T) {
	f := figuresByHand([]handPair{{100, 100}, {80, 60}, {40, 40}, {0, 20}, {60, 100}})
	assert.InDelta(t, 16, f.mad, 1e-12)
	assert.InDelta(t, -8, f.bias, 1e-12)
	assert.InDelta(t, 0.4, f.exact, 1e-12)
	require.NotNil(t, f.kappa)
	assert.InDelta(t, 112.0/142, *f.kappa, 1e-12)
	assert.Nil(t, figuresByHand([]handPair{{80, 80}, {75, 85}}).kappa, "one category for both raters")
}

// ruPct and ruKappa format as the agreement page does in Russian.
func ruPct(v float64) string { return ruNum(v*100, 1) + " %" }

func ruKappa(k *float64) string {
	if k == nil {
		return "не определена"
	}
	return ruNum(*k, 2)
}

// TestBrowserScorecardReviewFlow walks the whole human review in one
// browser: a lead edits a criterion of the team's scorecard, previews it
// on a dialog and saves a new version; three calls of the team are
// analysed through the API with it; the lead reviews them on their
// pages; the manager disputes two criteria; the lead accepts one dispute
// with a new score and rejects the other; the agreement page shows the
// figures this test works out by hand from the model's scores and the
// lead's.
func TestBrowserScorecardReviewFlow(t *testing.T) {
	bctx := browser(t)
	ctx := context.Background()
	e := newCardEnv(t)
	const leadPW, managerPW = "lead-Pa55word", "anna-Pa55word"
	lead, err := e.svc.CreateUser(ctx, access.NewUser{Login: "olga", Name: "Ольга", Role: storage.RoleLead, Teams: []string{"north"}, Password: leadPW})
	require.NoError(t, err)
	_, err = e.svc.CreateUser(ctx, access.NewUser{Login: "anna", Name: "Анна", Role: storage.RoleManager, ManagerID: "m1", Password: managerPW})
	require.NoError(t, err)
	offer, err := os.ReadFile("testdata/ru_bank_card_offer.txt")
	require.NoError(t, err)
	// Three calls the scorecard scores apart: the full offer; the offer
	// without the disclaimer and the code word; a pushy call of another
	// kind.
	noDisclaimer := strings.NewReplacer("Предупреждаю, разговор записывается. ", "", " и кодовое слово", "", ", кодовое слово «ромашка»", "").Replace(string(offer))
	require.NotEqual(t, string(offer), noDisclaimer)
	dialogs := map[string]string{"flow-1": string(offer), "flow-2": noDisclaimer, "flow-3": transcribetest.Dialog(t, "ru_bad_pushy.txt")}
	callIDs := []string{"flow-1", "flow-2", "flow-3"}

	tb := openTab(t, bctx, e.URL)
	tb.goTo(t, "/")
	tb.signIn(t, "olga", leadPW)

	// 1. The scorecard editor: the disclaimer gets a new title and a
	// larger weight; the preview on the second dialog shows the change.
	tb.do(t, chromedp.Click(chromedp.ID("nav-scorecards")))
	tb.rendered(t, "#/scorecards")
	tb.do(t, chromedp.Click(chromedp.CSS(`#scorecards-table a.btn[href="#/scorecards/bank-retail"]`)))
	tb.rendered(t, "#/scorecards/bank-retail")
	tb.waitJS(t, `document.getElementById("scorecard-body").value.includes("bank-retail")`)
	tb.paste(t, "#scorecard-dialog", noDisclaimer)
	tb.do(t, chromedp.Click(chromedp.ID("scorecard-preview")))
	tb.waitJS(t, `document.getElementById("preview-score")`)
	before := text(t, tb, "#preview-score")

	const newTitle = "Предупреждение о записи звонка"
	body := evalJS[string](t, tb, `document.getElementById("scorecard-body").value`)
	edited := strings.NewReplacer("ru: Предупреждение о записи\n", "ru: "+newTitle+"\n", "weight: 30\n", "weight: 60\n").Replace(body)
	require.Equal(t, 2, strings.Count(edited, newTitle)+strings.Count(edited, "weight: 60"), "the edit hits the title and the weight")
	tb.paste(t, "#scorecard-body", edited)
	tb.do(t, chromedp.Click(chromedp.ID("scorecard-preview")))
	tb.waitJS(t, `document.getElementById("preview-score") && document.getElementById("preview-score").textContent !== `+jsString(before))
	previewScore := scoreIn(t, text(t, tb, "#preview-score"))
	assert.Less(t, previewScore, scoreIn(t, before), "a heavier disclaimer the dialog lacks lowers the score")
	vs, err := e.store.ScorecardVersions(ctx, "bank-retail")
	require.NoError(t, err)
	require.Len(t, vs, 1, "the preview saved nothing")

	tb.do(t, chromedp.Click(chromedp.ID("scorecard-save")))
	tb.waitJS(t, `document.getElementById("scorecard-saved")`)
	vs, err = e.store.ScorecardVersions(ctx, "bank-retail")
	require.NoError(t, err)
	require.Len(t, vs, 2, "saving made a new version")
	assert.Equal(t, 2, vs[1].Version)
	assert.Equal(t, "north", vs[1].Team)
	assert.Equal(t, lead.ID, vs[1].SavedBy)
	assert.Contains(t, vs[1].Body, newTitle)
	assert.Contains(t, vs[1].Body, "weight: 60")
	assert.NotContains(t, vs[0].Body, newTitle, "the old version is kept as it was")

	// 2. The team's calls, analysed through the API with an API token:
	// scored with the saved version.
	secret, _, err := e.svc.CreateToken(ctx, "crm", []storage.Scope{storage.ScopeAnalyze}, lead.ID)
	require.NoError(t, err)
	for _, id := range callIDs {
		b, err := json.Marshal(map[string]string{"dialog_text": dialogs[id], "call_id": id, "manager_id": "m1"})
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, e.URL+"/analyze_call", strings.NewReader(string(b)))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, id)
	}
	model := map[string]map[string]int{} // call → criterion → the model's score
	modelTotal := map[string]int{}
	var crits []string // the scorecard's criteria, in report order
	for _, id := range callIDs {
		c, err := e.store.Get(ctx, id)
		require.NoError(t, err)
		require.NotNil(t, c.Report)
		assert.Equal(t, "bank-retail", c.Report.Meta.Scorecard, id)
		assert.Equal(t, 2, c.Report.Meta.ScorecardVersion, "%s is scored with the saved version", id)
		model[id] = map[string]int{}
		var ids []string
		for _, d := range c.Report.Details {
			model[id][d.ID] = d.Score
			ids = append(ids, d.ID)
			if d.ID == "disclaimer" {
				assert.Equal(t, newTitle, d.Title, "the report carries the edited title")
			}
		}
		if crits == nil {
			crits = ids
		}
		require.Equal(t, crits, ids, "every call has the scorecard's criteria")
		modelTotal[id] = c.Report.TotalScore
		t.Logf("%s: model %v, total %d", id, model[id], c.Report.TotalScore)
	}
	require.Len(t, crits, 4)
	assert.Equal(t, previewScore, modelTotal["flow-2"], "the preview scored the dialog as the saved version does")
	disclaimer, identity, product, consent := crits[0], crits[1], crits[2], crits[3]
	require.Equal(t, "disclaimer", disclaimer)

	// The lead's review: scores off the model's by these points (clamped
	// to 0..100); a missing criterion is left blank.
	clamp := func(v int) int { return min(max(v, 0), 100) }
	offBy := map[string]map[string]int{
		"flow-1": {disclaimer: 0, identity: -40, product: -25, consent: -15},
		"flow-2": {disclaimer: 0, identity: 30, consent: -60}, // product: disputed below, rejected
		"flow-3": {disclaimer: 20, identity: 25, product: 0},  // consent: never scored
	}
	totalOff := map[string]int{"flow-1": -10, "flow-2": 15, "flow-3": 0}
	human := map[string]map[string]int{}
	humanTotal := map[string]int{}
	for _, id := range callIDs {
		human[id] = map[string]int{}
		for c, d := range offBy[id] {
			human[id][c] = clamp(model[id][c] + d)
		}
		humanTotal[id] = clamp(modelTotal[id] + totalOff[id])
	}

	openReview := func(id string) {
		t.Helper()
		tb.goTo(t, "/#/calls/"+id)
		tb.rendered(t, "#/calls/"+id)
		tb.waitJS(t, `document.getElementById("review-panel") && document.getElementById("review-panel").getAttribute("aria-busy") === "false"`)
	}
	revision := func() int {
		t.Helper()
		return evalJS[int](t, tb, `Number(document.getElementById("review-panel").dataset.revision)`)
	}
	for _, id := range callIDs {
		openReview(id)
		assert.Equal(t, newTitle, text(t, tb, fmt.Sprintf(`#review-table tr[data-criterion=%q] th`, disclaimer)))
		rev := revision()
		for _, c := range crits {
			if s, ok := human[id][c]; ok {
				tb.paste(t, "#rv-score-"+c, strconv.Itoa(s))
				tb.paste(t, "#rv-comment-"+c, "проверено: "+c)
			}
		}
		tb.paste(t, "#rv-total", strconv.Itoa(humanTotal[id]))
		tb.paste(t, "#rv-total-comment", "итог по звонку "+id)
		tb.do(t, chromedp.Click(chromedp.ID("rv-save")))
		tb.waitJS(t, fmt.Sprintf(`document.getElementById("review-saved") && document.getElementById("review-panel").dataset.revision === "%d"`, rev+1))
		assert.Contains(t, text(t, tb, "#review-status"), "Проверил olga")
	}
	stored := func(id string) storage.Review {
		t.Helper()
		r, ok, err := e.store.Review(ctx, id)
		require.NoError(t, err)
		require.True(t, ok, "%s has a review", id)
		return r
	}
	for _, id := range callIDs {
		r := stored(id)
		require.NotNil(t, r.HumanTotal, id)
		assert.Equal(t, humanTotal[id], *r.HumanTotal, id)
		assert.Equal(t, modelTotal[id], r.ModelTotal, id)
		for _, c := range crits {
			cr := r.Criterion(c)
			require.NotNil(t, cr, "%s %s", id, c)
			assert.Equal(t, model[id][c], cr.Model, "%s %s: the model's score is kept", id, c)
			if s, ok := human[id][c]; ok {
				require.NotNil(t, cr.Human, "%s %s", id, c)
				assert.Equal(t, s, *cr.Human, "%s %s", id, c)
				assert.Equal(t, "проверено: "+c, cr.Comment)
			} else {
				assert.Nil(t, cr.Human, "%s %s was left blank", id, c)
			}
		}
	}
	tb.signOut(t)

	// 3. The manager disputes the identity check of the first call and the
	// product (which the lead left blank) of the second.
	tb.signIn(t, "anna", managerPW)
	dispute := func(id, criterion, comment string) {
		t.Helper()
		openReview(id)
		assert.False(t, evalJS[bool](t, tb, `!!document.getElementById("rv-save")`), "a manager has no review form")
		tb.do(t, chromedp.Click(chromedp.ID("dispute-btn-"+criterion)))
		tb.paste(t, "#dispute-comment-"+criterion, comment)
		tb.do(t, chromedp.Click(chromedp.ID("dispute-send-"+criterion)))
		tb.waitJS(t, `document.querySelector("#dispute-item-1[data-status=open]")`)
		assert.Contains(t, text(t, tb, "#dispute-item-1"), comment)
	}
	dispute("flow-1", identity, "Я проверил дату рождения и кодовое слово")
	dispute("flow-2", product, "Я назвал карту, ставку и кэшбэк")
	for id, c := range map[string]string{"flow-1": identity, "flow-2": product} {
		r := stored(id)
		require.Len(t, r.Disputes, 1, id)
		assert.Equal(t, c, r.Disputes[0].CriterionID)
		assert.Equal(t, storage.DisputeOpen, r.Disputes[0].Status)
		assert.Equal(t, "anna", r.Disputes[0].By.Name)
	}
	tb.signOut(t)

	// 4. The lead accepts the first dispute with a new score and rejects
	// the second: the model's product score then stands as the lead's.
	tb.signIn(t, "olga", leadPW)
	accepted := (model["flow-1"][identity] + 50) % 101
	openReview("flow-1")
	tb.paste(t, "#resolve-score-1", strconv.Itoa(accepted))
	tb.paste(t, "#resolve-reason-1", "да, личность проверена")
	tb.do(t, chromedp.Click(chromedp.ID("resolve-accept-1")))
	tb.waitJS(t, `document.querySelector("#dispute-item-1[data-status=accepted]")`)
	assert.Equal(t, strconv.Itoa(accepted), evalJS[string](t, tb, `document.getElementById("rv-score-`+identity+`").value`))
	openReview("flow-2")
	tb.paste(t, "#resolve-reason-1", "продукт назван, но без пользы")
	tb.do(t, chromedp.Click(chromedp.ID("resolve-reject-1")))
	tb.waitJS(t, `document.querySelector("#dispute-item-1[data-status=rejected]")`)
	human["flow-1"][identity] = accepted
	human["flow-2"][product] = model["flow-2"][product]

	r1, r2 := stored("flow-1"), stored("flow-2")
	assert.Equal(t, storage.DisputeAccepted, r1.Disputes[0].Status)
	require.NotNil(t, r1.Disputes[0].Score)
	assert.Equal(t, accepted, *r1.Disputes[0].Score)
	assert.Equal(t, accepted, *r1.Criterion(identity).Human)
	assert.Equal(t, storage.DisputeRejected, r2.Disputes[0].Status)
	assert.Equal(t, "продукт назван, но без пользы", r2.Disputes[0].Reason)
	require.NotNil(t, r2.Criterion(product).Human, "a rejected dispute confirms the model's score")
	assert.Equal(t, model["flow-2"][product], *r2.Criterion(product).Human)
	r3 := stored("flow-3")
	assert.Nil(t, r3.Criterion(consent).Human)

	// 5. The agreement page against the figures worked out here.
	var overall, totals []handPair
	perCrit := map[string][]handPair{}
	for _, id := range callIDs {
		for _, c := range crits {
			if s, ok := human[id][c]; ok {
				p := handPair{model[id][c], s}
				overall = append(overall, p)
				perCrit[c] = append(perCrit[c], p)
			}
		}
		totals = append(totals, handPair{modelTotal[id], humanTotal[id]})
	}
	all := figuresByHand(overall)
	require.Equal(t, 11, all.n, "three calls of four criteria, one never scored")
	require.NotNil(t, all.kappa, "the reviews spread over categories: κ is defined")
	t.Logf("overall: model bins %v, human bins %v; MAD %.3f, exact %.3f, κ %.4f", all.modelBins, all.humanBins, all.mad, all.exact, *all.kappa)

	tb.do(t, chromedp.Click(chromedp.CSS(`#nav a[data-route=agreement]`)))
	tb.rendered(t, "#/agreement")
	tb.waitJS(t, `document.getElementById("ag-group-0")`)
	assert.Zero(t, evalJS[int](t, tb, `document.querySelectorAll("#ag-group-1").length`), "one scorecard version, one mode")
	assert.Regexp(t, `^bank-retail, версия 2 · Manager\+ · 3 \pL+`, text(t, tb, "#ag-group-0 h2"), "the saved version, three reviewed calls")
	assert.Equal(t, ruPct(all.exact), text(t, tb, "#ag-exact-0"))
	assert.Equal(t, ruNum(all.mad, 1), text(t, tb, "#ag-mad-0"))
	assert.Equal(t, ruKappa(all.kappa), text(t, tb, "#ag-kappa-0"))

	row := func(id string) map[string]string {
		t.Helper()
		return evalJS[map[string]string](t, tb, fmt.Sprintf(`(() => { const tr = document.querySelector('#ag-table-0 tr[data-row=%q]'); if (!tr) return {}; const o = {title: tr.querySelector("th").textContent, n: tr.querySelector("td").textContent}; for (const td of tr.querySelectorAll("td[data-k]")) o[td.dataset.k] = td.textContent; return o; })()`, id))
	}
	want := func(f handFigures, title string) map[string]string {
		return map[string]string{"title": title, "n": strconv.Itoa(f.n), "exact": ruPct(f.exact), "kappa": ruKappa(f.kappa), "mad": ruNum(f.mad, 1), "bias": ruNum(f.bias, 1)}
	}
	assert.Equal(t, want(all, "Все критерии"), row("overall"))
	assert.Equal(t, want(figuresByHand(totals), "Итоговая оценка"), row("total"))

	titles := map[string]string{disclaimer: newTitle, identity: "Проверка личности", product: "Продукт и польза", consent: "Согласие клиента"}
	bars := evalJS[map[string][]string](t, tb, `Object.fromEntries([...document.querySelectorAll(".agreement-chart rect[data-criterion]")].map(r => [r.dataset.criterion, [r.dataset.value, r.previousElementSibling.textContent, r.nextElementSibling.textContent]]))`)
	assert.Len(t, bars, len(crits), "a bar per criterion a lead scored")
	for _, c := range crits {
		f := figuresByHand(perCrit[c])
		assert.Equal(t, want(f, titles[c]), row(c), "the table row of %s", c)
		bar := bars[c]
		require.Len(t, bar, 3, "a bar for %s", c)
		v, err := strconv.ParseFloat(bar[0], 64)
		require.NoError(t, err)
		assert.InDelta(t, f.exact, v, 1e-9, "the bar of %s is its exact agreement", c)
		assert.Equal(t, titles[c], bar[1], "the bar's label")
		assert.Equal(t, ruPct(f.exact), bar[2], "the bar's figure")
	}
	// Where the model errs most: the largest mean difference first (ties:
	// the lower κ, an undefined one counting as 1), none without a
	// difference, at most three.
	byCrit := map[string]handFigures{}
	for _, c := range crits {
		byCrit[c] = figuresByHand(perCrit[c])
	}
	kappaOr1 := func(c string) float64 {
		if k := byCrit[c].kappa; k != nil {
			return *k
		}
		return 1
	}
	ranked := slices.DeleteFunc(slices.Clone(crits), func(c string) bool { return byCrit[c].mad == 0 })
	sort.SliceStable(ranked, func(i, j int) bool {
		a, b := ranked[i], ranked[j]
		if byCrit[a].mad != byCrit[b].mad {
			return byCrit[a].mad > byCrit[b].mad
		}
		if kappaOr1(a) != kappaOr1(b) {
			return kappaOr1(a) < kappaOr1(b)
		}
		return a < b
	})
	var worst []string
	for _, c := range ranked[:min(3, len(ranked))] {
		worst = append(worst, titles[c])
	}
	require.NotEmpty(t, worst)
	assert.Equal(t, "Где модель ошибается сильнее всего: "+strings.Join(worst, ", "), text(t, tb, "#ag-worst-0"))
	tb.screenshot(t, "ui-flow-agreement.png")
}

// scoreIn is the number in a text such as "Оценка с черновиком: 72".
func scoreIn(t *testing.T, s string) int {
	t.Helper()
	m := regexp.MustCompile(`\d+`).FindString(s)
	require.NotEmpty(t, m, "a score in %q", s)
	n, err := strconv.Atoi(m)
	require.NoError(t, err)
	return n
}
