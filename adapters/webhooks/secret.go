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

// secretFormat is what a valid secret looks like, and secretRecipe how to
// make one (docs/writeback.md gives the same command).
const (
	secretFormat = "whsec_ followed by the base64 of 24 to 64 random bytes (Standard Webhooks)"
	secretRecipe = `generate one with printf 'whsec_%s\n' "$(head -c 32 /dev/urandom | base64)"`
)

// ParseSecret returns the key bytes of a Standard Webhooks secret:
// "whsec_" followed by standard base64. The prefix may be left out, as the
// standard's reference libraries allow. Errors are KindInvalid (a field
// error of "secret"), say what a valid secret looks like and how to
// generate one, and never repeat the secret: it ends up in logs otherwise.
func ParseSecret(secret string) ([]byte, error) {
	s := strings.TrimSpace(secret)
	if s == "" {
		return nil, invalidSecret("is empty: set it to", nil)
	}
	rest, prefixed := strings.CutPrefix(s, SecretPrefix)
	key, err := base64.StdEncoding.DecodeString(rest)
	switch {
	// The cause names a byte offset only, but it stays out of the
	// message anyway: the message is shown, the cause is for logs.
	case err != nil && !prefixed:
		return nil, invalidSecret("must start with", err)
	case err != nil:
		return nil, invalidSecret("is not valid base64 after the whsec_ prefix: it must be", err)
	case len(key) < MinSecretBytes:
		return nil, invalidSecret("is too short: it must be", nil)
	case len(key) > MaxSecretBytes:
		return nil, invalidSecret("is too long: it must be", nil)
	}
	return key, nil
}

// invalidSecret is the error of a secret that does not parse: what is
// wrong, ending in a phrase that secretFormat completes.
func invalidSecret(problem string, cause error) error {
	e := callaudit.Invalid(callaudit.FieldError{Field: "secret", Message: problem + " " + secretFormat + "; " + secretRecipe})
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
