package transcribetest_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/retry"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

func slowFake(t *testing.T) (transcribe.Transcriber, transcribe.Audio) {
	return &transcribetest.Fake{Delay: time.Hour}, transcribe.AudioFromBytes("slow.wav", transcribetest.WAV(1, 8000, 1))
}

// TestConformance runs the kit against the Fake and against the
// decorators wrapped around it, so both keep the Transcriber contract.
func TestConformance(t *testing.T) {
	noWait := retry.Policy{Sleep: func(context.Context, time.Duration) error { return nil }}
	cases := []struct {
		name string
		new  func() transcribe.Transcriber
	}{
		{"Fake", func() transcribe.Transcriber { return &transcribetest.Fake{MaxSize: 1 << 20} }},
		{"WithRetry", func() transcribe.Transcriber {
			return transcribe.WithRetry(&transcribetest.Fake{MaxSize: 1 << 20}, noWait)
		}},
		{"WithRetryAfterTransientErrors", func() transcribe.Transcriber {
			// The first call fails transiently and is retried; the
			// kit's calls after it must all succeed or fail as documented.
			return transcribe.WithRetry(&transcribetest.Fake{
				MaxSize: 1 << 20,
				Errs:    []error{callaudit.Errorf(callaudit.KindUnavailable, "busy")},
			}, noWait)
		}},
		{"Limit", func() transcribe.Transcriber { return transcribe.Limit(&transcribetest.Fake{MaxSize: 1 << 20}, 2) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			transcribetest.Run(t, transcribetest.Harness{
				New: func(*testing.T) transcribe.Transcriber { return tc.new() },
				Slow: func(t *testing.T) (transcribe.Transcriber, transcribe.Audio) {
					tr, audio := slowFake(t)
					switch tc.name {
					case "WithRetry", "WithRetryAfterTransientErrors":
						tr = transcribe.WithRetry(tr, noWait)
					case "Limit":
						tr = transcribe.Limit(tr, 1)
					}
					return tr, audio
				},
				Features: transcribetest.Features{Timestamps: true, MaxSize: 1 << 20, Concurrency: 16},
			})
		})
	}
}

func TestFakeScript(t *testing.T) {
	boom := callaudit.Errorf(callaudit.KindUpstream, "boom")
	custom := transcribe.ParseDialog("Менеджер: Привет. Клиент: Здравствуйте.")
	cases := []struct {
		name    string
		fake    *transcribetest.Fake
		calls   int
		wantErr []error // per call; nil means success
		want    transcribe.Transcript
	}{
		{"default transcript", &transcribetest.Fake{}, 1, []error{nil}, transcribetest.SampleTranscript()},
		{"fixed transcript", &transcribetest.Fake{Transcript: custom}, 2, []error{nil, nil}, custom},
		{"scripted failures then success", &transcribetest.Fake{Transcript: custom, Errs: []error{boom, nil, boom}}, 4, []error{boom, nil, boom, nil}, custom},
		{"permanent failure", &transcribetest.Fake{Err: boom}, 2, []error{boom, boom}, transcribe.Transcript{}},
		{"function", &transcribetest.Fake{Func: func(_ context.Context, a transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
			return transcribe.ParseDialog("Клиент: " + a.Filename), nil
		}}, 1, []error{nil}, transcribe.ParseDialog("Клиент: x.wav")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			audio := transcribe.AudioFromBytes("x.wav", []byte("RIFF...."))
			for i := range tc.calls {
				got, err := tc.fake.Transcribe(context.Background(), audio, transcribe.Options{Language: "ru"})
				if tc.wantErr[i] != nil {
					require.ErrorIs(t, err, tc.wantErr[i], "call %d", i)
					assert.Empty(t, got.Segments)
					continue
				}
				require.NoError(t, err, "call %d", i)
				assert.Equal(t, tc.want, got)
			}
			calls := tc.fake.Calls()
			require.Len(t, calls, tc.calls)
			assert.Equal(t, tc.calls, tc.fake.CallCount())
			assert.Equal(t, transcribetest.Call{Filename: "x.wav", Size: 8, Data: []byte("RIFF...."), Options: transcribe.Options{Language: "ru"}}, calls[0])
		})
	}
}

func TestFakeResultsAreCopies(t *testing.T) {
	f := &transcribetest.Fake{Transcript: transcribetest.SampleTranscript()}
	audio := transcribe.AudioFromBytes("a.wav", []byte{1})
	first, err := f.Transcribe(context.Background(), audio, transcribe.Options{})
	require.NoError(t, err)
	first.Segments[0].Text = "changed"
	*first.Segments[0].End = 99
	second, err := f.Transcribe(context.Background(), audio, transcribe.Options{})
	require.NoError(t, err)
	assert.Equal(t, transcribetest.SampleTranscript(), second)
}

func TestFakeDelayHonoursContext(t *testing.T) {
	f := &transcribetest.Fake{Delay: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := f.Transcribe(ctx, transcribe.AudioFromBytes("a.wav", []byte{1}), transcribe.Options{})
	assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestWAV(t *testing.T) {
	cases := []struct {
		name                   string
		dur                    float64
		rate, channels         int
		wantRate, wantChannels int
		wantFrames             int
	}{
		{"mono 16k", 1, 16000, 1, 16000, 1, 16000},
		{"stereo 8k half second", 0.5, 8000, 2, 8000, 2, 4000},
		{"defaults", 0, 0, 0, 16000, 1, 16000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := transcribetest.WAV(tc.dur, tc.rate, tc.channels)
			require.GreaterOrEqual(t, len(b), 44)
			assert.Equal(t, "RIFF", string(b[0:4]))
			assert.Equal(t, "WAVE", string(b[8:12]))
			assert.Equal(t, "fmt ", string(b[12:16]))
			assert.Equal(t, "data", string(b[36:40]))
			le := binary.LittleEndian
			assert.EqualValues(t, len(b)-8, le.Uint32(b[4:8]), "RIFF size")
			assert.EqualValues(t, 1, le.Uint16(b[20:22]), "PCM")
			assert.EqualValues(t, tc.wantChannels, le.Uint16(b[22:24]))
			assert.EqualValues(t, tc.wantRate, le.Uint32(b[24:28]))
			assert.EqualValues(t, tc.wantRate*tc.wantChannels*2, le.Uint32(b[28:32]), "byte rate")
			assert.EqualValues(t, 16, le.Uint16(b[34:36]), "bits")
			dataLen := int(le.Uint32(b[40:44]))
			assert.Equal(t, len(b)-44, dataLen)
			assert.Equal(t, tc.wantFrames*tc.wantChannels*2, dataLen)
			// A tone, not silence.
			assert.NotEqual(t, make([]byte, dataLen), b[44:])
			f, ok := transcribe.SniffFormat(b)
			require.True(t, ok)
			assert.Equal(t, "wav", f.Ext)
		})
	}
}

func TestDialog(t *testing.T) {
	text := transcribetest.Dialog(t, "ru_bad_pushy.txt")
	assert.True(t, bytes.HasPrefix([]byte(text), []byte("Менеджер:")), "got %.40q", text)
}

// TestKitCatchesViolations checks that the kit fails a Transcriber that
// breaks the contract, so a passing run means something.
func TestKitCatchesViolations(t *testing.T) {
	var (
		mu   sync.Mutex
		kept *transcribe.Audio
	)
	cases := []struct {
		name     string
		wantFail string // a subtest that must fail
		tr       transcribe.TranscriberFunc
	}{
		{"ignores context", "CanceledContext", func(context.Context, transcribe.Audio, transcribe.Options) (transcribe.Transcript, error) {
			return transcribetest.SampleTranscript(), nil
		}},
		{"partial result with error", "EmptyAudio", func(ctx context.Context, a transcribe.Audio, o transcribe.Options) (transcribe.Transcript, error) {
			_, err := (&transcribetest.Fake{}).Transcribe(ctx, a, o)
			return transcribetest.SampleTranscript(), err
		}},
		{"unordered segments", "Transcribe", func(ctx context.Context, a transcribe.Audio, o transcribe.Options) (transcribe.Transcript, error) {
			tr, err := (&transcribetest.Fake{}).Transcribe(ctx, a, o)
			if err == nil {
				tr.Segments[0], tr.Segments[1] = tr.Segments[1], tr.Segments[0]
			}
			return tr, err
		}},
		{"empty text", "Transcribe", func(ctx context.Context, a transcribe.Audio, o transcribe.Options) (transcribe.Transcript, error) {
			tr, err := (&transcribetest.Fake{}).Transcribe(ctx, a, o)
			for i := range tr.Segments {
				tr.Segments[i].Text = " "
			}
			return tr, err
		}},
		{"keeps audio", "NoReadsAfterReturn", func(ctx context.Context, a transcribe.Audio, o transcribe.Options) (transcribe.Transcript, error) {
			// Reads the previous call's audio, as a leaky cache would.
			mu.Lock()
			if kept != nil {
				_, _ = kept.Data.ReadAt(make([]byte, 1), 0)
			}
			kept = &a
			mu.Unlock()
			return (&transcribetest.Fake{}).Transcribe(ctx, a, o)
		}},
		{"wrong error kind", "UnreadableAudio", func(ctx context.Context, a transcribe.Audio, o transcribe.Options) (transcribe.Transcript, error) {
			tr, err := (&transcribetest.Fake{}).Transcribe(ctx, a, o)
			if err != nil && callaudit.KindOf(err) != callaudit.KindCanceled && callaudit.KindOf(err) != callaudit.KindTimeout {
				err = errors.New("plain")
			}
			return tr, err
		}},
	}
	// The kit is run in a child test process so that its expected
	// failures do not fail this test.
	if name := os.Getenv(violationEnv); name != "" {
		for _, tc := range cases {
			if tc.name == name {
				transcribetest.Run(t, transcribetest.Harness{
					New:      func(*testing.T) transcribe.Transcriber { return tc.tr },
					Features: transcribetest.Features{Timestamps: true},
				})
			}
		}
		return
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestKitCatchesViolations$", "-test.count=1")
			cmd.Env = append(os.Environ(), violationEnv+"="+tc.name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the kit passed a Transcriber that breaks the contract (%s):\n%s", tc.name, out)
			assert.Contains(t, string(out), "--- FAIL: TestKitCatchesViolations/"+tc.wantFail+" ")
		})
	}
}

const violationEnv = "TRANSCRIBETEST_VIOLATION"
