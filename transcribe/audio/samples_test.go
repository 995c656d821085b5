package audio_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe/audio"
)

// decodeAll reads every frame through dst slices of n frames.
func decodeAll(t *testing.T, s *audio.Samples, n int) [][]float32 {
	t.Helper()
	out := make([][]float32, s.Info.Channels)
	dst := make([][]float32, s.Info.Channels)
	for c := range dst {
		dst[c] = make([]float32, n)
	}
	for {
		got, err := s.Read(dst)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		for c := range dst {
			out[c] = append(out[c], dst[c][:got]...)
		}
	}
}

// TestSamplesPCM decodes every integer width and float against the test
// pattern's bytes read independently: unsigned 8-bit around 128, signed
// little-endian otherwise, scaled to [-1, 1).
func TestSamplesPCM(t *testing.T) {
	for _, spec := range []wavSpec{
		{tag: 1, channels: 2, rate: 8000, bits: 8, frames: 300},
		{tag: 1, channels: 2, rate: 8000, bits: 16, frames: 300},
		{tag: 1, channels: 1, rate: 16000, bits: 24, frames: 300},
		{tag: 0xFFFE, channels: 2, rate: 8000, bits: 32, frames: 300},
		{tag: 3, channels: 2, rate: 8000, bits: 32, frames: 300},
	} {
		data := makeWAV(spec)
		width := spec.bits / 8
		for _, step := range []int{1, 7, 4096} {
			s, err := audio.OpenSamples(bytes.NewReader(data), int64(len(data)))
			require.NoError(t, err, "%+v", spec)
			got := decodeAll(t, s, step)
			for c := range spec.channels {
				require.Len(t, got[c], spec.frames)
				for f := range spec.frames {
					b := sample(f, c, width)
					var want float32
					switch {
					case spec.tag == 3:
						want = math.Float32frombits(binary.LittleEndian.Uint32(b))
					case width == 1:
						want = (float32(b[0]) - 128) / 128
					default:
						v := int64(0)
						for i := width - 1; i >= 0; i-- {
							v = v<<8 | int64(b[i])
						}
						if v >= 1<<(8*width-1) {
							v -= 1 << (8 * width)
						}
						want = float32(float64(v) / float64(int64(1)<<(8*width-1)))
					}
					if spec.tag == 3 && math.IsNaN(float64(want)) {
						assert.True(t, math.IsNaN(float64(got[c][f])))
						continue
					}
					require.Equal(t, want, got[c][f], "%d bits, frame %d, channel %d, step %d", spec.bits, f, c, step)
				}
			}
		}
	}
}

// TestSamplesG711 checks A-law and µ-law bytes against ITU-T G.711's
// tables (16-bit linear values), and that Split's parser still refuses
// them (a speech-to-text API is sent PCM pieces only).
func TestSamplesG711(t *testing.T) {
	wav := func(tag uint16, samples []byte) []byte {
		b := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00")
		b = binary.LittleEndian.AppendUint16(b, tag)
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = binary.LittleEndian.AppendUint32(b, 8000)
		b = binary.LittleEndian.AppendUint32(b, 8000)
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = binary.LittleEndian.AppendUint16(b, 8)
		b = append(b, "data"...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(samples)))
		return append(b, samples...)
	}
	for _, tc := range []struct {
		name string
		tag  uint16
		in   []byte
		want []int
	}{
		// µ-law: 0xFF and 0x7F are the two zeros, 0x80/0x00 the extremes,
		// 0xFE/0x7E the smallest steps, 0xEF the first of segment 1.
		{"mulaw", 7, []byte{0xFF, 0x7F, 0x80, 0x00, 0xFE, 0x7E, 0xEF}, []int{0, 0, 32124, -32124, 8, -8, 132}},
		// A-law: 0xD5/0x55 the smallest steps, 0xAA/0x2A the extremes.
		{"alaw", 6, []byte{0xD5, 0x55, 0xAA, 0x2A}, []int{8, -8, 32256, -32256}},
	} {
		data := wav(tc.tag, tc.in)
		s, err := audio.OpenSamples(bytes.NewReader(data), int64(len(data)))
		require.NoError(t, err, tc.name)
		got := decodeAll(t, s, 4)[0]
		require.Len(t, got, len(tc.want))
		for i, w := range tc.want {
			assert.Equal(t, float32(w)/32768, got[i], "%s byte %#x", tc.name, tc.in[i])
		}
		_, err = audio.ParseWAV(bytes.NewReader(data), int64(len(data)))
		assert.Equal(t, callaudit.KindUnsupported, callaudit.KindOf(err), tc.name)
	}
}
