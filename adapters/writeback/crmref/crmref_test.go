package crmref_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/writeback/crmref"
)

func TestMatch(t *testing.T) {
	types := []string{"lead", "deal", "contact"}
	tests := []struct {
		pattern string
		callID  string
		want    crmref.Ref
		invalid bool
	}{
		{callID: "4821", want: crmref.Ref{Type: "deal", ID: "4821"}},
		{callID: "lead-4821", want: crmref.Ref{Type: "lead", ID: "4821"}},
		{callID: "Lead_4821", want: crmref.Ref{Type: "lead", ID: "4821"}},
		{callID: "contact:12:2026-03-01T12:00", want: crmref.Ref{Type: "contact", ID: "12"}},
		{callID: "77.mp3", want: crmref.Ref{Type: "deal", ID: "77"}},
		{callID: "company-5", invalid: true},
		{callID: "call-abc", invalid: true},
		{callID: "abc", invalid: true},
		{callID: "", invalid: true},
		{callID: "12abc", invalid: true},
		{pattern: `^crm(?P<id>\d+)$`, callID: "crm99", want: crmref.Ref{Type: "deal", ID: "99"}},
		{pattern: `^crm(?P<id>\d+)$`, callID: "lead-99", invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.callID, func(t *testing.T) {
			m, err := crmref.NewMatcher(tt.pattern, "deal", types, "X_PATTERN")
			require.NoError(t, err)
			ref, err := m.Match(tt.callID)
			if tt.invalid {
				require.Error(t, err)
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
				assert.Equal(t, "call_id", callaudit.FieldsOf(err)[0].Field)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, ref)
		})
	}
}

func TestNewMatcherErrors(t *testing.T) {
	tests := []struct {
		name, pattern, defType string
	}{
		{name: "bad regexp", pattern: "(", defType: "deal"},
		{name: "no id group", pattern: `^(\d+)$`, defType: "deal"},
		{name: "unknown default type", defType: "invoice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := crmref.NewMatcher(tt.pattern, tt.defType, []string{"lead", "deal"}, "X_PATTERN")
			require.Error(t, err)
			assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
			assert.Equal(t, "X_PATTERN", callaudit.FieldsOf(err)[0].Field)
		})
	}
}

func TestMatchLongCallIDIsShortened(t *testing.T) {
	m, err := crmref.NewMatcher("", "deal", []string{"deal"}, "X")
	require.NoError(t, err)
	long := ""
	for range 50 {
		long += "абвгд"
	}
	_, err = m.Match(long)
	require.Error(t, err)
	assert.Less(t, len(callaudit.MessageOf(err)), len(long))
}
