package audit_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/audit"
	"github.com/callaudit/callaudit/score"
	"github.com/callaudit/callaudit/storage/memory"
)

const piiDialog = "Менеджер: Продиктуйте номер карты и телефон. Клиент: Карта 4111 1111 1111 1111, телефон +7 912 345-67-89, почта ivan@mail.ru."

var piiValues = []string{"4111 1111 1111 1111", "912 345-67-89", "ivan@mail.ru"}

// With store redaction the scorer (here local) sees the original, and
// nothing saved or returned holds a value: transcript, quotes (masked
// where they cut through a value), comments, summary, advice, raw output.
func TestStoreRedaction(t *testing.T) {
	sc := &fakeScorer{fn: func(_ context.Context, req score.Request) (*score.Report, error) {
		rep := wordReport(req)
		c := req.Transcript.Segments[1].Text
		rep.Details[0].Comment = "клиент назвал " + c
		rep.Details[0].Evidence = []score.Evidence{
			{Quote: c[:len("Карта 4111 11")], Segment: 1, Grounded: true}, // cuts through the card
			{Quote: "почта ivan@mail.ru", Segment: -1, Grounded: false},
		}
		rep.Summary = "Телефон клиента +7 912 345-67-89."
		rep.RecommendationList = []string{"Не просите карту 4111 1111 1111 1111 по телефону."}
		rep.RawModelOutput = json.RawMessage(`{"summary":"карта 4111 1111 1111 1111\n89123456789"}`)
		return rep, nil
	}}
	st := memory.New()
	a, err := audit.New(sc, audit.WithStore(st), audit.WithStoreRedaction())
	require.NoError(t, err)
	rep, err := a.Audit(context.Background(), audit.Input{DialogText: piiDialog, CallID: "c1"})
	require.NoError(t, err)

	assert.Contains(t, sc.requests()[0].Transcript.Text(), "4111 1111 1111 1111", "the local scorer sees the original")

	call, err := st.Get(context.Background(), "c1")
	require.NoError(t, err)
	for name, v := range map[string]any{"returned": rep, "stored": call} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		for _, pv := range append(piiValues, "89123456789") {
			assert.NotContains(t, string(b), pv, name)
		}
	}
	ev := call.Report.Details[0].Evidence
	assert.Equal(t, "Карта [карта]", ev[0].Quote, "a quote cutting a value masks it whole")
	assert.Contains(t, call.Report.Transcript.Segments[1].Text, ev[0].Quote, "the masked quote is in the stored transcript")
	assert.Equal(t, "почта [email]", ev[1].Quote)
	assert.Equal(t, "Телефон клиента [телефон].", call.Report.Summary)
	assert.True(t, json.Valid(call.Report.RawModelOutput))
	assert.Equal(t, 3, call.Report.Meta.Redacted)
}

func TestNoStoreRedactionByDefault(t *testing.T) {
	st := memory.New()
	a, err := audit.New(&fakeScorer{}, audit.WithStore(st))
	require.NoError(t, err)
	_, err = a.Audit(context.Background(), audit.Input{DialogText: piiDialog, CallID: "c1"})
	require.NoError(t, err)
	call, err := st.Get(context.Background(), "c1")
	require.NoError(t, err)
	assert.Contains(t, call.Report.Transcript.Text(), "4111 1111 1111 1111")
	assert.Zero(t, call.Report.Meta.Redacted)
}
