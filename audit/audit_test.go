package audit_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/transcribetest"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return t0 }

func TestAuditText(t *testing.T) {
	sc := &fakeScorer{}
	store := memory.New()
	a, err := audit.New(sc, audit.WithStore(store), audit.WithClock(fixedClock), audit.WithIDGenerator(func() string { return "generated-1" }))
	require.NoError(t, err)

	in := audit.Input{DialogText: dialog, Mode: "Client +", ManagerID: "anna"}
	rep, err := a.Audit(context.Background(), in)
	require.NoError(t, err)

	// The scorer got the parsed dialog and the canonical mode.
	tr := transcribe.ParseDialog(dialog)
	require.Len(t, sc.requests(), 1)
	req := sc.requests()[0]
	assert.Equal(t, tr, req.Transcript)
	assert.Equal(t, score.ModeClient, req.Mode)
	assert.Empty(t, req.Language, "no language asked for")

	// The report carries what the auditor adds.
	assert.Equal(t, "generated-1", rep.ID)
	assert.Equal(t, "generated-1", rep.Meta.CallID)
	assert.Equal(t, "anna", rep.Meta.ManagerID)
	assert.Equal(t, score.ModeClient, rep.Meta.Mode)
	assert.Equal(t, "ru", rep.Meta.Language, "detected from the dialog")
	assert.Equal(t, t0, rep.Meta.CreatedAt)
	assert.Empty(t, rep.Meta.Transcriber, "no transcriber for text")
	require.NotNil(t, rep.Transcript)
	assert.Equal(t, tr, *rep.Transcript)
	assert.Equal(t, transcribe.ComputeMetrics(tr), rep.Metrics)
	assert.Equal(t, "fake", rep.Meta.Scorer, "the scorer's own meta is kept")
	assert.Equal(t, wordReport(req).TotalScore, rep.TotalScore)

	// The call is stored with the report.
	c, err := store.Get(context.Background(), "generated-1")
	require.NoError(t, err)
	assert.Equal(t, storage.Call{
		ID: "generated-1", ManagerID: "anna", Mode: score.ModeClient, Language: "ru",
		Status: storage.StatusDone, Source: "text", Report: rep, CreatedAt: t0, UpdatedAt: c.UpdatedAt,
	}, c)
}

func TestAuditLanguage(t *testing.T) {
	en := "Manager: Good morning, how can I help?\nClient: I would like to know about delivery."
	tests := []struct {
		name        string
		text        string
		language    string
		scorerLang  string
		wantRequest string
		want        string
	}{
		{"detected Russian", dialog, "", "", "", "ru"},
		{"detected English", en, "", "", "", "en"},
		{"asked for English", dialog, "en", "", "en", "en"},
		{"regional tag normalized", dialog, "en-GB", "", "en-GB", "en"},
		{"the scorer's choice is kept", dialog, "en", "de", "en", "de"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &fakeScorer{fn: func(_ context.Context, req score.Request) (*score.Report, error) {
				rep := wordReport(req)
				rep.Meta.Language = tt.scorerLang
				return rep, nil
			}}
			store := memory.New()
			a, err := audit.New(sc, audit.WithStore(store))
			require.NoError(t, err)
			rep, err := a.Audit(context.Background(), audit.Input{DialogText: tt.text, Language: tt.language, CallID: "c"})
			require.NoError(t, err)
			assert.Equal(t, tt.wantRequest, sc.requests()[0].Language)
			assert.Equal(t, tt.want, rep.Meta.Language)
			c, err := store.Get(context.Background(), "c")
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Language)
		})
	}
}

func TestAuditTranscriptAndSource(t *testing.T) {
	tr := transcribetest.SampleTranscript()
	tests := []struct {
		name   string
		in     audit.Input
		source storage.Source
	}{
		{"transcript", audit.Input{Transcript: &tr}, storage.SourceTranscript},
		{"text", audit.Input{DialogText: dialog}, storage.SourceText},
		{"source given", audit.Input{DialogText: dialog, Source: storage.SourceWebhook}, storage.SourceWebhook},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := memory.New()
			a, err := audit.New(&fakeScorer{}, audit.WithStore(store))
			require.NoError(t, err)
			tt.in.CallID = "c"
			rep, err := a.Audit(context.Background(), tt.in)
			require.NoError(t, err)
			assert.Empty(t, rep.Meta.Transcriber)
			c, err := store.Get(context.Background(), "c")
			require.NoError(t, err)
			assert.Equal(t, tt.source, c.Source)
		})
	}
}

func TestAuditAudio(t *testing.T) {
	wav := transcribetest.WAV(0.5, 8000, 1)
	audio := transcribe.AudioFromBytes("call.wav", wav)
	stt := &transcribetest.Fake{}
	sc := &fakeScorer{}
	store := memory.New()
	a, err := audit.New(sc, audit.WithStore(store), audit.WithTranscriber(stt))
	require.NoError(t, err)

	rep, err := a.Audit(context.Background(), audit.Input{Audio: &audio, CallID: "a1", Language: "ru", Prompt: "ТаскФлоу"})
	require.NoError(t, err)

	calls := stt.Calls()
	require.Len(t, calls, 1)
	assert.Equal(t, wav, calls[0].Data, "the recording reaches the transcriber intact")
	assert.Equal(t, transcribe.Options{Language: "ru", Prompt: "ТаскФлоу"}, calls[0].Options)

	want := transcribetest.SampleTranscript()
	want.RoleConfidence = 1 // the transcriber labelled every role
	assert.Equal(t, want, sc.requests()[0].Transcript)
	require.NotNil(t, rep.Transcript)
	assert.Equal(t, want, *rep.Transcript)
	assert.Equal(t, transcribe.ComputeMetrics(want), rep.Metrics)
	assert.NotNil(t, rep.Metrics.DurationSeconds, "a timed transcript gives timed metrics")
	assert.Equal(t, want.Source, rep.Meta.Transcriber)

	c, err := store.Get(context.Background(), "a1")
	require.NoError(t, err)
	assert.Equal(t, storage.SourceAudio, c.Source)
	assert.Empty(t, c.RecordingURL)
}

func TestAuditURL(t *testing.T) {
	wav := transcribetest.WAV(0.5, 8000, 1)
	const url = "https://pbx.example.com/rec/42.wav"

	t.Run("fetched, transcribed, released", func(t *testing.T) {
		f := &fakeFetcher{data: wav}
		stt := &transcribetest.Fake{}
		store := memory.New()
		a, err := audit.New(&fakeScorer{}, audit.WithStore(store), audit.WithTranscriber(stt), audit.WithFetcher(f))
		require.NoError(t, err)
		rep, err := a.Audit(context.Background(), audit.Input{AudioURL: url, CallID: "u1", ManagerID: "vera"})
		require.NoError(t, err)
		assert.Equal(t, []string{url}, f.urls)
		fetches, releases := f.counts()
		assert.Equal(t, 1, fetches)
		assert.Equal(t, 1, releases, "the fetched recording is released")
		require.Len(t, stt.Calls(), 1)
		assert.Equal(t, wav, stt.Calls()[0].Data)
		assert.NotNil(t, rep.Transcript)

		c, err := store.Get(context.Background(), "u1")
		require.NoError(t, err)
		assert.Equal(t, storage.SourceURL, c.Source)
		assert.Equal(t, url, c.RecordingURL)
		assert.Equal(t, "vera", c.ManagerID)
	})
	t.Run("released when transcription fails", func(t *testing.T) {
		f := &fakeFetcher{data: wav}
		stt := &transcribetest.Fake{Err: callaudit.Errorf(callaudit.KindRateLimited, "slow down")}
		store := memory.New()
		a, err := audit.New(&fakeScorer{}, audit.WithStore(store), audit.WithTranscriber(stt), audit.WithFetcher(f))
		require.NoError(t, err)
		_, err = a.Audit(context.Background(), audit.Input{AudioURL: url})
		assert.Equal(t, callaudit.KindRateLimited, callaudit.KindOf(err))
		_, releases := f.counts()
		assert.Equal(t, 1, releases)
		assert.Zero(t, store.Len())
	})
	t.Run("fetch fails", func(t *testing.T) {
		f := &fakeFetcher{err: callaudit.Errorf(callaudit.KindForbidden, "file_url points to a private address")}
		stt := &transcribetest.Fake{}
		a, err := audit.New(&fakeScorer{}, audit.WithTranscriber(stt), audit.WithFetcher(f))
		require.NoError(t, err)
		rep, err := a.Audit(context.Background(), audit.Input{AudioURL: url})
		assert.Nil(t, rep)
		assert.Equal(t, callaudit.KindForbidden, callaudit.KindOf(err))
		assert.Equal(t, "file_url points to a private address", callaudit.MessageOf(err))
		assert.Zero(t, stt.CallCount())
	})
}

func TestAuditPassesErrorsThrough(t *testing.T) {
	wav := transcribetest.WAV(0.5, 8000, 1)
	tests := []struct {
		name   string
		stt    *transcribetest.Fake
		scorer *fakeScorer
		kind   callaudit.Kind
	}{
		{"transcriber rate limited", &transcribetest.Fake{Err: callaudit.Errorf(callaudit.KindRateLimited, "429")}, &fakeScorer{}, callaudit.KindRateLimited},
		{"transcriber finds no words", &transcribetest.Fake{Transcript: transcribe.Transcript{Segments: []transcribe.Segment{{Speaker: transcribe.RoleUnknown, Text: " "}}}}, &fakeScorer{}, callaudit.KindInvalid},
		{"scorer upstream error", &transcribetest.Fake{}, &fakeScorer{fn: func(context.Context, score.Request) (*score.Report, error) {
			return nil, callaudit.Errorf(callaudit.KindUpstream, "bad gateway")
		}}, callaudit.KindUpstream},
		{"scorer returns nothing", &transcribetest.Fake{}, &fakeScorer{fn: func(context.Context, score.Request) (*score.Report, error) { return nil, nil }}, callaudit.KindInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := memory.New()
			a, err := audit.New(tt.scorer, audit.WithStore(store), audit.WithTranscriber(tt.stt))
			require.NoError(t, err)
			audio := transcribe.AudioFromBytes("a.wav", wav)
			rep, err := a.Audit(context.Background(), audit.Input{Audio: &audio})
			assert.Nil(t, rep)
			assert.Equal(t, tt.kind, callaudit.KindOf(err), "error: %v", err)
			assert.Zero(t, store.Len(), "a failed audit is not saved")
		})
	}
}

func TestReauditReplacesTheCall(t *testing.T) {
	clock := &steppingClock{t: t0, step: time.Hour}
	store := memory.New(memory.WithClock(clock.now))
	a, err := audit.New(&fakeScorer{}, audit.WithStore(store), audit.WithClock(clock.now))
	require.NoError(t, err)
	ctx := context.Background()

	first, err := a.Audit(ctx, audit.Input{DialogText: "Менеджер: Добрый день!", CallID: "same", ManagerID: "anna"})
	require.NoError(t, err)
	before, err := store.Get(ctx, "same")
	require.NoError(t, err)

	second, err := a.Audit(ctx, audit.Input{DialogText: "Менеджер: Добрый день! Меня зовут Анна, чем могу помочь?", CallID: "same", ManagerID: "boris", Mode: "Dialog"})
	require.NoError(t, err)
	assert.NotEqual(t, first.TotalScore, second.TotalScore, "the fixture's two dialogs score differently")

	after, err := store.Get(ctx, "same")
	require.NoError(t, err)
	assert.Equal(t, 1, store.Len())
	assert.Equal(t, second, after.Report, "the new report replaces the old")
	assert.Equal(t, "boris", after.ManagerID)
	assert.Equal(t, score.ModeDialog, after.Mode)
	assert.Equal(t, before.CreatedAt, after.CreatedAt, "the call keeps its first CreatedAt")
	assert.True(t, after.UpdatedAt.After(before.UpdatedAt))
}

func TestSaveFailureReturnsTheReport(t *testing.T) {
	store := &hookedStore{Store: memory.New(), save: func(context.Context, storage.Call) error {
		return callaudit.Wrap(errors.New("dial tcp 10.0.0.5:5432: connection refused"), callaudit.KindUnavailable, "sqlstore.Save", "the database is unavailable")
	}}
	a, err := audit.New(&fakeScorer{}, audit.WithStore(store))
	require.NoError(t, err)
	rep, err := a.Audit(context.Background(), audit.Input{DialogText: dialog, CallID: "c"})
	require.Error(t, err)
	require.NotNil(t, rep, "the work is not lost")
	assert.Equal(t, "c", rep.ID)
	assert.Equal(t, callaudit.KindUnavailable, callaudit.KindOf(err))
	msg := callaudit.MessageOf(err)
	assert.Contains(t, msg, "analysed but could not be saved")
	assert.Contains(t, msg, "the database is unavailable")
	assert.NotContains(t, msg, "10.0.0.5", "internal detail stays out of the user's message")
}

func TestCancellation(t *testing.T) {
	wav := transcribetest.WAV(0.5, 8000, 1)
	type setup struct {
		scorer  *fakeScorer
		stt     *transcribetest.Fake
		fetcher *fakeFetcher
		store   *hookedStore
	}
	// Each step ends the context itself, at exactly that step, and then
	// fails the way a real component would: with a wrapped context error
	// or an unrelated one.
	tests := []struct {
		name       string
		in         audit.Input
		arrange    func(s *setup, cancel context.CancelFunc)
		wantReport bool
	}{
		{"before the start", audit.Input{DialogText: dialog}, func(_ *setup, cancel context.CancelFunc) { cancel() }, false},
		{"while fetching", audit.Input{AudioURL: "https://example.com/a.wav"}, func(s *setup, cancel context.CancelFunc) {
			s.fetcher.fn = func(ctx context.Context, _ string) error {
				cancel()
				return fmt.Errorf("GET: %w", errors.New("connection reset"))
			}
		}, false},
		{"while transcribing", audit.Input{Audio: func() *transcribe.Audio { a := transcribe.AudioFromBytes("a.wav", wav); return &a }()}, func(s *setup, cancel context.CancelFunc) {
			s.stt.Func = func(ctx context.Context, _ transcribe.Audio, _ transcribe.Options) (transcribe.Transcript, error) {
				cancel()
				return transcribe.Transcript{}, errors.New("stream closed")
			}
		}, false},
		{"after transcribing", audit.Input{Audio: func() *transcribe.Audio { a := transcribe.AudioFromBytes("a.wav", wav); return &a }()}, func(s *setup, cancel context.CancelFunc) {
			s.stt.Func = func(context.Context, transcribe.Audio, transcribe.Options) (transcribe.Transcript, error) {
				cancel()
				return transcribetest.SampleTranscript(), nil
			}
		}, false},
		{"while scoring", audit.Input{DialogText: dialog}, func(s *setup, cancel context.CancelFunc) {
			s.scorer.fn = func(ctx context.Context, _ score.Request) (*score.Report, error) {
				cancel()
				return nil, callaudit.Errorf(callaudit.KindUpstream, "stream ended")
			}
		}, false},
		{"while saving", audit.Input{DialogText: dialog}, func(s *setup, cancel context.CancelFunc) {
			s.store.save = func(ctx context.Context, c storage.Call) error {
				cancel()
				return s.store.Store.Save(ctx, c)
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &setup{scorer: &fakeScorer{}, stt: &transcribetest.Fake{}, fetcher: &fakeFetcher{data: wav}, store: &hookedStore{Store: memory.New()}}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tt.arrange(s, cancel)
			a, err := audit.New(s.scorer, audit.WithStore(s.store), audit.WithTranscriber(s.stt), audit.WithFetcher(s.fetcher))
			require.NoError(t, err)

			rep, err := a.Audit(ctx, tt.in)
			require.Error(t, err)
			assert.Equal(t, callaudit.KindCanceled, callaudit.KindOf(err), "error: %v", err)
			assert.Equal(t, tt.wantReport, rep != nil)
			assert.Zero(t, s.store.Len(), "nothing is saved")
			_, releases := s.fetcher.counts()
			assert.Zero(t, releases, "a failed fetch has nothing to release")
		})
	}

	t.Run("deadline", func(t *testing.T) {
		stt := &transcribetest.Fake{Delay: time.Hour}
		a, err := audit.New(&fakeScorer{}, audit.WithTranscriber(stt))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		audio := transcribe.AudioFromBytes("a.wav", wav)
		_, err = a.Audit(ctx, audit.Input{Audio: &audio})
		assert.Equal(t, callaudit.KindTimeout, callaudit.KindOf(err), "error: %v", err)
		assert.Contains(t, callaudit.MessageOf(err), "did not finish in time")
	})
}

func TestGeneratedIDs(t *testing.T) {
	hex := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := audit.NewID()
		require.Regexp(t, hex, id)
		require.False(t, seen[id], "duplicate id %s", id)
		seen[id] = true
	}

	// Concurrent audits without a call id each get their own.
	store := memory.New()
	a, err := audit.New(&fakeScorer{}, audit.WithStore(store))
	require.NoError(t, err)
	const n = 40
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rep, err := a.Audit(context.Background(), audit.Input{DialogText: dialog})
			if assert.NoError(t, err) {
				ids[i] = rep.ID
			}
		})
	}
	wg.Wait()
	assert.Equal(t, n, store.Len())
	unique := map[string]bool{}
	for _, id := range ids {
		assert.Regexp(t, hex, id)
		unique[id] = true
	}
	assert.Len(t, unique, n)
}

func TestClockInjection(t *testing.T) {
	clock := &steppingClock{t: t0, step: 1500 * time.Millisecond}
	store := memory.New()
	a, err := audit.New(&fakeScorer{}, audit.WithStore(store), audit.WithClock(clock.now))
	require.NoError(t, err)
	rep, err := a.Audit(context.Background(), audit.Input{DialogText: dialog, CallID: "c"})
	require.NoError(t, err)
	// The auditor reads the clock when it starts and when the report is
	// made; the report's time and total duration come from those readings.
	assert.Equal(t, t0.Add(1500*time.Millisecond), rep.Meta.CreatedAt)
	assert.Equal(t, int64(1500), rep.Meta.Timings.TotalMS)
	c, err := store.Get(context.Background(), "c")
	require.NoError(t, err)
	assert.Equal(t, rep.Meta.CreatedAt, c.CreatedAt)

	t.Run("a clock in another zone is reported in UTC", func(t *testing.T) {
		msk := time.FixedZone("MSK", 3*3600)
		a, err := audit.New(&fakeScorer{}, audit.WithClock(func() time.Time { return t0.In(msk) }))
		require.NoError(t, err)
		rep, err := a.Audit(context.Background(), audit.Input{DialogText: dialog})
		require.NoError(t, err)
		assert.Equal(t, time.UTC, rep.Meta.CreatedAt.Location())
		assert.True(t, rep.Meta.CreatedAt.Equal(t0))
	})
}
