package audio_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe/audio"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func TestParseWAV(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec wavSpec
	}{
		{"pcm16 mono", wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, frames: 100}},
		{"pcm8 stereo", wavSpec{tag: 1, channels: 2, rate: 8000, bits: 8, frames: 101}},
		{"pcm24 three channels", wavSpec{tag: 1, channels: 3, rate: 48000, bits: 24, frames: 77}},
		{"float32", wavSpec{tag: 3, channels: 2, rate: 16000, bits: 32, frames: 50}},
		{"extensible", wavSpec{tag: 0xFFFE, channels: 2, rate: 44100, bits: 16, frames: 60}},
		{"chunks before fmt", wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, frames: 10, before: [][2]string{{"LIST", "INFOsome"}, {"bext", "x"}}}},
		{"data before fmt", wavSpec{tag: 1, channels: 2, rate: 8000, bits: 16, frames: 10, dataFirst: true}},
		{"odd chunk padding", wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, frames: 10, oddPadding: true, trailing: "tail"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := makeWAV(tc.spec)
			info, err := audio.ParseWAV(bytes.NewReader(b), int64(len(b)))
			require.NoError(t, err)
			wantTag := tc.spec.tag
			if wantTag == 0xFFFE {
				wantTag = 1
			}
			assert.Equal(t, wantTag, info.FormatTag)
			assert.Equal(t, tc.spec.channels, info.Channels)
			assert.Equal(t, tc.spec.rate, info.SampleRate)
			assert.Equal(t, tc.spec.bits, info.BitsPerSample)
			assert.Equal(t, int64(tc.spec.frames), info.Frames())
			block := tc.spec.channels * tc.spec.bits / 8
			// The first sample frame is where the pattern says frame 0 is.
			first := b[info.DataOffset : info.DataOffset+int64(block)]
			assert.Equal(t, sample(0, 0, tc.spec.bits/8), first[:tc.spec.bits/8])
			assert.InDelta(t, float64(tc.spec.frames)/float64(tc.spec.rate), info.Duration(), 1e-12)
		})
	}
}

func TestParseWAVRejects(t *testing.T) {
	good := makeWAV(wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, frames: 10})
	adpcm := bytes.Clone(good)
	adpcm[20] = 2 // format tag
	badBits := bytes.Clone(good)
	badBits[34] = 12
	noData := good[:36]
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not riff", []byte("RIFX\x00\x00\x00\x00WAVEfmt ")},
		{"mp3", []byte("ID3\x03\x00\x00\x00\x00\x00\x00")},
		{"adpcm", adpcm},
		{"12-bit", badBits},
		{"no data chunk", noData},
		{"truncated fmt", good[:24]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := audio.ParseWAV(bytes.NewReader(tc.b), int64(len(tc.b)))
			require.Error(t, err)
			assert.Equal(t, callaudit.KindUnsupported, callaudit.KindOf(err))
		})
	}
}

func TestParseWAVTruncatedData(t *testing.T) {
	// A recording cut off mid-frame: the data chunk claims more than the
	// file holds; only whole frames count.
	b := transcribetest.WAV(1, 8000, 2)
	b = b[:len(b)-3]
	info, err := audio.ParseWAV(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	assert.Equal(t, int64(8000-1), info.Frames())
	assert.LessOrEqual(t, info.DataOffset+info.DataSize, int64(len(b)))
}
