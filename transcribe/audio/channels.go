package audio

import (
	"errors"
	"io"
	"sync"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
)

// SplitChannels returns one mono WAV per channel of a multi-channel PCM
// WAV, in channel order (left first for stereo). Each reads its samples
// from a.Data on demand, de-interleaving through a buffer of at most 64
// KiB per read, so the channels cost no copy of the recording. Audio that
// is not a PCM WAV is a KindUnsupported error.
func SplitChannels(a transcribe.Audio) ([]transcribe.Audio, error) {
	if a.Data == nil || a.Size <= 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "the recording is empty", Code: callaudit.CodeRecordingEmpty})
	}
	info, err := ParseWAV(a.Data, a.Size)
	if err != nil {
		return nil, err
	}
	out := make([]transcribe.Audio, info.Channels)
	width := int64(info.BitsPerSample / 8)
	size := info.Frames() * width
	for c := range out {
		body := &channelReader{src: a.Data, info: info, channel: c, width: width}
		out[c] = transcribe.Audio{
			Data:        &prefixed{head: info.header(1, size), body: body, size: size},
			Size:        headerLen + size,
			Filename:    a.Filename,
			ContentType: a.ContentType,
		}
	}
	return out, nil
}

// channelReader reads one channel's samples out of interleaved frames.
type channelReader struct {
	src     io.ReaderAt
	info    WAVInfo
	channel int
	width   int64 // bytes per sample
}

// maxReadBuf bounds the buffer a single ReadAt allocates, whatever len(p).
const maxReadBuf = 64 << 10

var readBufs = sync.Pool{New: func() any { b := make([]byte, maxReadBuf); return &b }}

func (r *channelReader) ReadAt(p []byte, off int64) (int, error) {
	block := int64(r.info.BlockAlign)
	size := r.info.Frames() * r.width
	if off < 0 {
		return 0, errors.New("audio: negative offset")
	}
	if off >= size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), size-off)
	// Pooled: an upload reads a channel in thousands of small ReadAt
	// calls. A block is at most 65535 bytes, so one always fits.
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := (*bp)[:max(1, min(maxReadBuf/block, (want+r.width-1)/r.width+1))*block]
	n := 0
	for int64(n) < want {
		pos := off + int64(n)
		frame, within := pos/r.width, pos%r.width
		frames := min(int64(len(buf))/block, (want-int64(n)+within+r.width-1)/r.width)
		src := buf[:frames*block]
		if err := readFull(r.src, src, r.info.DataOffset+frame*block, r.info.DataOffset+r.info.DataSize); err != nil {
			return n, err
		}
		for i := range frames {
			s := src[i*block+int64(r.channel)*r.width:][:r.width]
			if i == 0 {
				s = s[within:]
			}
			n += copy(p[n:want], s)
		}
	}
	if int64(n) < int64(len(p)) {
		return n, io.EOF
	}
	return n, nil
}
