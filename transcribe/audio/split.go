package audio

import (
	"errors"
	"io"
	"strconv"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
)

// Chunk is one piece of a recording and where it starts in the original.
type Chunk struct {
	Audio transcribe.Audio
	// Offset is the piece's start in seconds from the start of the
	// recording, to shift the piece's timestamps by.
	Offset float64
}

// sniff returns the format of a's bytes, ok false when unknown.
func sniff(a transcribe.Audio) (transcribe.Format, bool) {
	head := make([]byte, min(int64(transcribe.SniffLen), a.Size))
	n, err := a.Data.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return transcribe.Format{}, false
	}
	return transcribe.SniffFormat(head[:n])
}

// Split cuts a into pieces of at most maxBytes each, in order. Audio of at
// most maxBytes is one piece: a itself. WAV pieces are a fresh 44-byte
// header followed by a run of whole sample frames of the original; MP3
// pieces are runs of whole frames (the ID3v2 tag and Xing frame left
// out). Pieces read from a.Data on demand; nothing is copied. Other
// formats over maxBytes are a KindTooLarge error that says which formats
// can be split.
func Split(a transcribe.Audio, maxBytes int64) ([]Chunk, error) {
	if a.Data == nil || a.Size <= 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "the recording is empty", Code: callaudit.CodeRecordingEmpty})
	}
	if a.Size <= maxBytes {
		return []Chunk{{Audio: a}}, nil
	}
	f, _ := sniff(a)
	switch f.Ext {
	case "wav":
		return splitWAV(a, maxBytes)
	case "mp3":
		return splitMP3(a, maxBytes)
	}
	size, limit := strconv.FormatInt(a.Size, 10), strconv.FormatInt(maxBytes, 10)
	return nil, callaudit.Coded(callaudit.KindTooLarge, callaudit.CodeRecordingUnsplittable,
		"the recording is "+size+" bytes, over the "+limit+" bytes one transcription accepts; only WAV and MP3 recordings are split automatically, so convert it to MP3 (or WAV) or shorten it",
		map[string]string{"size": size, "limit": limit})
}

func splitWAV(a transcribe.Audio, maxBytes int64) ([]Chunk, error) {
	info, err := ParseWAV(a.Data, a.Size)
	if err != nil {
		return nil, err
	}
	block := int64(info.BlockAlign)
	per := (maxBytes - headerLen) / block * block
	if per <= 0 {
		return nil, callaudit.Errorf(callaudit.KindInternal, "audio: a piece of %d bytes cannot hold one sample frame", maxBytes)
	}
	if info.DataSize == 0 {
		return nil, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "the WAV recording has no samples"})
	}
	chunks := make([]Chunk, 0, (info.DataSize+per-1)/per)
	for done := int64(0); done < info.DataSize; done += per {
		n := min(per, info.DataSize-done)
		chunks = append(chunks, Chunk{
			Audio:  pieceAudio(a, info.header(info.Channels, n), io.NewSectionReader(a.Data, info.DataOffset+done, n)),
			Offset: float64(done/block) / float64(info.SampleRate),
		})
	}
	return chunks, nil
}

func splitMP3(a transcribe.Audio, maxBytes int64) ([]Chunk, error) {
	var (
		chunks     []Chunk
		start, end int64 = -1, -1
		startSec   float64
		elapsed    float64
		tooBig     bool
	)
	flush := func() {
		if start >= 0 {
			chunks = append(chunks, Chunk{Audio: pieceAudio(a, nil, io.NewSectionReader(a.Data, start, end-start)), Offset: startSec})
		}
	}
	err := ScanMP3(a.Data, a.Size, func(f Frame) bool {
		if f.Size > maxBytes {
			tooBig = true
			return false
		}
		if start < 0 || f.Offset+f.Size-start > maxBytes {
			flush()
			start, startSec = f.Offset, elapsed
		}
		end = f.Offset + f.Size
		elapsed += f.Seconds()
		return true
	})
	if err != nil {
		return nil, err
	}
	if tooBig {
		return nil, callaudit.Errorf(callaudit.KindInternal, "audio: a piece of %d bytes cannot hold one MP3 frame", maxBytes)
	}
	flush()
	return chunks, nil
}

// pieceAudio names a piece after its original.
func pieceAudio(a transcribe.Audio, header []byte, body *io.SectionReader) transcribe.Audio {
	r := &prefixed{head: header, body: body, size: body.Size()}
	return transcribe.Audio{Data: r, Size: int64(len(header)) + body.Size(), Filename: a.Filename, ContentType: a.ContentType}
}

// prefixed reads a small header followed by a section of the original,
// so that a piece costs 44 bytes whatever its size.
type prefixed struct {
	head []byte
	body io.ReaderAt
	size int64 // of body
}

func (p *prefixed) ReadAt(b []byte, off int64) (int, error) {
	return readConcat(p.head, p.body, p.size, b, off)
}

// readConcat implements ReadAt over head followed by size bytes of body.
func readConcat(head []byte, body io.ReaderAt, size int64, b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("audio: negative offset")
	}
	total := int64(len(head)) + size
	if off >= total {
		return 0, io.EOF
	}
	n := 0
	if off < int64(len(head)) {
		n = copy(b, head[off:])
	}
	if n < len(b) {
		boff := off + int64(n) - int64(len(head))
		want := min(int64(len(b)-n), size-boff)
		m, err := body.ReadAt(b[n:n+int(want)], boff)
		n += m
		if m < int(want) {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}
