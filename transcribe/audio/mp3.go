package audio

import (
	"io"

	"github.com/callaudit/callaudit"
)

// Frame is one MPEG audio Layer III frame: where it is and how long it
// plays.
type Frame struct {
	Offset     int64
	Size       int64
	Samples    int // per channel
	SampleRate int
}

// Seconds returns how long the frame plays.
func (f Frame) Seconds() float64 { return float64(f.Samples) / float64(f.SampleRate) }

var (
	// Layer III bitrates in kbit/s by bitrate index: MPEG-1, then MPEG-2/2.5.
	bitratesV1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	bitratesV2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	// Sample rates by version bits (0 MPEG-2.5, 2 MPEG-2, 3 MPEG-1).
	sampleRates = [4][3]int{{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000}}
)

// parseFrameHeader decodes a 4-byte MPEG audio frame header; ok is false
// for anything but a Layer III header with a known bitrate and sample
// rate (free-format streams cannot be cut without decoding).
func parseFrameHeader(h []byte) (f Frame, ok bool) {
	if len(h) < 4 || h[0] != 0xFF || h[1]&0xE0 != 0xE0 {
		return Frame{}, false
	}
	version := int(h[1]>>3) & 3
	layer := int(h[1]>>1) & 3
	bi := int(h[2] >> 4)
	si := int(h[2]>>2) & 3
	pad := int64(h[2]>>1) & 1
	if version == 1 || layer != 1 || si == 3 {
		return Frame{}, false
	}
	f.SampleRate = sampleRates[version][si]
	var kbps int
	if version == 3 {
		kbps, f.Samples = bitratesV1[bi], 1152
	} else {
		kbps, f.Samples = bitratesV2[bi], 576
	}
	if kbps == 0 {
		return Frame{}, false
	}
	// Bytes per frame = samples/8 * bitrate / sample rate, plus one
	// padding byte.
	f.Size = int64(f.Samples/8)*int64(kbps)*1000/int64(f.SampleRate) + pad
	return f, true
}

// id3v2Size returns the size of an ID3v2 tag at the start of head, 0 when
// there is none.
func id3v2Size(head []byte) int64 {
	if len(head) < 10 || string(head[0:3]) != "ID3" {
		return 0
	}
	for _, b := range head[6:10] {
		if b&0x80 != 0 {
			return 0
		}
	}
	n := int64(head[6])<<21 | int64(head[7])<<14 | int64(head[8])<<7 | int64(head[9])
	n += 10
	if head[5]&0x10 != 0 {
		n += 10 // footer
	}
	return n
}

// window reads a file forwards through a fixed buffer, so scanning
// frame headers costs one ReadAt per window rather than per header.
type window struct {
	r    io.ReaderAt
	size int64
	buf  []byte
	off  int64 // file offset of buf[0]
	n    int   // valid bytes in buf
}

const windowSize = 64 << 10

// at returns up to k bytes at off (fewer at the end of the file).
func (w *window) at(off int64, k int) []byte {
	if off < w.off || off+int64(k) > w.off+int64(w.n) {
		if w.buf == nil {
			w.buf = make([]byte, windowSize)
		}
		w.off = off
		n, _ := w.r.ReadAt(w.buf[:min(int64(len(w.buf)), max(w.size-off, 0))], off)
		w.n = n
	}
	start := int(off - w.off)
	return w.buf[start:min(start+k, w.n)]
}

// xingAt reports whether the frame at f is a Xing/Info (or VBRI) header
// frame: metadata written as a frame of silence, which a cut piece must
// not carry, as it describes the whole file.
func xingAt(w *window, f Frame) bool {
	b := w.at(f.Offset, int(min(f.Size, 64)))
	for i := 4; i+4 <= len(b); i++ {
		switch string(b[i : i+4]) {
		case "Xing", "Info", "VBRI":
			return true
		}
	}
	return false
}

// ScanMP3 calls fn for every Layer III frame of an MP3 file of the given
// size, in order, after skipping an ID3v2 tag and a Xing/Info frame.
// Bytes that are not frames (a trailing ID3v1 tag, damage) are skipped by
// searching for the next header that another header follows. Scanning
// stops early when fn returns false. A file with no frame at all is a
// KindUnsupported error.
func ScanMP3(r io.ReaderAt, size int64, fn func(Frame) bool) error {
	w := &window{r: r, size: size}
	off := id3v2Size(w.at(0, 10))
	synced := false
	found := false
	for off+4 <= size {
		f, ok := parseFrameHeader(w.at(off, 4))
		if ok && off+f.Size > size {
			ok = false
		}
		if ok && !synced {
			// After damage, a header counts only when the next one checks
			// out too (or the file ends with it): 0xFFE sync patterns are
			// common in random bytes.
			next := off + f.Size
			if next+4 <= size {
				_, ok = parseFrameHeader(w.at(next, 4))
			}
		}
		if !ok {
			synced = false
			off++
			continue
		}
		synced = true
		f.Offset = off
		off += f.Size
		if !found {
			found = true
			if xingAt(w, f) {
				continue
			}
		}
		if !fn(f) {
			return nil
		}
	}
	if !found {
		return callaudit.Errorf(callaudit.KindUnsupported, "the recording is not an MP3 file this server can read: no MPEG Layer III frames")
	}
	return nil
}
