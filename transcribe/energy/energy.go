// Package energy measures a two-channel telephony recording without any
// speech-to-text: who speaks when, from each channel's energy, in pure Go.
// A PBX records each side of a call on its own channel, so a voice
// activity detector per channel gives each side's talk time, the
// silences, the overlaps (one side starting while the other speaks: an
// interruption) and the longest monologue, the conversation figures of
// transcribe.Metrics that need no words. What was said is not analysed.
//
// The detector (Config) works on frames of 20 ms. A frame's level is its
// mean square in dB relative to full scale (dBFS). Each channel's noise
// floor is the 10th percentile of its frame levels (a side that speaks
// even 80 % of the call still has its pauses); speech starts at a frame
// at least OnDB (12 dB) above the floor and no quieter than MinLevelDBFS
// (−45 dBFS), and goes on while frames stay OffDB (6 dB) above the floor
// (hysteresis), ending at the last such frame once Hangover (600 ms) has
// passed below it, so the pauses between words and short breaths stay
// inside one utterance. Its start reaches back over the frames above the
// off level just before the onset (a soft beginning). An utterance
// shorter than MinSpeech (120 ms) is a click or a line noise, not speech.
// A frame more than CrosstalkDB (25 dB) quieter than the same frame of
// the other channel is that side's voice leaking over (echo, crosstalk of
// the line or the recorder), not speech, whatever its level: real
// overlapping talk is within some 15 dB on a telephony recording.
//
// Which side is the manager is a convention of the telephony system:
// Config.ManagerChannel, 0 (left, the default) or 1 (right). Most PBXs
// and call-recording services (Asterisk MixMonitor with the r/t options,
// FreeSWITCH's RECORD_STEREO) put the side that placed the call on the
// left for outbound calls; check one recording of yours and set it.
//
// Known limits: a side that talks over the other more than CrosstalkDB
// quieter is not heard in the overlap; music on hold and ringing count as
// speech of the side that plays them.
package energy

import (
	"cmp"
	"errors"
	"io"
	"math"
	"slices"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/audio"
)

// Defaults of a zero Config field (see the package documentation).
const (
	DefaultFrame        = 20 * time.Millisecond
	DefaultOnDB         = 12.0
	DefaultOffDB        = 6.0
	DefaultMinLevelDBFS = -45.0
	DefaultHangover     = 600 * time.Millisecond
	DefaultMinSpeech    = 120 * time.Millisecond
	DefaultCrosstalkDB  = 25.0
	// FloorPercentile is where in the sorted frame levels the noise
	// floor is read.
	FloorPercentile = 0.10
	// MinSampleRate and MaxSampleRate bound the recordings Analyze
	// reads: telephony's narrowest band to studio rates.
	MinSampleRate = 4000
	MaxSampleRate = 384000
	// SilenceDBFS is the level given to a frame of digital silence (and
	// the lowest floor): −100 dBFS, below any 24-bit noise.
	SilenceDBFS = -100.0
)

// Config tunes the detector; the zero value is the defaults, the manager
// on the left channel.
type Config struct {
	// ManagerChannel is the manager's channel, 0 (left) or 1 (right).
	ManagerChannel int
	Frame          time.Duration
	// OnDB and OffDB are above each channel's noise floor; OffDB must
	// not exceed OnDB.
	OnDB, OffDB  float64
	MinLevelDBFS float64
	Hangover     time.Duration
	MinSpeech    time.Duration
	// CrosstalkDB is how much quieter than the other channel a frame
	// may be and still be speech; negative turns the check off.
	CrosstalkDB float64
}

func (c Config) withDefaults() (Config, error) {
	if c.Frame <= 0 {
		c.Frame = DefaultFrame
	}
	if c.OnDB == 0 {
		c.OnDB = DefaultOnDB
	}
	if c.OffDB == 0 {
		c.OffDB = DefaultOffDB
	}
	if c.MinLevelDBFS == 0 {
		c.MinLevelDBFS = DefaultMinLevelDBFS
	}
	if c.Hangover <= 0 {
		c.Hangover = DefaultHangover
	}
	if c.MinSpeech <= 0 {
		c.MinSpeech = DefaultMinSpeech
	}
	if c.CrosstalkDB == 0 {
		c.CrosstalkDB = DefaultCrosstalkDB
	}
	switch {
	case c.ManagerChannel != 0 && c.ManagerChannel != 1:
		return c, callaudit.Errorf(callaudit.KindInvalid, "energy: the manager channel must be 0 (left) or 1 (right)")
	case c.OffDB > c.OnDB || c.OffDB < 0:
		return c, callaudit.Errorf(callaudit.KindInvalid, "energy: OffDB must be between 0 and OnDB")
	}
	return c, nil
}

// Channel is what the detector found on one channel.
type Channel struct {
	// Index is 0 (left) or 1 (right).
	Index int             `json:"index"`
	Role  transcribe.Role `json:"role"`
	// NoiseFloorDBFS is the channel's floor; SpeechOnDBFS and
	// SpeechOffDBFS are the levels speech starts at and continues at.
	NoiseFloorDBFS float64 `json:"noise_floor_dbfs"`
	SpeechOnDBFS   float64 `json:"speech_on_dbfs"`
	SpeechOffDBFS  float64 `json:"speech_off_dbfs"`
	// SpeechSeconds is the channel's talk time, Utterances its count of
	// utterances.
	SpeechSeconds float64 `json:"speech_seconds"`
	Utterances    int     `json:"utterances"`
}

// Metrics are the conversation figures of a recording measured from its
// channels' energy, named as in transcribe.Metrics and computed by
// transcribe.ComputeMetrics over the utterances (see there for the
// definitions), all in seconds, plus the overlap.
type Metrics struct {
	DurationSeconds         float64 `json:"duration_seconds"`
	ManagerTalkSeconds      float64 `json:"manager_talk_seconds"`
	ClientTalkSeconds       float64 `json:"client_talk_seconds"`
	ManagerTalkShareByTime  float64 `json:"manager_talk_share_by_time"`
	Turns                   int     `json:"turns"`
	LongestMonologueSeconds float64 `json:"longest_monologue_seconds"`
	SilenceSeconds          float64 `json:"silence_seconds"`
	LongestSilenceSeconds   float64 `json:"longest_silence_seconds"`
	// OverlapSeconds is the time both sides speak at once.
	OverlapSeconds       float64 `json:"overlap_seconds"`
	Interruptions        int     `json:"interruptions"`
	ManagerInterruptions int     `json:"manager_interruptions"`
	ClientInterruptions  int     `json:"client_interruptions"`
}

// Result is the measure of one recording.
type Result struct {
	Channels [2]Channel `json:"channels"`
	// Segments are the utterances of both sides in order of their start,
	// with a Speaker, a Start and an End and no Text.
	Segments []transcribe.Segment `json:"segments"`
	Metrics  Metrics              `json:"metrics"`
}

// Transcript returns the utterances as a transcript without words, with
// the recording's duration.
func (r Result) Transcript() transcribe.Transcript {
	return transcribe.Transcript{Segments: r.Segments, Duration: transcribe.Seconds(r.Metrics.DurationSeconds)}
}

// ErrNotStereo is the KindUnsupported error of a recording that is not a
// two-channel WAV file (errors.Is matches it).
var ErrNotStereo = callaudit.Errorf(callaudit.KindUnsupported, "energy: the recording is not a two-channel WAV file at a sample rate from 4 to 384 kHz; without speech-to-text only stereo telephony recordings can be measured")

// AnalyzeAudio is Analyze of an audio's data.
func AnalyzeAudio(a transcribe.Audio, cfg Config) (Result, error) {
	if a.Data == nil || a.Size <= 0 {
		return Result{}, callaudit.Invalid(callaudit.FieldError{Field: "audio", Message: "the recording is empty", Code: callaudit.CodeRecordingEmpty})
	}
	return Analyze(a.Data, a.Size, cfg)
}

// IsStereoWAV reports whether the data of the given size is a
// two-channel WAV file Analyze reads, from its header alone.
func IsStereoWAV(r io.ReaderAt, size int64) bool {
	s, err := audio.OpenSamples(r, size)
	return err == nil && measurable(s.Info)
}

// measurable says whether Analyze reads a recording of this layout.
func measurable(info audio.WAVInfo) bool {
	return info.Channels == 2 && info.SampleRate >= MinSampleRate && info.SampleRate <= MaxSampleRate
}

// Analyze measures a two-channel WAV recording (any format of
// audio.OpenSamples) read through r. It reads the samples once, keeping
// one level per frame and channel (1.4 MB an hour), not the audio. A
// recording that is not a stereo WAV, or whose sample rate is outside
// MinSampleRate..MaxSampleRate, is ErrNotStereo.
func Analyze(r io.ReaderAt, size int64, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	s, err := audio.OpenSamples(r, size)
	// Outside the sample rates a header lies (or the frames would be too
	// many to keep a level each).
	if err != nil || !measurable(s.Info) {
		return Result{}, ErrNotStereo
	}
	frameLen := max(1, int(math.Round(cfg.Frame.Seconds()*float64(s.Info.SampleRate))))
	levels, err := frameLevels(s, frameLen)
	if err != nil {
		return Result{}, err
	}
	speech := levels
	if cfg.CrosstalkDB > 0 {
		speech = dropCrosstalk(levels, float32(cfg.CrosstalkDB))
	}
	frameSec := float64(frameLen) / float64(s.Info.SampleRate)
	duration := s.Info.Duration()
	var res Result
	var spans [2][]span
	for c := range 2 {
		ch := &res.Channels[c]
		ch.Index = c
		ch.Role = transcribe.RoleClient
		if c == cfg.ManagerChannel {
			ch.Role = transcribe.RoleManager
		}
		ch.NoiseFloorDBFS = floor(levels[c])
		ch.SpeechOnDBFS = max(ch.NoiseFloorDBFS+cfg.OnDB, cfg.MinLevelDBFS)
		ch.SpeechOffDBFS = ch.SpeechOnDBFS - (cfg.OnDB - cfg.OffDB)
		hang := int(math.Ceil(cfg.Hangover.Seconds() / frameSec))
		minLen := int(math.Ceil(cfg.MinSpeech.Seconds() / frameSec))
		spans[c] = detect(speech[c], ch.SpeechOnDBFS, ch.SpeechOffDBFS, hang, minLen)
		for _, sp := range spans[c] {
			start, end := float64(sp.from)*frameSec, min(float64(sp.to)*frameSec, duration)
			res.Segments = append(res.Segments, transcribe.Segment{Speaker: ch.Role, Start: transcribe.Seconds(start), End: transcribe.Seconds(end)})
			ch.SpeechSeconds += end - start
		}
		ch.Utterances = len(spans[c])
	}
	slices.SortStableFunc(res.Segments, func(a, b transcribe.Segment) int { return cmp.Compare(*a.Start, *b.Start) })
	res.Metrics = metricsOf(res.Segments, duration)
	res.Metrics.OverlapSeconds = float64(overlap(spans[0], spans[1])) * frameSec
	return res, nil
}

// metricsOf computes the figures with transcribe.ComputeMetrics.
func metricsOf(segs []transcribe.Segment, duration float64) Metrics {
	m := transcribe.ComputeMetrics(transcribe.Transcript{Segments: segs, Duration: transcribe.Seconds(duration)})
	out := Metrics{DurationSeconds: duration}
	if len(segs) == 0 {
		return out
	}
	out.Turns = m.Turns
	out.ManagerTalkSeconds = *m.ManagerTalkSeconds
	out.ClientTalkSeconds = *m.ClientTalkSeconds
	out.ManagerTalkShareByTime = *m.ManagerTalkShareByTime
	out.LongestMonologueSeconds = *m.LongestMonologueSeconds
	out.SilenceSeconds = *m.SilenceSeconds
	out.LongestSilenceSeconds = *m.LongestSilenceSeconds
	out.Interruptions = *m.Interruptions
	out.ManagerInterruptions = *m.ManagerInterruptions
	out.ClientInterruptions = out.Interruptions - out.ManagerInterruptions
	return out
}

// frameLevels decodes the samples and returns each channel's frame
// levels in dBFS; a last partial frame counts when it is at least half
// a frame.
func frameLevels(s *audio.Samples, frameLen int) ([2][]float32, error) {
	var levels [2][]float32
	// Frames span reads: the buffer does not grow with the frame.
	const bufLen = 4096
	dst := [][]float32{make([]float32, bufLen), make([]float32, bufLen)}
	var sum [2]float64
	n := 0
	flush := func() {
		for c := range 2 {
			levels[c] = append(levels[c], level(sum[c]/float64(n)))
			sum[c] = 0
		}
		n = 0
	}
	for {
		got, err := s.Read(dst)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return levels, callaudit.Wrap(err, callaudit.KindUnsupported, "energy", "the recording cannot be read")
		}
		for i := range got {
			for c := range 2 {
				v := float64(dst[c][i])
				sum[c] += v * v
			}
			if n++; n == frameLen {
				flush()
			}
		}
	}
	if n*2 >= frameLen {
		flush()
	}
	return levels, nil
}

// dropCrosstalk returns the levels with each frame more than db under the
// other channel's same frame set to SilenceDBFS: the noise floors are
// read from the levels as recorded.
func dropCrosstalk(levels [2][]float32, db float32) [2][]float32 {
	var out [2][]float32
	for c := range 2 {
		out[c] = slices.Clone(levels[c])
		for i, l := range levels[c] {
			if i < len(levels[1-c]) && l < levels[1-c][i]-db {
				out[c][i] = SilenceDBFS
			}
		}
	}
	return out
}

// level is a mean square in dBFS (a full-scale square wave is 0 dBFS).
func level(meanSquare float64) float32 {
	if meanSquare <= 0 {
		return SilenceDBFS
	}
	return float32(max(SilenceDBFS, 10*math.Log10(meanSquare)))
}

// floor is the FloorPercentile of the levels.
func floor(levels []float32) float64 {
	if len(levels) == 0 {
		return SilenceDBFS
	}
	sorted := slices.Clone(levels)
	slices.Sort(sorted)
	return float64(sorted[int(FloorPercentile*float64(len(sorted)-1))])
}

// span is an utterance, frames [from, to).
type span struct{ from, to int }

// detect finds the utterances of one channel: the hysteresis and
// hangover of the package documentation.
func detect(levels []float32, on, off float64, hang, minLen int) []span {
	var out []span
	add := func(sp span) {
		if sp.to-sp.from >= minLen {
			out = append(out, sp)
		}
	}
	in := false
	var cur span
	for i, l := range levels {
		lv := float64(l)
		switch {
		case !in && lv >= on:
			in = true
			from := i
			// Reach back over the soft beginning, not into the previous
			// utterance.
			lowest := 0
			if len(out) > 0 {
				lowest = out[len(out)-1].to
			}
			for from > lowest && float64(levels[from-1]) >= off {
				from--
			}
			cur = span{from: from, to: i + 1}
		case in && lv >= off:
			cur.to = i + 1
		case in && i-cur.to >= hang:
			in = false
			add(cur)
		}
	}
	if in {
		add(cur)
	}
	return out
}

// overlap counts the frames in both lists of spans.
func overlap(a, b []span) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		lo, hi := max(a[i].from, b[j].from), min(a[i].to, b[j].to)
		if hi > lo {
			n += hi - lo
		}
		if a[i].to < b[j].to {
			i++
		} else {
			j++
		}
	}
	return n
}
