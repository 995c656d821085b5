// Package agreement measures how well a scorer agrees with human
// reviewers: from pairs of scores (the model's and the human's, each
// 0..100) it computes the mean absolute difference, the mean signed
// difference, the exact agreement on a 0–5 scale and the
// quadratic-weighted Cohen's κ on that scale. It is pure arithmetic with
// no I/O; storage groups reviews by scorecard version and criterion and
// calls it.
//
// # The 0–5 scale
//
// A score s in 0..100 falls in category Bin(s) = round(s/20), halves
// rounded up: 0–9 → 0, 10–29 → 1, 30–49 → 2, 50–69 → 3, 70–89 → 4,
// 90–100 → 5. This is the scale auto-QA vendors publish their "exact
// agreement with human raters" on (five stars plus zero), so that the
// figures compare with theirs. Exact agreement is the share of pairs in
// the same category; κ is computed on the six categories.
//
// # Cohen's κ, quadratic weights
//
// With categories 0..k-1 (k = 6), weights w(i,j) = (i−j)²/(k−1)², the
// observed proportions O(i,j) of pairs (model i, human j) and the
// proportions E(i,j) = p(i)·q(j) expected by chance from the two raters'
// marginals,
//
//	κ = 1 − Σ w·O / Σ w·E.
//
// κ is 1 for perfect agreement, 0 for agreement no better than chance,
// negative for worse. It is undefined (nil) when Σ w·E = 0, which happens
// exactly when both raters put every pair in one and the same category:
// then agreement is total but chance would have produced it too, and no
// figure is honest (scikit-learn's cohen_kappa_score answers NaN there).
// When only one rater is constant κ is 0: the other rater's scores carry
// no information about it.
package agreement

import "math"

// Categories is the number of categories of the 0–5 scale.
const Categories = 6

// Bin returns the category of a 0..100 score on the 0–5 scale:
// round(score/20), halves up. Scores outside 0..100 are clamped first.
func Bin(score int) int {
	score = min(max(score, 0), 100)
	return (score + 10) / 20
}

// Pair is one scored item: the model's score and the human's, 0..100.
type Pair struct {
	Model, Human int
}

// Figures are the agreement figures of a set of pairs. With N = 0 every
// figure is nil; Kappa is also nil when undefined (see the package
// documentation).
type Figures struct {
	// N is the number of pairs.
	N int `json:"n"`
	// MAD is the mean absolute difference |model − human|, in points of
	// the 0..100 scale.
	MAD *float64 `json:"mean_absolute_difference"`
	// Bias is the mean signed difference model − human: positive when the
	// model scores higher than the humans.
	Bias *float64 `json:"bias"`
	// Exact is the share (0..1) of pairs in the same category of the 0–5
	// scale.
	Exact *float64 `json:"exact_agreement"`
	// Kappa is the quadratic-weighted Cohen's κ on the 0–5 scale.
	Kappa *float64 `json:"kappa"`
}

// Compute returns the figures of pairs.
func Compute(pairs []Pair) Figures {
	f := Figures{N: len(pairs)}
	if len(pairs) == 0 {
		return f
	}
	var abs, signed, exact float64
	var obs [Categories][Categories]float64
	var pm, ph [Categories]float64
	for _, p := range pairs {
		d := float64(p.Model - p.Human)
		abs += math.Abs(d)
		signed += d
		i, j := Bin(p.Model), Bin(p.Human)
		if i == j {
			exact++
		}
		obs[i][j]++
		pm[i]++
		ph[j]++
	}
	n := float64(len(pairs))
	mad, bias, ex := abs/n, signed/n, exact/n
	f.MAD, f.Bias, f.Exact = &mad, &bias, &ex
	f.Kappa = kappa(obs, pm, ph, n)
	return f
}

// kappa is the quadratic-weighted κ of the counts obs with marginals pm
// (model) and ph (human) over n pairs; nil when undefined.
func kappa(obs [Categories][Categories]float64, pm, ph [Categories]float64, n float64) *float64 {
	var wo, we float64
	for i := range Categories {
		for j := range Categories {
			w := float64((i-j)*(i-j)) / float64((Categories-1)*(Categories-1))
			wo += w * obs[i][j] / n
			we += w * (pm[i] / n) * (ph[j] / n)
		}
	}
	if we == 0 {
		return nil
	}
	k := 1 - wo/we
	return &k
}
