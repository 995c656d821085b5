package intaketest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/storage"
)

// PollsUntilReady asks v directly for rec, which its fake's Recordings
// holds as not ready for n polls: each of the n answers must be
// intake.NotReady with the vendor's documented delay, and the next one
// the audio.
func PollsUntilReady(t *testing.T, v intake.Vendor, rec intake.Recording, n int, delay time.Duration) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		_, _, err := v.Fetch(ctx, rec)
		after, ok := intake.IsNotReady(err)
		require.True(t, ok, "poll %d: not ready is a snooze, not a failure: %v", i+1, err)
		assert.Equal(t, delay, after, "poll %d: the vendor's delay", i+1)
	}
	audio, release, err := v.Fetch(ctx, rec)
	require.NoError(t, err, "poll %d", n+1)
	if release != nil {
		defer release()
	}
	assert.Positive(t, audio.Size, "the recording's bytes")
}

// BurstRig is one case of RunBurst: the pipeline, the fake vendor's side,
// and Send, which sends call i's events as the vendor does and names the
// call and its recording.
type BurstRig struct {
	Env  *Env
	Side *Side
	Send func(i int) (callID, recordingID string, err error)
}

// RunBurst is the acceptance of a vendor burst above its rate limit: n
// calls at once against a fake that answers 429 above its limit, in two
// cases, each started by start with the intake's own limit (ours, per
// second): "limiter kept" with kept, where the limiter must keep under
// the fake's limit (no 429), and "limiter too high" with tooHigh, where
// the fake refuses some requests and each refusal is waited for
// (callaudit_intake_throttled_total) without spending an attempt. In
// both, every call is audited, its recording downloaded once.
func RunBurst(t *testing.T, n int, kept, tooHigh float64, start func(t *testing.T, ours float64) BurstRig) {
	for _, tc := range []struct {
		name      string
		ours      float64
		refusedOK func(int) bool
	}{
		{"limiter kept", kept, func(n int) bool { return n == 0 }},
		{"limiter too high", tooHigh, func(n int) bool { return n > 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rig := start(t, tc.ours)
			calls, recordings := make([]string, n), make([]string, n)
			var g errgroup.Group
			for i := range n {
				g.Go(func() error {
					var err error
					calls[i], recordings[i], err = rig.Send(i)
					return err
				})
			}
			require.NoError(t, g.Wait())
			for i := range n {
				rig.Env.Wait(t, calls[i], storage.StatusDone)
				assert.Equal(t, 1, rig.Side.Recordings.Downloads(recordings[i]), recordings[i])
			}
			refused := rig.Side.Limit.Refused()
			t.Logf("%d calls at ours=%g/s: %d answered 429 by the fake, all audited", n, tc.ours, refused)
			assert.True(t, tc.refusedOK(refused), "429s: %d", refused)
			vendor := rig.Env.Intake.Vendors()[0]
			assert.Equal(t, float64(refused), rig.Env.Counter(t, "callaudit_intake_throttled_total", map[string]string{"vendor": vendor}),
				"each 429 waited for, without spending an attempt")
			assert.Len(t, rig.Env.Calls(t), n, "no call lost, none twice")
		})
	}
}
