package checklist

// Presentation links the manager's words to the client's through shared
// stems (see rawStem). Hashing strings for every word of a call cost more
// than tokenising it, so the tokenizer also packs each word's stem into a
// number: the key codes of its first five letters, six bits each.

// Values of token.stem besides a packed stem.
const (
	stemShort = 0 // fewer than five letters: no stem
	stemOther = 1 // a stem with a letter that has no key code (or a digit): compare strings
)

// digitCode is the key code shared by all digits, which therefore cannot
// be packed without collisions.
const digitCode = 59

// packStem packs the stem of a normalised word as the tokenizer does.
func packStem(w string) uint32 {
	var packed uint32
	n, other := 0, false
	for _, r := range w {
		if n == 5 {
			break
		}
		c := keyCode(r)
		other = other || c == 0 || c == digitCode
		packed = packed<<6 | uint32(c)
		n++
	}
	switch {
	case n < 5:
		return stemShort
	case other:
		return stemOther
	}
	return packed
}

// stemSet is a set of packed stems: open addressing over a table kept
// between calls, at most half full, so it never grows while in use.
type stemSet struct {
	slots []uint32
	shift uint
}

// reset empties the set for up to n stems.
func (s *stemSet) reset(n int) {
	size, shift := 16, uint(32-4)
	for size < 2*n {
		size, shift = size*2, shift-1
	}
	if cap(s.slots) < size {
		s.slots = make([]uint32, size)
	} else {
		s.slots = s.slots[:size]
		clear(s.slots)
	}
	s.shift = shift
}

// slot finds v or the empty slot where it belongs. Packed stems are never
// 0, which marks an empty slot.
func (s *stemSet) slot(v uint32) int {
	mask := len(s.slots) - 1
	// Fibonacci hashing spreads the packed letters over the table.
	i := int((v * 0x9E3779B1) >> s.shift)
	for s.slots[i] != 0 && s.slots[i] != v {
		i = (i + 1) & mask
	}
	return i
}

func (s *stemSet) add(v uint32)      { s.slots[s.slot(v)] = v }
func (s *stemSet) has(v uint32) bool { return s.slots[s.slot(v)] == v }

// stopCodes are stopStems packed.
var stopCodes = func() *stemSet {
	s := new(stemSet)
	s.reset(len(stopStems))
	for st := range stopStems {
		if v := packStem(st); v > stemOther {
			s.add(v)
		}
	}
	return s
}()
