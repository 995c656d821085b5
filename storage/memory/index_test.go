package memory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIndexAgainstSortedSlice inserts and removes entries in random order,
// enough to split blocks many times, and compares every walk with a plain
// sorted slice.
func TestIndexAgainstSortedSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var x index
	var oracle []*entry
	byKey := func(a, b *entry) int { return compareKeys(a.key(), b.key()) }
	check := func(t *testing.T) {
		t.Helper()
		require.Equal(t, len(oracle), x.len())
		for _, blk := range x.blocks {
			require.NotEmpty(t, blk, "no empty blocks")
			require.Less(t, len(blk), 2*blockSize)
		}
		// Walks from random keys, including keys of stored entries and
		// keys between them, and the unbounded ones.
		probes := []key{{-1 << 62, ""}, {1 << 62, ""}}
		for range 20 {
			probes = append(probes, key{r.Int64N(2000), fmt.Sprint(r.IntN(10))})
		}
		for _, k := range probes {
			var want, got []*entry
			for _, e := range oracle {
				if compareKeys(e.key(), k) >= 0 {
					want = append(want, e)
				}
			}
			x.ascend(k, func(e *entry) bool { got = append(got, e); return true })
			require.Equal(t, want, got, "ascend from %v", k)

			want, got = nil, nil
			for i := len(oracle) - 1; i >= 0; i-- {
				if compareKeys(oracle[i].key(), k) < 0 {
					want = append(want, oracle[i])
				}
			}
			x.descend(&k, func(e *entry) bool { got = append(got, e); return true })
			require.Equal(t, want, got, "descend below %v", k)
		}
		var all []*entry
		x.descend(nil, func(e *entry) bool { all = append(all, e); return true })
		var want []*entry
		for i := len(oracle) - 1; i >= 0; i-- {
			want = append(want, oracle[i])
		}
		require.Equal(t, want, all)

		// Stopping early stops.
		n := 0
		x.ascend(key{-1 << 62, ""}, func(*entry) bool { n++; return n < 3 })
		assert.Equal(t, min(3, len(oracle)), n)
	}

	for step := range 6000 {
		if len(oracle) > 0 && r.IntN(4) == 0 {
			i := r.IntN(len(oracle))
			x.remove(oracle[i])
			oracle = slices.Delete(oracle, i, i+1)
		} else {
			// Few distinct times, so that ties on time are common.
			e := &entry{at: r.Int64N(2000), id: fmt.Sprintf("id-%05d", step)}
			x.insert(e)
			i, _ := slices.BinarySearchFunc(oracle, e, byKey)
			oracle = slices.Insert(oracle, i, e)
		}
		if step%500 == 0 {
			check(t)
		}
	}
	check(t)
	assert.Greater(t, len(x.blocks), 3, "the test exercised block splits")

	// Removing an entry that is not there changes nothing.
	x.remove(&entry{at: 5, id: "absent"})
	require.Equal(t, len(oracle), x.len())
	for len(oracle) > 0 {
		x.remove(oracle[0])
		oracle = oracle[1:]
	}
	check(t)
	assert.Empty(t, x.blocks)
}
