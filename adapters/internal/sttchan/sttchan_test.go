package sttchan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
)

func TestTranscript(t *testing.T) {
	us := []Utterance{
		{Channel: 1, Text: "Здравствуйте, хочу узнать цену.", Start: 3, End: 5},
		{Channel: 0, Text: "Добрый день, компания Окна Плюс, меня зовут Ольга, чем могу помочь?", Start: 0.5, End: 2.5},
		{Channel: 0, Text: "  ", Start: 6, End: 6.5},
		{Channel: 0, Text: "Сколько окон вам нужно? Давайте запишу вас на замер.", Start: 5.5, End: 8},
	}
	got := Transcript(us, 2, 0, "x")
	require.Len(t, got.Segments, 3, "empty utterances dropped")
	assert.Equal(t, []transcribe.Role{transcribe.RoleManager, transcribe.RoleClient, transcribe.RoleManager},
		[]transcribe.Role{got.Segments[0].Speaker, got.Segments[1].Speaker, got.Segments[2].Speaker}, "ordered by start, roles by channel")
	assert.Equal(t, "channel 1", got.Segments[0].Label)
	assert.Equal(t, 1.0, got.RoleConfidence)

	swapped := Transcript(us, 2, 1, "x")
	assert.Equal(t, transcribe.RoleClient, swapped.Segments[0].Speaker)

	inferred := Transcript(us, 2, -1, "x")
	assert.Equal(t, transcribe.RoleManager, inferred.Segments[0].Speaker, "the greeting with the company names the manager")
	assert.Equal(t, transcribe.RoleClient, inferred.Segments[1].Speaker)
	assert.Greater(t, inferred.RoleConfidence, 0.5)

	mono := Transcript(us, 1, 0, "x")
	for _, s := range mono.Segments {
		assert.Equal(t, transcribe.RoleUnknown, s.Speaker)
		assert.Empty(t, s.Label)
	}
}
