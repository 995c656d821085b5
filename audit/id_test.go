package audit_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
)

func TestIDs(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"call-1", true},
		{"звонок 42/2026", true},
		{"amo:lead_123.wav", true},
		{"a b", true},
		{strings.Repeat("я", 200), true},
		{"nul\x00id", false},
		{"tab\tid", false},
		{"line\nbreak", false},
		{"del\x7f", false},
		{"c1\u0085", false},             // NEL, a C1 control
		{"invoice\u202Egpj.exe", false}, // right-to-left override
		{"a\u2066b", false},             // left-to-right isolate
		{"zero\u200bwidth", false},      // zero-width space
		{"bom\ufeff", false},
		{" lead", false},
		{"trail ", false},
		{"\xff\xfe", false},
		{strings.Repeat("я", 201), false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			for _, in := range []audit.Input{{DialogText: "Менеджер: Добрый день!", CallID: tt.id}, {DialogText: "Менеджер: Добрый день!", ManagerID: tt.id}} {
				err := audit.Check(in)
				if tt.ok {
					require.NoError(t, err)
					continue
				}
				require.Error(t, err)
				assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
				fields := callaudit.FieldsOf(err)
				require.Len(t, fields, 1)
				assert.Contains(t, []string{"CallID", "ManagerID"}, fields[0].Field)
				assert.Contains(t, []callaudit.Code{callaudit.CodeIDChars, callaudit.CodeTooLong}, fields[0].Code)
			}
			err := audit.CheckID("call_id", tt.id)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, "call_id", callaudit.FieldsOf(err)[0].Field)
			assert.NotContains(t, err.Error(), "\x00", "the message does not echo the id")
		})
	}
}
