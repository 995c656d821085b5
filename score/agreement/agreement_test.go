package agreement_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/score/agreement"
)

func TestBin(t *testing.T) {
	for score, want := range map[int]int{
		-5: 0, 0: 0, 9: 0, 10: 1, 29: 1, 30: 2, 49: 2, 50: 3, 69: 3, 70: 4, 89: 4, 90: 5, 100: 5, 120: 5,
	} {
		assert.Equal(t, want, agreement.Bin(score), "Bin(%d)", score)
	}
}

// TestComputeByHand checks every figure against a table worked out by
// hand.
//
//	pair  model human  bins   |m−h|  m−h
//	1     100   100    5 5     0      0
//	2      80    60    4 3    20     20
//	3      40    40    2 2     0      0
//	4       0    20    0 1    20    −20
//	5      60   100    3 5    40    −40
//
//	MAD   = (0+20+0+20+40)/5 = 80/5 = 16
//	bias  = (0+20+0−20−40)/5 = −40/5 = −8
//	exact = pairs 1 and 3 = 2/5 = 0.4
//
// κ with w(i,j) = (i−j)²/25: Σ w·O = (1/25)·(1/5)·Σ (m_a − h_a)² over the
// five pairs = (0+1+0+1+4)/125 = 6/125. Σ w·E = (1/25)·(1/25)·Σ_a Σ_b
// (m_a − h_b)² over all 25 combinations of a model bin (5,4,2,0,3) with a
// human bin (5,3,2,1,5):
//
//	m=5: 0+4+9+16+0  = 29
//	m=4: 1+1+4+9+1   = 16
//	m=2: 9+1+0+1+9   = 20
//	m=0: 25+9+4+1+25 = 64
//	m=3: 4+0+1+4+4   = 13      total 142, so Σ w·E = 142/625
//
//	κ = 1 − (6/125)/(142/625) = 1 − 30/142 = 112/142 = 0.788732…
func TestComputeByHand(t *testing.T) {
	f := agreement.Compute([]agreement.Pair{{100, 100}, {80, 60}, {40, 40}, {0, 20}, {60, 100}})
	require.Equal(t, 5, f.N)
	require.NotNil(t, f.MAD)
	assert.InDelta(t, 16, *f.MAD, 1e-12)
	assert.InDelta(t, -8, *f.Bias, 1e-12)
	assert.InDelta(t, 0.4, *f.Exact, 1e-12)
	require.NotNil(t, f.Kappa)
	assert.InDelta(t, 112.0/142, *f.Kappa, 1e-12)
	assert.InDelta(t, 0.788732, *f.Kappa, 1e-6)
}

// The figures do not depend on the order of the pairs, and swapping the
// raters keeps MAD, exact agreement and κ (it is symmetric) and negates
// the bias.
func TestComputeSymmetry(t *testing.T) {
	pairs := []agreement.Pair{{100, 100}, {80, 60}, {40, 40}, {0, 20}, {60, 100}}
	swapped := make([]agreement.Pair, len(pairs))
	for i, p := range pairs {
		swapped[len(pairs)-1-i] = agreement.Pair{Model: p.Human, Human: p.Model}
	}
	a, b := agreement.Compute(pairs), agreement.Compute(swapped)
	assert.InDelta(t, *a.MAD, *b.MAD, 1e-12)
	assert.InDelta(t, *a.Exact, *b.Exact, 1e-12)
	assert.InDelta(t, *a.Kappa, *b.Kappa, 1e-12)
	assert.InDelta(t, -*a.Bias, *b.Bias, 1e-12)
}

func TestComputeEdgeCases(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		f := agreement.Compute(nil)
		assert.Equal(t, agreement.Figures{}, f, "no pairs, no figures")
	})
	t.Run("all identical ratings", func(t *testing.T) {
		// Both raters put everything in category 4: Σ w·E = 0, κ undefined.
		f := agreement.Compute([]agreement.Pair{{80, 80}, {75, 85}, {70, 89}})
		assert.Equal(t, 3, f.N)
		assert.InDelta(t, 1, *f.Exact, 1e-12)
		assert.InDelta(t, (0+10+19)/3.0, *f.MAD, 1e-12, "MAD still sees the points inside the category")
		assert.Nil(t, f.Kappa, "κ is undefined when both raters use one and the same category")
	})
	t.Run("single pair", func(t *testing.T) {
		f := agreement.Compute([]agreement.Pair{{50, 50}})
		assert.Nil(t, f.Kappa, "one pair is one category for both")
		assert.InDelta(t, 0, *f.MAD, 1e-12)
	})
	t.Run("one rater constant", func(t *testing.T) {
		// The model always says 5; the human varies. O(5,j) = q(j) = E(5,j),
		// so Σ w·O = Σ w·E and κ = 0.
		f := agreement.Compute([]agreement.Pair{{100, 100}, {100, 60}, {100, 0}})
		require.NotNil(t, f.Kappa)
		assert.InDelta(t, 0, *f.Kappa, 1e-12)
		assert.InDelta(t, 1.0/3, *f.Exact, 1e-12)
	})
	t.Run("constant raters in different categories", func(t *testing.T) {
		// Model 5, human 3 every time: Σ w·O = Σ w·E = 4/25, κ = 0 although
		// exact agreement is 0.
		f := agreement.Compute([]agreement.Pair{{100, 60}, {95, 55}})
		require.NotNil(t, f.Kappa)
		assert.InDelta(t, 0, *f.Kappa, 1e-12)
		assert.InDelta(t, 0, *f.Exact, 1e-12)
		assert.InDelta(t, 40, *f.Bias, 1e-12)
	})
	t.Run("perfect agreement", func(t *testing.T) {
		f := agreement.Compute([]agreement.Pair{{0, 0}, {50, 55}, {100, 95}})
		assert.InDelta(t, 1, *f.Kappa, 1e-12)
		assert.InDelta(t, 1, *f.Exact, 1e-12)
	})
	t.Run("total disagreement", func(t *testing.T) {
		// Bins (0,5) and (5,0): Σ w·O = 1, Σ w·E = (1/4)(1+1) = 1/2, κ = −1.
		f := agreement.Compute([]agreement.Pair{{0, 100}, {100, 0}})
		assert.InDelta(t, -1, *f.Kappa, 1e-12)
	})
}
