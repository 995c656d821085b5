package transcribe

import (
	"bytes"
	"path"
	"strings"
)

// SniffLen is how many leading bytes SniffFormat needs at most.
const SniffLen = 64

// Format is an audio container format recognised from a file's bytes.
type Format struct {
	Ext  string // file extension without the dot: "wav", "mp3", …
	MIME string
}

// SniffFormat recognises an audio format from the first bytes of a file
// (at least SniffLen bytes when the file is that long), by magic numbers,
// not by name: WAV (RIFF/WAVE), MP3 (ID3 tag or MPEG audio frame sync),
// FLAC, OGG (Vorbis/Opus), MP4/M4A (ftyp box), WebM/Matroska (EBML) and
// MPEG program streams. ok is false for anything else.
func SniffFormat(head []byte) (f Format, ok bool) {
	switch {
	case len(head) >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WAVE")):
		return Format{"wav", "audio/wav"}, true
	case bytes.HasPrefix(head, []byte("fLaC")):
		return Format{"flac", "audio/flac"}, true
	case bytes.HasPrefix(head, []byte("OggS")):
		return Format{"ogg", "audio/ogg"}, true
	case bytes.HasPrefix(head, []byte("ID3")):
		return Format{"mp3", "audio/mpeg"}, true
	case len(head) >= 12 && bytes.Equal(head[4:8], []byte("ftyp")):
		brand := string(head[8:12])
		if strings.HasPrefix(brand, "M4A") || strings.HasPrefix(brand, "M4B") {
			return Format{"m4a", "audio/mp4"}, true
		}
		return Format{"mp4", "audio/mp4"}, true
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return Format{"webm", "audio/webm"}, true
	case bytes.HasPrefix(head, []byte{0x00, 0x00, 0x01, 0xBA}):
		return Format{"mpeg", "audio/mpeg"}, true
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0 && head[1]&0x06 != 0:
		// MPEG audio frame sync (11 set bits) with a valid layer: MP3 without a tag.
		return Format{"mp3", "audio/mpeg"}, true
	}
	return Format{}, false
}

// WithExt returns name with its extension replaced by ext, so that a
// speech-to-text API that infers the format from the name sees the real one.
// An empty name becomes "audio.<ext>".
func WithExt(name, ext string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = "audio"
	}
	return strings.TrimSuffix(name, path.Ext(name)) + "." + ext
}
