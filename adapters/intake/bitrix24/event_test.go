package bitrix24_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake/bitrix24"
	"github.com/callaudit/callaudit/adapters/intake/bitrix24/bitrix24test"
)

func TestParseEventReadsTheDocumentedFields(t *testing.T) {
	p := bitrix24test.New()
	defer p.Close()
	p.AddCall(bitrix24test.Call{ID: "call.1", Type: 2, Phone: "+79161234567", UserID: 7, Duration: 95, FailedCode: "200"})
	ev, err := bitrix24.ParseEvent([]byte(p.EndEvent("call.1", p.AppToken).Encode()))
	require.NoError(t, err)
	assert.Equal(t, bitrix24.Event{Name: bitrix24.EventCallEnd, MemberID: p.MemberID, Token: p.AppToken, CallID: "call.1",
		CallType: 2, Phone: "+79161234567", UserID: "7", Duration: 95, FailedCode: "200", StartDate: "2026-03-11T17:28:46+02:00"}, ev)

	_, err = bitrix24.ParseEvent([]byte("data[CALL_ID]=x"))
	assert.True(t, callaudit.KindOf(err) == callaudit.KindInvalid, "no event name: %v", err)
	_, err = bitrix24.ParseEvent([]byte("%zz"))
	assert.Error(t, err)
}

func TestTokensArePerMemberAndSecret(t *testing.T) {
	tokens, err := bitrix24.ParseTokens(" m1 = tok-one ,m2=tok-two")
	require.NoError(t, err)
	assert.NoError(t, tokens.Check(bitrix24.Event{MemberID: "m1", Token: "tok-one"}))
	assert.NoError(t, tokens.Check(bitrix24.Event{MemberID: "m2", Token: "tok-two"}))
	for name, ev := range map[string]bitrix24.Event{
		"another portal's token": {MemberID: "m1", Token: "tok-two"},
		"unknown member":         {MemberID: "m3", Token: "tok-one"},
		"no token":               {MemberID: "m1"},
		"prefix":                 {MemberID: "m1", Token: "tok-on"},
	} {
		err := tokens.Check(ev)
		assert.True(t, callaudit.KindOf(err) == callaudit.KindForbidden, "%s: %v", name, err)
		assert.NotContains(t, err.Error(), "tok-", name)
	}
	for _, bad := range []string{"", "m1", "=tok", "m1="} {
		_, err := bitrix24.ParseTokens(bad)
		assert.True(t, callaudit.KindOf(err) == callaudit.KindInvalid, "%q: %v", bad, err)
	}
	assert.ElementsMatch(t, []string{"tok-one", "tok-two"}, tokens.Secrets())
}
