package audio

import (
	"context"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/transcribe"
)

// Chunked returns a Transcriber that hands t recordings of at most
// maxBytes unchanged and splits larger WAV and MP3 recordings with Split,
// transcribing up to concurrency pieces at once (concurrency <= 0 means
// one at a time). The first failure cancels the other pieces and is
// returned as it is, so its kind survives. Each piece's segment times are
// shifted by the piece's offset and the pieces are joined in order; pieces
// without timestamps keep their order. Other formats over maxBytes are
// KindTooLarge.
func Chunked(t transcribe.Transcriber, maxBytes int64, concurrency int) transcribe.Transcriber {
	return transcribe.TranscriberFunc(func(ctx context.Context, a transcribe.Audio, opts transcribe.Options) (transcribe.Transcript, error) {
		if a.Data == nil || a.Size <= maxBytes {
			return t.Transcribe(ctx, a, opts)
		}
		chunks, err := Split(a, maxBytes)
		if err != nil {
			return transcribe.Transcript{}, err
		}
		parts := make([]transcribe.Transcript, len(chunks))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(max(concurrency, 1))
		for i, c := range chunks {
			g.Go(func() error {
				tr, err := t.Transcribe(gctx, c.Audio, opts)
				parts[i] = tr
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return transcribe.Transcript{}, err
		}
		return join(chunks, parts), nil
	})
}

// join concatenates the pieces' transcripts, shifting times by offsets.
func join(chunks []Chunk, parts []transcribe.Transcript) transcribe.Transcript {
	out := transcribe.Transcript{Source: parts[0].Source, Segments: []transcribe.Segment{}}
	for i, p := range parts {
		if out.Language == "" {
			out.Language = p.Language
		}
		off := chunks[i].Offset
		for _, s := range p.Segments {
			if s.Start != nil {
				s.Start = transcribe.Seconds(*s.Start + off)
			}
			if s.End != nil {
				s.End = transcribe.Seconds(*s.End + off)
			}
			out.Segments = append(out.Segments, s)
		}
	}
	// The whole duration is known when the last piece's is: everything
	// before it is accounted for by its offset.
	if last := parts[len(parts)-1]; last.Duration != nil {
		out.Duration = transcribe.Seconds(chunks[len(chunks)-1].Offset + *last.Duration)
	}
	return out
}

// Stereo returns a Transcriber that gives exact speaker roles for
// two-channel PCM WAV recordings (telephony with the manager on one
// channel and the client on the other): each channel is transcribed by t
// on its own, concurrently, its segments are labelled manager (channel
// managerChannel, 0 left or 1 right) or client, and both are merged by
// start time. Merging needs timestamps: when a channel's segments have
// none, the recording is transcribed as it is instead, and Source says so.
// A channel in which nothing is recognised (KindInvalid) contributes no
// segments. Mono, multi-channel and non-WAV audio goes to t unchanged.
// managerChannel AutoChannel does not say which side the manager is on:
// the segments are labelled ChannelLabel(0) and ChannelLabel(1) with
// unknown roles, so that transcribe.AssignRoles decides from what each
// side says (the channel keeps each speaker's turns apart exactly, as no
// diarization does). Any other managerChannel is a programming error and
// panics.
func Stereo(t transcribe.Transcriber, managerChannel int) transcribe.Transcriber {
	if managerChannel != 0 && managerChannel != 1 && managerChannel != AutoChannel {
		panic("audio.Stereo: managerChannel must be 0 (left), 1 (right) or AutoChannel")
	}
	return transcribe.TranscriberFunc(func(ctx context.Context, a transcribe.Audio, opts transcribe.Options) (transcribe.Transcript, error) {
		if a.Data == nil || a.Size <= 0 {
			return t.Transcribe(ctx, a, opts)
		}
		if f, _ := sniff(a); f.Ext != "wav" {
			return t.Transcribe(ctx, a, opts)
		}
		chans, err := SplitChannels(a)
		if err != nil || len(chans) != 2 {
			return t.Transcribe(ctx, a, opts)
		}
		var parts [2]transcribe.Transcript
		var errs [2]error
		g, gctx := errgroup.WithContext(ctx)
		for i, c := range chans {
			g.Go(func() error {
				parts[i], errs[i] = t.Transcribe(gctx, c, opts)
				// No speech on one side (a listener who never talks) is
				// not a failure of the call.
				if callaudit.KindOf(errs[i]) == callaudit.KindInvalid {
					return nil
				}
				return errs[i]
			})
		}
		if err := g.Wait(); err != nil {
			return transcribe.Transcript{}, err
		}
		if errs[0] != nil && errs[1] != nil {
			return transcribe.Transcript{}, errs[0]
		}
		merged, ok := mergeChannels(parts, managerChannel)
		if !ok {
			tr, err := t.Transcribe(ctx, a, opts)
			if err != nil {
				return transcribe.Transcript{}, err
			}
			tr.Source += " (stereo channels not split: the transcriber gave no timestamps)"
			return tr, nil
		}
		return merged, nil
	})
}

// AutoChannel is Stereo's managerChannel when the side the manager is on
// is not known.
const AutoChannel = -1

// ChannelLabel is the Segment.Label of channel i's speaker (0 left, 1
// right) when Stereo does not know the manager's side.
func ChannelLabel(i int) string {
	if i == 0 {
		return "left channel"
	}
	return "right channel"
}

// mergeChannels labels and interleaves the channels' segments by start
// time; ok is false when a segment has no timestamps.
func mergeChannels(parts [2]transcribe.Transcript, managerChannel int) (transcribe.Transcript, bool) {
	out := transcribe.Transcript{Segments: []transcribe.Segment{}}
	for i, p := range parts {
		role := transcribe.RoleClient
		if i == managerChannel {
			role = transcribe.RoleManager
		}
		for _, s := range p.Segments {
			if !s.Timed() {
				return transcribe.Transcript{}, false
			}
			s.Speaker = role
			if managerChannel == AutoChannel {
				s.Speaker, s.Label = transcribe.RoleUnknown, ChannelLabel(i)
			}
			out.Segments = append(out.Segments, s)
		}
		if out.Source == "" && p.Source != "" {
			out.Source = p.Source + " (stereo)"
		}
		if p.Duration != nil && (out.Duration == nil || *p.Duration > *out.Duration) {
			out.Duration = transcribe.Seconds(*p.Duration)
		}
	}
	first := max(managerChannel, 0)
	if l := parts[first].Language; l != "" {
		out.Language = l
	} else {
		out.Language = parts[1-first].Language
	}
	if managerChannel != AutoChannel {
		out.RoleConfidence = 1 // the channels named the roles
	}
	// Stable, so that a channel's own order survives equal start times.
	slices.SortStableFunc(out.Segments, func(a, b transcribe.Segment) int {
		switch {
		case *a.Start < *b.Start:
			return -1
		case *a.Start > *b.Start:
			return 1
		}
		return 0
	})
	return out, true
}
