package writeback_test

import (
	"context"
	"fmt"

	"github.com/callaudit/callaudit/adapters/webhooks"
	"github.com/callaudit/callaudit/adapters/writeback"
	"github.com/callaudit/callaudit/adapters/writeback/signedhook"
	"github.com/callaudit/callaudit/adapters/writeback/writebacktest"
)

// A server builds the targets it has settings for and delivers each
// result to them; here the target is a signed callback to a test receiver
// that verifies the signature.
func Example() {
	secret := webhooks.NewSecret()
	receiver := writebacktest.NewReceiver(secret)
	defer receiver.Close()
	hook, err := signedhook.New(signedhook.Config{URL: receiver.URL, Secret: secret})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("target:", writeback.NameOf(hook))
	err = writeback.NewMulti(hook).Notify(context.Background(), writebacktest.DoneCall("lead-4821"))
	fmt.Println("delivered:", err == nil, receiver.Count("lead-4821"))
	// Output:
	// target: callback
	// delivered: true 1
}
