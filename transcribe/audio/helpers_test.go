package audio_test

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
)

// wavSpec describes a synthetic WAV for the tests.
type wavSpec struct {
	tag        uint16 // 1, 3 or 0xFFFE (extensible PCM)
	channels   int
	rate       int
	bits       int
	frames     int
	before     [][2]string // extra chunks before fmt: id, body
	dataFirst  bool        // data chunk before fmt
	trailing   string      // junk after the data chunk, as a chunk body
	oddPadding bool        // an odd-sized chunk before data
}

// sample returns the test pattern's bytes for one sample: the frame
// number in the low bytes and the channel in the top byte, so every
// sample says where it came from.
func sample(frame, channel, width int) []byte {
	v := uint32(frame) & (1<<(8*(width-1)) - 1)
	v |= uint32(channel+1) << (8 * (width - 1))
	b := binary.LittleEndian.AppendUint32(nil, v)
	return b[:width]
}

func makeWAV(s wavSpec) []byte {
	width := s.bits / 8
	block := s.channels * width
	chunk := func(b []byte, id string, body []byte) []byte {
		b = append(b, id...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
		b = append(b, body...)
		if len(body)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	var fmtBody []byte
	fmtBody = binary.LittleEndian.AppendUint16(fmtBody, s.tag)
	fmtBody = binary.LittleEndian.AppendUint16(fmtBody, uint16(s.channels))
	fmtBody = binary.LittleEndian.AppendUint32(fmtBody, uint32(s.rate))
	fmtBody = binary.LittleEndian.AppendUint32(fmtBody, uint32(s.rate*block))
	fmtBody = binary.LittleEndian.AppendUint16(fmtBody, uint16(block))
	fmtBody = binary.LittleEndian.AppendUint16(fmtBody, uint16(s.bits))
	if s.tag == 0xFFFE {
		fmtBody = binary.LittleEndian.AppendUint16(fmtBody, 22)
		fmtBody = binary.LittleEndian.AppendUint16(fmtBody, uint16(s.bits))
		fmtBody = binary.LittleEndian.AppendUint32(fmtBody, 3)
		fmtBody = append(fmtBody, 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71)
	}
	data := make([]byte, 0, s.frames*block)
	for f := range s.frames {
		for c := range s.channels {
			data = append(data, sample(f, c, width)...)
		}
	}
	b := []byte("RIFF\x00\x00\x00\x00WAVE")
	for _, c := range s.before {
		b = chunk(b, c[0], []byte(c[1]))
	}
	if s.oddPadding {
		b = chunk(b, "junk", []byte("abc"))
	}
	if s.dataFirst {
		b = chunk(b, "data", data)
		b = chunk(b, "fmt ", fmtBody)
	} else {
		b = chunk(b, "fmt ", fmtBody)
		b = chunk(b, "data", data)
	}
	if s.trailing != "" {
		b = chunk(b, "LIST", []byte(s.trailing))
	}
	binary.LittleEndian.PutUint32(b[4:8], uint32(len(b)-8))
	return b
}

// readAll reads an Audio through small, odd-sized ReadAt calls, the way
// a careless reader might, to exercise partial reads.
func readAll(t *testing.T, a transcribe.Audio, step int) []byte {
	t.Helper()
	out := make([]byte, 0, a.Size)
	buf := make([]byte, step)
	for off := int64(0); off < a.Size; {
		n, err := a.Data.ReadAt(buf, off)
		if err != nil {
			require.ErrorIs(t, err, io.EOF)
			require.Equal(t, a.Size, off+int64(n), "EOF before the end")
		}
		require.Positive(t, n)
		out = append(out, buf[:n]...)
		off += int64(n)
	}
	return out
}
