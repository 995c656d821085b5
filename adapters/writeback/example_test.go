package writeback_test

import (
	"context"
	"fmt"

	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
)

// A server builds the configured targets from its environment and
// delivers each result to them; here the target is a signed callback to a
// test receiver that verifies the signature.
func Example() {
	secret := webhooks.NewSecret()
	receiver := writebacktest.NewReceiver(secret)
	defer receiver.Close()
	env := map[string]string{"AUDIT_CALLBACK_URL": receiver.URL, "AUDIT_CALLBACK_SECRET": secret}

	targets, err := writeback.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range targets {
		fmt.Println("target:", writeback.NameOf(t))
	}
	err = writeback.NewMulti(targets...).Notify(context.Background(), writebacktest.DoneCall("lead-4821"))
	fmt.Println("delivered:", err == nil, receiver.Count("lead-4821"))
	// Output:
	// target: callback
	// delivered: true 1
}
