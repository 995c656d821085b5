package amocrm_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/adapters/intake/amocrm"
	"github.com/callaudit/callaudit/adapters/intake/amocrm/amocrmtest"
)

func TestParseHookReadsCallNotes(t *testing.T) {
	a := amocrmtest.New("tok")
	defer a.Close()
	a.Add(amocrmtest.Note{ID: 42, EntityID: 4821, Duration: 60})
	a.Add(amocrmtest.Note{ID: 43, Entity: "contacts", EntityID: 12, Out: true, Duration: 60})
	hooks, err := amocrm.ParseHook([]byte(a.Hook(42)))
	require.NoError(t, err)
	require.Len(t, hooks, 1)
	assert.Equal(t, amocrm.Hook{NoteID: 42, Entity: "leads", EntityID: 4821, NoteType: 10, Responsible: "0", Text: hooks[0].Text}, hooks[0])
	assert.Contains(t, hooks[0].Text, `"DURATION":60`)
	hooks, err = amocrm.ParseHook([]byte(a.Hook(43)))
	require.NoError(t, err)
	require.Len(t, hooks, 1)
	assert.Equal(t, [3]any{43, "contacts", 11}, [3]any{hooks[0].NoteID, hooks[0].Entity, hooks[0].NoteType})
	assert.True(t, hooks[0].Call())

	// The documented sample (testdata, shown unescaped there) parses once
	// its JSON text is escaped as the wire has it.
	raw, err := os.ReadFile("amocrmtest/testdata/note_hook.form")
	require.NoError(t, err)
	body := strings.NewReplacer(`"`, "%22", ":", "%3A", "/", "%2F", "+", "%2B").Replace(strings.TrimSpace(string(raw)))
	hooks, err = amocrm.ParseHook([]byte(body))
	require.NoError(t, err)
	require.Len(t, hooks, 1)
	assert.Equal(t, [4]any{42709325, 26050861, 10, "940088"}, [4]any{hooks[0].NoteID, hooks[0].EntityID, hooks[0].NoteType, hooks[0].Responsible})

	hooks, err = amocrm.ParseHook([]byte("leads[add][0][id]=5&account[id]=1"))
	require.NoError(t, err)
	assert.Empty(t, hooks, "not a note hook")
	_, err = amocrm.ParseHook([]byte("%zz"))
	assert.Error(t, err)
}
