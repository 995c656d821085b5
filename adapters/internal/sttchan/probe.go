package sttchan

import (
	"errors"
	"io"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
)

// Probe is what a vendor request must say about a recording.
type Probe struct {
	Format transcribe.Format
	// WAV is the layout of a WAV recording (zero for other formats).
	WAV audio.WAVInfo
	// Channels is the WAV's channel count, 1 for other formats.
	Channels int
}

// ProbeAudio checks a recording before it is sent: empty is KindInvalid,
// unreadable KindInvalid, a format none of the vendors reads (not WAV
// PCM, MP3, OGG or FLAC) KindUnsupported.
func ProbeAudio(a transcribe.Audio) (Probe, error) {
	if a.Data == nil || a.Size <= 0 {
		return Probe{}, callaudit.Errorf(callaudit.KindInvalid, "the recording is empty")
	}
	head := make([]byte, min(a.Size, 64))
	if n, err := a.Data.ReadAt(head, 0); n < len(head) && err != nil && !errors.Is(err, io.EOF) {
		return Probe{}, callaudit.Wrap(err, callaudit.KindInvalid, "sttchan.ProbeAudio", "the recording cannot be read")
	}
	f, ok := transcribe.SniffFormat(head)
	if !ok {
		return Probe{}, callaudit.Errorf(callaudit.KindUnsupported, "the recording is in a format the speech-to-text service does not read (WAV, MP3, OGG Opus or FLAC)")
	}
	p := Probe{Format: f, Channels: 1}
	switch f.Ext {
	case "wav":
		info, err := audio.ParseWAV(a.Data, a.Size)
		if err != nil {
			return Probe{}, err
		}
		if info.FormatTag != 1 || info.BitsPerSample != 16 {
			return Probe{}, callaudit.Errorf(callaudit.KindUnsupported, "the WAV recording is not 16-bit PCM, which the speech-to-text service needs")
		}
		p.WAV, p.Channels = info, info.Channels
	case "mp3", "ogg", "flac":
	default:
		return Probe{}, callaudit.Errorf(callaudit.KindUnsupported, "the recording is in a format the speech-to-text service does not read (WAV, MP3, OGG Opus or FLAC)")
	}
	return p, nil
}
