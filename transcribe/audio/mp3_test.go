package audio_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
)

// mp3Frame is a frame header to synthesize: MPEG version bits (3 = 1,
// 2 = 2, 0 = 2.5), bitrate and sample-rate indexes, padding.
type mp3Frame struct {
	version, bitrate, rate int
	pad                    bool
}

// frameSize is the Layer III frame length from the standard's formula,
// written out independently of the package's tables.
func (f mp3Frame) size() int {
	kbps := map[int][]int{
		3: {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
		2: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
		0: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
	}[f.version][f.bitrate] * 1000
	coef := 72
	if f.version == 3 {
		coef = 144
	}
	n := coef * kbps / f.sampleRate()
	if f.pad {
		n++
	}
	return n
}

func (f mp3Frame) sampleRate() int {
	return map[int][]int{3: {44100, 48000, 32000}, 2: {22050, 24000, 16000}, 0: {11025, 12000, 8000}}[f.version][f.rate]
}

func (f mp3Frame) samples() int {
	if f.version == 3 {
		return 1152
	}
	return 576
}

func (f mp3Frame) bytes(payload string) []byte {
	h := []byte{0xFF, 0xE0 | byte(f.version)<<3 | 1<<1 | 1, byte(f.bitrate)<<4 | byte(f.rate)<<2, 0xC0}
	if f.pad {
		h[2] |= 2
	}
	b := make([]byte, f.size())
	copy(b, h)
	copy(b[4+32:], payload)
	return b
}

// mp3File holds an ID3v2 tag, a Xing frame, the frames, damage after the
// third frame and an ID3v1 tag; it returns the file and each audio
// frame's offset.
func mp3File(frames []mp3Frame) ([]byte, []int) {
	b := []byte("ID3\x04\x00\x00\x00\x00\x01\x05") // 133-byte tag body
	b = append(b, bytes.Repeat([]byte{0xFF}, 133)...)
	b = append(b, frames[0].bytes("Xing")...)
	var offs []int
	for i, f := range frames {
		offs = append(offs, len(b))
		b = append(b, f.bytes("")...)
		if i == 2 {
			b = append(b, 0xFF, 0xFB, 0x00, 0x13, 0x37) // a bad header and junk
		}
	}
	b = append(b, "TAG"...)
	b = append(b, make([]byte, 125)...)
	return b, offs
}

func TestScanMP3(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frames []mp3Frame
	}{
		{"mpeg1 128k 44.1k", repeatFrames(mp3Frame{3, 9, 0, false}, 20)},
		{"mpeg1 mixed padding", []mp3Frame{{3, 9, 0, true}, {3, 9, 0, false}, {3, 14, 1, true}, {3, 1, 2, false}, {3, 9, 0, true}}},
		{"mpeg2 24k", repeatFrames(mp3Frame{2, 3, 1, false}, 7)},
		{"mpeg2.5 8k", repeatFrames(mp3Frame{0, 8, 2, true}, 6)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, offs := mp3File(tc.frames)
			var got []audio.Frame
			require.NoError(t, audio.ScanMP3(bytes.NewReader(b), int64(len(b)), func(f audio.Frame) bool {
				got = append(got, f)
				return true
			}))
			require.Len(t, got, len(tc.frames), "the Xing frame, the damage and the tags are not frames")
			for i, f := range tc.frames {
				assert.Equal(t, int64(offs[i]), got[i].Offset, "frame %d", i)
				assert.Equal(t, int64(f.size()), got[i].Size, "frame %d", i)
				assert.Equal(t, f.sampleRate(), got[i].SampleRate)
				assert.Equal(t, f.samples(), got[i].Samples)
			}
		})
	}
	junk := bytes.Repeat([]byte{0xFF, 0xFB, 0x00}, 1000)
	err := audio.ScanMP3(bytes.NewReader(junk), int64(len(junk)), func(audio.Frame) bool { return true })
	assert.Equal(t, callaudit.KindUnsupported, callaudit.KindOf(err))
}

func repeatFrames(f mp3Frame, n int) []mp3Frame {
	out := make([]mp3Frame, n)
	for i := range out {
		out[i] = f
		out[i].pad = i%3 == 1
	}
	return out
}

func TestSplitMP3(t *testing.T) {
	frames := repeatFrames(mp3Frame{3, 9, 0, false}, 50) // 417/418-byte frames
	b, offs := mp3File(frames)
	a := transcribe.AudioFromBytes("call.mp3", b)
	const maxBytes = 2000
	chunks, err := audio.Split(a, maxBytes)
	require.NoError(t, err)
	require.Greater(t, len(chunks), 1)

	perFrame := 1152.0 / 44100
	next := 0 // index of the next frame expected at a chunk start
	for i, c := range chunks {
		assert.LessOrEqual(t, c.Audio.Size, int64(maxBytes), "chunk %d", i)
		data := readAll(t, c.Audio, 100)
		// Every chunk starts on a frame and is a run of whole frames.
		require.Equal(t, b[offs[next]:offs[next]+len(data)], data, "chunk %d starts at frame %d", i, next)
		assert.InDelta(t, float64(next)*perFrame, c.Offset, 1e-9, "chunk %d", i)
		var n int
		require.NoError(t, audio.ScanMP3(c.Audio.Data, c.Audio.Size, func(audio.Frame) bool { n++; return true }))
		next += n
	}
	assert.Equal(t, len(frames), next, "every frame is in one chunk")
}
