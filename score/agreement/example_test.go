package agreement_test

import (
	"fmt"

	"github.com/callaudit/callaudit/score/agreement"
)

// Five criterion scores of a model beside a lead's: the table of
// TestComputeByHand.
func ExampleCompute() {
	f := agreement.Compute([]agreement.Pair{
		{Model: 100, Human: 100}, {Model: 80, Human: 60}, {Model: 40, Human: 40}, {Model: 0, Human: 20}, {Model: 60, Human: 100},
	})
	fmt.Printf("pairs %d, MAD %.1f, bias %+.1f, exact %.0f %%, κ %.3f\n", f.N, *f.MAD, *f.Bias, *f.Exact*100, *f.Kappa)
	fmt.Println("80 is category", agreement.Bin(80), "and 89 too:", agreement.Bin(89))
	// Output:
	// pairs 5, MAD 16.0, bias -8.0, exact 40 %, κ 0.789
	// 80 is category 4 and 89 too: 4
}
