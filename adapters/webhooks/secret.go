// Package webhooks signs and verifies HTTP requests by the Standard
// Webhooks specification (https://www.standardwebhooks.com): the headers
// webhook-id, webhook-timestamp and webhook-signature, an HMAC-SHA256 over
// "{id}.{timestamp}.{body}" keyed with a "whsec_"-prefixed base64 secret,
// a timestamp tolerance against replays of old messages and a replay guard
// that refuses an id seen before. Any sender or receiver built on the
// standard's libraries (Svix and others) interoperates with this package.
//
// The Verifier authenticates inbound webhooks (RequireSignature wraps a
// handler with it); the Signer signs outbound ones (see
// adapters/writeback/signedhook). Errors use the project's kinds:
// KindUnauthorized for anything wrong with a signed request,
// KindInvalid for a secret that cannot be parsed. No error ever holds a
// secret.
package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/callaudit/callaudit"
)

// SecretPrefix marks a symmetric Standard Webhooks secret.
const SecretPrefix = "whsec_"

// Secret length bounds in bytes, after base64 decoding. The standard asks
// for at least 24 random bytes and allows up to 64.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// ParseSecret returns the key bytes of a Standard Webhooks secret:
// "whsec_" followed by standard base64. The prefix may be left out, as the
// standard's reference libraries allow. Errors are KindInvalid and never
// repeat the secret: it ends up in logs otherwise.
func ParseSecret(secret string) ([]byte, error) {
	s := strings.TrimSpace(secret)
	if s == "" {
		return nil, invalidSecret("is empty; set it to whsec_ followed by base64 of at least 24 random bytes", nil)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
	if err != nil {
		// The cause names a byte offset only, but it stays out of the
		// message anyway: the message is shown, the cause is for logs.
		return nil, invalidSecret("is not valid base64 after the whsec_ prefix", err)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, invalidSecret("must decode to 24..64 bytes (the Standard Webhooks range)", nil)
	}
	return key, nil
}

func invalidSecret(msg string, cause error) error {
	e := callaudit.Invalid(callaudit.FieldError{Field: "secret", Message: msg})
	e.Op = "webhooks.ParseSecret"
	e.Err = cause
	return e
}

// NewSecret returns a fresh random secret of 32 bytes in the whsec_ form,
// for operators setting up a sender and for tests.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}
