package transcribetest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/callaudit/callaudit/transcribe/audio"
)

// Line is one side's utterance in a constructed two-channel call.
type Line struct {
	// Channel is 0 (left) or 1 (right).
	Channel int
	Text    string
	// After is the time from the end of the previous line's speech to the
	// start of this one's, in seconds; negative starts it that long
	// before the previous line ends (an overlap). The first line starts
	// at After.
	After float64
}

// Span is where a line's speech is in a constructed call, in seconds:
// from its first to its last audible sample.
type Span struct {
	Channel    int
	Start, End float64
}

// CallRate is the sample rate of a StereoCall: telephony's 8 kHz.
const CallRate = 8000

// StereoCall is a two-channel 16-bit PCM WAV recording at CallRate made of
// espeak-ng speech, one side per channel, with where each line is.
type StereoCall struct {
	WAV   []byte
	Rate  int
	Spans []Span
	// Duration is the recording's length in seconds.
	Duration float64
}

// SalesCallLines is a short outbound sales call in Russian: the manager
// on the left channel, the client on the right, with three
// interruptions: two by the client (one a backchannel inside the
// manager's line) and one by the manager.
var SalesCallLines = []Line{
	{Channel: 0, After: 0.5, Text: "Добрый день, компания Ромашка, меня зовут Анна, вам удобно говорить?"},
	{Channel: 1, After: 0.8, Text: "Да, здравствуйте, слушаю вас."},
	{Channel: 0, After: 0.7, Text: "Скажите, какую систему учёта вы сейчас используете для работы с клиентами?"},
	{Channel: 1, After: -1.2, Text: "Мы пользуемся таблицами, но это неудобно."},
	{Channel: 0, After: 1.0, Text: "Понимаю, а сколько менеджеров работает у вас в отделе продаж?"},
	{Channel: 1, After: 0.6, Text: "Человек десять, может быть двенадцать, точно не скажу."},
	{Channel: 0, After: -0.9, Text: "Отлично, тогда я предлагаю показать вам нашу систему на демонстрации."},
	{Channel: 1, After: -1.6, Text: "Угу."},
	{Channel: 1, After: 1.6, Text: "Давайте, в четверг после обеда будет удобно."},
	{Channel: 0, After: 2.5, Text: "Записываю, до встречи в четверг!"},
}

// Truth is what a constructed call's lines say, for the manager on
// ManagerChannel: each channel's talk time and lines, and the
// interruptions by the rule of transcribe.ComputeMetrics (a line that
// starts before the other side's latest line has ended).
type Truth struct {
	ManagerChannel                      int
	Talk                                [2]float64
	Lines                               [2]int
	Interruptions, ManagerInterruptions int
}

// ManagerShare is the manager's share of the talk time.
func (t Truth) ManagerShare() float64 {
	return t.Talk[t.ManagerChannel] / (t.Talk[0] + t.Talk[1])
}

// Truth returns the call's figures with the manager on managerChannel.
func (c StereoCall) Truth(managerChannel int) Truth {
	tr := Truth{ManagerChannel: managerChannel}
	lastEnd := [2]float64{-1, -1}
	for _, s := range c.Spans {
		tr.Talk[s.Channel] += s.End - s.Start
		tr.Lines[s.Channel]++
		if other := lastEnd[1-s.Channel]; other >= 0 && s.Start < other {
			tr.Interruptions++
			if s.Channel == managerChannel {
				tr.ManagerInterruptions++
			}
		}
		lastEnd[s.Channel] = s.End
	}
	return tr
}

// audible is the amplitude (of 32768) under which a sample of espeak-ng's
// output is the silence it leaves around speech.
const audible = 64

// Speak synthesises text with espeak-ng's voice (e.g. "ru") and returns
// its samples, trimmed of the silence before and after the speech, and
// the sample rate. A test calling it is skipped with the project's
// "missing test input" reason when espeak-ng is not installed
// (scripts/test.sh installs it).
func Speak(t testing.TB, voice, text string) ([]int16, int) {
	t.Helper()
	key := voice + "\x00" + text
	spoken.Lock()
	c, ok := spoken.m[key]
	spoken.Unlock()
	if ok {
		return c.pcm, c.rate
	}
	pcm, rate := speak(t, voice, text)
	spoken.Lock()
	spoken.m[key] = speech{pcm, rate}
	spoken.Unlock()
	return pcm, rate
}

// spoken keeps what Speak synthesised, for the test binary's life: a
// line said in many constructed calls is synthesised once.
var spoken = struct {
	sync.Mutex
	m map[string]speech
}{m: map[string]speech{}}

type speech struct {
	pcm  []int16
	rate int
}

func speak(t testing.TB, voice, text string) ([]int16, int) {
	t.Helper()
	bin, err := exec.LookPath("espeak-ng")
	if err != nil {
		t.Skip("missing test input: espeak-ng is not installed (scripts/test.sh installs it)")
	}
	out := filepath.Join(t.TempDir(), "line.wav")
	if b, err := exec.Command(bin, "-v", voice, "-w", out, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s, err := audio.OpenSamples(bytes.NewReader(data), int64(len(data)))
	if err != nil || s.Info.Channels != 1 {
		t.Fatalf("espeak-ng wrote no mono WAV: %v", err)
	}
	buf := [][]float32{make([]float32, 4096)}
	var pcm []int16
	for {
		n, err := s.Read(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range buf[0][:n] {
			pcm = append(pcm, int16(max(-32768, min(32767, math.Round(float64(v)*32768)))))
		}
	}
	first, last := -1, -1
	for i, v := range pcm {
		if v > audible || v < -audible {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		t.Fatalf("espeak-ng said nothing for %q", text)
	}
	return pcm[first : last+1], s.Info.SampleRate
}

// NewStereoCall synthesises the lines (voice "ru", say) and places them on
// their channels as the lines' After say, then tail seconds of silence.
func NewStereoCall(t testing.TB, voice string, lines []Line, tail float64) StereoCall {
	t.Helper()
	var (
		chans [2][]int32
		call  StereoCall
		end   float64
	)
	for i, l := range lines {
		pcm, from := Speak(t, voice, l.Text)
		pcm = resample(pcm, from, CallRate)
		rate := CallRate
		call.Rate = rate
		start := end + l.After
		if i == 0 {
			start = l.After
		}
		if start < 0 {
			t.Fatalf("line %d starts before the call", i)
		}
		at := int(math.Round(start * float64(rate)))
		ch := &chans[l.Channel]
		if need := at + len(pcm); len(*ch) < need {
			*ch = append(*ch, make([]int32, need-len(*ch))...)
		}
		for j, v := range pcm {
			(*ch)[at+j] += int32(v)
		}
		span := Span{Channel: l.Channel, Start: float64(at) / float64(rate), End: float64(at+len(pcm)) / float64(rate)}
		call.Spans = append(call.Spans, span)
		end = span.End
	}
	frames := max(len(chans[0]), len(chans[1])) + int(tail*float64(call.Rate))
	left, right := make([]int16, frames), make([]int16, frames)
	for i := range frames {
		if i < len(chans[0]) {
			left[i] = int16(max(-32768, min(32767, chans[0][i])))
		}
		if i < len(chans[1]) {
			right[i] = int16(max(-32768, min(32767, chans[1][i])))
		}
	}
	call.WAV = PCMWAV(call.Rate, left, right)
	call.Duration = float64(frames) / float64(call.Rate)
	return call
}

// resample converts pcm from one sample rate to another by linear
// interpolation after a moving average over one output sample's span
// (a crude low-pass, enough for tests that look at energy).
func resample(pcm []int16, from, to int) []int16 {
	if from == to || len(pcm) == 0 {
		return pcm
	}
	win := max(1, from/to)
	smooth := make([]float64, len(pcm))
	var sum float64
	for i, v := range pcm {
		sum += float64(v)
		if i >= win {
			sum -= float64(pcm[i-win])
		}
		smooth[i] = sum / float64(min(i+1, win))
	}
	n := int(int64(len(pcm)) * int64(to) / int64(from))
	out := make([]int16, n)
	for i := range out {
		pos := float64(i) * float64(from) / float64(to)
		j := int(pos)
		frac := pos - float64(j)
		v := smooth[j]
		if j+1 < len(smooth) {
			v += frac * (smooth[j+1] - v)
		}
		out[i] = int16(math.Round(v))
	}
	return out
}

// PCMWAV returns a 16-bit PCM WAV file of the channels' samples (one
// slice per channel, all of one length).
func PCMWAV(sampleRate int, channels ...[]int16) []byte {
	frames := len(channels[0])
	block := 2 * len(channels)
	data := frames * block
	b := make([]byte, 0, 44+data)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(36+data))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(channels)))
	b = binary.LittleEndian.AppendUint32(b, uint32(sampleRate))
	b = binary.LittleEndian.AppendUint32(b, uint32(sampleRate*block))
	b = binary.LittleEndian.AppendUint16(b, uint16(block))
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(data))
	for i := range frames {
		for _, ch := range channels {
			b = binary.LittleEndian.AppendUint16(b, uint16(ch[i]))
		}
	}
	return b
}
