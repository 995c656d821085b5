package mango_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/intake/intaketest"
	"github.com/callaudit/callaudit/adapters/intake/mango"
	"github.com/callaudit/callaudit/adapters/intake/mango/mangotest"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
)

const (
	apiKey = "1234567890qwerty"
	salt   = "salt-not-sent"
)

type world struct {
	env  *intaketest.Env
	fake *mangotest.Fake
}

// newWorld runs the fake against the real pipeline; tune changes the
// intake's settings.
func newWorld(t *testing.T, fc mangotest.Config, tune func(*mango.Config)) *world {
	t.Helper()
	return newWorldOn(t, "", fc, tune)
}

// newWorldOn is newWorld on the database dsn (empty: a SQLite file).
func newWorldOn(t *testing.T, dsn string, fc mangotest.Config, tune func(*mango.Config)) *world {
	t.Helper()
	fc.APIKey, fc.Salt = apiKey, salt
	w := &world{}
	w.fake = mangotest.New(fc)
	t.Cleanup(w.fake.Close)
	w.env = intaketest.NewEnv(t, intaketest.EnvConfig{DSN: dsn, Vendor: func(files audit.Fetcher) (intake.Vendor, error) {
		cfg := mango.Config{APIKey: apiKey, Salt: salt, API: intake.API{BaseURL: w.fake.BaseURL()},
			Common: intake.Common{Managers: map[string]string{"123": "ivanov", "124": "petrova"}, PollDelay: 50 * time.Millisecond}}
		if tune != nil {
			tune(&cfg)
		}
		return mango.New(cfg, files)
	}})
	w.fake.Target = w.env.Target("mango")
	return w
}

func (w *world) send(t *testing.T, c mangotest.Call) {
	t.Helper()
	answers, err := w.fake.Send(context.Background(), c)
	require.NoError(t, err)
	for _, a := range answers {
		require.Equal(t, http.StatusOK, a.Status, a.Body)
	}
}

// TestEndToEnd: an answered inbound call, from Mango's first event to the
// stored, scored call of the mapped manager and its write-back, on
// SQLite and on PostgreSQL.
func TestEndToEnd(t *testing.T) {
	intaketest.OnEachStore(t, os.Getenv, func(t *testing.T, dsn string) { endToEnd(t, newWorldOn(t, dsn, mangotest.Config{}, nil)) })
}

func endToEnd(t *testing.T, w *world) {
	w.send(t, mangotest.Call{EntryID: "NTAwOTQxMTAyMg==", RecordingID: "MToxMDAwNjA4NTo1MDA5NDExMDIyOjE=", Inbound: true, Extension: "123", Number: "79001234567", Talk: 95 * time.Second})
	// Extension 123 of the summary, through the table.
	w.env.WaitAudited(t, "mango-NTAwOTQxMTAyMg==", "ivanov")
	assert.Equal(t, 1, w.fake.Recordings.Downloads("MToxMDAwNjA4NTo1MDA5NDExMDIyOjE="), "the one-time link was used once")
	assert.Equal(t, 1.0, w.env.Events(t, "accepted"))
	assert.Equal(t, 3.0, w.env.Events(t, "kept"), "two recording events and the summary")
	assert.Equal(t, 3.0, w.env.Events(t, "check"), "the /events/call legs are answered and ignored")
	assert.Len(t, w.env.Calls(t), 1)
}

// TestWrongSignature: a sign that is not sha256(key+json+salt), or
// another product's key, is refused with 401 and leaves nothing.
func TestWrongSignature(t *testing.T) {
	w := newWorld(t, mangotest.Config{}, nil)
	ctx := context.Background()
	js := `{"entry_id":"e1","product_id":1,"user_id":1,"timestamp":1,"recording_id":"r1"}`
	a, err := w.fake.PostSigned(ctx, "/events/record/added", js, mango.Sign(apiKey, js, "another salt"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, a.Status, a.Body)
	a, err = w.fake.PostSigned(ctx, "/events/record/added", js, mango.Sign(apiKey, js+" ", salt))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, a.Status, "a sign over other bytes")
	assert.NotContains(t, a.Body, salt)
	assert.Empty(t, w.env.Calls(t))
	assert.Equal(t, 2.0, w.env.Events(t, "unauthorized"))
	a, err = w.fake.Post(ctx, "/events/record/added", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, a.Status, "the cabinet's connection check, signed, with an empty json")
}

// TestReplayAndOutOfOrder: every event sent again is answered 200 and
// dropped, a recording event older (seq) than one kept is dropped, and
// the call is audited and written back once.
func TestReplayAndOutOfOrder(t *testing.T) {
	w := newWorld(t, mangotest.Config{}, nil)
	c := mangotest.Call{EntryID: "e-replay", RecordingID: "r-replay", Extension: "124", Number: "79007654321", Talk: time.Minute}
	events := w.fake.Events(c)
	ctx := context.Background()
	// The recording's Completed (seq 2) overtakes its Started (seq 1).
	order := []int{0, 1, 4, 2, 3, 5, 6}
	for _, i := range order {
		a, err := w.fake.Post(ctx, events[i][0], events[i][1])
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, a.Status)
	}
	call := w.env.Wait(t, "mango-e-replay", storage.StatusDone)
	assert.Equal(t, "petrova", call.ManagerID, "outbound: the caller's extension")
	assert.Equal(t, 1.0, w.env.Events(t, "dropped"), "Started arrived after Completed")
	for _, e := range events {
		a, err := w.fake.Post(ctx, e[0], e[1])
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, a.Status)
	}
	assert.Equal(t, 5.0, w.env.Events(t, "dropped"), "the replayed recording events, summary and record/added")
	assert.Equal(t, 1.0, w.env.Events(t, "accepted"), "the replayed record/added found its call: no second job")
	assert.Equal(t, 1, w.env.Receiver.Count(call.ID))
	assert.Equal(t, 1, w.fake.Recordings.Downloads("r-replay"))
	assert.Len(t, w.env.Calls(t), 1)
}

// TestMissedCall: a summary with talk_time 0 and entry_result 0 (§3.1.6
// example 4) is counted as skipped, once, and makes no call.
func TestMissedCall(t *testing.T) {
	w := newWorld(t, mangotest.Config{}, nil)
	c := mangotest.Call{EntryID: "e-missed", Inbound: true, Extension: "123", Number: "79000000000"}
	w.send(t, c)
	w.send(t, c) // the vendor sends again
	assert.Equal(t, 1.0, w.env.Skipped(t, "missed"))
	assert.Empty(t, w.env.Calls(t))

	short := mangotest.Call{EntryID: "e-short", RecordingID: "r-short", Inbound: true, Extension: "123", Number: "79000000001", Talk: 3 * time.Second}
	w.send(t, short)
	assert.Equal(t, 1.0, w.env.Skipped(t, "too_short"), "3 s is under MinTalk")
	assert.Empty(t, w.env.Calls(t))
	assert.Zero(t, w.fake.Recordings.Polls("r-short"), "nothing downloaded")
}

// TestRecordingAfterThreePolls: the API answers 404 three times before the
// recording can be downloaded; the job snoozes each time (River's row:
// three snoozes, no error, the one attempt that downloaded it), the call
// waits queued, then is audited; on SQLite and on PostgreSQL.
func TestRecordingAfterThreePolls(t *testing.T) {
	intaketest.OnEachStore(t, os.Getenv, func(t *testing.T, dsn string) {
		w := newWorldOn(t, dsn, mangotest.Config{}, nil)
		w.send(t, mangotest.Call{EntryID: "e-late", RecordingID: "r-late", Inbound: true, Extension: "123", Number: "79001112233", Talk: time.Minute, NotReady: 3})
		call := w.env.Wait(t, "mango-e-late", storage.StatusDone)
		assert.Equal(t, 4, w.fake.Recordings.Polls("r-late"), "three not ready, then the download")
		assert.Equal(t, 3.0, w.env.Polls(t))
		assert.Equal(t, 1, w.env.Receiver.Count(call.ID))
		job := w.env.Completed(t, call.ID)
		assert.Equal(t, [3]int{0, 1, 3}, [3]int{job.Errors, job.Attempt, job.Snoozes}, "no error, one attempt, three snoozes")

		// The vendor with its defaults: each 404 asks for DefaultPollDelay
		// (Mango documents no figure), then the audio comes.
		v, err := mango.New(mango.Config{APIKey: apiKey, Salt: salt, API: intake.API{BaseURL: w.fake.BaseURL(), PerSecond: 100}}, intaketest.Files(t))
		require.NoError(t, err)
		w.fake.Recordings.Add("r-direct", 3)
		intaketest.PollsUntilReady(t, v, intake.Recording{ID: "r-direct"}, 3, mango.DefaultPollDelay)
	})
}

// TestBurstAboveRateLimit: 25 calls at once against an API that allows 5
// requests a second. The intake's limiter keeps to it (no 429); with a
// limiter set too high, the 429s are retried; either way no call is lost.
func TestBurstAboveRateLimit(t *testing.T) {
	intaketest.RunBurst(t, 25, 5, 100, func(t *testing.T, ours float64) intaketest.BurstRig {
		w := newWorld(t, mangotest.Config{PerSecond: 5, Burst: 5}, func(c *mango.Config) { c.PerSecond = ours })
		return intaketest.BurstRig{Env: w.env, Side: w.fake.Side, Send: func(i int) (string, string, error) {
			c := mangotest.Call{EntryID: fmt.Sprintf("e-burst-%02d", i), RecordingID: fmt.Sprintf("r-burst-%02d", i), Inbound: true, Extension: "123", Number: "79000000000", Talk: time.Minute}
			return "mango-" + c.EntryID, c.RecordingID, intaketest.AllOK(w.fake.Send(context.Background(), c))
		}}
	})
}

// TestSignReferenceVector: sha256 over key+json+salt, lower-case hex, as
// `printf '%s' '1234567890qwerty{"a":1}salt-x' | sha256sum` prints it.
func TestSignReferenceVector(t *testing.T) {
	assert.Equal(t, "586f2c7796efe026435d9e3d3850f013204c334225be6349ec50fb7755418e99", mango.Sign("1234567890qwerty", `{"a":1}`, "salt-x"))
}
