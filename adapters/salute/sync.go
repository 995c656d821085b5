package salute

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/callaudit/callaudit/adapters/internal/vendorhttp"
	"github.com/callaudit/callaudit/transcribe"
)

// The reference's limits of synchronous recognition (POST
// /speech:recognize, "Распознать речь в аудио файле"): "Максимальный
// размер аудио – 2 Мб, максимальная длина – одна минута. Для
// многоканального аудио распознается только первый канал." 2 MB is
// read as 2,000,000 bytes, the stricter of its readings.
const SyncMaxBytes int64 = 2_000_000

// SyncMaxSeconds is the synchronous method's longest recording, in
// seconds (the same reference).
const SyncMaxSeconds = 60

// syncModels and syncLanguages are the values the reference lists for
// the synchronous method's model and language.
var (
	syncModels    = map[string]bool{"general": true, "callcenter": true}
	syncLanguages = map[string]bool{"ru-RU": true, "en-US": true, "kk-KZ": true}
)

// synchronous reports whether a recording is recognised with one
// speech:recognize request instead of the asynchronous task: a mono WAV
// (the synchronous method hears only the first channel, and only WAV
// tells its length without decoding) within SyncMaxBytes and
// SyncMaxSeconds, with a model and language the method takes, unless
// Config.DisableSync.
func (t *Transcriber) synchronous(enc encoding, lang string) bool {
	return !t.cfg.DisableSync && enc.name == "PCM_S16LE" && enc.channels == 1 &&
		enc.size <= SyncMaxBytes && enc.duration() <= SyncMaxSeconds &&
		syncModels[t.cfg.Model] && syncLanguages[lang]
}

// recognize is synchronous recognition: the samples as the body, the
// options in the query; the answer {"result": ["sentence", …],
// "emotions": […], "status": 200} has the text without times, so the
// segments have no Start and End and no speaker.
func (t *Transcriber) recognize(ctx context.Context, op string, a transcribe.Audio, enc encoding, lang string) (transcribe.Transcript, error) {
	q := url.Values{"language": {lang}, "model": {t.cfg.Model}, "sample_rate": {strconv.Itoa(enc.sampleRate)}, "channels_count": {"1"}}
	var ans struct {
		Result []string `json:"result"`
	}
	err := t.call(ctx, op, func(token string) vendorhttp.Request {
		return enc.post(a, t.cfg.BaseURL+"/speech:recognize?"+q.Encode(), token)
	}, &ans)
	if err != nil {
		return transcribe.Transcript{}, err
	}
	tr := transcribe.Transcript{Source: "salute:" + t.cfg.Model}
	for _, s := range ans.Result {
		if s = strings.TrimSpace(s); s != "" {
			tr.Segments = append(tr.Segments, transcribe.Segment{Speaker: transcribe.RoleUnknown, Text: s})
		}
	}
	return t.finish(tr, enc, lang)
}
