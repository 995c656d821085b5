package audio_test

import (
	"io"
	"testing"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
)

// BenchmarkSplitWAV300MB measures cutting a 300 MB WAV into 24 MiB
// pieces: only headers are read, so it should not grow with the file.
func BenchmarkSplitWAV300MB(b *testing.B) {
	a := transcribe.Audio{Data: synthWAV{300 << 20}, Size: 300 << 20, Filename: "long.wav"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := audio.Split(a, 24<<20); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplitMP3 measures scanning the frames of an MP3 of about
// 2 MB (a bit over two minutes at 128 kbit/s).
func BenchmarkSplitMP3(b *testing.B) {
	data, _ := mp3File(repeatFrames(mp3Frame{3, 9, 0, false}, 5000))
	a := transcribe.AudioFromBytes("call.mp3", data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := audio.Split(a, 512<<10); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChannelRead measures de-interleaving one channel of a stereo
// 16-bit WAV through a 32 KiB copy buffer, as an upload would read it.
func BenchmarkChannelRead(b *testing.B) {
	data := makeWAV(wavSpec{tag: 1, channels: 2, rate: 8000, bits: 16, frames: 1 << 20})
	chans, err := audio.SplitChannels(transcribe.AudioFromBytes("s.wav", data))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(chans[0].Size)
	b.ReportAllocs()
	buf := make([]byte, 32<<10)
	for b.Loop() {
		if _, err := io.CopyBuffer(io.Discard, chans[0].Reader(), buf); err != nil {
			b.Fatal(err)
		}
	}
}
