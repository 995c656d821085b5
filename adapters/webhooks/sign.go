package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"
)

// The Standard Webhooks headers. Go canonicalises header names, so lookups
// with these keys match any spelling a sender uses.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// signatureVersion prefixes symmetric (HMAC-SHA256) signatures.
const signatureVersion = "v1"

// Signer signs outbound webhooks. It is safe for concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for a whsec_ secret (see ParseSecret).
func NewSigner(secret string) (*Signer, error) {
	key, err := ParseSecret(secret)
	if err != nil {
		return nil, err
	}
	return &Signer{key: key}, nil
}

// Sign returns the webhook-signature value for a message: "v1," followed
// by base64(HMAC-SHA256(key, "{id}.{unix seconds}.{body}")). The body must
// be the exact bytes sent.
func (s *Signer) Sign(id string, ts time.Time, body []byte) string {
	return signatureVersion + "," + base64.StdEncoding.EncodeToString(mac(s.key, id, ts.Unix(), body))
}

// SetHeaders sets the three Standard Webhooks headers on h for a message
// sent at ts.
func (s *Signer) SetHeaders(h http.Header, id string, ts time.Time, body []byte) {
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, s.Sign(id, ts, body))
}

// mac computes the raw HMAC of the signed content without building the
// concatenated string, so a large body is not copied.
func mac(key []byte, id string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	var buf [32]byte
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write(strconv.AppendInt(buf[:0], unix, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}
