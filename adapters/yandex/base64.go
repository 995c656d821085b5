package yandex

import (
	"encoding/base64"
	"io"
)

// base64Reader encodes src as standard base64 as it is read, in the
// caller's goroutine, so that no read of the audio outlives the request.
type base64Reader struct {
	src io.Reader
	in  []byte
	out []byte
	eof bool
}

func newBase64Reader(src io.Reader) *base64Reader {
	return &base64Reader{src: src, in: make([]byte, 48<<10)}
}

func (b *base64Reader) Read(p []byte) (int, error) {
	for len(b.out) == 0 {
		if b.eof {
			return 0, io.EOF
		}
		n, err := io.ReadFull(b.src, b.in)
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			b.eof = true
		default:
			return 0, err
		}
		enc := make([]byte, base64.StdEncoding.EncodedLen(n))
		base64.StdEncoding.Encode(enc, b.in[:n])
		b.out = enc
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}
