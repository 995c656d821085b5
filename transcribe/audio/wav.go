package audio

import (
	"encoding/binary"
	"errors"
	"io"

	"github.com/callaudit/callaudit"
)

// WAV format tags this package understands; others (ADPCM, ...) are
// compressed and cannot be cut at arbitrary sample frames. G.711 A-law
// and µ-law (one companded byte per sample, the telephony formats) are
// read by Samples only: Split and SplitChannels keep to PCM and float,
// which every speech-to-text API accepts.
const (
	tagPCM        = 1
	tagFloat      = 3
	tagALaw       = 6
	tagMuLaw      = 7
	tagExtensible = 0xFFFE
)

// headerLen is the size of the canonical RIFF/WAVE header this package
// writes in front of every piece it cuts.
const headerLen = 44

// WAVInfo is the layout of a PCM WAV file.
type WAVInfo struct {
	// FormatTag is 1 (integer PCM) or 3 (IEEE float), resolved from a
	// WAVE_FORMAT_EXTENSIBLE sub-format when the file uses one; 6 (A-law)
	// or 7 (µ-law) from OpenSamples.
	FormatTag     uint16
	Channels      int
	SampleRate    int
	BitsPerSample int
	// BlockAlign is the size in bytes of one sample frame (all channels).
	BlockAlign int
	// DataOffset and DataSize locate the samples; DataSize is clamped to
	// the file and rounded down to whole sample frames.
	DataOffset int64
	DataSize   int64
}

// Frames returns the number of sample frames in the data.
func (w WAVInfo) Frames() int64 { return w.DataSize / int64(w.BlockAlign) }

// Duration returns the length of the recording in seconds.
func (w WAVInfo) Duration() float64 { return float64(w.Frames()) / float64(w.SampleRate) }

func notWAV(msg string) error {
	return callaudit.Errorf(callaudit.KindUnsupported, "the recording is not a PCM WAV file this server can read: %s", msg)
}

// ParseWAV reads the chunk layout of a RIFF/WAVE file of the given size.
// The fmt and data chunks may come in any order after any other chunks;
// odd-sized chunks are padded to an even size as RIFF requires. Only the
// chunk headers and the fmt chunk are read. Anything that is not a PCM or
// float WAV with sane parameters is a KindUnsupported error.
func ParseWAV(r io.ReaderAt, size int64) (WAVInfo, error) {
	return parseWAV(r, size, false)
}

// parseWAV is ParseWAV; for OpenSamples (samples) it also accepts 8-bit
// A-law and µ-law, and float of 32 bits only.
func parseWAV(r io.ReaderAt, size int64, samples bool) (WAVInfo, error) {
	var head [12]byte
	if err := readFull(r, head[:], 0, size); err != nil {
		return WAVInfo{}, notWAV("too short")
	}
	if string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" {
		return WAVInfo{}, notWAV("no RIFF/WAVE header")
	}
	var info WAVInfo
	haveFmt, haveData := false, false
	for off := int64(12); off+8 <= size && !(haveFmt && haveData); {
		var ch [8]byte
		if err := readFull(r, ch[:], off, size); err != nil {
			break
		}
		id := string(ch[0:4])
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		body := off + 8
		switch id {
		case "fmt ":
			if n < 16 {
				return WAVInfo{}, notWAV("fmt chunk too short")
			}
			var f [40]byte
			m := min(n, 40)
			if err := readFull(r, f[:m], body, size); err != nil {
				return WAVInfo{}, notWAV("fmt chunk truncated")
			}
			if err := info.setFormat(f[:m], samples); err != nil {
				return WAVInfo{}, err
			}
			haveFmt = true
		case "data":
			// A streaming writer may leave the size at 0 or 0xFFFFFFFF; the
			// data then runs to the end of the file.
			if n == 0 || body+n > size {
				n = size - body
			}
			info.DataOffset, info.DataSize = body, n
			haveData = true
		}
		off = body + n + n&1
	}
	if !haveFmt {
		return WAVInfo{}, notWAV("no fmt chunk")
	}
	if !haveData {
		return WAVInfo{}, notWAV("no data chunk")
	}
	info.DataSize -= info.DataSize % int64(info.BlockAlign)
	return info, nil
}

func (w *WAVInfo) setFormat(f []byte, samples bool) error {
	tag := binary.LittleEndian.Uint16(f[0:2])
	w.Channels = int(binary.LittleEndian.Uint16(f[2:4]))
	w.SampleRate = int(binary.LittleEndian.Uint32(f[4:8]))
	w.BlockAlign = int(binary.LittleEndian.Uint16(f[12:14]))
	w.BitsPerSample = int(binary.LittleEndian.Uint16(f[14:16]))
	if tag == tagExtensible {
		// cbSize(2) validBits(2) channelMask(4) then the sub-format GUID,
		// whose first two bytes are the real format tag.
		if len(f) < 26 {
			return notWAV("extensible fmt chunk too short")
		}
		tag = binary.LittleEndian.Uint16(f[24:26])
	}
	companded := samples && (tag == tagALaw || tag == tagMuLaw)
	switch {
	case tag != tagPCM && tag != tagFloat && !companded:
		return notWAV("compressed WAV (format tag not PCM)")
	case companded && w.BitsPerSample != 8:
		return notWAV("A-law or µ-law with other than 8 bits per sample")
	case tag == tagFloat && w.BitsPerSample != 32 && samples:
		return notWAV("float samples of other than 32 bits")
	case w.Channels < 1 || w.SampleRate < 1:
		return notWAV("no channels or no sample rate")
	case w.BitsPerSample != 8 && w.BitsPerSample != 16 && w.BitsPerSample != 24 && w.BitsPerSample != 32:
		return notWAV("unsupported sample size")
	case w.BlockAlign != w.Channels*w.BitsPerSample/8:
		return notWAV("block size does not match channels and sample size")
	}
	w.FormatTag = tag
	return nil
}

// header returns the canonical 44-byte header for dataSize bytes of
// samples laid out as w, with the given channel count.
func (w WAVInfo) header(channels int, dataSize int64) []byte {
	block := channels * w.BitsPerSample / 8
	b := make([]byte, 0, headerLen)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(36+dataSize))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, w.FormatTag)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(w.SampleRate))
	b = binary.LittleEndian.AppendUint32(b, uint32(w.SampleRate*block))
	b = binary.LittleEndian.AppendUint16(b, uint16(block))
	b = binary.LittleEndian.AppendUint16(b, uint16(w.BitsPerSample))
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(dataSize))
	return b
}

// readFull reads len(p) bytes at off, failing when they run past size or
// the reader ends early.
func readFull(r io.ReaderAt, p []byte, off, size int64) error {
	if off < 0 || off+int64(len(p)) > size {
		return io.ErrUnexpectedEOF
	}
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}
