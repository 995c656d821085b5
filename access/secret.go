package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// TokenPrefix starts every API token, so that secret scanners and people
// recognise one.
const TokenPrefix = "ca_"

// argon2id parameters: OWASP's recommendation for argon2id (19 MiB, two
// passes, one lane), which costs tens of milliseconds per login here.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// randomBytes returns n bytes from crypto/rand, which never fails on the
// systems Go supports (it panics on its own when the kernel has none).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// random returns n random bytes, base64url without padding.
func random(n int) string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(n))
}

// NewID returns a random id for a user or a token.
func NewID() string { return hex.EncodeToString(randomBytes(12)) }

// NewToken returns a new API token secret: "ca_" and 32 random bytes.
func NewToken() string { return TokenPrefix + random(32) }

// NewSessionID returns a new random session id for a cookie.
func NewSessionID() string { return random(32) }

// HashSecret returns the SHA-256 of a high-entropy secret (a token or a
// session id) in hex: what the store keeps and looks up. Such secrets need
// no slow hash; passwords do (HashPassword).
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// HashPassword returns the password's argon2id hash with a fresh random
// salt, in the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(password string) string {
	salt := randomBytes(argonSaltLen)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

var errBadHash = errors.New("access: not an argon2id hash")

// CheckPassword reports whether password matches the encoded hash, in
// constant time. The hash's own parameters are used, so hashes made with
// older parameters keep working.
func CheckPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var (
		version        int
		memory, passes uint32
		threads        uint8
	)
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil || passes == 0 || threads == 0 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked when a login names nobody, so that an unknown login
// takes as long as a wrong password and does not reveal who has an account.
var dummyHash = HashPassword("no such user: this is never a password")
