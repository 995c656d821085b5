package auditfx

import (
	"context"
	"encoding/binary"
	"io"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"go.uber.org/fx"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/openai"
	"github.com/callaudit/callaudit/adapters/openai/openaitest"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// toneWAV is a 16 kHz mono 16-bit WAV of the given size whose samples
// are made up on read, so the test needs no 60 MB buffer.
type toneWAV int64

const toneRate = 16000

func (w toneWAV) ReadAt(p []byte, off int64) (int, error) {
	size := int64(w)
	if off >= size {
		return 0, io.EOF
	}
	h := []byte("RIFF")
	h = binary.LittleEndian.AppendUint32(h, uint32(size-8))
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, 1)
	h = binary.LittleEndian.AppendUint16(h, 1)
	h = binary.LittleEndian.AppendUint32(h, toneRate)
	h = binary.LittleEndian.AppendUint32(h, toneRate*2)
	h = binary.LittleEndian.AppendUint16(h, 2)
	h = binary.LittleEndian.AppendUint16(h, 16)
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(size-44))
	n := 0
	if off < int64(len(h)) {
		n = copy(p, h[off:])
	}
	for ; n < len(p) && off+int64(n) < size; n++ {
		p[n] = byte((off + int64(n)) * 7)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func TestTranscriberSplitsLongRecordings(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	// Each piece is answered with one segment over its whole length, as
	// whisper would, so the joined transcript shows where pieces start.
	fake.SetTranscription(func(call *openaitest.AudioCall) openaitest.Transcription {
		d := float64(call.FileSize-44) / 2 / toneRate
		return openaitest.Transcription{Text: "words", Language: "english", Duration: d,
			Segments: []openaitest.TranscriptionSegment{{Start: 0, End: d, Text: " words"}}}
	})
	tr, err := NewOpenAITranscriber(openai.Config{APIKey: fake.APIKey, BaseURL: fake.URL, MaxConcurrency: 2})
	require.NoError(t, err)

	const size = 60 << 20
	a := transcribe.Audio{Data: toneWAV(size), Size: size, Filename: "long.wav"}
	got, err := tr.Transcribe(context.Background(), a, transcribe.Options{Language: "en"})
	require.NoError(t, err)

	reqs := fake.Requests()
	require.Len(t, reqs, 3, "60 MB in three pieces of at most %d bytes", ChunkBytes)
	require.Len(t, got.Segments, 3)
	piece := float64(ChunkBytes-44) / 2 / toneRate
	var starts []float64
	for i, s := range got.Segments {
		require.True(t, s.Timed())
		starts = append(starts, *s.Start)
		assert.InDelta(t, float64(i)*piece, *s.Start, 1e-6, "segment %d is shifted by its piece's offset", i)
	}
	assert.True(t, sort.Float64sAreSorted(starts))
	require.NotNil(t, got.Duration)
	assert.InDelta(t, float64(size-44)/2/toneRate, *got.Duration, 1e-6)

	// Other formats over the limit are still refused, with advice.
	big := transcribe.Audio{Data: zeroes{}, Size: 30 << 20, Filename: "call.ogg"}
	_, err = tr.Transcribe(context.Background(), big, transcribe.Options{})
	assert.Equal(t, callaudit.KindTooLarge, callaudit.KindOf(err))
	assert.Contains(t, callaudit.MessageOf(err), "WAV and MP3")
}

type zeroes struct{}

func (zeroes) ReadAt(p []byte, _ int64) (int, error) { clear(p); return len(p), nil }

func TestTranscriberStereoRoles(t *testing.T) {
	fake := openaitest.NewServer()
	defer fake.Close()
	// Both channels get openaitest's default two-segment answer; each
	// channel's segments must carry that channel's role.
	var tr transcribe.Transcriber
	app := fx.New(fx.NopLogger, OpenAITranscriber(openai.Config{APIKey: fake.APIKey, BaseURL: fake.URL}), Stereo(1), fx.Populate(&tr))
	require.NoError(t, app.Err())
	got, err := tr.Transcribe(context.Background(), transcribe.AudioFromBytes("call.wav", transcribetest.WAV(1, 8000, 2)), transcribe.Options{})
	require.NoError(t, err)
	require.Len(t, fake.Requests(), 2, "one request per channel")
	roles := map[transcribe.Role]int{}
	for _, s := range got.Segments {
		roles[s.Speaker]++
	}
	assert.Equal(t, map[transcribe.Role]int{transcribe.RoleManager: 2, transcribe.RoleClient: 2}, roles)
	assert.Contains(t, got.Source, "stereo")
}
