package energy_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/energy"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// TestStereoCallWithoutSpeechToText is issue 17's acceptance for audio
// with no speech-to-text: a stereo call made of espeak-ng speech placed
// on the two channels at known offsets is measured from its energy alone
// with talk shares within 3 points of the constructed ones and the
// interruptions exactly as constructed, for either manager channel and
// in each telephony sample format.
func TestStereoCallWithoutSpeechToText(t *testing.T) {
	call := transcribetest.NewStereoCall(t, "ru", transcribetest.SalesCallLines, 0.5)
	want := call.Truth(0)
	// The construction is what SalesCallLines says.
	require.Equal(t, 3, want.Interruptions)
	require.Equal(t, 1, want.ManagerInterruptions)
	t.Logf("constructed: %.1f s, manager %.2f s, client %.2f s, manager share %.1f %%, interruptions %d (manager %d)",
		call.Duration, want.Talk[0], want.Talk[1], 100*want.ManagerShare(), want.Interruptions, want.ManagerInterruptions)

	formats := []struct {
		name string
		wav  []byte
	}{
		{"pcm16", call.WAV},
		// Line noise at about −45 dBFS on both channels, as on a phone
		// line, and a 1 % crosstalk of each side on the other's channel.
		{"pcm16+noise", noisy(call.WAV, 180, 0.01)},
		{"pcm8", reencode(t, call.WAV, 1, 8, func(v int16) byte { return byte(int(v)>>8 + 128) })},
		{"mulaw", reencode(t, call.WAV, 7, 8, muLaw)},
		{"alaw", reencode(t, call.WAV, 6, 8, aLaw)},
	}
	for _, f := range formats {
		for _, mgr := range []int{0, 1} {
			t.Run(f.name+"/manager"+[]string{"Left", "Right"}[mgr], func(t *testing.T) {
				res, err := energy.Analyze(bytes.NewReader(f.wav), int64(len(f.wav)), energy.Config{ManagerChannel: mgr})
				require.NoError(t, err)
				m := res.Metrics
				w := call.Truth(mgr)
				share := w.ManagerShare()
				t.Logf("measured: manager %.2f s, client %.2f s, manager share %.1f %% (constructed %.1f %%), interruptions %d (manager %d), silence %.2f s, overlap %.2f s, longest monologue %.2f s, floors %.1f/%.1f dBFS",
					m.ManagerTalkSeconds, m.ClientTalkSeconds, 100*m.ManagerTalkShareByTime, 100*share, m.Interruptions, m.ManagerInterruptions,
					m.SilenceSeconds, m.OverlapSeconds, m.LongestMonologueSeconds, res.Channels[0].NoiseFloorDBFS, res.Channels[1].NoiseFloorDBFS)
				assert.InDelta(t, share, m.ManagerTalkShareByTime, 0.03, "the manager's talk share")
				assert.Equal(t, w.Interruptions, m.Interruptions)
				assert.Equal(t, w.ManagerInterruptions, m.ManagerInterruptions)
				assert.Equal(t, w.Interruptions-w.ManagerInterruptions, m.ClientInterruptions)
				for c := range 2 {
					assert.Equal(t, w.Lines[c], res.Channels[c].Utterances, "one utterance per line on channel %d", c)
					assert.InDelta(t, w.Talk[c], res.Channels[c].SpeechSeconds, 0.05*w.Talk[c], "talk time of channel %d", c)
				}
				assert.Equal(t, transcribe.RoleManager, res.Channels[mgr].Role)
				assert.Equal(t, transcribe.RoleClient, res.Channels[1-mgr].Role)
				assert.InDelta(t, call.Duration, m.DurationSeconds, 0.001)
				assert.Equal(t, len(call.Spans), len(res.Segments))
			})
		}
	}
}

// TestNotStereo: a mono recording or a file that is not a WAV cannot be
// measured.
func TestNotStereo(t *testing.T) {
	for name, b := range map[string][]byte{
		"mono":    transcribetest.WAV(1, 8000, 1),
		"three":   transcribetest.WAV(1, 8000, 3),
		"not wav": []byte("ID3\x04\x00\x00\x00\x00\x00\x00 not a wav at all"),
	} {
		_, err := energy.Analyze(bytes.NewReader(b), int64(len(b)), energy.Config{})
		assert.True(t, errors.Is(err, energy.ErrNotStereo), "%s: %v", name, err)
		assert.Equal(t, callaudit.KindUnsupported, callaudit.KindOf(err), name)
	}
	_, err := energy.Analyze(bytes.NewReader(nil), 0, energy.Config{ManagerChannel: 2})
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
}

// TestSilentAndToneChannels: digital silence is no speech; a steady tone
// on one side is one utterance of that side, and the figures say so.
func TestSilentAndToneChannels(t *testing.T) {
	const rate = 8000
	left, right := make([]int16, 4*rate), make([]int16, 4*rate)
	for i := rate; i < 3*rate; i++ {
		right[i] = int16(8000 * math.Sin(2*math.Pi*300*float64(i)/rate))
	}
	wav := transcribetest.PCMWAV(rate, left, right)
	res, err := energy.Analyze(bytes.NewReader(wav), int64(len(wav)), energy.Config{})
	require.NoError(t, err)
	assert.Equal(t, 0, res.Channels[0].Utterances)
	require.Equal(t, 1, res.Channels[1].Utterances)
	assert.InDelta(t, 2.0, res.Channels[1].SpeechSeconds, 0.021)
	assert.Equal(t, 0.0, res.Metrics.ManagerTalkShareByTime)
	assert.InDelta(t, 2.0, res.Metrics.LongestMonologueSeconds, 0.021)
	assert.Equal(t, 0, res.Metrics.Interruptions)
}

// noisy adds uniform noise of the given peak amplitude (of 32768), from a
// fixed seed, and crosstalk (each channel's samples times bleed on the
// other) to a 16-bit stereo PCM WAV.
func noisy(wav []byte, peak int, bleed float64) []byte {
	out := append([]byte(nil), wav...)
	rng := uint32(1)
	next := func() int {
		rng ^= rng << 13
		rng ^= rng >> 17
		rng ^= rng << 5
		return int(rng%uint32(2*peak+1)) - peak
	}
	for i := 44; i+3 < len(wav); i += 4 {
		l := float64(int16(binary.LittleEndian.Uint16(wav[i:])))
		r := float64(int16(binary.LittleEndian.Uint16(wav[i+2:])))
		nl := l + bleed*r + float64(next())
		nr := r + bleed*l + float64(next())
		binary.LittleEndian.PutUint16(out[i:], uint16(int16(max(-32768, min(32767, nl)))))
		binary.LittleEndian.PutUint16(out[i+2:], uint16(int16(max(-32768, min(32767, nr)))))
	}
	return out
}

// reencode rewrites a 16-bit PCM WAV as 8-bit samples of format tag.
func reencode(t *testing.T, wav []byte, tag uint16, bits int, enc func(int16) byte) []byte {
	t.Helper()
	require.Equal(t, 8, bits)
	hdr := append([]byte(nil), wav[:44]...)
	channels := int(binary.LittleEndian.Uint16(hdr[22:24]))
	rate := binary.LittleEndian.Uint32(hdr[24:28])
	samples := wav[44:]
	out := make([]byte, 0, 44+len(samples)/2)
	out = append(out, hdr[:20]...)
	out = binary.LittleEndian.AppendUint16(out, tag)
	out = binary.LittleEndian.AppendUint16(out, uint16(channels))
	out = binary.LittleEndian.AppendUint32(out, rate)
	out = binary.LittleEndian.AppendUint32(out, rate*uint32(channels))
	out = binary.LittleEndian.AppendUint16(out, uint16(channels))
	out = binary.LittleEndian.AppendUint16(out, 8)
	out = append(out, "data"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(samples)/2))
	for i := 0; i+1 < len(samples); i += 2 {
		out = append(out, enc(int16(binary.LittleEndian.Uint16(samples[i:]))))
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out
}

// muLaw compresses a linear sample to G.711 µ-law (ITU-T G.711; the
// reference encoder: bias 0x84, clip 32635, the byte sent inverted).
func muLaw(v int16) byte {
	x := int(v)
	sign := 0
	if x < 0 {
		x, sign = -x, 0x80
	}
	x = min(x, 32635) + 0x84
	exp := 7
	for mask := 0x4000; x&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (x >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

// aLaw compresses a linear sample to G.711 A-law (ITU-T G.711: 13-bit
// magnitude, segments, even bits inverted with 0x55, sign bit set for
// positive).
func aLaw(v int16) byte {
	x := int(v) >> 3
	sign := 0x80
	if x < 0 {
		x, sign = -x-1, 0
	}
	x = min(x, 0x0FFF)
	var b int
	if x < 32 {
		b = x >> 1
	} else {
		exp := 1
		for x >= 64<<(exp-1) && exp < 7 {
			exp++
		}
		b = exp<<4 | (x>>exp)&0x0F
	}
	return byte(sign|b) ^ 0x55
}
