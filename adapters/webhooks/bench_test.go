package webhooks_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callaudit/callaudit/adapters/webhooks"
)

// BenchmarkVerify measures one verification of a typical webhook body
// (signature check and replay guard claim), the cost each inbound webhook
// adds before the handler runs.
func BenchmarkVerify(b *testing.B) {
	secret := webhooks.NewSecret()
	signer, err := webhooks.NewSigner(secret)
	if err != nil {
		b.Fatal(err)
	}
	v, err := webhooks.NewVerifier(secret, webhooks.WithReplayGuard(webhooks.NewMemoryGuard(b.N+1, nil)))
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"call_id":"c-000001","manager_id":"m-17","recording_url":"https://pbx.example.com/rec/` + strings.Repeat("a", 64) + `.mp3"}`)
	headers := make([]http.Header, b.N)
	now := time.Now()
	for i := range headers {
		headers[i] = http.Header{}
		signer.SetHeaders(headers[i], "msg_"+strconv.Itoa(i), now, body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := v.Verify(headers[i], body); err != nil {
			b.Fatal(err)
		}
	}
}
