package audio_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// FuzzParse feeds garbage and truncated files to every parser and reader:
// they may refuse, but must not panic or read out of range.
func FuzzParse(f *testing.F) {
	wav := makeWAV(wavSpec{tag: 0xFFFE, channels: 2, rate: 8000, bits: 16, frames: 64, before: [][2]string{{"LIST", "odd"}}})
	mp3, _ := mp3File(repeatFrames(mp3Frame{3, 9, 0, false}, 4))
	for _, seed := range [][]byte{wav, wav[:50], mp3, mp3[:200], transcribetest.WAV(0.01, 8000, 3), []byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff")} {
		f.Add(seed, uint16(300))
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		a := transcribe.AudioFromBytes("f", data)
		_, _ = audio.ParseWAV(a.Data, a.Size)
		_ = audio.ScanMP3(a.Data, a.Size, func(audio.Frame) bool { return true })
		if chunks, err := audio.Split(a, int64(limit)); err == nil {
			for _, c := range chunks {
				if c.Audio.Size > int64(limit) && a.Size > int64(limit) {
					t.Fatalf("chunk of %d bytes over the limit %d", c.Audio.Size, limit)
				}
				_, _ = io.Copy(io.Discard, c.Audio.Reader())
			}
		}
		if chans, err := audio.SplitChannels(a); err == nil {
			for _, c := range chans {
				got, err := io.ReadAll(c.Reader())
				if err != nil || int64(len(got)) != c.Size {
					t.Fatalf("channel read %d of %d bytes: %v", len(got), c.Size, err)
				}
				if !bytes.HasPrefix(got, []byte("RIFF")) {
					t.Fatal("channel without a RIFF header")
				}
			}
		}
	})
}
