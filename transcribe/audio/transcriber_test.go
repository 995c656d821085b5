package audio_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// timedFake answers with one segment spanning the WAV it is given, as a
// speech-to-text engine would, so that joined pieces stay in order.
func timedFake() *transcribetest.Fake {
	return &transcribetest.Fake{Func: func(_ context.Context, a transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
		info, err := audio.ParseWAV(a.Data, a.Size)
		if err != nil {
			return transcribe.Transcript{}, err
		}
		d := info.Duration()
		return transcribe.Transcript{Language: "en", Source: "fake", Duration: transcribe.Seconds(d),
			Segments: []transcribe.Segment{seg("words", 0, d)}}, nil
	}}
}

func TestChunkedContract(t *testing.T) {
	transcribetest.Run(t, transcribetest.Harness{
		New: func(*testing.T) transcribe.Transcriber {
			return audio.Chunked(timedFake(), 10_000, 2)
		},
		Audio: func(*testing.T) transcribe.Audio {
			return transcribe.AudioFromBytes("long.wav", transcribetest.WAV(1, 16000, 1)) // 32 KB: 4 chunks
		},
		Slow: func(*testing.T) (transcribe.Transcriber, transcribe.Audio) {
			return audio.Chunked(&transcribetest.Fake{Delay: time.Minute}, 10_000, 2),
				transcribe.AudioFromBytes("long.wav", transcribetest.WAV(1, 16000, 1))
		},
		Features: transcribetest.Features{Timestamps: true},
	})
}

// firstFrame returns the frame number the test pattern stores in a
// 16-bit mono chunk's first sample.
func firstFrame(t *testing.T, a transcribe.Audio) int {
	var b [2]byte
	_, err := a.Data.ReadAt(b[:], 44)
	require.NoError(t, err)
	return int(binary.LittleEndian.Uint16(b[:]) & 0xFF)
}

func TestChunkedMerge(t *testing.T) {
	// 8-bit frame numbers wrap at 256; 1000 frames of 8 kHz mono 16-bit
	// in 244-frame chunks make chunk starts 0, 244, 488 (232), 732 (220), 976 (208).
	wav := makeWAV(wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, frames: 1000})
	const maxBytes = 44 + 244*2
	starts := map[int]int{0: 0, 244: 1, 232: 2, 220: 3, 208: 4}
	for _, tc := range []struct {
		name  string
		timed bool
	}{{"timed", true}, {"untimed", false}} {
		t.Run(tc.name, func(t *testing.T) {
			var inFlight, peak atomic.Int32
			fake := &transcribetest.Fake{Func: func(_ context.Context, a transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				i, ok := starts[firstFrame(t, a)]
				require.True(t, ok)
				dur := float64(a.Size-44) / 2 / 8000
				tr := transcribe.Transcript{Language: "en", Source: "fake", Duration: transcribe.Seconds(dur), Segments: []transcribe.Segment{
					{Speaker: transcribe.RoleUnknown, Text: fmt.Sprintf("chunk %d a", i)},
					{Speaker: transcribe.RoleUnknown, Text: fmt.Sprintf("chunk %d b", i)},
				}}
				if tc.timed {
					tr.Segments[0].Start, tr.Segments[0].End = transcribe.Seconds(0), transcribe.Seconds(0.01)
					tr.Segments[1].Start, tr.Segments[1].End = transcribe.Seconds(0.01), transcribe.Seconds(dur)
				}
				return tr, nil
			}}
			tr, err := audio.Chunked(fake, maxBytes, 2).Transcribe(context.Background(), transcribe.AudioFromBytes("x.wav", wav), transcribe.Options{})
			require.NoError(t, err)
			assert.Equal(t, 5, fake.CallCount())
			assert.LessOrEqual(t, peak.Load(), int32(2), "concurrency bound")
			require.Len(t, tr.Segments, 10)
			assert.Equal(t, "en", tr.Language)
			require.NotNil(t, tr.Duration)
			assert.InDelta(t, 1000.0/8000, *tr.Duration, 1e-9)
			for i, s := range tr.Segments {
				assert.Equal(t, fmt.Sprintf("chunk %d %c", i/2, "ab"[i%2]), s.Text)
				if !tc.timed {
					assert.False(t, s.Timed())
					continue
				}
				off := float64(i/2*244) / 8000
				want := off
				if i%2 == 1 {
					want += 0.01
				}
				require.True(t, s.Timed())
				assert.InDelta(t, want, *s.Start, 1e-9, "segment %d", i)
			}
		})
	}
}

func TestChunkedErrors(t *testing.T) {
	wav := transcribetest.WAV(1, 8000, 1) // 16 KB
	limited := callaudit.Errorf(callaudit.KindRateLimited, "slow down")
	fake := &transcribetest.Fake{Errs: []error{nil, limited}}
	_, err := audio.Chunked(fake, 4000, 1).Transcribe(context.Background(), transcribe.AudioFromBytes("x.wav", wav), transcribe.Options{})
	require.ErrorIs(t, err, limited)
	assert.Equal(t, callaudit.KindRateLimited, callaudit.KindOf(err))
	assert.Equal(t, 2, fake.CallCount(), "with one at a time, the failure stops the rest")

	fake = &transcribetest.Fake{}
	_, err = audio.Chunked(fake, 4000, 1).Transcribe(context.Background(), transcribe.AudioFromBytes("x.ogg", append([]byte("OggS"), make([]byte, 5000)...)), transcribe.Options{})
	assert.Equal(t, callaudit.KindTooLarge, callaudit.KindOf(err))
	assert.Zero(t, fake.CallCount())

	// Small audio goes through unchanged.
	small := transcribe.AudioFromBytes("x.ogg", []byte("OggS tiny"))
	_, err = audio.Chunked(fake, 4000, 1).Transcribe(context.Background(), small, transcribe.Options{})
	require.NoError(t, err)
	require.Equal(t, 1, fake.CallCount())
	assert.Equal(t, []byte("OggS tiny"), fake.Calls()[0].Data)
}

// stereoFake answers each mono channel with the segments scripted for
// it, recognising the channel from the test pattern's top byte.
func stereoFake(t *testing.T, perChannel [2][]transcribe.Segment) *transcribetest.Fake {
	return &transcribetest.Fake{Func: func(_ context.Context, a transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
		info, err := audio.ParseWAV(a.Data, a.Size)
		require.NoError(t, err)
		if info.Channels != 1 {
			return transcribe.Transcript{Source: "mixed", Segments: []transcribe.Segment{{Speaker: transcribe.RoleUnknown, Text: "mixed"}}}, nil
		}
		var b [2]byte
		_, err = a.Data.ReadAt(b[:], 44)
		require.NoError(t, err)
		c := int(b[1]) - 1
		if perChannel[c] == nil {
			return transcribe.Transcript{}, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "no speech"})
		}
		return transcribe.Transcript{Source: "fake", Language: "ru", Segments: perChannel[c], Duration: transcribe.Seconds(5)}, nil
	}}
}

func seg(text string, start, end float64) transcribe.Segment {
	return transcribe.Segment{Speaker: transcribe.RoleUnknown, Text: text, Start: transcribe.Seconds(start), End: transcribe.Seconds(end)}
}

func TestStereo(t *testing.T) {
	stereo := makeWAV(wavSpec{tag: 1, channels: 2, rate: 8000, bits: 16, frames: 800})
	left := []transcribe.Segment{seg("L1", 0, 1), seg("L2", 3, 4)}
	right := []transcribe.Segment{seg("R1", 1.5, 2.5), seg("R2", 4.5, 5)}
	for _, tc := range []struct {
		name     string
		manager  int
		channels [2][]transcribe.Segment
		want     []string // text/role
		source   string
	}{
		{"manager left", 0, [2][]transcribe.Segment{left, right}, []string{"L1/manager", "R1/client", "L2/manager", "R2/client"}, "fake (stereo)"},
		{"manager right", 1, [2][]transcribe.Segment{left, right}, []string{"L1/client", "R1/manager", "L2/client", "R2/manager"}, "fake (stereo)"},
		{"silent client", 0, [2][]transcribe.Segment{left, nil}, []string{"L1/manager", "L2/manager"}, "fake (stereo)"},
		{"no timestamps", 0, [2][]transcribe.Segment{left, {{Speaker: transcribe.RoleUnknown, Text: "R"}}}, []string{"mixed/unknown"}, "not split"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := stereoFake(t, tc.channels)
			tr, err := audio.Stereo(fake, tc.manager).Transcribe(context.Background(), transcribe.AudioFromBytes("s.wav", stereo), transcribe.Options{})
			require.NoError(t, err)
			var got []string
			for _, s := range tr.Segments {
				got = append(got, s.Text+"/"+string(s.Speaker))
			}
			assert.Equal(t, tc.want, got)
			assert.Contains(t, tr.Source, tc.source)
		})
	}

	// Mono and non-WAV audio go through as they are.
	for _, a := range []transcribe.Audio{
		transcribe.AudioFromBytes("m.wav", transcribetest.WAV(0.1, 8000, 1)),
		transcribe.AudioFromBytes("m.ogg", []byte("OggS whatever")),
	} {
		fake := &transcribetest.Fake{}
		_, err := audio.Stereo(fake, 0).Transcribe(context.Background(), a, transcribe.Options{})
		require.NoError(t, err)
		require.Equal(t, 1, fake.CallCount())
		assert.Equal(t, a.Size, fake.Calls()[0].Size)
	}

	// A real failure on one channel fails the call with its kind.
	fake := &transcribetest.Fake{Err: callaudit.Errorf(callaudit.KindUnavailable, "down")}
	_, err := audio.Stereo(fake, 0).Transcribe(context.Background(), transcribe.AudioFromBytes("s.wav", stereo), transcribe.Options{})
	assert.Equal(t, callaudit.KindUnavailable, callaudit.KindOf(err))
}

func TestStereoContract(t *testing.T) {
	transcribetest.Run(t, transcribetest.Harness{
		New: func(*testing.T) transcribe.Transcriber { return audio.Stereo(&transcribetest.Fake{}, 1) },
		Audio: func(*testing.T) transcribe.Audio {
			return transcribe.AudioFromBytes("s.wav", transcribetest.WAV(1, 8000, 2))
		},
		Slow: func(*testing.T) (transcribe.Transcriber, transcribe.Audio) {
			return audio.Stereo(&transcribetest.Fake{Delay: time.Minute}, 1), transcribe.AudioFromBytes("s.wav", transcribetest.WAV(1, 8000, 2))
		},
		Features: transcribetest.Features{Timestamps: true},
	})
}

// TestStereoAuto: with AutoChannel each side is one speaker, labelled by
// its channel with its role unknown, and AssignRoles finds the manager
// from what each side says, whichever channel that is.
func TestStereoAuto(t *testing.T) {
	stereo := makeWAV(wavSpec{tag: 1, channels: 2, rate: 8000, bits: 16, frames: 800})
	mgr := []transcribe.Segment{seg("Добрый день! Меня зовут Ольга, компания «Окна Плюс». Вам удобно говорить?", 0.5, 3), seg("Записываю вас на замер в четверг.", 5, 6)}
	cli := []transcribe.Segment{seg("Алло?", 0, 0.4), seg("Да, хотел узнать, сколько стоит.", 3.2, 4.8)}
	for _, side := range []int{0, 1} {
		var chans [2][]transcribe.Segment
		chans[side], chans[1-side] = mgr, cli
		tr, err := audio.Stereo(stereoFake(t, chans), audio.AutoChannel).Transcribe(context.Background(), transcribe.AudioFromBytes("s.wav", stereo), transcribe.Options{})
		require.NoError(t, err)
		require.Len(t, tr.Segments, 4)
		for _, s := range tr.Segments {
			assert.Equal(t, transcribe.RoleUnknown, s.Speaker)
		}
		assert.Equal(t, audio.ChannelLabel(1-side), tr.Segments[0].Label, "the client said hello first")
		assert.Zero(t, tr.RoleConfidence)
		roles := transcribe.AssignRoles(tr, transcribe.DirectionUnknown)
		for _, s := range roles.Segments {
			want := transcribe.RoleClient
			if s.Label == audio.ChannelLabel(side) {
				want = transcribe.RoleManager
			}
			assert.Equal(t, want, s.Speaker, "manager on channel %d: %s", side, s.Text)
		}
		assert.Greater(t, roles.RoleConfidence, 0.5)
	}
	// A known side gives exact roles.
	tr, err := audio.Stereo(stereoFake(t, [2][]transcribe.Segment{mgr, cli}), 0).Transcribe(context.Background(), transcribe.AudioFromBytes("s.wav", stereo), transcribe.Options{})
	require.NoError(t, err)
	assert.Equal(t, 1.0, tr.RoleConfidence)
	assert.Panics(t, func() { audio.Stereo(&transcribetest.Fake{}, 2) })
}
