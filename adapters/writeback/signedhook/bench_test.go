package signedhook_test

import (
	"context"
	"testing"

	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
)

// BenchmarkNotify measures one signed callback: encoding the summary,
// signing, and a loopback POST to a receiver that verifies it.
func BenchmarkNotify(b *testing.B) {
	secret := webhooks.NewSecret()
	rcv := writebacktest.NewReceiver(secret)
	defer rcv.Close()
	n, err := signedhook.New(signedhook.Config{URL: rcv.URL, Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	call := writebacktest.DoneCall("lead-1")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := n.Notify(ctx, call); err != nil {
			b.Fatal(err)
		}
	}
}
