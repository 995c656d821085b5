// Package sttchan turns the utterances of a vendor's multichannel
// recognition (Yandex SpeechKit's channelTag, SaluteSpeech's channel)
// into a transcript: utterances in spoken order, each channel one
// speaker, the manager's channel named by configuration or, when not,
// found from what each side says (transcribe.AssignRoles).
package sttchan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/callaudit/callaudit/transcribe"
)

// Utterance is one recognised phrase of one channel; times in seconds.
type Utterance struct {
	Channel    int
	Text       string
	Start, End float64
}

// Transcript builds the transcript of a recording with channels audio
// channels. With two or more channels each channel is a speaker labelled
// "channel N" (from 1); managerChannel (0-based) names the manager's and
// the others are clients, with RoleConfidence 1; a negative
// managerChannel leaves the choice to transcribe.AssignRoles. One channel
// has no speakers: every segment is RoleUnknown. Empty utterances are
// dropped; the order is by start time, then channel.
func Transcript(us []Utterance, channels, managerChannel int, source string) transcribe.Transcript {
	us = slices.DeleteFunc(slices.Clone(us), func(u Utterance) bool { return strings.TrimSpace(u.Text) == "" })
	slices.SortStableFunc(us, func(a, b Utterance) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return a.Channel - b.Channel
	})
	t := transcribe.Transcript{Segments: make([]transcribe.Segment, 0, len(us)), Source: source}
	for _, u := range us {
		s := transcribe.Segment{Speaker: transcribe.RoleUnknown, Text: strings.TrimSpace(u.Text),
			Start: transcribe.Seconds(max(u.Start, 0)), End: transcribe.Seconds(max(u.End, u.Start, 0))}
		if channels > 1 {
			s.Label = fmt.Sprintf("channel %d", u.Channel+1)
			if managerChannel >= 0 {
				s.Speaker = transcribe.RoleClient
				if u.Channel == managerChannel {
					s.Speaker = transcribe.RoleManager
				}
			}
		}
		t.Segments = append(t.Segments, s)
	}
	switch {
	case channels > 1 && managerChannel >= 0:
		t.RoleConfidence = 1
	case channels > 1:
		t = transcribe.AssignRoles(t, transcribe.DirectionUnknown)
	}
	return t
}
