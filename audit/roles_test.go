package audit_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/storage"
	"github.com/callaudit/callaudit/storage/memory"
	"github.com/callaudit/callaudit/transcribe"
)

// A diarized call whose speakers only the text tells apart.
func diarizedCall() *transcribe.Transcript {
	seg := func(label, text string, at float64) transcribe.Segment {
		return transcribe.Segment{Speaker: transcribe.RoleUnknown, Label: label, Text: text, Start: transcribe.Seconds(at), End: transcribe.Seconds(at + 1)}
	}
	return &transcribe.Transcript{Language: "ru", Source: "openai:gpt-4o-transcribe-diarize", Segments: []transcribe.Segment{
		seg("Speaker A", "Алло?", 0),
		seg("Speaker B", "Добрый день! Меня зовут Ольга, компания «Окна Плюс». Вы оставляли заявку, удобно говорить?", 1),
		seg("Speaker A", "Да, хотел узнать, сколько стоит.", 2),
		seg("Speaker B", "От двенадцати тысяч рублей. Записываю вас на замер в четверг?", 3),
		seg("Speaker A", "Хорошо.", 4),
	}}
}

// The auditor assigns roles to a diarized transcript, with the direction
// as evidence, and the confidence is in the stored report.
func TestAuditAssignsDiarizedRoles(t *testing.T) {
	store := memory.New()
	a, err := audit.New(&fakeScorer{}, audit.WithStore(store), audit.WithClock(fixedClock))
	require.NoError(t, err)
	rep, err := a.Audit(context.Background(), audit.Input{Transcript: diarizedCall(), CallID: "d1", Direction: transcribe.DirectionOutbound})
	require.NoError(t, err)
	require.NotNil(t, rep.Transcript)
	got := []transcribe.Role{}
	for _, s := range rep.Transcript.Segments {
		got = append(got, s.Speaker)
	}
	m, c := transcribe.RoleManager, transcribe.RoleClient
	assert.Equal(t, []transcribe.Role{c, m, c, m, c}, got)
	assert.Greater(t, rep.Transcript.RoleConfidence, 0.5)
	assert.Less(t, rep.Transcript.RoleConfidence, 1.0)
	stored, err := store.Get(context.Background(), "d1")
	require.NoError(t, err)
	assert.Equal(t, rep.Transcript.RoleConfidence, stored.Report.Transcript.RoleConfidence)

	_, err = a.Audit(context.Background(), audit.Input{DialogText: "Менеджер: Добрый день.", Direction: "sideways"})
	require.Error(t, err)
	assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err))
	assert.Equal(t, "Direction", callaudit.FieldsOf(err)[0].Field)
}

func TestSwapRoles(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	sc := &fakeScorer{}
	a, err := audit.New(sc, audit.WithStore(store), audit.WithClock(fixedClock))
	require.NoError(t, err)
	first, err := a.Audit(ctx, audit.Input{Transcript: diarizedCall(), CallID: "d1", ManagerID: "olga", Mode: "Manager+"})
	require.NoError(t, err)

	swappedCall, err := a.SwapRoles(ctx, "d1", "lead-1")
	require.NoError(t, err)
	rep := swappedCall.Report
	require.NotNil(t, rep)
	require.Len(t, sc.requests(), 2, "scored again")
	for i, s := range rep.Transcript.Segments {
		want := transcribe.RoleManager
		if first.Transcript.Segments[i].Speaker == transcribe.RoleManager {
			want = transcribe.RoleClient
		}
		assert.Equal(t, want, s.Speaker, "turn %d swapped", i)
	}
	assert.Equal(t, 1.0, rep.Transcript.RoleConfidence, "a lead said who is who")
	assert.NotEqual(t, first.TotalScore, rep.TotalScore, "the fake scores the manager's words")
	assert.Equal(t, "d1", rep.ID)
	assert.Equal(t, "olga", rep.Meta.ManagerID)
	assert.Equal(t, first.Meta.Mode, rep.Meta.Mode)

	versions, err := store.Reports(ctx, "d1")
	require.NoError(t, err)
	require.Len(t, versions, 2, "the earlier report is kept")
	assert.Equal(t, first.TotalScore, versions[0].Report.TotalScore)
	assert.False(t, versions[0].Current)
	assert.True(t, versions[1].Current)
	assert.Equal(t, storage.ReasonRoles, versions[1].Reason)
	assert.Equal(t, "lead-1", versions[1].By)
	call, err := store.Get(ctx, "d1")
	require.NoError(t, err)
	assert.Equal(t, rep.TotalScore, call.Report.TotalScore)

	// Swapping back restores the roles and adds a third version.
	back, err := a.SwapRoles(ctx, "d1", "lead-1")
	require.NoError(t, err)
	assert.Equal(t, first.TotalScore, back.Report.TotalScore)
	versions, err = store.Reports(ctx, "d1")
	require.NoError(t, err)
	assert.Len(t, versions, 3)

	_, err = a.SwapRoles(ctx, "nope", "lead-1")
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err))

	// A call whose roles are all unknown has nothing to swap.
	_, err = a.Audit(ctx, audit.Input{DialogText: "просто текст без меток", CallID: "plain"})
	require.NoError(t, err)
	_, err = a.SwapRoles(ctx, "plain", "lead-1")
	assert.Equal(t, callaudit.KindConflict, callaudit.KindOf(err))
	code, _ := callaudit.CodeOf(err)
	assert.Equal(t, callaudit.CodeNoRolesToSwap, code)
}

// storeOnly hides the optional capabilities of a store.
type storeOnly struct{ storage.Store }

func TestSwapRolesNeedsReportVersions(t *testing.T) {
	a, err := audit.New(&fakeScorer{}, audit.WithStore(storeOnly{memory.New()}))
	require.NoError(t, err)
	_, err = a.SwapRoles(context.Background(), "d1", "x")
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))

	a, err = audit.New(&fakeScorer{})
	require.NoError(t, err)
	_, err = a.SwapRoles(context.Background(), "d1", "x")
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(err))
}

func TestSwappedRoles(t *testing.T) {
	tr := transcribe.Transcript{Segments: []transcribe.Segment{
		{Speaker: transcribe.RoleManager, Text: "a"}, {Speaker: transcribe.RoleUnknown, Text: "b"}, {Speaker: transcribe.RoleClient, Text: "c"},
	}, RoleConfidence: 0.6}
	out, ok := audit.SwappedRoles(tr)
	require.True(t, ok)
	assert.Equal(t, []transcribe.Role{transcribe.RoleClient, transcribe.RoleUnknown, transcribe.RoleManager},
		[]transcribe.Role{out.Segments[0].Speaker, out.Segments[1].Speaker, out.Segments[2].Speaker})
	assert.Equal(t, 1.0, out.RoleConfidence)
	assert.Equal(t, transcribe.RoleManager, tr.Segments[0].Speaker, "the input is not changed")
}
