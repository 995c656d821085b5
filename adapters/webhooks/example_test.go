package webhooks_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/webhooks"
)

// A sender signs the exact body it posts; the receiver verifies the
// headers against the bytes it read. A second delivery of the same id is
// refused.
func Example() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sentAt := time.Unix(1614265330, 0)
	body := []byte(`{"call_id":"c-1","manager_id":"m-7","recording_url":"https://pbx.example.com/c-1.mp3"}`)

	signer, _ := webhooks.NewSigner(secret)
	header := http.Header{}
	signer.SetHeaders(header, "msg_c-1", sentAt, body)

	verifier, _ := webhooks.NewVerifier(secret, webhooks.WithClock(func() time.Time { return sentAt.Add(2 * time.Second) }))
	fmt.Println("first:", verifier.Verify(header, body))
	err := verifier.Verify(header, body)
	fmt.Println("again:", callaudit.KindOf(err), "-", callaudit.MessageOf(err))
	// Output:
	// first: <nil>
	// again: unauthorized - webhook-id "msg_c-1" was already received; a new delivery needs a new id
}
