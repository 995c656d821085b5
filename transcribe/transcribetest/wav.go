package transcribetest

import "math"

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
	frames := int(durationSec * float64(sampleRate))
	chans := make([][]int16, channels)
	for c := range chans {
		chans[c] = make([]int16, frames)
		freq := 440 * (1 + 0.5*float64(c))
		for i := range frames {
			chans[c][i] = int16(0.3 * math.Sin(2*math.Pi*freq*float64(i)/float64(sampleRate)) * math.MaxInt16)
		}
	}
	return PCMWAV(sampleRate, chans...)
}
