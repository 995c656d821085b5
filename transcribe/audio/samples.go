package audio

import (
	"encoding/binary"
	"io"
	"math"
)

// Samples decodes the samples of a WAV recording, frame by frame, through
// io.ReaderAt and a bounded buffer: a recording of any length costs the
// caller's buffers only. It reads integer PCM of 8 (unsigned), 16, 24 and
// 32 bits, 32-bit IEEE float, and G.711 A-law and µ-law (ITU-T G.711,
// 8 bits a sample, the usual telephony formats), with any number of
// channels.
type Samples struct {
	// Info is the recording's layout.
	Info  WAVInfo
	r     io.ReaderAt
	frame int64 // the next frame to decode
	buf   []byte
}

// OpenSamples reads the layout of a WAV file of the given size and
// returns a decoder positioned at its first frame. Anything else is a
// KindUnsupported error.
func OpenSamples(r io.ReaderAt, size int64) (*Samples, error) {
	info, err := parseWAV(r, size, true)
	if err != nil {
		return nil, err
	}
	return &Samples{Info: info, r: r}, nil
}

// Read decodes up to len(dst[0]) frames into dst, one slice per channel
// (len(dst) must be Info.Channels, the slices of one length), as values in
// [-1, 1]. It returns the frames decoded, and io.EOF with 0 after the
// last frame.
func (s *Samples) Read(dst [][]float32) (int, error) {
	info := s.Info
	left := info.Frames() - s.frame
	if left <= 0 {
		return 0, io.EOF
	}
	block := int64(info.BlockAlign)
	want := min(int64(len(dst[0])), left, maxReadBuf/block)
	if want < 1 {
		want = 1 // a frame wider than the buffer: one at a time
	}
	if int64(cap(s.buf)) < want*block {
		s.buf = make([]byte, want*block)
	}
	raw := s.buf[:want*block]
	if err := readFull(s.r, raw, info.DataOffset+s.frame*block, info.DataOffset+info.DataSize); err != nil {
		return 0, err
	}
	width := info.BitsPerSample / 8
	for i := range int(want) {
		frame := raw[int64(i)*block:]
		for c := range info.Channels {
			dst[c][i] = decode(info.FormatTag, frame[c*width:c*width+width])
		}
	}
	s.frame += want
	return int(want), nil
}

// decode turns one sample's bytes into a value in [-1, 1].
func decode(tag uint16, b []byte) float32 {
	switch tag {
	case tagFloat:
		return float32(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	case tagMuLaw:
		return float32(muLaw(b[0])) / 32768
	case tagALaw:
		return float32(aLaw(b[0])) / 32768
	}
	switch len(b) {
	case 1: // 8-bit PCM is unsigned, 128 the silence
		return (float32(b[0]) - 128) / 128
	case 2:
		return float32(int16(binary.LittleEndian.Uint16(b))) / (1 << 15)
	case 3:
		v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
		return float32(v) / (1 << 23)
	default:
		return float32(float64(int32(binary.LittleEndian.Uint32(b))) / (1 << 31))
	}
}

// muLaw expands a G.711 µ-law byte to a 16-bit linear sample (ITU-T
// G.711, table 2a: the byte is sent inverted; bias 0x84).
func muLaw(u byte) int16 {
	u = ^u
	exp := (u >> 4) & 7
	v := (int(u&0x0F)<<3 + 0x84) << exp
	v -= 0x84
	if u&0x80 != 0 {
		return int16(-v)
	}
	return int16(v)
}

// aLaw expands a G.711 A-law byte to a 16-bit linear sample (ITU-T
// G.711, table 1a: even bits inverted, 0x55; the sign bit set is
// positive).
func aLaw(a byte) int16 {
	a ^= 0x55
	exp := (a >> 4) & 7
	v := int(a&0x0F)<<4 + 8
	if exp > 0 {
		v = (v + 0x100) << (exp - 1)
	}
	if a&0x80 == 0 {
		return int16(-v)
	}
	return int16(v)
}
