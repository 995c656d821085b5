package audit_test

import (
	"context"
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
)

type forgetting struct {
	mu  sync.Mutex
	ids []string
}

func (f *forgetting) ForgetCall(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, id)
	return nil
}

func callSaying(id string, at time.Time, texts ...string) storage.Call {
	tr := transcribe.Transcript{Language: "ru"}
	for _, t := range texts {
		tr.Segments = append(tr.Segments, transcribe.Segment{Speaker: transcribe.RoleClient, Text: t})
	}
	return storage.Call{ID: id, Status: storage.StatusDone, CreatedAt: at,
		Report: &score.Report{TotalScore: 50, Criteria: map[string]int{"greeting": 50}, Transcript: &tr}}
}

func TestEraseSubject(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []storage.Call{
		callSaying("plus7", at, "Телефон +7 (912) 345-67-89."),
		callSaying("eight", at.Add(time.Minute), "Да, 89123456789, звоните."),
		callSaying("words", at.Add(2*time.Minute), "восемь девятьсот двенадцать триста сорок пять шестьдесят семь восемьдесят девять"),
		callSaying("other", at.Add(3*time.Minute), "Телефон +7 912 345-67-80."),
		callSaying("mail", at.Add(4*time.Minute), "почта Ivan.Petrov@mail.ru"),
		callSaying("price", at.Add(5*time.Minute), "Стоимость 9 123 456 789 рублей"),
		{ID: "queued", Status: storage.StatusQueued, CreatedAt: at},
	} {
		require.NoError(t, st.Save(ctx, c))
	}
	f := &forgetting{}
	e := &audit.Eraser{Store: st, Forget: []audit.Forgetter{f}}

	ids, err := e.EraseSubject(ctx, "8 (912) 345-67-89", true)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"plus7", "eight", "words"}, ids, "every form of the number, nothing else")
	assert.Equal(t, 7, st.Len(), "a dry run deletes nothing")
	assert.Empty(t, f.ids)

	ids, err = e.EraseSubject(ctx, "+79123456789", false)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"plus7", "eight", "words"}, ids)
	assert.Equal(t, 4, st.Len())
	assert.ElementsMatch(t, ids, f.ids, "the queue forgets each call")
	for _, id := range ids {
		_, err := st.Get(ctx, id)
		assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(err))
	}
	assert.EqualValues(t, 3, e.Erased())

	ids, err = e.EraseSubject(ctx, "ivan.petrov@MAIL.ru", false)
	require.NoError(t, err)
	assert.Equal(t, []string{"mail"}, ids)

	for _, bad := range []string{"", "иван", "12", "not@an address"} {
		_, err := e.FindSubject(ctx, bad)
		assert.Equal(t, callaudit.KindInvalid, callaudit.KindOf(err), bad)
	}
}

func TestEraserDelete(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	require.NoError(t, st.Save(ctx, callSaying("c1", time.Now())))
	f := &forgetting{}
	e := &audit.Eraser{Store: st, Forget: []audit.Forgetter{f}}
	require.NoError(t, e.Delete(ctx, "c1"))
	assert.Equal(t, []string{"c1"}, f.ids)
	assert.Equal(t, callaudit.KindNotFound, callaudit.KindOf(e.Delete(ctx, "c1")))
	assert.Equal(t, []string{"c1"}, f.ids, "nothing to forget for an unknown call")

	noDelete := &audit.Eraser{Store: readOnly{st}}
	assert.Equal(t, callaudit.KindNotConfigured, callaudit.KindOf(noDelete.Delete(ctx, "c1")))
}

type readOnly struct{ storage.Store }

func TestPurgeBefore(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 12 {
		require.NoError(t, st.Save(ctx, callSaying("old"+string(rune('a'+i)), now.AddDate(-2, 0, i))))
	}
	require.NoError(t, st.Save(ctx, callSaying("new", now.AddDate(0, 0, -1))))
	f := &forgetting{}
	e := &audit.Eraser{Store: st, Forget: []audit.Forgetter{f}}
	n, err := e.PurgeBefore(ctx, now.AddDate(-1, 0, 0), 5)
	require.NoError(t, err)
	assert.Equal(t, 12, n, "in three batches")
	assert.Equal(t, 1, st.Len())
	assert.Len(t, f.ids, 12)
	assert.EqualValues(t, 12, e.Purged())
	assert.Zero(t, e.Erased())
}
