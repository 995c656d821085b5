package main

import (
	"bytes"
	"net"
	"sync"
	"time"
)

// spanListener wraps the fake OpenAI's listener and times every request
// it serves, from the moment its first bytes are read to the moment the
// last bytes of its answer are written. Minus the configured delay that
// is the fake's own work (reading and checking the request, generating
// an answer that fits the schema, encoding it), which shares the CPUs with
// the server and so is reported apart from the server's added latency.
//
// It relies on HTTP/1.1 answering a connection's requests in order: a
// read after a write starts the next request. A request whose bytes hold a
// marker "(#<id>#)" (the harness puts one in every dialog, and the server
// passes the dialog on to the model) is tied to that id, so that the
// harness can subtract the fake's time from that very request's latency.
type spanListener struct {
	net.Listener
	mu    sync.Mutex
	spans []span
}

// span is one request as the fake saw it.
type span struct {
	start, end time.Time
	id         int64 // the marker's id; 0 when none was seen
}

func (s span) duration() time.Duration { return s.end.Sub(s.start) }

func (l *spanListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &spanConn{Conn: c, l: l}, nil
}

// take returns the spans that ended in [from, to) and forgets all.
func (l *spanListener) take(from, to time.Time) []span {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []span
	for _, s := range l.spans {
		if !s.end.Before(from) && s.end.Before(to) {
			out = append(out, s)
		}
	}
	l.spans = nil
	return out
}

func (l *spanListener) add(s span) {
	l.mu.Lock()
	l.spans = append(l.spans, s)
	l.mu.Unlock()
}

// spanConn tracks one connection's current request. net/http's
// background read (which watches for a closed connection) runs beside the
// handler's writes, hence the mutex.
type spanConn struct {
	net.Conn
	l         *spanListener
	mu        sync.Mutex
	writing   bool
	cur       span
	lastWrite time.Time
	// tail keeps the end of the last read, for a marker split between
	// two reads.
	tail []byte
}

func (c *spanConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		now := time.Now()
		c.mu.Lock()
		switch {
		case c.cur.start.IsZero():
			c.cur.start = now
		case c.writing:
			c.l.add(span{start: c.cur.start, end: c.lastWrite, id: c.cur.id})
			c.cur, c.writing, c.tail = span{start: now}, false, c.tail[:0]
		}
		if c.cur.id == 0 {
			c.scan(b[:n])
		}
		c.mu.Unlock()
	}
	return n, err
}

// Write holds the mutex across the write: once the bytes are out the
// client may answer at once, and the read of its next request must not
// be booked before this write is.
func (c *spanConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.Conn.Write(b)
	c.writing, c.lastWrite = true, time.Now()
	return n, err
}

func (c *spanConn) Close() error {
	c.mu.Lock()
	if c.writing {
		c.l.add(span{start: c.cur.start, end: c.lastWrite, id: c.cur.id})
		c.writing = false
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// maxMarker is longer than any marker "(#<id>#)".
const maxMarker = 32

// scan looks for the request's marker in b and the tail of the previous
// read.
func (c *spanConn) scan(b []byte) {
	buf := append(c.tail, b...)
	if id, ok := findMarker(buf); ok {
		c.cur.id = id
	}
	keep := min(len(buf), maxMarker)
	c.tail = append(c.tail[:0], buf[len(buf)-keep:]...)
}

// findMarker returns the id of the first "(#<digits>#)" in b.
func findMarker(b []byte) (int64, bool) {
	for {
		i := bytes.Index(b, []byte("(#"))
		if i < 0 {
			return 0, false
		}
		b = b[i+2:]
		var id int64
		n := 0
		for n < len(b) && n < 18 && b[n] >= '0' && b[n] <= '9' {
			id = id*10 + int64(b[n]-'0')
			n++
		}
		if n > 0 && n+1 < len(b) && b[n] == '#' && b[n+1] == ')' {
			return id, true
		}
	}
}
