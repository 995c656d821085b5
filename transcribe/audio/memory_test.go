package audio_test

import (
	"encoding/binary"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
)

// synthWAV is a stereo 16-bit WAV of any size whose bytes are computed on
// the fly, so a test can split a 300 MB recording without having one.
type synthWAV struct{ size int64 }

func (s synthWAV) header() []byte {
	b := []byte("RIFF")
	b = binary.LittleEndian.AppendUint32(b, uint32(s.size-8))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint32(b, 8000)
	b = binary.LittleEndian.AppendUint32(b, 8000*4)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = append(b, "data"...)
	return binary.LittleEndian.AppendUint32(b, uint32(s.size-44))
}

func (s synthWAV) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	n := 0
	if off < 44 {
		n = copy(p, s.header()[off:])
	}
	for ; n < len(p) && off+int64(n) < s.size; n++ {
		p[n] = byte(off + int64(n))
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestSplitMemoryBounded(t *testing.T) {
	const size = 300 << 20
	a := transcribe.Audio{Data: synthWAV{size}, Size: size, Filename: "long.wav"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	chunks, err := audio.Split(a, 24<<20)
	require.NoError(t, err)
	chans, err := audio.SplitChannels(chunks[3].Audio)
	require.NoError(t, err)
	// Read a few MB of one channel of one chunk through a fixed buffer.
	buf := make([]byte, 1<<20)
	for off := int64(0); off < 4<<20; off += int64(len(buf)) {
		_, err := chans[1].Data.ReadAt(buf, off)
		require.NoError(t, err)
	}
	runtime.ReadMemStats(&after)
	require.Len(t, chunks, 13)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("split 300 MB into %d chunks and read 4 MB of a channel: %d bytes allocated", len(chunks), alloc)
	// The 1 MiB buffer above plus small change: nothing proportional to the file.
	assert.Less(t, alloc, uint64(3<<20))
}
