package transcribetest

import (
	"encoding/binary"
	"math"
)

// WAV returns a valid 16-bit PCM WAV file holding a tone of durationSec
// seconds, for tests of upload handling and format sniffing. Each channel
// gets its own pitch (440 Hz, 660 Hz, ...) so channel splitting can be
// checked. Non-positive arguments fall back to 1 s, 16 kHz and mono.
func WAV(durationSec float64, sampleRate, channels int) []byte {
	if durationSec <= 0 {
		durationSec = 1
	}
	if sampleRate <= 0 {
		sampleRate = 16000
	}
	if channels <= 0 {
		channels = 1
	}
	const bits = 16
	frames := int(durationSec * float64(sampleRate))
	blockAlign := channels * bits / 8
	dataLen := frames * blockAlign
	b := make([]byte, 0, 44+dataLen)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(36+dataLen))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16) // fmt chunk size
	b = binary.LittleEndian.AppendUint16(b, 1)  // PCM
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(sampleRate))
	b = binary.LittleEndian.AppendUint32(b, uint32(sampleRate*blockAlign))
	b = binary.LittleEndian.AppendUint16(b, uint16(blockAlign))
	b = binary.LittleEndian.AppendUint16(b, bits)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(dataLen))
	for i := range frames {
		for c := range channels {
			freq := 440 * (1 + 0.5*float64(c))
			v := 0.3 * math.Sin(2*math.Pi*freq*float64(i)/float64(sampleRate))
			b = binary.LittleEndian.AppendUint16(b, uint16(int16(v*math.MaxInt16)))
		}
	}
	return b
}
