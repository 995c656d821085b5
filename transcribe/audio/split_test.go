package audio_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func TestSplitWAV(t *testing.T) {
	for _, tc := range []struct {
		name     string
		wav      []byte
		maxBytes int64
	}{
		{"tone mono", transcribetest.WAV(3, 16000, 1), 20_000},
		{"tone stereo", transcribetest.WAV(2.5, 8000, 2), 7_777},
		{"24-bit three channels, odd limit", makeWAV(wavSpec{tag: 1, channels: 3, rate: 8000, bits: 24, frames: 3000}), 1_001},
		{"extensible with extra chunks", makeWAV(wavSpec{tag: 0xFFFE, channels: 2, rate: 8000, bits: 16, frames: 5000, before: [][2]string{{"LIST", "abc"}}, trailing: "zz"}), 4_096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := transcribe.AudioFromBytes("call.wav", tc.wav)
			orig, err := audio.ParseWAV(a.Data, a.Size)
			require.NoError(t, err)
			chunks, err := audio.Split(a, tc.maxBytes)
			require.NoError(t, err)
			require.Greater(t, len(chunks), 1)

			var joined []byte
			var frames int64
			block := int64(orig.BlockAlign)
			for i, c := range chunks {
				assert.LessOrEqual(t, c.Audio.Size, tc.maxBytes, "chunk %d", i)
				assert.Equal(t, "call.wav", c.Audio.Filename)
				info, err := audio.ParseWAV(c.Audio.Data, c.Audio.Size)
				require.NoError(t, err, "chunk %d is a WAV", i)
				assert.Equal(t, orig.Channels, info.Channels)
				assert.Equal(t, orig.SampleRate, info.SampleRate)
				assert.Equal(t, orig.BitsPerSample, info.BitsPerSample)
				assert.Zero(t, info.DataSize%block, "whole sample frames")
				assert.Equal(t, int64(44), info.DataOffset)
				// The offset is the number of frames before the chunk.
				assert.InDelta(t, float64(frames)/float64(orig.SampleRate), c.Offset, 1e-9, "chunk %d", i)
				if i < len(chunks)-1 {
					// Full chunks hold as many frames as fit.
					assert.Greater(t, info.DataSize+block+44, tc.maxBytes)
				}
				frames += info.Frames()
				data := readAll(t, c.Audio, 333)
				joined = append(joined, data[44:]...)
			}
			assert.Equal(t, orig.Frames(), frames)
			assert.Equal(t, tc.wav[orig.DataOffset:orig.DataOffset+orig.DataSize], joined, "the chunks hold the samples in order")
		})
	}
}

func TestSplitSmallPassesThrough(t *testing.T) {
	a := transcribe.AudioFromBytes("x.ogg", []byte("OggS not really"))
	chunks, err := audio.Split(a, a.Size)
	require.NoError(t, err)
	require.Len(t, chunks, 1)
	assert.Equal(t, a, chunks[0].Audio)
	assert.Zero(t, chunks[0].Offset)
}

func TestSplitRefuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		data     []byte
		maxBytes int64
		kind     callaudit.Kind
		contains string
	}{
		{"ogg over the limit", append([]byte("OggS"), make([]byte, 100)...), 50, callaudit.KindTooLarge, "WAV and MP3"},
		{"unknown over the limit", make([]byte, 100), 50, callaudit.KindTooLarge, "convert"},
		{"compressed wav", func() []byte {
			b := makeWAV(wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, frames: 100})
			b[20] = 0x11
			return b
		}(), 100, callaudit.KindUnsupported, "PCM"},
		{"empty", nil, 10, callaudit.KindInvalid, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := audio.Split(transcribe.AudioFromBytes("a", tc.data), tc.maxBytes)
			require.Error(t, err)
			assert.Equal(t, tc.kind, callaudit.KindOf(err))
			assert.Contains(t, callaudit.MessageOf(err), tc.contains)
		})
	}
}

func TestSplitChannels(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec wavSpec
	}{
		{"stereo 16-bit", wavSpec{tag: 1, channels: 2, rate: 8000, bits: 16, frames: 40_000}},
		{"stereo 24-bit", wavSpec{tag: 1, channels: 2, rate: 8000, bits: 24, frames: 1_001}},
		{"three channels 8-bit", wavSpec{tag: 1, channels: 3, rate: 8000, bits: 8, frames: 999, dataFirst: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := makeWAV(tc.spec)
			chans, err := audio.SplitChannels(transcribe.AudioFromBytes("c.wav", b))
			require.NoError(t, err)
			require.Len(t, chans, tc.spec.channels)
			width := tc.spec.bits / 8
			for c, a := range chans {
				var want []byte
				for f := range tc.spec.frames {
					want = append(want, sample(f, c, width)...)
				}
				for _, step := range []int{1, 5, 4096, 1 << 20} {
					got := readAll(t, a, step)
					info, err := audio.ParseWAV(bytes.NewReader(got), int64(len(got)))
					require.NoError(t, err)
					assert.Equal(t, 1, info.Channels)
					assert.Equal(t, tc.spec.rate, info.SampleRate)
					assert.Equal(t, want, got[44:], "channel %d read %d bytes at a time", c, step)
				}
			}
		})
	}
	_, err := audio.SplitChannels(transcribe.AudioFromBytes("a.mp3", []byte("ID3\x03\x00\x00\x00\x00\x00\x00")))
	assert.Equal(t, callaudit.KindUnsupported, callaudit.KindOf(err))
}
