package webhooks_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/webhooks"
)

// FuzzVerify feeds arbitrary headers and bodies to Verify: it must never
// panic, must answer with KindUnauthorized when it refuses, and must only
// accept what the secret signed.
func FuzzVerify(f *testing.F) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	now := time.Unix(1614265330, 0)
	f.Add("msg_1", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"test": 2432232314}`))
	f.Add("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"test": 2432232314}`))
	f.Add("", "", "", []byte{})
	f.Add("a", "-99999999999999999999", "v1,==== v1a,xx v1,"+string(make([]byte, 200)), []byte("x"))
	signer, err := webhooks.NewSigner(secret)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		v, err := webhooks.NewVerifier(secret, webhooks.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		h.Set(webhooks.HeaderID, id)
		h.Set(webhooks.HeaderTimestamp, ts)
		h.Set(webhooks.HeaderSignature, sig)
		err = v.Verify(h, body)
		if err != nil {
			if k := callaudit.KindOf(err); k != callaudit.KindUnauthorized {
				t.Fatalf("kind %s: %v", k, err)
			}
			return
		}
		// Accepted: the header must hold the signature of exactly this
		// message.
		unix, err := strconv.ParseInt(strings.TrimSpace(h.Get(webhooks.HeaderTimestamp)), 10, 64)
		if err != nil {
			t.Fatalf("accepted timestamp %q", ts)
		}
		want := signer.Sign(strings.TrimSpace(h.Get(webhooks.HeaderID)), time.Unix(unix, 0), body)
		if !slices.Contains(strings.Fields(h.Get(webhooks.HeaderSignature)), want) {
			t.Fatalf("accepted %q without the signature %q", sig, want)
		}
	})
}
