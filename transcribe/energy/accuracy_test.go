package energy_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe/energy"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

// phrases are the lines the generated calls are made of, short and long.
var phrases = []string{
	"Добрый день, компания Ромашка, меня зовут Анна.",
	"Да, слушаю вас.",
	"Угу.",
	"Скажите, сколько человек работает у вас в отделе продаж?",
	"Нет, нам это сейчас не нужно.",
	"Понимаю, а что для вас сейчас важнее всего в работе с клиентами?",
	"Хорошо, давайте попробуем.",
	"Стоимость зависит от числа пользователей, от двух тысяч рублей в месяц.",
	"Да.",
	"А можно прислать предложение на почту?",
	"Конечно, я отправлю его сегодня до конца дня.",
	"Подождите, я уточню у руководителя и перезвоню вам завтра утром.",
}

// generatedCall places random phrases on alternating sides (now and then
// the same side twice) with gaps and overlaps from 0.3 to 2.5 s, never
// overlapping more than half the previous line, and a side's next line at
// least a second after its last one (closer lines of one side are one
// utterance by design).
func generatedCall(rng *rand.Rand, t *testing.T) []transcribetest.Line {
	n := 8 + rng.IntN(7)
	lines := make([]transcribetest.Line, 0, n)
	side := rng.IntN(2)
	var (
		end     float64    // of the previous line
		lastEnd [2]float64 // of each side's latest line
	)
	for i := range n {
		if i > 0 && rng.Float64() > 0.15 {
			side = 1 - side
		}
		text := phrases[rng.IntN(len(phrases))]
		pcm, rate := transcribetest.Speak(t, "ru", text)
		dur := float64(len(pcm)) / float64(rate)
		after := 0.3 + 2.2*rng.Float64()
		if i > 0 && rng.Float64() < 0.35 {
			prev := end - lastStart(lines, rate, t)
			after = -min(1.5, 0.5*prev) * (0.4 + 0.6*rng.Float64())
			if after > -0.3 {
				after = 0.3 + rng.Float64()
			}
		}
		start := end + after
		if i == 0 {
			start, after = 0.3, 0.3
		}
		if i > 0 && start < lastEnd[side]+1.0 {
			after += lastEnd[side] + 1.0 - start
			start = lastEnd[side] + 1.0
		}
		lines = append(lines, transcribetest.Line{Channel: side, Text: text, After: after})
		end = start + dur
		lastEnd[side] = end
	}
	return lines
}

// lastStart is the start of the last line so far.
func lastStart(lines []transcribetest.Line, rate int, t *testing.T) float64 {
	var start, end float64
	for i, l := range lines {
		pcm, _ := transcribetest.Speak(t, "ru", l.Text)
		start = end + l.After
		if i == 0 {
			start = l.After
		}
		end = start + float64(len(pcm))/float64(rate)
	}
	return start
}

// TestGeneratedCallsAccuracy measures the detector on 30 generated calls
// with line noise, crosstalk and the level of one side varied: every talk share within
// 3 points of the constructed one and every interruption count exact. It
// prints the figures docs/benchmarks.md quotes.
func TestGeneratedCallsAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2026))
	const calls = 30
	var (
		worst, sum        float64
		exact, lines, ins int
	)
	for i := range calls {
		call := transcribetest.NewStereoCall(t, "ru", generatedCall(rng, t), 0.5)
		// One side quieter by up to 12 dB (a weak line), as often as not.
		wav := quieter(call.WAV, rng.IntN(2), -12*rng.Float64())
		if i%3 > 0 {
			wav = noisy(wav, 60*(i%3)+rng.IntN(60), 0.02*rng.Float64())
		}
		res, err := energy.Analyze(bytes.NewReader(wav), int64(len(wav)), energy.Config{})
		require.NoError(t, err)
		want := call.Truth(0)
		errPts := 100 * math.Abs(res.Metrics.ManagerTalkShareByTime-want.ManagerShare())
		worst = max(worst, errPts)
		sum += errPts
		lines += want.Lines[0] + want.Lines[1]
		ins += want.Interruptions
		if res.Metrics.Interruptions == want.Interruptions && res.Metrics.ManagerInterruptions == want.ManagerInterruptions {
			exact++
		}
		assert.LessOrEqual(t, errPts, 3.0, "call %d: share %.3f, constructed %.3f", i, res.Metrics.ManagerTalkShareByTime, want.ManagerShare())
		assert.Equal(t, want.Interruptions, res.Metrics.Interruptions, "call %d", i)
		assert.Equal(t, want.ManagerInterruptions, res.Metrics.ManagerInterruptions, "call %d", i)
	}
	t.Logf("generated calls: %d (%d lines, %d interruptions); manager talk share error: mean %.2f, worst %.2f points; interruption counts exact in %d of %d",
		calls, lines, ins, sum/calls, worst, exact, calls)
}

// quieter scales one channel of a 16-bit stereo PCM WAV by db (≤ 0).
func quieter(wav []byte, channel int, db float64) []byte {
	out := append([]byte(nil), wav...)
	g := math.Pow(10, db/20)
	for i := 44 + 2*channel; i+1 < len(out); i += 4 {
		v := float64(int16(binary.LittleEndian.Uint16(out[i:])))
		binary.LittleEndian.PutUint16(out[i:], uint16(int16(math.Round(v*g))))
	}
	return out
}
