package memory

import (
	"slices"
	"strings"

	"github.com/callaudit/callaudit/storage"
)

// entry is one stored call with its sort key. The key never changes: a
// call keeps its first CreatedAt when saved again.
type entry struct {
	at   int64 // CreatedAt, Unix nanoseconds
	id   string
	call storage.Call
	// What Stats reads, copied out of the report so that a scan over
	// thousands of calls does not chase each report's pointers. scored is
	// what statistics count: a done call with a report.
	scored   bool
	score    int
	criteria []criterionScore
}

type criterionScore struct {
	id    string
	score int
}

// setCall stores c in e and refreshes the summary.
func (e *entry) setCall(c storage.Call) {
	e.call = c
	e.score, e.scored = c.Score()
	e.scored = e.scored && c.Status == storage.StatusDone
	e.criteria = e.criteria[:0]
	if e.scored {
		for id, v := range c.Report.Criteria {
			e.criteria = append(e.criteria, criterionScore{id, v})
		}
	}
}

// key is a position in the listing order: (CreatedAt, ID) ascending.
type key struct {
	at int64
	id string
}

func (e *entry) key() key { return key{e.at, e.id} }

func compareKeys(a, b key) int {
	if a.at != b.at {
		if a.at < b.at {
			return -1
		}
		return 1
	}
	return strings.Compare(a.id, b.id)
}

// blockSize is the most entries a block holds before it splits. Small
// enough that an insert moves little memory, large enough that the block
// list stays short (4,000 blocks for a million calls).
const blockSize = 512

// index keeps entries in key order in a list of sorted blocks: a one-level
// B+ tree. Inserting costs O(log n + blockSize) instead of the O(n) of one
// sorted slice, which matters when a million calls arrive in random order,
// and walking from any key costs O(log n) to start. The zero value is an
// empty index. It is not safe for concurrent use; Store locks around it.
type index struct {
	blocks [][]*entry
	n      int
}

func (x *index) len() int { return x.n }

// find returns the block that holds, or would hold, k.
func (x *index) find(k key) int {
	// The first block whose last key is >= k; the last block when k is
	// beyond every key.
	b, _ := slices.BinarySearchFunc(x.blocks, k, func(blk []*entry, k key) int {
		return compareKeys(blk[len(blk)-1].key(), k)
	})
	return min(b, len(x.blocks)-1)
}

// position returns the first position (block, offset) whose key is >= k;
// offset may equal the block's length when every key is smaller.
func (x *index) position(k key) (int, int) {
	if len(x.blocks) == 0 {
		return 0, 0
	}
	b := x.find(k)
	i, _ := slices.BinarySearchFunc(x.blocks[b], k, func(e *entry, k key) int { return compareKeys(e.key(), k) })
	return b, i
}

func (x *index) insert(e *entry) {
	x.n++
	if len(x.blocks) == 0 {
		x.blocks = append(x.blocks, []*entry{e})
		return
	}
	b, i := x.position(e.key())
	x.blocks[b] = slices.Insert(x.blocks[b], i, e)
	if blk := x.blocks[b]; len(blk) >= 2*blockSize {
		// Split into two halves, each with room to grow.
		left := slices.Clone(blk[:blockSize])
		right := slices.Clone(blk[blockSize:])
		x.blocks[b] = left
		x.blocks = slices.Insert(x.blocks, b+1, right)
	}
}

func (x *index) remove(e *entry) {
	b, i := x.position(e.key())
	if b >= len(x.blocks) || i >= len(x.blocks[b]) || x.blocks[b][i] != e {
		return
	}
	x.n--
	x.blocks[b] = slices.Delete(x.blocks[b], i, i+1)
	if len(x.blocks[b]) == 0 {
		x.blocks = slices.Delete(x.blocks, b, b+1)
	}
}

// descend calls fn with the entries whose key is < *below (every entry
// when below is nil), largest first, until fn returns false.
func (x *index) descend(below *key, fn func(*entry) bool) {
	if len(x.blocks) == 0 {
		return
	}
	b, i := len(x.blocks)-1, len(x.blocks[len(x.blocks)-1])
	if below != nil {
		b, i = x.position(*below)
	}
	for ; b >= 0; b-- {
		blk := x.blocks[b]
		for i--; i >= 0; i-- {
			if !fn(blk[i]) {
				return
			}
		}
		if b > 0 {
			i = len(x.blocks[b-1])
		}
	}
}

// ascend calls fn with the entries whose key is >= from, smallest first,
// until fn returns false.
func (x *index) ascend(from key, fn func(*entry) bool) {
	if len(x.blocks) == 0 {
		return
	}
	b, i := x.position(from)
	for ; b < len(x.blocks); b++ {
		blk := x.blocks[b]
		for ; i < len(blk); i++ {
			if !fn(blk[i]) {
				return
			}
		}
		i = 0
	}
}
