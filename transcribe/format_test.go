package transcribe_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/transcribe"
)

func TestSniffFormat(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		ext  string
	}{
		{"wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), "wav"},
		{"flac", []byte("fLaC\x00\x00\x00\x22"), "flac"},
		{"ogg", []byte("OggS\x00\x02"), "ogg"},
		{"mp3 id3", []byte("ID3\x04\x00\x00"), "mp3"},
		{"mp3 frame", []byte{0xFF, 0xFB, 0x90, 0x64}, "mp3"},
		{"m4a", []byte("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00"), "m4a"},
		{"mp4", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00"), "mp4"},
		{"webm", []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F}, "webm"},
		{"mpeg ps", []byte{0x00, 0x00, 0x01, 0xBA, 0x44}, "mpeg"},
		{"riff but avi", []byte("RIFF\x24\x00\x00\x00AVI LIST"), ""},
		{"text", []byte("Менеджер: Добрый день"), ""},
		{"png", []byte("\x89PNG\r\n\x1a\n"), ""},
		{"empty", nil, ""},
		{"ff alone", []byte{0xFF}, ""},
		{"frame sync reserved layer", []byte{0xFF, 0xE0}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := transcribe.SniffFormat(tc.head)
			assert.Equal(t, tc.ext != "", ok)
			assert.Equal(t, tc.ext, f.Ext)
		})
	}
}

func TestWithExt(t *testing.T) {
	assert.Equal(t, "call.mp3", transcribe.WithExt("call.wav", "mp3"))
	assert.Equal(t, "call.wav", transcribe.WithExt("call", "wav"))
	assert.Equal(t, "audio.ogg", transcribe.WithExt("", "ogg"))
	assert.Equal(t, "x.flac", transcribe.WithExt("../../etc/x.bin", "flac"))
	assert.Equal(t, "x.m4a", transcribe.WithExt(`C:\rec\x.m4a`, "m4a"))
}
